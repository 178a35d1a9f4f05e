"""Two nodes of the production shape on one database, one Redis and one shared base directory, as
CommuniGate cluster members share storage: two web, two CLI listeners, two queue runners, two
workers and two beats (only one of which may schedule). Work goes to both at once: accounts created
through both CLIs (one name by both: exactly one wins), messages dropped into Submitted/ while both
runners run. One node is killed with SIGKILL midway (the one whose beat schedules); the other
finishes: every message in its recipient's INBOX exactly once, `basedir check` clean, the audit
trail holding every account once, and the surviving beat has taken the schedule over.

PRODUCTION_SHAPE_MESSAGES sets the number of messages (5,000 by default; README "Production" has
the figures)."""

from __future__ import annotations

import collections
import os
import threading
import time

import pytest
from CGPCLI.Errors import CommandFailedError

from tests.production.shape import Node, Shape, delivered, submit
from tests.production.test_shape import basedir_clean, cli_client, ok, wait_until

pytestmark = pytest.mark.slow
MESSAGES = int(os.environ.get("PRODUCTION_SHAPE_MESSAGES") or 5000)
ACCOUNTS_PER_NODE = 20
DOMAIN = "cluster.test"
KILL_AT = 0.4  # the share of the messages delivered when the node is killed
SERVICES = ("web", "cli", "queue", "worker", "beat", "snmp")


@pytest.fixture
def shape(tmp_path):
    # A killed worker's claims are taken over after the lease (60 s by default; the operator's choice).
    shape = Shape(tmp_path, extra={"MAILQUEUE_LEASE_SECONDS": "15"})
    yield shape
    shape.close()


def scheduling_node(shape: Shape) -> list[Node]:
    """The nodes whose beat says it holds the schedule (and still runs)."""
    return [node for node in shape.nodes if "beat" in node.running
            and "this process" in shape.log_tail(node, "beat", 200)]


def create_accounts(node: Node, names: list[str], outcome: dict[str, str]) -> None:
    client = cli_client(node.cli_port)
    try:
        for name in names:
            try:
                answer = client.create_account(f"{name}@{DOMAIN}")
                outcome[f"{node.name}:{name}"] = answer["header"]
            except CommandFailedError as error:  # CGPCLI raises with the answer's text
                outcome[f"{node.name}:{name}"] = str(error)
    finally:
        client.disconnect()


def test_two_nodes_share_the_work_and_one_finishes_it_when_the_other_is_killed(shape):
    started = time.monotonic()
    shape.init()
    first, second = shape.nodes[0], shape.add_node()
    for node in (first, second):
        shape.start(node, SERVICES)
    for node in (first, second):
        shape.wait_healthy(node)
    wait_until("one beat schedules", lambda: scheduling_node(shape), timeout=60)
    assert len(scheduling_node(shape)) == 1
    assert len(shape.database.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                                     " AND classid = 1128743508::oid AND objid = 1::oid"
                                     " AND database = (SELECT oid FROM pg_database"
                                     " WHERE datname = current_database())")) == 1

    # accounts through both CLIs at once; one name asked of both nodes is created once
    client = cli_client(first.cli_port)
    ok(client.create_domain(DOMAIN))
    client.disconnect()
    outcome: dict[str, str] = {}
    names = {node: [f"{node.name}u{index:02d}" for index in range(ACCOUNTS_PER_NODE)] + ["both"]
             for node in (first, second)}
    threads = [threading.Thread(target=create_accounts, args=(node, names[node], outcome)) for node in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    both = sorted(outcome[f"{node.name}:both"] for node in names)
    assert both[0] == "200" and "'520'" in both[1] and "already exists" in both[1], outcome
    accounts = sorted({name for node_names in names.values() for name in node_names})
    assert all(outcome[f"{node.name}:{name}"] == "200" for node in names for name in names[node] if name != "both")

    # messages while both runners run; the scheduling node is killed when KILL_AT of them are in
    victim = scheduling_node(shape)[0]
    survivor = second if victim is first else first
    sent = collections.Counter()
    submitted = threading.Event()

    def drop_messages() -> None:
        for index in range(MESSAGES):
            name = accounts[index % len(accounts)]
            submit(shape.base, f"m{index:05d}", f"{name}@{DOMAIN}", f"m{index}@cluster.test")
            sent[name] += 1
            if index % 100 == 99:
                time.sleep(0.05)  # mail arrives over time, not in one burst
        submitted.set()

    dropping = threading.Thread(target=drop_messages)
    dropping.start()
    wait_until(f"{KILL_AT:.0%} of the messages delivered", lambda: sum(
        len(ids) for ids in delivered(shape.base, DOMAIN).values()) >= MESSAGES * KILL_AT, timeout=300)
    killed_at = time.monotonic()
    shape.kill(victim)
    dropping.join()
    assert submitted.is_set()

    wait_until("the survivor's beat takes the schedule over", lambda: scheduling_node(shape) == [survivor],
               timeout=60)
    wait_until("every message delivered", lambda: sum(
        len(ids) for ids in delivered(shape.base, DOMAIN).values()) >= MESSAGES, timeout=600)
    finished_at = time.monotonic()
    inboxes = delivered(shape.base, DOMAIN)
    every_id = [message_id for ids in inboxes.values() for message_id in ids]
    assert len(every_id) == len(set(every_id)) == MESSAGES, "a message was duplicated or lost"
    assert {name: len(ids) for name, ids in inboxes.items()} == dict(sent)
    assert not list((shape.base / "Submitted").glob("*.sub"))
    wait_until("Queue/ is empty", lambda: not list((shape.base / "Queue").glob("*.msg")), timeout=120)
    wait_until("basedir check is clean", lambda: basedir_clean(shape, survivor), timeout=120)

    audited = shape.database.query(
        "SELECT object_name, interface FROM logs_auditentry WHERE event = 'account.create' AND domain_name = %s",
        DOMAIN)
    assert sorted(name.split("@")[0] for name, _ in audited) == accounts  # each account once, "both" too
    assert {interface for _, interface in audited} == {"CLI"}

    shape.stop(survivor)
    assert survivor.exit_codes == dict.fromkeys(SERVICES, 0)
    assert survivor.leftovers == []
    print(f"\ntwo nodes: {MESSAGES:,} messages, {len(accounts)} accounts; {victim.name} killed "
          f"{killed_at - started:.0f} s into the test, the rest delivered {finished_at - killed_at:.0f} s later; "
          f"whole test {time.monotonic() - started:.0f} s")
