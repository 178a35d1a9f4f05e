"""The one table of CLI commands (spec/cli.md): every verb is declared once, here or in an app's
``<app>/cli_commands.py`` (imported by ``cli.apps.CliConfig.ready``, like Django admin modules).

A declaration names the verb and its arguments in a usage line, the rights rule (documentation
for the permission matrix; the real check is in the service through realms.access), and the
handler, which calls ONE service and returns a data-format value (None answers ``200 OK``)::

    @verb("RenameDomain domain:str INTO new_name:str", rights="AllDomains", section="Domains")
    def rename_domain(call: Call, domain: str, new_name: str) -> None:
        domain_rename(actor=call.actor, domain=access_domain(call.actor, domain), new_name=new_name)

Usage grammar, one space-separated item at a time:

- ``name:kind`` a required argument, read with the data-format codec. Kinds: ``str`` (atom or
  quoted string), ``dict``, ``array``, ``num`` (``#12`` or the atom ``12``), ``any``, and the
  names of existing objects ``acct`` (an account: ``name[@domain]``) and ``dom`` (a domain), which
  also take the current-account shorthand: ``*`` is the logged-in account (as ``acct``) or its
  domain (as ``dom``), ``name@*`` an account in the logged-in account's domain. The handler gets
  the name with ``*`` already replaced.
- ``KEYWORD`` (all capitals) a required keyword, matched case-insensitively as an unquoted atom.
- ``[name:kind]`` an optional argument: taken when the next object has that kind.
- ``[KEYWORD]`` an optional flag: the handler gets ``keyword=True/False`` (lower case).
- ``[KEYWORD name:kind]`` an optional keyword with its value (None when absent).

A verb whose arguments do not fit this grammar passes ``parse=`` (a function of an
:class:`ArgumentReader` returning the handler's keyword arguments).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from cgadmin.dataformat import DataFormatError, Value, parse_object, repair_unescaped_strings, skip_space

if TYPE_CHECKING:
    from accounts.models import Account

DOMAINS = "Domains"
ACCOUNTS = "Accounts"
SERVER = "Server"


class Null:
    """A handler returns NULL to answer the data `#NULL#` (None answers a plain `200 OK`)."""

    def __repr__(self) -> str:
        return "NULL"


NULL = Null()


class ArgumentError(ValueError):
    """The command's arguments are wrong: the message names what (answered as 500)."""


@dataclass
class Call:
    """Who runs a command, and from where (the handler passes `actor` to the service)."""

    actor: Account | None  # None: the operator at the shell (manage.py cli)
    peer: str = ""
    session_id: int = 0
    session: Any = None  # the TCP session when there is one (cli.session.Session)


Reply: TypeAlias = Value | Null  # what a handler returns: a data-format value, or NULL
Handler = Callable[..., Reply]
Parser = Callable[["ArgumentReader"], dict[str, Any]]


@dataclass(frozen=True)
class Verb:
    """One CLI command."""

    name: str
    usage: str
    handler: Handler
    parse: Parser
    rights: str  # who may run it, in words (the permission matrix documents it; services enforce it)
    section: str
    summary: str = ""
    login: bool = True  # False: answered before login too (NOOP)

    def parse_arguments(self, text: str, pos: int, actor: Account | None = None) -> dict[str, Any]:
        reader = ArgumentReader(text, pos, self.name, actor)
        arguments = self.parse(reader)
        reader.end()
        return arguments


# ---------------------------------------------------------------------------------------------------
# Reading arguments
# ---------------------------------------------------------------------------------------------------

_KINDS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "dict": (dict,),
    "array": (list,),
    "num": (int,),
    "any": (object,),
    "acct": (str,),
    "dom": (str,),
}
_KIND_WORDS = {
    "str": "a string",
    "dict": "a dictionary {...}",
    "array": "an array (...)",
    "num": "a number",
    "any": "an object",
    "acct": "an account name",
    "dom": "a domain name",
}
_DIGITS = re.compile(r"-?[0-9]+")
_WORD = re.compile(r"[^ \t\r\n]+")
NAME_KINDS = ("acct", "dom")
CURRENT = "*"
# `*` and `name@*` unquoted: the codec's atoms have no `*`, so these are read before it is asked
_CURRENT_WORD = re.compile(r"(?:[^\s\"(){}\[\],;=<>#*]*@)?\*(?=\s|$)")


