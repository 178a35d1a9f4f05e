"""The CommuniGate textual data format: one codec for CLI arguments, CLI answers and settings files.

The grammar and its test vectors are in ``spec/dataformat.md``.  Python values map to it as follows::

    str        <-> string (atom or quoted)          int          <-> #number
    bytes      <-> [datablock]                      datetime     <-> #TDD-MM-YYYY_hh:mm:ss
    date       <-> #TDD-MM-YYYY                     TimeMark     <-> #TPAST / #TFUTURE
    IPAddr     <-> #I[address]:port                 None         <-> #NULL#
    list       <-> (array)                          dict         <-> {dictionary;}
    XML        <-> <inline xml element/>

Writing then reading gives back an equal value (``loads(dumps(v)) == v``), so a ``#12`` stays an int
and a ``"12"`` stays a str.  The reader is recursive but bounded by ``MAX_DEPTH`` and never reads
more than ``MAX_SIZE`` characters; every malformed input raises ``DataFormatError``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import enum
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias, TypeVar, cast

__all__ = [
    "MAX_DEPTH",
    "MAX_SIZE",
    "XML",
    "DataFormatError",
    "IPAddr",
    "TimeMark",
    "Value",
    "dump_settings_file",
    "dumps",
    "dumps_pretty",
    "load_settings_file",
    "loads",
    "parse_object",
    "skip_space",
    "value_dict",
    "value_list",
]

MAX_DEPTH = 64
MAX_SIZE = 16 * 1024 * 1024


class DataFormatError(ValueError):
    """Malformed data: ``position`` is the 0-based offset into the text, ``expected`` what should be there."""

    def __init__(self, position: int, expected: str) -> None:
        super().__init__(f"at {position}: expected {expected}")
        self.position = position
        self.expected = expected

    def __reduce__(self) -> tuple[type[DataFormatError], tuple[int, str]]:
        # The default pickling would call __init__ with the message only (Celery pickles errors).
        return (type(self), (self.position, self.expected))


@dataclass(frozen=True)
class IPAddr:
    """An IPv4 or IPv6 address with an optional port: ``#I[10.0.44.55]:25``."""

    address: str
    port: int | None = None


@dataclass(frozen=True)
class XML:
    """An inline XML element, kept verbatim: ``<a x='1'>t</a>``."""

    text: str


class TimeMark(enum.Enum):
    """The two timestamps that are not a point in time."""

    PAST = "#TPAST"
    FUTURE = "#TFUTURE"


Value: TypeAlias = (
    str
    | int
    | bytes
    | datetime.datetime
    | datetime.date
    | IPAddr
    | XML
    | TimeMark
    | list["Value"]
    | dict[str, "Value"]
    | None
)


_Item = TypeVar("_Item", bound=Value)


def value_list(items: Iterable[_Item]) -> list[Value]:
    """A new list of these values, as a Value: to the type checker a list[str] is not one (a list's
    item type is invariant), so a function answering Value builds its list of names with this."""
    return [*items]


def value_dict(items: Mapping[str, _Item]) -> dict[str, Value]:
    """A new dictionary of these values, as a Value (value_list's reason: a dict's value type is invariant)."""
    return {**items}


# ---------------------------------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------------------------------

# Possessive quantifiers everywhere: a failed fast-path match must not backtrack through long runs.
_WS = r"(?:[ \t\r\n]++|//[^\n]*+)*+"
_ATOM_CHARS = "A-Za-z0-9._\\-@!%:\u0080-\U0010ffff"
_ATOM = f"[{_ATOM_CHARS}]++"
_PLAIN_QUOTED = r'"([^"\\]*+)"'
_ATOM_OR_PLAIN_QUOTED = f"(?:({_ATOM})|{_PLAIN_QUOTED})"

