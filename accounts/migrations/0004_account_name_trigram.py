"""A trigram index on account names, so the Accounts page's "containing" filter finds a rare part of
a name among a million accounts by index, not by walking the whole domain (PostgreSQL only).

pg_trgm ships with PostgreSQL; creating it needs the right to create extensions. Where that is
refused the index is skipped (the filter still works, more slowly on very large domains), and the
migration says so, so a database administrator can run the two statements by hand."""

from django.db import migrations

EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"
INDEX = "CREATE INDEX IF NOT EXISTS account_name_trgm ON accounts_account USING gin (name gin_trgm_ops)"


def create(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(EXTENSION)
                cursor.execute(INDEX)
    except DatabaseError as error:
        print(f"\n  accounts: no trigram index on account names ({error}); as a superuser run:\n"
              f"  {EXTENSION}; {INDEX};")


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS account_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_account_import")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
