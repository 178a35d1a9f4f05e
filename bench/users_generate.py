"""Test data at scale for the Users realm: 1,000 domains and 100,000 accounts in one domain.

    DATABASE_URL=postgres://... python bench/users_generate.py [--domains 1000] [--accounts 100000]

(run alone, it fills a throw-away database `bench_<name>` and drops it; bench/users_bench.py imports
`generate` and keeps the data for its measurements). PostgreSQL only.

The services create one object at a time (a rights check, a few queries, an audit entry, an outbox
row, a Central Directory record each). At this scale the generator writes the same rows in bulk:
each table gets one `INSERT ... SELECT generate_series(...)` (or bulk_create for the 1,000 domains),
and every account shares one pre-computed PBKDF2 hash, so no password is hashed 100,000 times.
What the services would write, the generator writes too:
- Domain: the row, an audit entry (domain.create), an outbox row for the domain's files and one for
  its directory unit's file;
- Account: the row (settings as data-format text, the password hash), its INBOX mailbox (format
  from DefaultMailboxType: mbox), an audit entry (account.create with Type and the settings), an
  outbox row, the domain's account_count, and its Central Directory record with the fields
  directory.sync.account_record gives (the names are lower-case ASCII, so search_key is lower()).
  The services mark the domain's directory unit dirty once per account; one outbox row per unit
  (written with the domain) makes the exporter write the same file.
Accounts, INBOXes, audit entries, directory records and outbox rows are one statement (data-modifying
CTEs), so they commit together as each account_create does.
`check_equivalence` then creates one more account through account_create and compares every row
the service wrote with the generated rows of an account made the same way; the run fails if they
differ in anything but ids, names and times."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cgadmin.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")  # no worker runs: the after-commit tasks go nowhere

import django

django.setup()

from common import FIRST, LAST, throwaway_database  # noqa: E402
from django.db import connection, transaction  # noqa: E402

BIG_DOMAIN = "big.bench.test"
PASSWORD = "bench-password"
# The tables the list pages read (autovacuum analyzes the others in its own time), from a sample
# of 3,000 rows a table (statistics target 10): enough for these plans, and a hundredth of the time.
ANALYZE = "ANALYZE accounts_account, accounts_accountalias, domains_domain"


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET default_statistics_target = 10")
        cursor.execute(ANALYZE)
        cursor.execute("RESET default_statistics_target")


def _sql_array(words: tuple[str, ...]) -> str:
    return "ARRAY[" + ",".join(f"'{word}'" for word in words) + "]"


def _name_parts(count: int) -> tuple[str, str]:
    """SQL expressions of series value i: a first and a last name, spread evenly but not in order."""
    first = f"({_sql_array(FIRST)})[1 + mod(i * 7919, {len(FIRST)})]"
    last = f"({_sql_array(LAST)})[1 + mod((i * 104729) / {len(FIRST)}, {len(LAST)})]"
    return first, last


def initialize() -> None:
    """The first start (Main Domain, postmaster), as cgserver does it, when not done yet."""
    from server.services import server_initialize

    server_initialize(host_name="mail.bench.test", postmaster_password="bench-postmaster")


def create_domains(count: int) -> list[int]:
    """`count` domains (d0001.bench.test ...) plus the big one; their audit and outbox rows."""
    from basedir import outbox
    from basedir.models import ExportOutbox
    from directory.export import OUTBOX_KIND
    from domains.models import Domain
    from logs.events import Event
    from logs.models import AuditEntry

    names = [f"d{n:04d}.bench.test" for n in range(1, count)] + [BIG_DOMAIN]
    domains = Domain.objects.bulk_create([Domain(name=name) for name in names], batch_size=2000)
    AuditEntry.objects.bulk_create(
        [AuditEntry(actor_name="(shell)", interface="shell", event=str(Event.DOMAIN_CREATE), object_type="domain",
                    object_name=domain.name, domain_name=domain.name, after="{}") for domain in domains],
        batch_size=2000,
    )
    ExportOutbox.objects.bulk_create(
        [ExportOutbox(kind=outbox.DOMAIN, key=str(domain.pk)) for domain in domains]
        + [ExportOutbox(kind=OUTBOX_KIND, key=domain.name) for domain in domains],
        batch_size=2000,
    )
    return [domain.pk for domain in domains]


def create_accounts(domain_id: int, count: int, *, start: int = 1) -> None:
    """`count` accounts named first.lastN in one domain, with everything account_create writes:
    one statement whose data-modifying CTEs insert the accounts, their INBOXes, audit entries and
    outbox rows together."""
    from django.contrib.auth.hashers import make_password

    from domains.models import Domain

    domain = Domain.objects.get(pk=domain_id)
    password = make_password(PASSWORD)  # the production hasher, once: every account shares the hash
    first, last = _name_parts(count)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH src AS (
                  SELECT {first} || '.' || {last} || i AS name, initcap({first}) || ' ' || initcap({last}) AS real
                  FROM generate_series(%(start)s::bigint, %(end)s::bigint) AS i),
                new AS (
                  INSERT INTO accounts_account (password, domain_id, name, kind, settings, prefs, info, rights, created)
                  SELECT %(password)s, %(domain)s, name, 'MultiMailbox', '{{RealName="' || real || '";}}', '{{}}',
                         '{{}}', '[]'::jsonb, now()
                  FROM src
                  RETURNING id, name, settings),
                inbox AS (
                  INSERT INTO accounts_mailbox (account_id, name, format, mailbox_class, created)
                  SELECT id, 'INBOX', 'mbox', '', now() FROM new),
                trail AS (
                  INSERT INTO logs_auditentry (time, actor_name, interface, client_address, event, object_type,
                                               object_name, domain_name, before, after)
                  SELECT now(), '(shell)', 'shell', '', 'account.create', 'account', name || '@' || %(name)s,
                         %(name)s, '', rtrim(settings, '}}') || 'Type=MultiMailbox;}}'
                  FROM new),
                records AS (
                  INSERT INTO directory_directoryrecord (domain_id, account_id, name, real_name, email, domain_name,
                                                         aliases, public, name_key, real_name_key, email_key, updated)
                  SELECT %(domain)s, new.id, new.name, src.real, new.name || '@' || %(name)s, %(name)s, '[]'::jsonb,
                         '{{}}', new.name, lower(src.real), new.name || '@' || %(name)s, now()
                  FROM new JOIN src USING (name))
                INSERT INTO basedir_exportoutbox (kind, key, created) SELECT 'account', id::text, now() FROM new""",
            {"password": password, "domain": domain_id, "start": start, "end": start + count - 1, "name": domain.name},
        )
        cursor.execute(
            "UPDATE domains_domain SET account_count = (SELECT count(*) FROM accounts_account WHERE domain_id = %s) "
            "WHERE id = %s",
            [domain_id, domain_id],
        )


