"""A model field holding a settings dictionary as data-format text.

JSON would lose the difference between `#12` and `"12"`, or a date and a string; the data format's
own text keeps every type exactly (spec/dataformat.md, "Round trip")."""

from typing import Any

from django.db import models

from cgadmin import dataformat


class SettingsField(models.TextField):
    """A dict of dataformat values, stored as its compact data-format text."""

    description = "settings dictionary (CommuniGate data format)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict | None:
        if value is None:
            return None
        return dataformat.loads(value) if value else {}

    def to_python(self, value: Any) -> dict | None:
        if value is None or isinstance(value, dict):
            return value
        return dataformat.loads(value) if value else {}

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return value
        return dataformat.dumps(value)

    def value_to_string(self, obj: models.Model) -> str:
        return self.get_prep_value(self.value_from_object(obj)) or ""