class ArgumentReader:
    """Reads a command's arguments one data-format object at a time."""

    def __init__(self, text: str, pos: int, verb_name: str, actor: Account | None = None) -> None:
        self.text = text
        self.pos = skip_space(text, pos)
        self.verb_name = verb_name
        self.actor = actor  # who runs the command: `*` in account and domain names means it
        self._peeked: tuple[Value, int] | None = None
        self._repaired = False

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def _peek(self) -> tuple[Value, int]:
        if self._peeked is None:
            try:
                self._peeked = parse_object(self.text, self.pos)
            except DataFormatError as error:
                if not self._repair():
                    raise ArgumentError(f"{self.verb_name}: bad data at {error.position}: expected {error.expected}")
                return self._peek()
            except RecursionError:  # defensive: the codec bounds its depth, but never let one escape
                raise ArgumentError(f"{self.verb_name}: the data is nested too deeply")
        return self._peeked

    def _repair(self) -> bool:
        """Read the rest of the line again with the strings as clients send them unescaped (once)."""
        if self._repaired:
            return False
        self._repaired = True
        repaired = repair_unescaped_strings(self.text, self.pos)
        if repaired is None:
            return False
        self.text = self.text[: self.pos] + repaired
        return True

    def take(self, what: str) -> Value:
        """The next object, whatever its kind."""
        if self.at_end():
            raise ArgumentError(f"{self.verb_name}: {what} is missing")
        value, end = self._peek()
        self._advance(end)
        return value

    def _advance(self, end: int) -> None:
        self.pos = skip_space(self.text, end)
        self._peeked = None

    def next_is(self, kind: str) -> bool:
        """Whether an object of this kind comes next (keywords and quoted text both count as str)."""
        if self.at_end():
            return False
        if kind in NAME_KINDS and _CURRENT_WORD.match(self.text, self.pos):
            return True
        return _has_kind(self._peek()[0], kind)

    def take_kind(self, kind: str, what: str) -> Value:
        if self.at_end():
            raise ArgumentError(f"{self.verb_name}: {what} is missing")
        word = _CURRENT_WORD.match(self.text, self.pos) if kind in NAME_KINDS else None
        if word is not None:
            self._advance(word.end())
            return self.current_name(kind, word.group(0))
        value = self.take(what)
        if not _has_kind(value, kind):
            raise ArgumentError(f"{self.verb_name}: {what} must be {_KIND_WORDS[kind]}, not {_describe(value)}")
        if kind in NAME_KINDS:
            return self.current_name(kind, value)  # type: ignore[arg-type]
        return int(value) if kind == "num" and isinstance(value, str) else value

    def current_name(self, kind: str, name: str) -> str:
        """An account (acct) or domain (dom) name with the current-account shorthand replaced:
        `*` is the logged-in account, or its domain; `name@*` is name in that domain."""
        if kind == "dom" and name == CURRENT:
            return self._current_account(name).domain.name
        if kind == "acct" and name == CURRENT:
            return self._current_account(name).address
        if kind == "acct" and name.endswith("@" + CURRENT):
            return name[: -len(CURRENT)] + self._current_account(name).domain.name
        return name

    def _current_account(self, name: str) -> Account:
        if self.actor is None:
            raise ArgumentError(f"{self.verb_name}: {name!r} names the logged-in account or its domain, "
                                "and there is none here (the shell operator is no account)")
        return self.actor

    def take_word(self, what: str) -> str:
        """A string as clients also send it unquoted: a quoted string, or everything up to the next
        white space (an IMAP pattern `INBOX/%`, a password `pa$$word!` that is no atom)."""
        if self.at_end():
            raise ArgumentError(f"{self.verb_name}: {what} is missing")
        if self.text.startswith('"', self.pos):
            return self.take_kind("str", what)  # type: ignore[return-value]
        end = _WORD.match(self.text, self.pos).end()  # type: ignore[union-attr]  # not at the end: a word
        word = self.text[self.pos : end]
        self._advance(end)
        return word

    def next_is_keyword(self, keyword: str) -> bool:
        """Whether the next object is this keyword, unquoted, in any case."""
        if self.at_end() or self.text.startswith('"', self.pos):
            return False
        value = self._peek()[0]
        return isinstance(value, str) and value.lower() == keyword.lower()

    def take_keyword(self, keyword: str) -> bool:
        """Consume the keyword if it comes next."""
        if not self.next_is_keyword(keyword):
            return False
        self._advance(self._peek()[1])
        return True

    def expect_keyword(self, keyword: str, after: str) -> None:
        if not self.take_keyword(keyword):
            found = "nothing" if self.at_end() else repr(self.text[self.pos : self.pos + 20])
            raise ArgumentError(f"{self.verb_name}: expected {keyword} after {after}, found {found}")

    def end(self) -> None:
        if not self.at_end():
            raise ArgumentError(
                f"{self.verb_name}: unexpected {self.text[self.pos : self.pos + 30]!r} after the arguments"
            )


def _has_kind(value: Value, kind: str) -> bool:
    if kind == "num":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and _DIGITS.fullmatch(value) is not None
        )
    if kind == "str":
        return isinstance(value, str)
    return isinstance(value, _KINDS[kind])


def _describe(value: Value) -> str:
    if isinstance(value, str):
        return f"the string {value[:30]!r}"
    if isinstance(value, dict):
        return "a dictionary"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, bytes):
        return "a datablock"
    if isinstance(value, datetime.date):
        return "a timestamp"
    return "#NULL#" if value is None else type(value).__name__


