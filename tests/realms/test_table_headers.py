"""Every table column has a header a screen reader can announce (issue 17, accessibility)."""

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
HEADER_ROW = re.compile(r"<thead>.*?</thead>", re.DOTALL)


def test_no_table_header_row_has_an_unnamed_cell():
    """A header row of links or buttons names its column (visually hidden "Actions"), never an empty <td>."""
    offenders = [
        str(path.relative_to(PROJECT))
        for path in PROJECT.rglob("templates/**/*.html")
        if ".venv" not in path.parts
        and any("<td" in row or "<th></th>" in row for row in HEADER_ROW.findall(path.read_text()))
    ]

    assert offenders == []
