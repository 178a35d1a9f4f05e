"""The CSV format of account import and export (README: Users realm, "Importing and exporting accounts").

The first line names the columns (any case): `Name` (required), `Type`, `Password`, `Aliases`, and
any account setting (`RealName`, `MaxAccountSize`, a custom or public-info setting, ...). An empty
cell leaves the setting unset. A cell that starts with `(`, `{`, `"` or `#` is a data-format value
(a list, a dictionary, a quoted string, a number), so every setting round-trips exactly; any other
cell is a plain string. Aliases are separated by spaces. A password is clear text, or a stored form
a password hasher recognises (`pbkdf2_sha256$...`, `A-crpt$...`), kept as given.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (or a tab or CR before one) as a
formula, so a RealName `=HYPERLINK(...)` would act when an administrator opens the export. Export
writes such a cell with a `'` in front (spreadsheets show it as text and hide the quote), and so
any cell made of `'`s then one of those characters, so that import can take exactly one `'` off
and every value round-trips."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from cgadmin import dataformat
from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput

NAME, TYPE, PASSWORD, ALIASES = "Name", "Type", "Password", "Aliases"
FIXED_COLUMNS = (NAME, TYPE, PASSWORD, ALIASES)
DATA_FORMAT_STARTS = ("(", "{", '"', "#")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FIELD = 1 << 20  # one cell of at most 1 MB


@dataclass(frozen=True)
class CsvRow:
    """One account to import, with the line of the file it starts on."""

    line: int
    name: str
    kind: str | None
    password: str | None
    aliases: list[str]
    settings: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class BadRow:
    """A line that could not be read as an account (reported, the rest goes on)."""

    line: int
    message: str
    name: str = ""  # its Name cell, when it has one


def neutralise(cell: str) -> str:
    """The cell as export writes it: a spreadsheet shows it as text, never runs it."""
    return f"'{cell}" if cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def restore(cell: str) -> str:
    """What neutralise made of the cell, undone (import)."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def parse_cell(text: str) -> Value:
    """A cell's value: data-format when it starts like one, else the text itself."""
    if text.startswith(DATA_FORMAT_STARTS):
        try:
            return dataformat.loads(text)
        except ValueError as error:
            raise InvalidInput(f"{text[:40]!r} is not a valid data-format value ({error})")
    return text


def format_cell(value: Value) -> str:
    """A setting's value as a cell: plain text when it reads back the same, else data-format."""
    if isinstance(value, str) and not value.startswith(DATA_FORMAT_STARTS):
        return value
    return dataformat.dumps(value)


def _header(cells: list[str]) -> list[str]:
    names: list[str] = []
    fixed = {column.lower(): column for column in FIXED_COLUMNS}
    for cell in cells:
        name = restore(cell.strip().lstrip("\ufeff").strip())
        if not name:
            raise InvalidInput("line 1: a column has no name")
        name = fixed.get(name.lower(), name)
        if name.lower() in (known.lower() for known in names):
            raise InvalidInput(f"line 1: the column {name!r} appears twice")
        names.append(name)
    if NAME not in names:
        raise InvalidInput("line 1: the header has no Name column")
    return names


def _row(line: int, columns: list[str], cells: list[str]) -> CsvRow:
    if len(cells) > len(columns):
        raise InvalidInput(f"{len(cells)} cells for {len(columns)} columns")
    values = dict(zip(columns, (restore(cell.strip()) for cell in cells), strict=False))
    name = values.pop(NAME, "")
    if not name:
        raise InvalidInput("the Name cell is empty")
    kind = values.pop(TYPE, "") or None
    password = values.pop(PASSWORD, "") or None
    aliases = values.pop(ALIASES, "").replace(",", " ").split()
    settings: dict[str, Value] = {}
    for column, text in values.items():
        if text:
            try:
                settings[column] = parse_cell(text)
            except InvalidInput as error:
                raise InvalidInput(f"{column}: {error.message}")
    return CsvRow(line, name, kind, password, aliases, settings)


def _lines(source: str | Iterable[str]) -> Iterable[str]:
    """A text, or an open file read a line at a time (a file opened as utf-8-sig, newline='')."""
    if isinstance(source, str):
        return io.StringIO(source.lstrip("\ufeff"), newline="")
    return source


def read_rows(source: str | Iterable[str]) -> Iterator[CsvRow | BadRow]:
    """Each account of a CSV text or open file, or a BadRow for a line that cannot be one; a bad
    header raises InvalidInput at once (before any row is read)."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(_lines(source))
    try:
        first = next(reader, None)
    except csv.Error as error:
        raise InvalidInput(f"line 1: {error}")
    if first is None:
        raise InvalidInput("the file is empty")
    return _records(reader, _header(first))


def _records(reader: Iterator[list[str]], columns: list[str]) -> Iterator[CsvRow | BadRow]:
    while True:
        line = reader.line_num + 1  # type: ignore[attr-defined]
        try:
            cells = next(reader, None)
        except csv.Error as error:
            yield BadRow(line, str(error))
            continue
        if cells is None:
            return
        if not any(cell.strip() for cell in cells):
            continue
        try:
            yield _row(line, columns, cells)
        except InvalidInput as error:
            name = cells[columns.index(NAME)] if columns.index(NAME) < len(cells) else ""
            yield BadRow(line, error.message, restore(name.strip()))


def count_rows(source: str | Iterable[str]) -> int:
    """How many records the text or file holds after its header (for a progress bar; blank lines
    count). A file is read to its end: seek back before importing it."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(_lines(source))
    try:
        return max(sum(1 for _ in reader) - 1, 0)
    except csv.Error:
        return 0


def write_rows(columns: list[str], rows: Iterable[Mapping[str, str]]) -> Iterator[str]:
    """CSV text a line at a time: the header, then each row's cells by column name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([neutralise(column) for column in columns])
    yield flush()
    for row in rows:
        writer.writerow([neutralise(row.get(column, "")) for column in columns])
        yield flush()


REASON = "Reason"


def rejected_rows(source: str, errors: Iterable[Iterable[object]]) -> Iterator[str]:
    """The rows an import rejected as CSV text: the file's header and each rejected row's cells as
    the file had them, with a Reason column (errors: [line, ..., message] as the import reports them)."""
    reasons: dict[int, str] = {}
    for error in errors:
        cells = list(error)
        reasons.setdefault(int(str(cells[0])), str(cells[-1]))
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(_lines(source))
    try:
        header = next(reader, None)
    except csv.Error:
        return
    if header is None:
        return
    columns = [restore(cell.strip().lstrip("\ufeff").strip()) for cell in header]
    column = REASON if REASON not in columns else f"{REASON} ({len(columns) + 1})"

    def rows() -> Iterator[dict[str, str]]:
        while reasons:
            line = reader.line_num + 1
            try:
                cells = next(reader, None)
            except csv.Error:
                cells = []
            if cells is None:
                return
            reason = reasons.pop(line, None)
            if reason is not None:
                yield {**dict(zip(columns, (restore(cell) for cell in cells), strict=False)), column: reason}

    yield from write_rows([*columns, column], rows())