_SPACE_RE = re.compile(_WS)
_ATOM_RE = re.compile(_ATOM)
_ATOM_CHAR_RE = re.compile(f"[{_ATOM_CHARS}]")
_PLAIN_QUOTED_RE = re.compile(_PLAIN_QUOTED)
_QUOTED_RE = re.compile(r'"((?:[^"\\]++|\\.)*+)"', re.DOTALL)
_ESCAPE_RE = re.compile(r"""\\(?:(["\\rnet])|([0-9]{3})|u'([0-9A-Fa-f]{1,6})'|)""")
# Most dictionary entries and array elements are `key = atom;` or `"text",`: one regex call each.
_SIMPLE_ENTRY_RE = re.compile(f"{_WS}{_ATOM_OR_PLAIN_QUOTED}{_WS}={_WS}{_ATOM_OR_PLAIN_QUOTED}{_WS};")
_SIMPLE_ELEMENT_RE = re.compile(f"{_WS}{_ATOM_OR_PLAIN_QUOTED}{_WS}([,)])")
_DICTIONARY_END_RE = re.compile(f"{_WS}}}")
_ARRAY_END_RE = re.compile(f"{_WS}\\)")
_BASE64_RUN = r"[A-Za-z0-9+/= \t\r\n]*+"
_BASE64_RUN_RE = re.compile(_BASE64_RUN)
_DATABLOCK_RE = re.compile(f"\\[({_BASE64_RUN})\\]")
_NUMBER_RE = re.compile(r"#(-?)(?:0[xX]([0-9A-Fa-f]*+)|0[oO]([0-7]*+)|0[bB]([01]*+)|([0-9]++))")
_TIMESTAMP_RE = re.compile(
    r"#T(?:([0-9]{2})-([0-9]{2})-([0-9]{4})(?:_([0-9]{2}):([0-9]{2}):([0-9]{2}))?|(PAST)|(FUTURE))"
)
_IPADDR_RE = re.compile(r"#I\[([^\]]*+)\](?::([0-9]*+))?")
_XML_TAG_RE = re.compile(
    r"""<(?:
        (/)?([^\s<>/!?="']++)                                   # name, "/" first when closing
        (?:\s++[^\s<>/="']++\s*+=\s*+(?:"[^"]*+"|'[^']*+'))*+   # attributes
        \s*+(/)?>                                               # "/" when self-closing
      | !--.*?-->
      | !\[CDATA\[.*?\]\]>
      | \?.*?\?>
    )""",
    re.DOTALL | re.VERBOSE,
)

_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "r": "\r", "n": "\n", "e": "\n", "t": "\t"}
_NUMBER_RADIXES = ((2, 16, "hexadecimal digit"), (3, 8, "octal digit"), (4, 2, "binary digit"))

_Parser: TypeAlias = Callable[[str, int, int], tuple[Value, int]]


def skip_space(text: str, pos: int) -> int:
    """Return the offset of the first character at or after ``pos`` that is not white space or a comment."""
    return _SPACE_RE.match(text, pos).end()  # type: ignore[union-attr]  # the pattern matches empty


def parse_object(text: str, pos: int = 0) -> tuple[Value, int]:
    """Read one object at ``pos`` (leading white space skipped); return it and the offset just after it."""
    _check_size(text)
    return _parse_value(text, skip_space(text, pos), 0)


def loads(text: str) -> Value:
    """Read a text holding exactly one object, with optional white space and comments around it."""
    _check_size(text)
    return _parse_whole(text, 0)


def load_settings_file(text: str) -> dict[str, Value]:
    """Read a settings file: one dictionary, possibly preceded by ``//`` comment lines."""
    _check_size(text)
    start = 1 if text.startswith("\ufeff") else 0  # editors on some systems add a byte order mark
    if not text.startswith("{", skip_space(text, start)):
        raise DataFormatError(skip_space(text, start), "'{' starting the settings dictionary")
    return cast("dict[str, Value]", _parse_whole(text, start))


def _check_size(text: str) -> None:
    if len(text) > MAX_SIZE:
        raise DataFormatError(MAX_SIZE, f"input of at most {MAX_SIZE} characters")


def _parse_whole(text: str, start: int) -> Value:
    value, end = _parse_value(text, skip_space(text, start), 0)
    end = skip_space(text, end)
    if end != len(text):
        raise DataFormatError(end, "end of input")
    return value


def _parse_value(text: str, pos: int, depth: int) -> tuple[Value, int]:
    atom = _ATOM_RE.match(text, pos)
    if atom is not None:
        return atom.group(), atom.end()
    parser = _PARSERS_BY_FIRST_CHAR.get(text[pos : pos + 1])
    if parser is None:
        raise DataFormatError(pos, "object")
    return parser(text, pos, depth)


def _enter_container(pos: int, depth: int) -> int:
    if depth >= MAX_DEPTH:
        raise DataFormatError(pos, f"nesting depth of at most {MAX_DEPTH}")
    return depth + 1


