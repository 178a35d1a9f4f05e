"""Issue 18.4: imports create a batch of accounts at a time (accounts_create_batch), with exactly
the checks, errors and rows of account_create + account_set_aliases one row at a time, in a
number of queries that does not grow with the batch, holding at most two batches of the file."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as S
from accounts.csvformat import CsvRow
from accounts.models import Account, AccountAlias, Mailbox
from basedir.models import ExportOutbox
from cgadmin.dataformat import Value
from directory.models import DirectoryRecord
from forwarders.services import forwarder_create
from logs.models import AuditEntry
from tests.factories import make_account, make_domain, make_domain_admin

pytestmark = pytest.mark.django_db

PREHASHED = PBKDF2PasswordHasher().encode("imported-pass", "somesalt", iterations=1000)


def row(line: int, name: str, *, kind: str | None = None, password: str | None = None,
        aliases: tuple[str, ...] = (), **settings: Value) -> CsvRow:
    return CsvRow(line, name, kind, password, list(aliases), dict(settings))


def tricky_rows(domain_name: str) -> list[CsvRow]:
    """Good rows and every way a row goes wrong, including clashes with rows before it in the batch."""
    return [
        row(2, "ann", password="clear-pass-1", aliases=("annie", "a.n"), RealName="Ann"),
        row(3, "bad name"),
        row(4, "bob", kind="AGrade", password=PREHASHED, RealName="Bob"),
        row(5, "ANN"),  # the account of line 2
        row(6, "cid", kind="NoSuchType"),
        row(7, "dee", MaxAccountSize="lots"),
        row(8, "fay", aliases=("bob",)),  # an account of this batch
        row(9, "gil", aliases=("annie",)),  # an alias of this batch
        row(10, "hal", kind="TextMailbox"),
        row(11, f"ivy@{domain_name}", RealName="Ivy"),
        row(12, "jo@elsewhere.test"),
        row(13, "kim", aliases=("kim",)),
        row(14, "lee", aliases=("x1", "x1")),
        row(15, "taken"),  # a forwarder
        row(16, "old"),  # an account made before the import
        row(17, "max", aliases=("old",)),
        row(18, "ned", password="{SSHA512}not base64!"),
        row(19, "oda", MaxAccountSize="10M", DefaultMailboxType="MailDir", PasswordEncryption="A-crpt",
            password="apop-secret"),
        row(20, "pia", aliases=("  ", "")),  # blank aliases: no alias change at all
    ]


def one_by_one(actor, domain, rows: list[CsvRow]) -> list[object]:
    """What the import did before batches: each row through account_create and account_set_aliases."""
    return [S._row_outcome(actor, domain, each) for each in rows]


def stored(domain) -> dict[str, object]:
    """Everything the rows left in a domain, with the domain's name and ids taken out."""
    name = domain.name

    def plain(text: str) -> str:
        return text.replace(name, "<domain>")

    accounts = {a.name: (a.kind, a.settings, a.rights, a.password.split("$")[0], a.password == PREHASHED)
                for a in Account.objects.filter(domain=domain)}
    ids = {a.pk: a.name for a in Account.objects.filter(domain=domain)}
    return {
        "accounts": accounts,
        "aliases": sorted(AccountAlias.objects.filter(domain=domain).values_list("name", "account__name")),
        "mailboxes": sorted(Mailbox.objects.filter(account__domain=domain).values_list("account__name", "name",
                                                                                        "format")),
        "audit": [(e.event, plain(e.object_name), e.before, e.after, plain(e.actor_name), e.interface)
                  for e in AuditEntry.objects.filter(domain_name=name).order_by("id")],
        "outbox": sorted({(kind, ids.get(int(key), key) if kind == "account" else plain(key))
                          for kind, key in ExportOutbox.objects.values_list("kind", "key")
                          if kind != "account" or int(key) in ids}),
        "directory": sorted((r.name, r.real_name, plain(r.email), r.aliases, r.public)
                            for r in DirectoryRecord.objects.filter(domain=domain)),
        "count": type(domain).objects.get(pk=domain.pk).account_count,
    }


