"""Search by prefix: each record once, in the order of the value that matched, page after page."""

import pytest

from directory.models import DirectoryRecord
from directory.selectors import KINDS, Cursor, search_records
from directory.services import directory_record_create
from directory.units import find_unit
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(client1):
    make_account(client1, "smith", RealName="Smith Anna")
    make_account(client1, "sam", RealName="Adams Sam")
    make_account(client1, "bob", RealName="Stone Bob")
    make_account(client1, "s.doe", RealName="Doe S")
    directory_record_create(actor=None, name="Sales Desk", email="desk@example.test")
    directory_record_create(actor=None, name="Front Desk", email="sales@example.test", real_name="Sales Front")
    directory_record_create(actor=None, name="support", email="support@example.test", real_name="Support Team")


def _expected(prefix):
    """Every matching record at its first matching value, as the search must order them."""
    key = prefix.casefold()
    firsts = []
    for record in DirectoryRecord.objects.all():
        matches = [(getattr(record, column), kind) for kind, (_name, column) in enumerate(KINDS)
                   if getattr(record, column).startswith(key)]
        if matches:
            firsts.append((*min(matches), record.pk, record.name))
    return [name for *_position, name in sorted(firsts)]


def _all_pages(prefix, limit, unit=None):
    names, after, pages = [], None, 0
    while True:
        page = search_records(viewer=None, prefix=prefix, unit=unit, after=after, limit=limit)
        names += [record.values["Name"] for record in page.records]
        pages += 1
        after = page.next
        if after is None or pages > 50:
            return names


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
@pytest.mark.parametrize("prefix", ["s", "S", "sa", "smith", "sales", "desk", "x", "s.d"])
def test_every_match_comes_once_in_order_whatever_the_page_size(records, prefix, limit):
    assert _all_pages(prefix, limit) == _expected(prefix)


def test_a_record_matching_by_several_attributes_shows_at_its_first_match(records):
    names = _all_pages("s", 2)

    assert names.count("smith") == 1  # name "smith", e-mail "smith@...", real name "Smith Anna"
    assert names.index("Sales Desk") < names.index("sam") < names.index("smith")


def test_without_a_prefix_a_unit_is_listed_by_name(records, client1):
    unit = find_unit("client1.test")

    assert _all_pages("", 2, unit) == ["bob", "s.doe", "sam", "smith"]


def test_a_cursor_is_text_that_round_trips():
    cursor = Cursor("jane@client1.test", 1, 42)

    assert Cursor.parse(cursor.encode()) == cursor
    assert Cursor.parse("") is None
