"""Every change to the Central Directory's own data: its Access Rights, the PublicInfo list,
custom records of the Local Unit, and the rebuild from accounts.

Account records are not changed here: the account and domain services keep them (directory.sync)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from basedir import outbox
from cgadmin.dataformat import DataFormatError, Value
from cgadmin.errors import AlreadyExists, GeneralError, InvalidInput, NotFound
from directory import config, export, sync
from directory.config import RESERVED_NAMES, check_attribute_name
from directory.models import DirectoryRecord, search_key
from directory.rules import Rule, current_rules, parse_rules, rules_value
from directory.sync import write_rules
from directory.units import LOCAL_UNIT
from logs.audit import audit
from logs.events import Event
from realms import rights as R
from realms.permissions import require_server_right
from server import documents

if TYPE_CHECKING:
    from accounts.models import Account

MAX_NAME = 255
MAX_EMAIL = 320
MAX_VALUE = 4096
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+$")
OBJECT_TYPE = "directory"


@transaction.atomic
def directory_access_update(*, actor: Account | None, rules: Sequence[Value]) -> list[Rule]:
    """Replace the Directory Access Rights (who may read which attributes of which units)."""
    require_server_right(actor, R.DIRECTORY)
    parsed = parse_rules(rules)
    before, after = rules_value(current_rules()), rules_value(parsed)
    if before != after:
        write_rules(parsed)
        audit(actor=actor, event=Event.DIRECTORY_ACCESS, object_type=OBJECT_TYPE, object_name="Access Rights",
              before=before, after=after)
    return parsed


@transaction.atomic
def directory_public_info_update(*, actor: Account | None, names: list[str]) -> list[str]:
    """Change which account settings (besides RealName) every record carries; the records of the
    domains kept in sync are recreated with them."""
    require_server_right(actor, R.DIRECTORY)
    wanted = config.checked_public_info([str(name) for name in names])
    current = documents.read(config.SETTINGS_DOCUMENT)
    before = config.public_info_names(current)
    if wanted != before:
        documents.write(config.SETTINGS_DOCUMENT, {**current, config.PUBLIC_INFO: list(wanted)})
        outbox.mark_dirty(outbox.SERVER, config.SETTINGS_DOCUMENT)
        audit(actor=actor, event=Event.DIRECTORY_PUBLIC_INFO, object_type=OBJECT_TYPE, object_name="Public Info",
              before={config.PUBLIC_INFO: list(before)}, after={config.PUBLIC_INFO: list(wanted)})
        sync.resync_all(wanted)
    return wanted


def _text(value: Value, *, what: str, field_name: str, limit: int = MAX_NAME, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"the {what} must be a string", field=field_name)
    text = value.strip()
    if required and not text:
        raise InvalidInput(f"the {what} is empty", field=field_name)
    if len(text) > limit:
        raise InvalidInput(f"the {what} is longer than {limit} characters", field=field_name)
    if _CONTROL.search(text):
        raise InvalidInput(f"the {what} has control characters", field=field_name)
    return text


def _attribute_value(name: str, value: Value) -> Value:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str) or len(item) > MAX_VALUE:
            raise InvalidInput(f"{name}: a value must be a string (or a list of strings) of at most "
                               f"{MAX_VALUE} characters", field=name)
    return value


def custom_record(
    *, name: Value, real_name: Value = "", email: Value = "", attributes: Mapping[str, Value] | None = None
) -> DirectoryRecord:
    """A checked custom record of the Local Unit (not saved), or InvalidInput naming what is wrong."""
    record_name = _text(name, what="record name", field_name="name", required=True)
    record_real_name = _text(real_name, what="real name", field_name="real_name")
    record_email = _text(email, what="e-mail address", field_name="email", limit=MAX_EMAIL)
    if record_email and not _EMAIL.match(record_email):
        raise InvalidInput(f"{record_email!r} is not an e-mail address (name@domain)", field="email")
    public: dict[str, Value] = {}
    for raw_name, value in (attributes or {}).items():
        attribute = check_attribute_name(raw_name, field="attributes")
        if attribute.lower() in RESERVED_NAMES:
            raise InvalidInput(f"{attribute} has a field of its own", field="attributes")
        if attribute.lower() in (known.lower() for known in public):
            raise InvalidInput(f"{attribute} is given twice", field="attributes")
        public[attribute] = _attribute_value(attribute, value)
    record = DirectoryRecord(
        domain=None, account=None, name=record_name, real_name=record_real_name, email=record_email,
        name_key=search_key(record_name)[:MAX_NAME],
        real_name_key=search_key(record_real_name)[:MAX_NAME], email_key=search_key(record_email)[:MAX_EMAIL],
    )
    record.public = public
    return record


def _record_summary(record: DirectoryRecord) -> dict[str, Value]:
    return {"Name": record.name, **export.record_attributes(record)}


@transaction.atomic
def directory_record_create(
    *,
    actor: Account | None,
    name: str,
    real_name: str = "",
    email: str = "",
    attributes: Mapping[str, Value] | None = None,
) -> DirectoryRecord:
    """Add a custom record to the Local Unit (a record no account stands behind)."""
    require_server_right(actor, R.DIRECTORY)
    record = custom_record(name=name, real_name=real_name, email=email, attributes=attributes)
    if DirectoryRecord.objects.filter(domain__isnull=True, name_key=record.name_key).exists():
        raise AlreadyExists(f"the Local Unit already has a record named {record.name!r}", field="name")
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise AlreadyExists(f"the Local Unit already has a record named {record.name!r}", field="name")
    audit(actor=actor, event=Event.DIRECTORY_RECORD_CREATE, object_type=OBJECT_TYPE, object_name=record.name,
          after=_record_summary(record))
    export.mark_unit_dirty(LOCAL_UNIT)
    return record


@transaction.atomic
def directory_record_delete(*, actor: Account | None, name: str) -> str:
    """Remove a custom record from the Local Unit; its name."""
    require_server_right(actor, R.DIRECTORY)
    record = DirectoryRecord.objects.filter(domain__isnull=True, name_key=search_key(name)).first()
    if record is None:
        raise NotFound(f"the Local Unit has no record named {name!r}", field="name")
    summary = _record_summary(record)
    record.delete()
    audit(actor=actor, event=Event.DIRECTORY_RECORD_DELETE, object_type=OBJECT_TYPE, object_name=record.name,
          before=summary)
    export.mark_unit_dirty(LOCAL_UNIT)
    return record.name


@dataclass(frozen=True)
class RebuildResult:
    records: dict[str, int]  # domain name: records recreated (domains kept in sync)
    custom_kept: int
    custom_imported: list[str] = field(default_factory=list)
    custom_dropped: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.records.values()) + self.custom_kept + len(self.custom_imported)


def _records_on_disk(*, tolerate_errors: bool) -> dict[str, Value]:
    try:
        return export.read_unit_file(LOCAL_UNIT) or {}
    except DataFormatError as error:
        if tolerate_errors:
            return {}
        raise GeneralError(f"{export.unit_file(LOCAL_UNIT)} cannot be read ({error}): rebuild with "
                           "--import-custom after fixing it, or with --drop-custom to recreate it without custom "
                           "records")


def _record_from_file(name: str, values: Value) -> DirectoryRecord:
    attributes = dict(values) if isinstance(values, dict) else {}
    for own in ("Domain", "Aliases"):
        attributes.pop(own, None)
    return custom_record(name=name, real_name=attributes.pop("RealName", ""), email=attributes.pop("Email", ""),
                         attributes=attributes)


@transaction.atomic
def directory_rebuild(
    *, actor: Account | None, import_custom: bool = False, drop_custom: bool = False
) -> RebuildResult:
    """Recreate the directory from the accounts: every domain kept in sync gets its records anew, and
    every unit's file is rewritten. Custom records are never dropped silently: those in the database
    are kept, and custom records found only in Directory/Local.data stop the rebuild unless
    import_custom (add them back) or drop_custom (recreate the directory from accounts alone) says
    what to do with them."""
    require_server_right(actor, R.DIRECTORY)
    if import_custom and drop_custom:
        raise InvalidInput("choose one of --import-custom and --drop-custom")
    in_database = {key: name for key, name in
                   DirectoryRecord.objects.filter(domain__isnull=True).values_list("name_key", "name")}
    on_disk = _records_on_disk(tolerate_errors=drop_custom)
    only_on_disk = {name: values for name, values in on_disk.items() if search_key(name) not in in_database}
    imported: list[str] = []
    dropped: list[str] = []
    if drop_custom:
        dropped = sorted({*in_database.values(), *only_on_disk}, key=str.lower)
        DirectoryRecord.objects.filter(domain__isnull=True).delete()
    elif only_on_disk and not import_custom:
        names = sorted(only_on_disk)
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise GeneralError(
            f"{export.unit_file(LOCAL_UNIT)} holds {len(names)} custom record(s) the database does not have "
            f"({shown}): rebuild with --import-custom to keep them, or --drop-custom to drop them"
        )
    elif only_on_disk:
        records = [_record_from_file(name, values) for name, values in sorted(only_on_disk.items())]
        DirectoryRecord.objects.bulk_create(records)
        imported = [record.name for record in records]
    counts = sync.resync_all()
    for key in export.all_unit_keys():
        export.mark_unit_dirty(key)
    result = RebuildResult(counts, 0 if drop_custom else len(in_database), imported, dropped)
    audit(actor=actor, event=Event.DIRECTORY_REBUILD, object_type=OBJECT_TYPE, object_name="Central Directory",
          before={"CustomDropped": list(dropped)} if dropped else None,
          after={"Records": result.total, "CustomImported": list(imported)})
    return result