def generate(*, domains: int = 1000, accounts: int = 100_000) -> dict[str, float]:
    """Fill a migrated, empty database; seconds per step (and "total")."""
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def step(label: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[label] = now - started
        started = now

    initialize()  # the server's first start, not part of the generation's time
    step("initialize")
    total_start = started
    with transaction.atomic():
        domain_ids = create_domains(domains)
        step("domains")
        create_accounts(domain_ids[-1], accounts)
        step("accounts")
    analyze()
    step("analyze")
    timings["total"] = time.perf_counter() - total_start
    return timings


def _rows(account_id: int) -> dict[str, object]:
    """Everything stored about one account, without ids, names and times."""
    from accounts.models import Account
    from basedir.models import ExportOutbox
    from directory.models import DirectoryRecord
    from logs.models import AuditEntry

    account = Account.objects.select_related("domain").get(pk=account_id)
    entry = AuditEntry.objects.get(event="account.create", object_name=account.address)
    record = DirectoryRecord.objects.get(account=account)
    real_name = account.settings.get("RealName")
    return {
        "account": (account.kind, sorted(account.settings), account.prefs, account.info, account.rights,
                    account.password.split("$")[0], account.sessions_valid_after, account.last_login),
        "mailboxes": list(account.mailboxes.values_list("name", "format", "mailbox_class")),
        "audit": (entry.actor_name, entry.interface, entry.object_type, entry.domain_name, entry.before,
                  entry.after.replace(f'"{real_name}"', "<real name>")),
        "outbox": ExportOutbox.objects.filter(kind="account", key=str(account.pk)).count(),
        "directory": (record.real_name == real_name, record.email == account.address, record.aliases,
                      record.public, record.domain_name, record.name_key == account.name),
    }


def check_equivalence(domain_id: int) -> list[str]:
    """Create one account through account_create and compare what it stored with a generated one."""
    from accounts.models import Account
    from accounts.services import account_create
    from domains.models import Domain

    domain = Domain.objects.get(pk=domain_id)
    generated = Account.objects.filter(domain=domain).order_by("id").first()
    assert generated is not None
    made = account_create(actor=None, domain=domain, name="zz.service.made", password=generated.password,
                          settings={"RealName": generated.settings["RealName"]})
    expected, actual = _rows(made.pk), _rows(generated.pk)
    count = Account.objects.filter(domain=domain).count()
    domain.refresh_from_db()
    differences = [f"{key}: service {expected[key]!r} != generated {actual[key]!r}"
                   for key in expected if expected[key] != actual[key]]
    if domain.account_count != count:
        differences.append(f"account_count {domain.account_count} != {count} accounts")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=100_000)
    options = parser.parse_args()
    with throwaway_database():
        timings = generate(domains=options.domains, accounts=options.accounts)
        differences = check_equivalence(big_domain_id())
    print(", ".join(f"{label} {seconds:.1f} s" for label, seconds in timings.items()))
    for difference in differences:
        print("DIFFERENT:", difference)
    return 1 if differences or timings["total"] >= 60 else 0


def grow(domain_id: int, count: int, *, start: int) -> dict[str, float]:
    """Add `count` accounts to the domain (numbered from `start`), then rebuild its directory records."""
    started = time.perf_counter()
    with transaction.atomic():
        create_accounts(domain_id, count, start=start)
    ended = time.perf_counter()
    analyze()
    return {"accounts": ended - started, "analyze": time.perf_counter() - ended}


def big_domain_id() -> int:
    from domains.models import Domain

    return Domain.objects.get(name=BIG_DOMAIN).pk


if __name__ == "__main__":
    sys.exit(main())
