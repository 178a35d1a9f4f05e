"""The command-line options of the seed, Startup.sh, and the ProcessID lock without file locks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cgadmin.errors import CGError
from server import osinfo
from server.lock import ProcessLock, running_pid
from server.options import ServerOptions, parse_options, startup_parameters

SEED_OPTIONS = [
    ["--CGateBase", "/var/CG"], ["--Base", "/var/CG"], ["--logToConsole"], ["--logAll"], ["--daemon"],
    ["--CGateApplication", "/"], ["--IPv6", "NO"], ["--lockLockFile", "NO"], ["--dropRoot"],
    ["--delayOnStart", "5"], ["--threadsScope", "system"], ["--batchLogon"], ["--sharedFiles"],
    ["--noSharedFiles"], ["--useNonBlockingSockets"], ["--useBlockingSockets"], ["--closeStuckSockets"],
    ["--localIPBuffer", "200K"], ["--threadPriority", "NO"], ["--defaultStackSize", "1M"],
    ["--SIPUDPSendBuffer", "65536"], ["--SIPUDPReceiveBuffer", "64K"], ["--SIPUDPReceiverHighPty", "YES"],
    ["--DNRUDPSendBuffer", "65536"], ["--DNRUDPReceiveBuffer", "64K"], ["--DNRUDPReceiverHighPty", "NO"],
    ["--excludeLocalIP", "10.0.0.1"], ["--createTempFilesDirectly", "10"], ["--UseSystemPorts", "YES"],
    ["--randomDataDevice", "/dev/urandom"],
]
NOT_APPLICABLE = {"--threadsScope", "--batchLogon", "--sharedFiles", "--noSharedFiles", "--useNonBlockingSockets",
                  "--useBlockingSockets", "--closeStuckSockets", "--threadPriority", "--SIPUDPSendBuffer",
                  "--SIPUDPReceiveBuffer", "--SIPUDPReceiverHighPty", "--DNRUDPSendBuffer",
                  "--DNRUDPReceiveBuffer", "--DNRUDPReceiverHighPty"}


@pytest.mark.parametrize("arguments", SEED_OPTIONS, ids=lambda arguments: arguments[0])
@pytest.mark.parametrize("spelling", [str, str.lower, str.upper])
def test_every_option_of_the_seed_is_accepted_in_any_case(arguments, spelling):
    options = parse_options([spelling(arguments[0]), *arguments[1:]])

    assert options.given == [spelling(arguments[0]), *arguments[1:]]
    if arguments[0] in NOT_APPLICABLE:
        assert options.not_applicable == [f"{arguments[0]}: {options.not_applicable[0].split(': ', 1)[1]}"]
    else:
        assert options.not_applicable == []


def test_options_that_mean_something_are_read():
    options = parse_options([
        "--base", "/srv/cg", "--LOGALL", "--logtoconsole", "--ipv6", "no", "--LockLockFile", "NO", "--droproot",
        "--delayonstart", "3", "--localipbuffer", "200K", "--defaultstacksize", "512K",
        "--excludelocalip", "10.0.0.1", "--excludeLocalIP", "[2001:db8::1]", "--createTempFilesDirectly", "4",
        "--usesystemports", "yes", "--randomdatadevice", "/dev/urandom",
    ])

    assert options.base == Path("/srv/cg")
    assert options.log_all and options.log_to_console and options.drop_root and options.use_system_ports
    assert not options.ipv6 and not options.lock_lock_file
    assert options.delay_on_start == 3
    assert options.local_ip_buffer == 204800
    assert options.default_stack_size == 512 * 1024
    assert options.exclude_local_ips == ["10.0.0.1", "2001:db8::1"]
    assert options.create_temp_files_directly == 4
    assert options.random_data_device == Path("/dev/urandom")


@pytest.mark.parametrize(("arguments", "message"), [
    (["--Bogus"], "unknown command-line option '--Bogus'"),
    (["--IPv6", "maybe"], "bad value 'maybe' for --IPv6: expected YES or NO"),
    (["--delayOnStart", "soon"], "bad value 'soon' for --delayOnStart: expected a number of seconds"),
    (["--excludeLocalIP", "mail.example.test"], "bad value 'mail.example.test' for --excludeLocalIP"),
    (["--defaultStackSize", "1K"], "expected a size of at least 32768 bytes"),
    (["--localIPBuffer", "lots"], "bad value 'lots' for --localIPBuffer"),
    (["--CGateApplication", "/no/such/folder"], "expected an existing directory"),
    (["--threadsScope", "galaxy"], "expected system or process"),
    (["--delayOnStart"], "option --delayOnStart needs a value"),
])
def test_an_unknown_option_or_a_bad_value_is_named(arguments, message):
    with pytest.raises(CGError) as error:
        parse_options(arguments)
    assert message in error.value.message


def test_startup_sh_adds_its_supplparams_and_exports(tmp_path, monkeypatch):
    monkeypatch.delenv("CGADMIN_TEST_FROM_STARTUP", raising=False)
    (tmp_path / "Startup.sh").write_text(
        "# site additions\nexport CGADMIN_TEST_FROM_STARTUP=set-by-startup\n"
        'SUPPLPARAMS="--logAll --excludeLocalIP 10.1.2.3  --threadsScope process"\n'
    )

    words, exported = startup_parameters(tmp_path)
    options = parse_options(words, parse_options(["--Base", str(tmp_path)]))

    assert words == ["--logAll", "--excludeLocalIP", "10.1.2.3", "--threadsScope", "process"]
    assert exported == {"CGADMIN_TEST_FROM_STARTUP": "set-by-startup"}
    assert options.given == ["--Base", str(tmp_path), *words]
    assert options.log_all and options.exclude_local_ips == ["10.1.2.3"]
    assert options.not_applicable[0].startswith("--threadsScope")


def test_without_startup_sh_nothing_is_added(tmp_path):
    assert startup_parameters(tmp_path) == ([], {})


@pytest.mark.parametrize(("script", "message"), [
    ('SUPPLPARAMS="--Base /elsewhere"\n', "SUPPLPARAMS cannot change the base directory"),
    ("exit 3\n", "Startup.sh failed (status 3)"),
])
def test_a_bad_startup_sh_stops_the_start(tmp_path, script, message):
    (tmp_path / "Startup.sh").write_text(script)
    with pytest.raises(CGError) as error:
        startup_parameters(tmp_path)
    assert message in error.value.message


def test_excluded_and_ipv6_addresses_leave_the_local_list():
    every = osinfo.local_ip_addresses()
    assert "127.0.0.1" in every

    assert "127.0.0.1" not in osinfo.local_ip_addresses(["127.0.0.1"])
    assert all(":" not in address for address in osinfo.local_ip_addresses(ipv6=False))
    assert len(osinfo.ipv4_addresses(buffer_size=40)) == 1  # --localIPBuffer: room for one interface only


def test_a_process_id_without_a_lock_blocks_only_a_live_server(tmp_path):
    pid_file = tmp_path / "ProcessID"
    pid_file.write_text(f"{os.getpid()}\n")  # pytest: alive, but not a server (like a pid reused after kill -9)
    lock = ProcessLock(pid_file, locked=False)
    lock.acquire()
    assert running_pid(pid_file, locked=False) is None  # this test process is no cgserver
    lock.release()
    assert not pid_file.exists()

    fake_server = subprocess.Popen([sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(30)",
                                    "cgserver"], stdout=subprocess.PIPE, text=True)
    try:
        assert fake_server.stdout.readline() == "ready\n"  # it runs its own command line now
        pid_file.write_text(f"{fake_server.pid}\n")
        assert running_pid(pid_file, locked=False) == fake_server.pid
        with pytest.raises(CGError, match=f"another server \\(pid {fake_server.pid}\\) is running"):
            ProcessLock(pid_file, locked=False).acquire()
    finally:
        fake_server.kill()
        fake_server.wait()


def test_the_options_default_to_the_plain_server():
    options = ServerOptions()
    assert options.ipv6 and options.lock_lock_file and not options.drop_root and options.exclude_local_ips == []