def _parse_dictionary(text: str, pos: int, depth: int) -> tuple[dict[str, Value], int]:
    depth = _enter_container(pos, depth)
    result: dict[str, Value] = {}
    pos += 1
    while True:
        simple = _SIMPLE_ENTRY_RE.match(text, pos)
        if simple is not None:
            key_atom, key_quoted, value_atom, value_quoted = simple.groups()
            result[key_quoted if key_atom is None else key_atom] = (
                value_quoted if value_atom is None else value_atom
            )
            pos = simple.end()
            continue
        end = _DICTIONARY_END_RE.match(text, pos)
        if end is not None:
            return result, end.end()
        key, pos = _parse_key(text, skip_space(text, pos))
        pos = _expect(text, skip_space(text, pos), "=", "'=' after dictionary key")
        result[key], pos = _parse_value(text, skip_space(text, pos), depth)
        pos = _expect(text, skip_space(text, pos), ";", "';' after dictionary entry")


def _parse_key(text: str, pos: int) -> tuple[str, int]:
    atom = _ATOM_RE.match(text, pos)
    if atom is not None:
        return atom.group(), atom.end()
    if text.startswith('"', pos):
        return _parse_quoted(text, pos, 0)
    raise DataFormatError(pos, "dictionary key or '}'")


def _expect(text: str, pos: int, char: str, expected: str) -> int:
    if not text.startswith(char, pos):
        raise DataFormatError(pos, expected)
    return pos + 1


def _parse_array(text: str, pos: int, depth: int) -> tuple[list[Value], int]:
    depth = _enter_container(pos, depth)
    result: list[Value] = []
    empty = _ARRAY_END_RE.match(text, pos + 1)
    if empty is not None:
        return result, empty.end()
    pos += 1
    while True:
        simple = _SIMPLE_ELEMENT_RE.match(text, pos)
        if simple is not None:
            atom, quoted, delimiter = simple.groups()
            result.append(quoted if atom is None else atom)
            pos = simple.end()
            if delimiter == ")":
                return result, pos
            continue
        value, pos = _parse_value(text, skip_space(text, pos), depth)
        result.append(value)
        pos = skip_space(text, pos)
        delimiter = text[pos : pos + 1]
        if delimiter == ")":
            return result, pos + 1
        if delimiter != ",":
            raise DataFormatError(pos, "',' or ')' in array")
        pos += 1


def _parse_quoted(text: str, pos: int, depth: int = 0) -> tuple[str, int]:
    pieces = []
    while True:
        plain = _PLAIN_QUOTED_RE.match(text, pos)
        if plain is not None:
            pieces.append(plain.group(1))
            end = plain.end()
        else:
            quoted = _QUOTED_RE.match(text, pos)
            if quoted is None:
                raise DataFormatError(len(text), "'\"' closing the string")
            pieces.append(_unescape(quoted.group(1), pos + 1))
            end = quoted.end()
        following = skip_space(text, end)
        if not text.startswith('"', following):
            return "".join(pieces), end
        pos = following  # "ab" "cd" is one string


def _unescape(body: str, body_offset: int) -> str:
    def replace(escape: re.Match[str]) -> str:
        simple, decimal, hexadecimal = escape.groups()
        if simple is not None:
            return _SIMPLE_ESCAPES[simple]
        if decimal is not None and int(decimal) <= 255:
            return chr(int(decimal))
        if hexadecimal is not None:
            code = int(hexadecimal, 16)
            if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code)
        raise DataFormatError(
            body_offset + escape.start(),
            "escape \\\" \\\\ \\r \\n \\e \\t \\000-\\255 or \\u'hex code point'",
        )

    return _ESCAPE_RE.sub(replace, body)


def _parse_datablock(text: str, pos: int, depth: int) -> tuple[bytes, int]:
    start = pos
    chunks = []
    while True:
        block = _DATABLOCK_RE.match(text, pos)
        if block is None:
            bad = _BASE64_RUN_RE.match(text, pos + 1).end()  # type: ignore[union-attr]
            raise DataFormatError(bad, "']' closing the datablock" if bad == len(text) else "base64 or ']'")
        chunks.append("".join(block.group(1).split()))
        end = block.end()
        following = skip_space(text, end)
        if not text.startswith("[", following):
            return _decode_base64(chunks, start), end
        pos = following  # adjacent datablocks are one


