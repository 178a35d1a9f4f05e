"""Mailboxes an earlier version made as Sliced were MailDir folders named `.mslc` (issue 22 item 5):
they become MailDir mailboxes, and their accounts are marked for the exporter, which renames each
`<name>.mslc` folder to `<name>.mdir` (basedir.export, a format change is moved like a rename)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Mailbox = apps.get_model("accounts", "Mailbox")
    ExportOutbox = apps.get_model("basedir", "ExportOutbox")
    sliced = Mailbox.objects.filter(format="mslc")
    account_ids = sorted(set(sliced.values_list("account_id", flat=True)))
    if not account_ids:
        return
    sliced.update(format="mdir")
    ExportOutbox.objects.bulk_create([ExportOutbox(kind="account", key=str(pk)) for pk in account_ids])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_account_name_trigram"),
        ("basedir", "0003_exported_mailbox"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
