"""A model field holding a settings dictionary as data-format text.

JSON would lose the difference between `#12` and `"12"`, or a date and a string; the data format's
own text keeps every type exactly (spec/dataformat.md, "Round trip")."""

import functools
from typing import TYPE_CHECKING, Any

from django.db import models

from cgadmin import dataformat

PARSED_TEXTS_KEPT = 4096
LONGEST_TEXT_KEPT = 16 * 1024  # a longer text is parsed each time: the cache stays a few MB at most


@functools.lru_cache(maxsize=PARSED_TEXTS_KEPT)
def _parsed(text: str) -> dataformat.Value:
    return dataformat.loads(text)


def _copy(value: dataformat.Value) -> dataformat.Value:
    """A copy of the containers (every other data-format value is immutable)."""
    kind = type(value)
    if kind is dict:
        return {key: _copy(item) for key, item in value.items()}  # type: ignore[union-attr]
    if kind is list:
        return [_copy(item) for item in value]  # type: ignore[union-attr]
    return value


if TYPE_CHECKING:  # the model attribute takes a settings mapping or its text (django-stubs: text only); reads stay Any
    from collections.abc import Mapping

    from django.db.models.expressions import Combinable

    _TextField = models.TextField[Mapping[str, dataformat.Value] | str | Combinable, Any]
else:
    _TextField = models.TextField


class SettingsField(_TextField):
    """A dict of dataformat values, stored as its compact data-format text."""

    description = "settings dictionary (CommuniGate data format)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict | None:
        # Every account lookup reads several of these, mostly the same few texts (a domain's
        # settings, templates, "{}"): parse each text once, and give every instance its own copy.
        if value is None:
            return None
        if not value or value == "{}":
            return {}
        if len(value) > LONGEST_TEXT_KEPT:
            return dataformat.loads(value)  # type: ignore[return-value]
        return _copy(_parsed(value))  # type: ignore[return-value]

    def to_python(self, value: Any) -> dataformat.Value:
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