# ---------------------------------------------------------------------------------------------------
# Usage lines
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    keyword: str | None  # the keyword before the value, or a bare flag
    name: str | None  # the argument's name (None for a required keyword or a flag)
    kind: str | None
    optional: bool


_ITEM = re.compile(r"\[[^\]]*\]|\S+")
_ARGUMENT = re.compile(r"([a-z_][a-z0-9_]*):([a-z]+)$")
_KEYWORD = re.compile(r"[A-Z][A-Z0-9]*$")


def _parse_usage(usage: str) -> tuple[str, list[_Slot]]:
    items = _ITEM.findall(usage)
    if not items:
        raise ValueError("a usage line needs the verb's name")
    name, slots = items[0], []
    for item in items[1:]:
        optional = item.startswith("[")
        words = item.strip("[]").split()
        slots.append(_slot(words, optional, usage))
    return name, slots


def _slot(words: list[str], optional: bool, usage: str) -> _Slot:
    keyword = None
    if words and _KEYWORD.match(words[0]):
        keyword = words.pop(0)
    if not words:
        if keyword is None:
            raise ValueError(f"empty item in usage {usage!r}")
        return _Slot(keyword, None, None, optional)
    argument = _ARGUMENT.match(words[0]) if len(words) == 1 else None
    if argument is None or argument.group(2) not in _KINDS:
        raise ValueError(f"bad item {' '.join(words)!r} in usage {usage!r}: use name:kind ({', '.join(_KINDS)})")
    return _Slot(keyword, argument.group(1), argument.group(2), optional)


def _usage_parser(slots: list[_Slot]) -> Parser:
    def parse(reader: ArgumentReader) -> dict[str, Any]:
        arguments: dict[str, Any] = {}
        previous = "the command name"
        for slot in slots:
            _read_slot(reader, slot, arguments, previous)
            previous = slot.name or slot.keyword or previous
        return arguments

    return parse


def _read_slot(reader: ArgumentReader, slot: _Slot, arguments: dict[str, Any], previous: str) -> None:
    if slot.name is None:  # a keyword alone: required (INTO), or an optional flag (FORCE)
        assert slot.keyword is not None
        if slot.optional:
            arguments[slot.keyword.lower()] = reader.take_keyword(slot.keyword)
        else:
            reader.expect_keyword(slot.keyword, previous)
        return
    assert slot.kind is not None
    if slot.keyword is not None:
        if slot.optional and not reader.take_keyword(slot.keyword):
            arguments[slot.name] = None
            return
        if not slot.optional:
            reader.expect_keyword(slot.keyword, previous)
        arguments[slot.name] = reader.take_kind(slot.kind, f"the {slot.name} after {slot.keyword}")
        return
    if slot.optional and not reader.next_is(slot.kind):
        arguments[slot.name] = None
        return
    arguments[slot.name] = reader.take_kind(slot.kind, f"the {slot.name}")


# ---------------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------------

_VERBS: dict[str, Verb] = {}


def register(entry: Verb) -> Verb:
    """Add a verb; a second, different verb of the same name is a programming error."""
    key = entry.name.lower()
    existing = _VERBS.get(key)
    if existing is not None and _qualname(existing.handler) != _qualname(entry.handler):
        raise ValueError(f"CLI verb {entry.name} is declared twice: {_qualname(existing.handler)} and "
                         f"{_qualname(entry.handler)}")
    _VERBS[key] = entry
    return entry


def _qualname(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def make_verb(
    usage: str,
    handler: Handler,
    *,
    rights: str,
    section: str,
    summary: str = "",
    login: bool = True,
    parse: Parser | None = None,
) -> Verb:
    """A Verb from its usage line (see the module docstring), not yet registered."""
    name, slots = _parse_usage(usage)
    return Verb(
        name=name, usage=usage, handler=handler, parse=parse or _usage_parser(slots), rights=rights,
        section=section, summary=summary or (handler.__doc__ or "").strip().split("\n")[0], login=login,
    )


def verb(
    usage: str,
    *,
    rights: str,
    section: str,
    summary: str = "",
    login: bool = True,
    parse: Parser | None = None,
) -> Callable[[Handler], Handler]:
    """Declare and register a CLI verb (the decorator every cli_commands.py module uses)."""

    def decorate(handler: Handler) -> Handler:
        register(make_verb(usage, handler, rights=rights, section=section, summary=summary, login=login,
                           parse=parse))
        return handler

    return decorate


def lookup(name: str) -> Verb | None:
    """The verb by its name in any case."""
    return _VERBS.get(name.lower())


def all_verbs() -> list[Verb]:
    """Every registered verb, by name."""
    return sorted(_VERBS.values(), key=lambda entry: entry.name.lower())


def verbs_by_section() -> Iterator[tuple[str, list[Verb]]]:
    sections: dict[str, list[Verb]] = {}
    for entry in all_verbs():
        sections.setdefault(entry.section, []).append(entry)
    yield from sorted(sections.items())