def _decode_base64(chunks: list[str], start: int) -> bytes:
    try:
        return base64.b64decode("".join(chunks), validate=True)
    except binascii.Error:
        pass
    try:  # each block padded on its own
        return b"".join(base64.b64decode(chunk, validate=True) for chunk in chunks)
    except binascii.Error:
        raise DataFormatError(start, "valid base64 data") from None


def _parse_hash(text: str, pos: int, depth: int) -> tuple[Value, int]:
    kind = text[pos + 1 : pos + 2]
    if kind == "T":
        return _parse_timestamp(text, pos)
    if kind == "I":
        return _parse_ipaddr(text, pos)
    if text.startswith("#NULL#", pos):
        return None, _end_of_token(text, pos + 6, "#NULL#")
    return _parse_number(text, pos)


def _end_of_token(text: str, end: int, kind: str) -> int:
    if _ATOM_CHAR_RE.match(text, end) is not None:
        raise DataFormatError(end, f"end of {kind}")
    return end


def _parse_number(text: str, pos: int) -> tuple[int, int]:
    number = _NUMBER_RE.match(text, pos)
    if number is None:
        if text.startswith("-", pos + 1):
            raise DataFormatError(pos + 2, "digit after '#-'")
        raise DataFormatError(pos + 1, "number, timestamp, IP address or #NULL# after '#'")
    negative = number.group(1) == "-"
    for group, radix, expected in _NUMBER_RADIXES:
        digits = number.group(group)
        if digits is not None:
            if not digits:
                raise DataFormatError(number.end(), expected)
            value = int(digits, radix)
            break
    else:
        try:
            value = int(number.group(5))
        except ValueError:  # longer than sys.get_int_max_str_digits()
            raise DataFormatError(pos, "decimal number of at most 4300 digits (#0x has no limit)") from None
    return (-value if negative else value), _end_of_token(text, number.end(), "number")


def _parse_timestamp(text: str, pos: int) -> tuple[Value, int]:
    stamp = _TIMESTAMP_RE.match(text, pos)
    if stamp is None:
        raise DataFormatError(pos + 2, "DD-MM-YYYY, DD-MM-YYYY_hh:mm:ss, PAST or FUTURE after '#T'")
    end = _end_of_token(text, stamp.end(), "timestamp")
    day, month, year, hour, minute, second, past, _future = stamp.groups()
    if past is not None:
        return TimeMark.PAST, end
    if day is None:
        return TimeMark.FUTURE, end
    try:
        if hour is None:
            return datetime.date(int(year), int(month), int(day)), end
        return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second)), end
    except ValueError:
        raise DataFormatError(pos + 2, "a valid date and time") from None


def _parse_ipaddr(text: str, pos: int) -> tuple[IPAddr, int]:
    found = _IPADDR_RE.match(text, pos)
    if found is None:
        raise DataFormatError(pos + 2, "'[address]' after '#I'")
    address, port = found.groups()
    if not _is_ip_address(address):
        raise DataFormatError(pos + 3, "an IPv4 or IPv6 address")
    if port is not None and not (port and int(port) <= 65535):
        raise DataFormatError(found.start(2), "a port number from 0 to 65535")
    end = _end_of_token(text, found.end(), "IP address")
    return IPAddr(address, None if port is None else int(port)), end


