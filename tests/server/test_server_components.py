"""A real server's SNMP agent and Crash Recovery, seen from outside."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from server import snmp
from tests.server.test_cgserver_process import RunningServer, server_env
from tests.server.test_server_control import PASSWORD, children_of, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def component_pid(server: RunningServer, marker: str) -> int | None:
    for pid in children_of(server.process.pid):
        try:
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    return None


@pytest.fixture
def running(tmp_path):
    from server.services import server_settings_update

    base = tmp_path / "CommuniGate"
    server = RunningServer(base, server_env(base, CGADMIN_POSTMASTER_PASSWORD=PASSWORD))
    server.base = base
    try:
        server.wait_for("WebAdmin at")
        server_settings_update(actor=None, updates={"ContactPerson": "Jane <jane@example.test>",
                                                    "ServerLocation": "closet, 3rd floor", "SNMPCommunity": "s3cret"})
        assert wait_until(lambda: component_pid(server, "snmpagent") is not None)
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()


def snmp_get(server, oids, community="s3cret", **options):
    return snmp.client_request(("127.0.0.1", server.snmp_port), community, oids, **options)


def answers(server) -> bool:
    try:
        snmp_get(server, [snmp.SYS_NAME], timeout=1)
    except TimeoutError:
        return False
    return True


def test_the_snmp_agent_answers_the_system_group(running):
    from domains.models import Domain

    assert wait_until(lambda: answers(running))  # the settings are re-read within seconds
    answer = snmp_get(running, [snmp.SYS_NAME, snmp.SYS_CONTACT, snmp.SYS_LOCATION, snmp.SYS_DESCR, snmp.SYS_UPTIME],
                      version=snmp.VERSION_1)

    got = {oid: snmp.decode_value(tag, body) for oid, tag, body in answer.bindings}
    assert got[snmp.SYS_NAME] == Domain.objects.get(is_main=True).name.encode()
    assert got[snmp.SYS_CONTACT] == b"Jane <jane@example.test>"
    assert got[snmp.SYS_LOCATION] == b"closet, 3rd floor"
    assert got[snmp.SYS_DESCR].startswith(b"CommuniGate Pro 6.3.0")
    assert got[snmp.SYS_UPTIME] > 0
    with pytest.raises(TimeoutError):
        snmp_get(running, [snmp.SYS_NAME], community="public", timeout=1)  # the wrong community gets nothing


@pytest.mark.skipif(shutil.which("snmpget") is None,
                    reason="net-snmp's snmpget is not installed (apt-get install snmp; .ci/run installs it)")
def test_net_snmp_snmpget_and_snmpwalk_read_the_agent(running):
    assert wait_until(lambda: answers(running))
    target = f"udp:127.0.0.1:{running.snmp_port}"

    get = subprocess.run(["snmpget", "-v2c", "-c", "s3cret", "-On", "-t", "5", target, "1.3.6.1.2.1.1.4.0",
                          "1.3.6.1.2.1.1.6.0"], capture_output=True, text=True, timeout=30)
    v1 = subprocess.run(["snmpget", "-v1", "-c", "s3cret", "-On", "-t", "5", target, "1.3.6.1.2.1.1.3.0"],
                        capture_output=True, text=True, timeout=30)
    walk = subprocess.run(["snmpwalk", "-v2c", "-c", "s3cret", "-On", "-t", "5", target, "1.3.6.1.2.1.1"],
                          capture_output=True, text=True, timeout=30)

    assert get.returncode == 0, get.stderr
    assert '.1.3.6.1.2.1.1.4.0 = STRING: "Jane <jane@example.test>"' in get.stdout
    assert '.1.3.6.1.2.1.1.6.0 = STRING: "closet, 3rd floor"' in get.stdout
    assert v1.returncode == 0 and ".1.3.6.1.2.1.1.3.0 = Timeticks:" in v1.stdout, v1.stderr
    found = [line.split(" = ")[0] for line in walk.stdout.splitlines() if "No more variables" not in line]
    assert found == [
        ".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.1.3.0", ".1.3.6.1.2.1.1.4.0", ".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.6.0",
    ], walk.stderr


def test_crash_recovery_on_restarts_a_failing_component_and_logs_it(running):
    assert wait_until(lambda: answers(running))
    agent = component_pid(running, "snmpagent")
    os.kill(agent, signal.SIGSEGV)

    running.wait_for(r"component snmp exited with status -11; restarting")
    assert wait_until(lambda: component_pid(running, "snmpagent") not in (None, agent))
    assert wait_until(lambda: answers(running))
    assert running.process.poll() is None  # the server goes on
    log = "".join(path.read_text() for path in (running.base / "SystemLogs").glob("*.log"))
    assert "component snmp failed (signal SIGSEGV)" in log


def test_crash_recovery_off_stops_the_server_with_a_crash_report(running):
    from server.services import server_settings_update

    server_settings_update(actor=None, updates={"CrashRecovery": "NO"})
    assert wait_until(lambda: answers(running))  # the agent is up, its fault handler in place
    os.kill(component_pid(running, "snmpagent"), signal.SIGSEGV)

    assert running.process.wait(timeout=60) == 3
    reports = list(running.base.glob("CrashReport-*.txt"))
    assert len(reports) == 1
    report = reports[0].read_text()
    assert "component: snmp" in report and "failure: signal SIGSEGV" in report
    assert "Fatal Python error: Segmentation fault" in report  # the agent's own threads, by faulthandler
    assert "in serve" in report  # ... with its stack (snmp.serve was waiting for a datagram)
    assert "tracebacks of every thread of cgserver" in report and "in watch" in report
    assert not (running.base / "ProcessID").exists()
