"""Running one command line: find the verb, read its arguments, call its handler, and turn the
result (or the CGError it raised) into the answer every transport sends: TCP, HTTP /CLI/ and
`manage.py cli` alike."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cgadmin import context, dataformat
from cgadmin.dataformat import XML, Value
from cgadmin.errors import UNKNOWN_COMMAND, CGError
from cli.registry import ArgumentError, Call, Null, lookup
from logs import serverlog, stats

if TYPE_CHECKING:
    from accounts.models import Account

logger = logging.getLogger(__name__)

OK = 200
DATA = 201
PASSWORD_NEEDED = 300
SYNTAX = 500
FAILED = 501
DENIED = 510
LOGIN_FAILED = 515
MAX_TEXT = 1000  # an error message is cut here: it is for people, and one line
_VERB = re.compile(r"[ \t]*([^ \t\r\n]+)")
LOG_TAG = "CLI"


@dataclass(frozen=True)
class Answer:
    """A command's answer: a code and text, or data already written in the data format (one line)."""

    code: int
    text: str = "OK"
    data: str | None = None

    @property
    def ok(self) -> bool:
        return self.code in (OK, DATA)

    def lines(self, *, inline: bool = True) -> list[str]:
        """The lines to send (without line ends): `201 data` inline, `200 data follow` + data otherwise."""
        if self.data is None:
            return [f"{self.code} {self.text}"]
        if inline:
            return [f"{DATA} {self.data}"]
        return [f"{OK} data follow", self.data]

    def line(self) -> str:
        """The inline form, as HTTP /CLI/ and `manage.py cli` print it."""
        return self.lines(inline=True)[0]


def error(code: int, text: str) -> Answer:
    return Answer(code, one_line_text(text))


def one_line_text(text: str) -> str:
    """A message as one line: line breaks become spaces, and it is never endless."""
    flat = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    return flat if len(flat) <= MAX_TEXT else flat[: MAX_TEXT - 3] + "..."


def data_answer(value: Value) -> Answer:
    """Write a handler's value on one line, or refuse (501) when that is impossible."""
    text = dataformat.dumps(value)
    if "\n" in text or "\r" in text:  # only XML values are written verbatim: make them one line
        flat = _flatten_xml_values(value)
        if flat is None:
            return error(FAILED, "the answer holds XML with line breaks in a comment or CDATA section, "
                                 "which cannot be sent on one line")
        text = dataformat.dumps(flat)
    return Answer(DATA, data=text)


def _flatten_xml_values(value: Value) -> Value | None:
    if isinstance(value, XML):
        flat = flatten_xml(value.text)
        return None if flat is None else XML(flat)
    if isinstance(value, dict):
        result: dict[str, Value] = {}
        for key, item in value.items():
            flat_item = _flatten_xml_values(item)
            if flat_item is None and item is not None:
                return None
            result[key] = flat_item
        return result
    if isinstance(value, list | tuple):
        items: list[Value] = []
        for item in value:
            flat_item = _flatten_xml_values(item)
            if flat_item is None and item is not None:
                return None
            items.append(flat_item)
        return items
    return value


_LINE_BREAK_REFERENCES = {"\n": "&#10;", "\r": "&#13;"}
_UNSPLITTABLE = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"))


def flatten_xml(text: str) -> str | None:
    """The same XML on one line: a line break in text or an attribute value becomes a character
    reference, one between attributes a space. None when it sits in a comment, CDATA or a PI."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char != "<":
            out.append(_LINE_BREAK_REFERENCES.get(char, char))
            pos += 1
            continue
        for start, end in _UNSPLITTABLE:
            if text.startswith(start, pos):
                close = text.find(end, pos)
                close = len(text) if close < 0 else close + len(end)
                piece = text[pos:close]
                if "\n" in piece or "\r" in piece:
                    return None
                out.append(piece)
                pos = close
                break
        else:
            pos = _copy_tag(text, pos, out)
    return "".join(out)


def _copy_tag(text: str, pos: int, out: list[str]) -> int:
    quote = ""
    while pos < len(text):
        char = text[pos]
        pos += 1
        if quote:
            out.append(_LINE_BREAK_REFERENCES.get(char, char))
            if char == quote:
                quote = ""
            continue
        if char in "\"'":
            quote = char
        out.append(" " if char in "\r\n" else char)
        if char == ">":
            break
    return pos


def split_verb(line: str) -> tuple[str, int]:
    """The command name and the offset of its arguments."""
    found = _VERB.match(line)
    if found is None:
        return "", len(line)
    return found.group(1), found.end()


def execute(
    line: str,
    *,
    actor: Account | None,
    logged_in: bool = True,
    peer: str = "",
    session_id: int = 0,
    session: Any = None,
    interface: str = context.CLI,
) -> Answer:
    """Run one command line as `actor` (None: the shell operator) and answer it; never raises."""
    name, start = split_verb(line)
    entry = lookup(name) if name else None
    if entry is None:
        return error(SYNTAX, UNKNOWN_COMMAND)
    if entry.login and not logged_in:
        return error(DENIED, "log in first (USER and PASS, APOP or AUTH)")
    stats.count_soon("cli.commands")
    detail = ""
    try:
        arguments = entry.parse_arguments(line, start, actor)
        with context.calling_from(interface, peer, session_id):
            value = entry.handler(Call(actor, peer, session_id, session), **arguments)
    except ArgumentError as problem:
        answer = error(SYNTAX, str(problem))
    except CGError as problem:
        answer = error(problem.code, problem.cli_answer)
        if problem.cli_answer != problem.message:
            detail = f" ({one_line_text(problem.message)})"  # the client gets CommuniGate's text, the log the detail
    except Exception:
        logger.exception("CLI command %s failed", entry.name)
        serverlog.log(LOG_TAG, serverlog.CRASHES, f"{entry.name} failed with an internal error",
                      session=session_id or None, peer=peer or None)
        answer = error(FAILED, f"{entry.name}: internal error")
    else:
        answer = Answer(OK) if value is None else data_answer(None if isinstance(value, Null) else value)
    serverlog.log(LOG_TAG, serverlog.LOW_LEVEL, f"{entry.name}: {answer.code}{detail}",
                  session=session_id or None, peer=peer or None)
    return answer