def _is_ip_address(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def _parse_xml(text: str, pos: int, depth: int = 0) -> tuple[XML, int]:
    start = pos
    open_elements: list[str] = []
    while True:
        tag = _XML_TAG_RE.match(text, pos)
        if tag is None:
            raise DataFormatError(pos, "an XML tag")
        closing, name, self_closing = tag.groups()
        if name is None:  # a comment, CDATA section or processing instruction
            if not open_elements:
                raise DataFormatError(pos, "an XML element")
        elif closing:
            if not open_elements or open_elements[-1] != name or self_closing:
                raise DataFormatError(pos, _xml_close_expected(open_elements))
            open_elements.pop()
        elif not self_closing:
            if len(open_elements) >= MAX_DEPTH:
                raise DataFormatError(pos, f"XML nesting depth of at most {MAX_DEPTH}")
            open_elements.append(name)
        pos = tag.end()
        if not open_elements:
            return XML(text[start:pos]), pos
        pos = text.find("<", pos)
        if pos < 0:
            raise DataFormatError(len(text), _xml_close_expected(open_elements))


def _xml_close_expected(open_elements: list[str]) -> str:
    return f"'</{open_elements[-1]}>'" if open_elements else "an XML element"


_PARSERS_BY_FIRST_CHAR: dict[str, _Parser] = {
    "{": _parse_dictionary,
    "(": _parse_array,
    '"': _parse_quoted,
    "#": _parse_hash,
    "[": _parse_datablock,
    "<": _parse_xml,
}

# ---------------------------------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------------------------------

_ESCAPES = {ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\e", ord("\r"): "\\r", ord("\t"): "\\t"}
_ESCAPES.update({code: f"\\{code:03d}" for code in [*range(0x20), 0x7F] if code not in _ESCAPES})
_NEEDS_ESCAPE_RE = re.compile('["\\\\\x00-\x1f\x7f]')


def dumps(value: Value) -> str:
    """Write ``value`` in the compact one-line form the CLI sends: ``{a=b;c=(1,2);}``.

    Strings never produce a line break (LF is written ``\\e``); an ``XML`` value is written verbatim,
    so it is the one thing that can put a line break into the output.
    """
    out: list[str] = []
    _write(value, out, 0, ",")
    return "".join(out)


def dumps_pretty(value: Value) -> str:
    """Write ``value`` in the settings-file form: one ``Key = value;`` a line, arrays on one line."""
    out: list[str] = []
    _write_pretty(value, out, 0, "")
    return "".join(out)


def dump_settings_file(
    settings: dict[str, Value], *, header: str = "generated by cgadmin: edits are overwritten"
) -> str:
    """Write a settings file: the header as ``//`` comment lines, then the dictionary, pretty."""
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict, not {type(settings).__name__}")
    comments = "".join(f"// {line}\n" for line in header.splitlines())
    return f"{comments}{dumps_pretty(settings)}\n"


def _quote(text: str) -> str:
    if text.isascii() and text.isalnum():
        return text
    if _NEEDS_ESCAPE_RE.search(text) is None:
        return f'"{text}"'
    return f'"{text.translate(_ESCAPES)}"'


def _write(value: Value, out: list[str], depth: int, separator: str) -> None:
    # Exact type checks first: they are the fast path for the values the CLI writes most.
    if type(value) is str:
        out.append(_quote(value))
    elif type(value) is dict:
        _write_dictionary(value, out, depth, separator)
    elif type(value) is list or type(value) is tuple:
        _write_array(value, out, depth, separator)
    elif type(value) is int:
        out.append(_format_int(value))
    elif isinstance(value, dict):
        _write_dictionary(value, out, depth, separator)
    elif isinstance(value, list | tuple):
        _write_array(value, out, depth, separator)
    else:
        out.append(_format_scalar(value))


def _write_dictionary(value: dict[str, Value], out: list[str], depth: int, separator: str) -> None:
    depth = _enter_written_container(depth)
    out.append("{")
    for key in _sorted_keys(value):
        out.append(_quote(key))
        out.append("=")
        _write(value[key], out, depth, separator)
        out.append(";")
    out.append("}")


def _write_array(value: list[Value] | tuple[Value, ...], out: list[str], depth: int, separator: str) -> None:
    depth = _enter_written_container(depth)
    out.append("(")
    for index, element in enumerate(value):
        if index:
            out.append(separator)
        _write(element, out, depth, separator)
    out.append(")")


def _write_pretty(value: Value, out: list[str], depth: int, indent: str) -> None:
    if not isinstance(value, dict) or not value:
        _write(value, out, depth, ", ")
        return
    depth = _enter_written_container(depth)
    inner = indent + "  "
    out.append("{\n")
    for key in _sorted_keys(value):
        out.append(f"{inner}{_quote(key)} = ")
        _write_pretty(value[key], out, depth, inner)
        out.append(";\n")
    out.append(f"{indent}}}")


def _enter_written_container(depth: int) -> int:
    if depth >= MAX_DEPTH:  # also stops a list that contains itself
        raise ValueError(f"nesting deeper than {MAX_DEPTH} levels cannot be read back")
    return depth + 1


def _sorted_keys(value: dict[str, Value]) -> list[str]:
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"dictionary keys must be str, not {type(key).__name__}")
    return sorted(value, key=_key_order)


def _key_order(key: str) -> tuple[str, str]:
    return key.lower(), key


def _format_int(value: int) -> str:
    try:
        return f"#{value}"
    except ValueError:  # more digits than sys.get_int_max_str_digits(); hexadecimal has no limit
        return f"#-0x{-value:x}" if value < 0 else f"#0x{value:x}"


def _format_scalar(value: Value) -> str:
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool):
        raise TypeError("bool is not a data format value: write the atoms YES / NO")
    if isinstance(value, int):
        return _format_int(int(value))
    if value is None:
        return "#NULL#"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"[{base64.b64encode(value).decode('ascii')}]"
    if isinstance(value, datetime.datetime):
        return _format_datetime(value)
    if isinstance(value, datetime.date):
        return f"#T{value.day:02d}-{value.month:02d}-{value.year:04d}"
    if isinstance(value, TimeMark):
        return value.value
    if isinstance(value, IPAddr):
        return _format_ipaddr(value)
    if isinstance(value, XML):
        return _format_xml(value)
    raise TypeError(f"{type(value).__name__} is not a data format value")


