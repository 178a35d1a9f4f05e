"""The production shape of docker-compose.yml, run for real without a container engine (see
shape.py): every service's command as its own process with the compose environment, on a real
PostgreSQL database and a real Redis. It is driven as users drive it: a WebAdmin login over HTTP,
CGPCLI creating a domain and accounts over the network CLI, messages dropped into Submitted/, the
base directory checked; then SIGTERM to every service while mail is in flight, and nothing is lost."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

import pytest
from CGPCLI import Server

from tests.production.shape import POSTMASTER_PASSWORD, Shape, WebAdmin, delivered, submit

pytestmark = pytest.mark.slow
DOMAIN = "shape.test"
IN_FLIGHT = 200  # messages dropped right before the SIGTERM


def wait_until(what: str, condition: Callable[[], object], timeout: float = 180.0) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.5)


def cli_client(port: int) -> Server:
    client = Server("127.0.0.1", port)
    client.connect()
    client.login("postmaster", POSTMASTER_PASSWORD)
    return client


def ok(answer: dict) -> object:
    assert answer["header"] in ("200", "201"), answer
    return answer["body"]


def basedir_clean(shape: Shape, node) -> bool:
    return shape.run(node, "web", ["python", "manage.py", "basedir", "check"]).returncode == 0


@pytest.fixture
def shape(tmp_path):
    shape = Shape(tmp_path)
    yield shape
    shape.close()


def test_the_compose_services_run_as_the_production_shape_and_stop_without_losing_mail(shape):
    assert "First start: Main Domain" in shape.init()
    node = shape.nodes[0]
    shape.start(node)
    shape.wait_healthy(node)  # every service's own health check passes: web, cli, queue, worker, beat, snmp

    cli = cli_client(node.cli_port)
    ok(cli.create_domain(DOMAIN))
    for name in ("alice", "bob"):
        ok(cli.create_account(f"{name}@{DOMAIN}"))
    assert ok(cli.list_accounts(DOMAIN)) == {"alice": "macnt", "bob": "macnt"}
    cli.disconnect()

    web = WebAdmin(node.http_port)
    web.login("postmaster", POSTMASTER_PASSWORD)
    status, page, _ = web.request("GET", f"/Master/Users/Domains/{DOMAIN}/Accounts")
    assert status == 200 and "alice" in page and "bob" in page

    submit(shape.base, "first", f"alice@{DOMAIN}", "first@shape.test")
    wait_until("the first message is in alice's INBOX",
               lambda: delivered(shape.base, DOMAIN).get("alice") == ["first@shape.test"])
    wait_until("basedir check is clean", lambda: basedir_clean(shape, node), timeout=60)
    assert (shape.base / "Domains" / DOMAIN / "bob.macnt" / "account.settings").is_file()

    # SIGTERM while mail is arriving: every service stops in its grace period, nothing is left running
    sent = collections.Counter()
    for index in range(IN_FLIGHT):
        name = ("alice", "bob")[index % 2]
        submit(shape.base, f"flight{index:04d}", f"{name}@{DOMAIN}", f"flight{index}@shape.test")
        sent[name] += 1
    shape.stop(node)
    assert node.exit_codes == dict.fromkeys(("web", "cli", "queue", "worker", "beat", "snmp"), 0)
    assert node.leftovers == []

    # nothing lost: started again, the shape delivers every message exactly once
    shape.start(node)
    shape.wait_healthy(node)
    sent["alice"] += 1  # the first one
    wait_until(f"{IN_FLIGHT} more messages delivered", lambda: collections.Counter(
        {name: len(ids) for name, ids in delivered(shape.base, DOMAIN).items()}) >= sent)
    inboxes = delivered(shape.base, DOMAIN)
    for name, ids in inboxes.items():
        assert len(ids) == len(set(ids)) == sent[name], f"{name}: duplicates or losses"
    assert not list((shape.base / "Submitted").glob("*.sub"))
    wait_until("Queue/ is empty", lambda: not list((shape.base / "Queue").glob("*.msg")), timeout=60)
    wait_until("basedir check is clean", lambda: basedir_clean(shape, node), timeout=60)
    shape.stop(node)
    assert node.exit_codes == dict.fromkeys(("web", "cli", "queue", "worker", "beat", "snmp"), 0)
