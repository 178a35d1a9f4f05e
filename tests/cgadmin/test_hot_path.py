"""The shared pieces every command and page goes through: the account lookup prepared on the
server, the shared cache's client, and settings texts parsed once but never shared between objects."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection

from accounts.models import Account
from accounts.selectors import find_account
from cgadmin.cache import ReusingRedisCacheClient
from domains.selectors import main_domain_name
from tests import factories

pytestmark = pytest.mark.django_db


def _prepared_lookups() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", ["%FROM \"accounts_account\" a JOIN%"])
        return cursor.fetchall()


def test_the_account_lookup_is_prepared_once_and_reused_on_the_connection(postmaster, client1):
    factories.make_account(client1, "u1")

    for _ in range(4):
        assert find_account("client1.test", "u1").name == "u1"
    assert find_account("client1.test", "nobody") is None

    [(statement, executions)] = _prepared_lookups()  # one statement, however often it ran
    assert "WHERE d.\"name\" = $1 AND a.\"name\" = $2" in statement
    assert executions >= 5


def test_other_queries_are_never_prepared_behind_the_orms_back(postmaster, client1):
    find_account("client1.test", "postmaster")
    for _ in range(10):
        list(Account.objects.filter(domain=client1).values_list("name", flat=True))

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert not [statement for statement in prepared if "accounts_account\".\"name\"" in statement]


def test_the_main_domain_name_is_none_before_the_server_is_initialized(db):
    assert main_domain_name() is None


def test_the_main_domain_name(postmaster):
    assert main_domain_name() == "mail.example.test"


def test_settings_read_from_the_same_text_are_separate_objects(postmaster, client1):
    factories.make_account(client1, "u1", Nested={"a": ["b", 1]}, RealName="Ann")
    factories.make_account(client1, "u2", Nested={"a": ["b", 1]}, RealName="Ann")
    first, second = (Account.objects.get(domain=client1, name=name) for name in ("u1", "u2"))
    again = find_account("client1.test", "u1")

    first.settings["Nested"]["a"].append("changed")
    first.settings["RealName"] = "Bob"

    assert second.settings == {"Nested": {"a": ["b", 1]}, "RealName": "Ann"}
    assert again.settings == {"Nested": {"a": ["b", 1]}, "RealName": "Ann"}
    assert Account.objects.get(pk=first.pk).settings["Nested"] == {"a": ["b", 1]}


def test_the_shared_cache_uses_one_client_for_every_call_and_thread():
    client = cache._cache
    assert isinstance(client, ReusingRedisCacheClient)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(client.get_client("k", write=True)))
    thread.start()
    thread.join()

    assert client.get_client("k") is client.get_client("k", write=True) is seen[0]


def test_the_shared_cache_reads_in_one_thread_what_another_wrote():
    cache.set("hot-path-test", {"a": 1}, 30)
    read = []
    thread = threading.Thread(target=lambda: read.append(cache.get("hot-path-test")))
    thread.start()
    thread.join()

    assert read == [{"a": 1}]
    assert cache.get_many(["hot-path-test", "missing"]) == {"hot-path-test": {"a": 1}}


@pytest.mark.django_db(transaction=True)
def test_the_prepared_lookup_outlives_a_rolled_back_transaction_and_a_new_connection(postmaster, client1):
    from django.db import transaction

    factories.make_account(client1, "u1")
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert find_account("client1.test", "u1") is not None  # prepared inside the transaction
        raise RuntimeError

    assert [find_account("client1.test", "u1").name for _ in range(3)] == ["u1"] * 3
    connection.close()  # a new connection prepares it again
    assert find_account("client1.test", "u1").name == "u1"


def test_a_long_settings_text_is_read_whole_and_never_kept(postmaster, client1):
    from cgadmin.fields import LONGEST_TEXT_KEPT, _parsed

    factories.make_account(client1, "long", Notes="x" * (LONGEST_TEXT_KEPT + 10))
    _parsed.cache_clear()

    field = Account._meta.get_field("settings")
    raw = field.get_prep_value({"Notes": "x" * (LONGEST_TEXT_KEPT + 10)})
    first, second = (field.from_db_value(raw, None, connection) for _ in range(2))

    assert first == second == {"Notes": "x" * (LONGEST_TEXT_KEPT + 10)} and first is not second
    assert _parsed.cache_info().currsize == 0
    assert Account.objects.get(name="long").settings["Notes"] == "x" * (LONGEST_TEXT_KEPT + 10)