@pytest.mark.parametrize("actor_name", ["shell", "domain admin"])
def test_a_batch_makes_what_the_rows_one_by_one_make_and_says_the_same_errors(actor_name):
    results, contents = [], []
    for domain_name in ("one.test", "batch.test"):
        domain = make_domain(domain_name)
        forwarder_create(actor=None, domain=domain, name="taken", target="someone@example.com")
        make_account(domain, "old")
        actor = None if actor_name == "shell" else make_domain_admin(
            domain, "boss", "CanCreateAccounts", "CanCreateAliases", "BasicSettings")
        ExportOutbox.objects.all().delete()
        AuditEntry.objects.all().delete()
        rows = tricky_rows(domain_name)
        if domain_name == "one.test":
            outcomes = one_by_one(actor, domain, rows)
        else:
            outcomes = S.accounts_create_batch(actor=actor, domain=domain, rows=rows)
        results.append([o if isinstance(o, str) else o.name for o in outcomes])
        contents.append(stored(domain))

    per_row, batched = results
    assert [r.replace("one.test", "batch.test") for r in per_row] == batched
    assert contents[0] == contents[1]
    created = [name for name in batched if "'" not in name and " " not in name]
    assert "ann" in created and "pia" in created and "ivy" in created
    if actor_name == "shell":
        assert "oda" in created
    else:  # a Domain Administrator without the right of MaxAccountSize: refused on that row only
        assert any("MaxAccountSize" in message for message in batched)
    messages = "\n".join(batched)
    for expected in ("may hold only letters", "already exists in batch.test (a account)",
                     "already exists in batch.test (a alias)", "(a forwarder)", "unknown account type",
                     "is listed twice", "the account's own name", "is not an address in batch.test"):
        assert expected in messages, expected


def test_the_batch_refuses_an_actor_without_can_create_accounts_and_changes_nothing(client1):
    weak = make_domain_admin(client1, "weak", "CanCreateAliases")
    before = Account.objects.count()

    with pytest.raises(Exception, match="CanCreateAccounts"):
        S.accounts_create_batch(actor=weak, domain=client1, rows=[row(2, "ann")])

    assert Account.objects.count() == before


def batch_of(count: int, start: int = 0) -> list[CsvRow]:
    return [row(n + 2, f"user{n}", password=PREHASHED, aliases=(f"alias{n}",), RealName=f"User {n}",
                MaxAccountSize="10M")
            for n in range(start, start + count)]


def test_a_batch_costs_the_same_queries_however_many_rows(client1):
    S.accounts_create_batch(actor=None, domain=client1, rows=batch_of(2, 1000))  # the caches warm
    counts = []
    for start, size in ((0, 5), (100, 60)):
        with CaptureQueriesContext(connection) as queries:
            outcomes = S.accounts_create_batch(actor=None, domain=client1, rows=batch_of(size, start))
        assert all(isinstance(outcome, Account) for outcome in outcomes)
        counts.append(len(queries))

    assert counts == [BATCH_QUERIES, BATCH_QUERIES]
    assert AccountAlias.objects.filter(domain=client1, name__startswith="alias").count() == 67


# The savepoints of the batch and of its inserts (4), the names the rows claim (1), the accounts'
# ids and the accounts (2), the domain's count, the INBOXes, the aliases, the audit entries, the
# outbox marks (5), the domain's CentralDirectory setting and the Domain Defaults' one, the PublicInfo
# document, whether a record of these names is there already, the records' ids, the records and the
# unit's outbox mark (7).
BATCH_QUERIES = 19


def test_an_import_holds_at_most_two_batches_of_the_file(client1, monkeypatch):
    monkeypatch.setattr(S, "IMPORT_BATCH", 50)
    read = 0

    def lines():
        nonlocal read
        yield "Name,Password\n"
        for n in range(400):
            read += 1
            yield f"user{n},{PREHASHED}\n"

    most_ahead = 0

    def progress(report: S.ImportReport) -> None:
        nonlocal most_ahead
        most_ahead = max(most_ahead, read - report.processed)

    report = S.accounts_import_csv(actor=None, domain=client1, text=lines(), on_batch=progress)

    assert report.created == 400
    assert most_ahead <= 2 * 50  # the batch being committed was read, and the one hashing; nothing more


def test_a_name_taken_meanwhile_falls_back_to_rows_one_by_one(client1, monkeypatch):
    make_account(client1, "bob")
    monkeypatch.setattr(S, "name_holders", lambda domain, names: {})  # as if another process made bob just now

    outcomes = S.accounts_create_batch(actor=None, domain=client1, rows=[row(2, "ann"), row(3, "bob"), row(4, "cy")])

    assert [o if isinstance(o, str) else o.name for o in outcomes] == [
        "ann", "an object named 'bob' already exists in client1.test (a account)", "cy"]
    assert sorted(Account.objects.filter(domain=client1).values_list("name", flat=True)) == ["ann", "bob", "cy"]
    assert AuditEntry.objects.filter(event="account.create", object_name="ann@client1.test").count() == 1


def test_a_directory_record_left_under_a_new_name_is_replaced_as_one_by_one(client1):
    from directory.models import search_key

    DirectoryRecord.objects.create(domain=client1, name="ann", name_key=search_key("ann"), real_name="Stale",
                                   email="ann@client1.test", domain_name="client1.test")

    S.accounts_create_batch(actor=None, domain=client1, rows=[row(2, "ann", RealName="Ann"), row(3, "bob")])

    records = DirectoryRecord.objects.filter(domain=client1, name__in=["ann", "bob"]).order_by("name")
    assert [(r.name, r.real_name, r.account.name if r.account else None) for r in records] == [
        ("ann", "Ann", "ann"), ("bob", "", "bob")]