def _format_datetime(value: datetime.datetime) -> str:
    if value.utcoffset() is not None:  # CommuniGate timestamps are GMT
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return (
        f"#T{value.day:02d}-{value.month:02d}-{value.year:04d}"
        f"_{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )


def _format_ipaddr(value: IPAddr) -> str:
    if not isinstance(value.address, str):
        raise TypeError(f"IPAddr.address must be str, not {type(value.address).__name__}")
    if not _is_ip_address(value.address):
        raise ValueError(f"not an IPv4 or IPv6 address: {value.address!r}")
    if value.port is None:
        return f"#I[{value.address}]"
    if type(value.port) is not int:
        raise TypeError(f"IPAddr.port must be int or None, not {type(value.port).__name__}")
    if not 0 <= value.port <= 65535:
        raise ValueError(f"not a port number from 0 to 65535: {value.port}")
    return f"#I[{value.address}]:{value.port}"


def _format_xml(value: XML) -> str:
    try:
        _xml, end = _parse_xml(value.text, 0)
    except DataFormatError as error:
        raise ValueError(f"not one XML element: {error}") from None
    if end != len(value.text):
        raise ValueError(f"not one XML element: text after it at {end}")
    return value.text


# ---------------------------------------------------------------------------------------------------
# Strings as clients send them unescaped
# ---------------------------------------------------------------------------------------------------

_STRING_FOLLOWERS = frozenset(' \t\r\n,;)}="')
_VALID_ESCAPE_RE = re.compile(r"""\\(?:["\\rnet]|(?:[01][0-9]{2}|2[0-4][0-9]|25[0-5])|u'[0-9A-Fa-f]{1,6}')""")


def repair_unescaped_strings(text: str, start: int = 0) -> str | None:
    """The text from `start` with the quoted strings rewritten as the codec reads them, or None when
    nothing needed it. The vendor's Perl client (after login) and CGPCLI write strings between
    quotes without escaping: a backslash that starts no escape is itself (`"C:\\dir"`), and a quote
    followed by a character that cannot follow a string is part of it (`"O"Brien"`). Only for
    input that failed to read strictly: a well-formed text never comes here."""
    out: list[str] = []
    pos = start
    changed = False
    while pos < len(text):
        char = text[pos]
        if char == '"':
            body, pos, fixed = _repair_string(text, pos + 1)
            out.append(body)
            changed = changed or fixed
        elif char in "<[":
            close = text.find(">" if char == "<" else "]", pos)
            end = len(text) if close < 0 else close + 1
            out.append(text[pos:end])
            pos = end
        else:
            out.append(char)
            pos += 1
    return "".join(out) if changed else None


def _repair_string(text: str, pos: int) -> tuple[str, int, bool]:
    """One string from after its opening quote: (the string written strictly, the offset after it, changed)."""
    out = ['"']
    fixed = False
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            escape = _VALID_ESCAPE_RE.match(text, pos)
            if escape is not None:
                out.append(escape.group(0))
                pos = escape.end()
                continue
            out.append("\\\\")
            fixed = True
        elif char == '"':
            if pos + 1 >= len(text) or text[pos + 1] in _STRING_FOLLOWERS:
                out.append('"')
                return "".join(out), pos + 1, fixed
            out.append('\\"')
            fixed = True
        else:
            out.append(char)
        pos += 1
    return "".join(out), pos, fixed  # not closed: the strict reader reports it
