"""What every request reads of the server documents (General flags, Account Defaults) comes from the
shared cache, and a change is seen by the very next request; an uncommitted write is never cached."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from server import documents
from server.selectors import server_settings_flag
from server.services import server_settings_update
from tests.factories import POSTMASTER_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
DOMAINS = "/Master/Users/Domains"


FURNITURE = (documents.MAIN, documents.ACCOUNT_DEFAULTS, documents.ACCOUNT_PREFS)  # read by every request


def _document_reads(browser: Client) -> int:
    """How many of the furniture documents a page view reads from the database."""
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(DOMAINS, HTTP_ACCEPT="text/html").status_code == 200
    return sum(f"= '{name}'" in query["sql"] for query in queries for name in FURNITURE
               if '"server_serverdocument"' in query["sql"])


def test_a_page_view_reads_the_request_furniture_documents_from_the_cache(postmaster):
    browser = Client()
    browser.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD})
    cache.clear()
    first = _document_reads(browser)

    assert first > 0
    assert _document_reads(browser) == 0


def test_a_change_is_seen_by_the_next_request(postmaster):
    assert server_settings_flag("SeparateAdminRealms") is False

    server_settings_update(actor=postmaster, updates={"SeparateAdminRealms": "YES"})

    assert server_settings_flag("SeparateAdminRealms") is True


def test_a_write_rolled_back_is_never_cached(postmaster):
    documents.write(documents.ACCOUNT_DEFAULTS, {"MaxAccountSize": "10M"})
    assert documents.read_cached(documents.ACCOUNT_DEFAULTS) == {"MaxAccountSize": "10M"}

    with pytest.raises(RuntimeError), transaction.atomic():
        documents.write(documents.ACCOUNT_DEFAULTS, {"MaxAccountSize": "99M"})
        assert documents.read_cached(documents.ACCOUNT_DEFAULTS) == {"MaxAccountSize": "99M"}
        raise RuntimeError("rolled back")

    assert documents.read_cached(documents.ACCOUNT_DEFAULTS) == {"MaxAccountSize": "10M"}
