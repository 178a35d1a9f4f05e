"""The root privilege: dropping it reversibly or for good, the base directory handed over, children
started as the user, and the General page's Drop Root / Restore Root buttons."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path

import pytest

from cgadmin.errors import GeneralError
from server import privilege

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="dropping the root privilege needs root")
# The mechanism tests change to nobody in a forked process; the server itself never drops to it.
NOBODY = privilege.Identity(pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("nobody").pw_gid, "nobody")
GENERAL = "/Master/Settings/General"


@pytest.fixture
def server_user(monkeypatch):
    """An OS user of the server's own, made for the test and removed after it (as --serverUser names it)."""
    name = f"cgtest{os.getpid()}"
    subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   check=True, capture_output=True)
    try:
        monkeypatch.setenv(privilege.ENV_SERVER_USER, name)
        yield privilege.unprivileged_identity(name)
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)
        subprocess.run(["groupdel", name], check=False, capture_output=True)


def in_child(check) -> None:
    """Run check in a forked process (the privilege of pytest itself never changes)."""
    pid = os.fork()
    if pid == 0:
        try:
            check()
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the check in the child process failed (traceback above)"


def test_the_server_user_is_cgatepro_or_the_one_named_never_a_shared_one(monkeypatch):
    import pwd as real_pwd

    known = {"nobody": (65534, 65534), "daemon": (1, 1), "root": (0, 0), "mailsrv": (990, 990)}

    def getpwnam(name):
        if name not in known:
            raise KeyError(name)
        return type("P", (), {"pw_uid": known[name][0], "pw_gid": known[name][1]})()

    monkeypatch.setattr(real_pwd, "getpwnam", getpwnam)
    monkeypatch.delenv(privilege.ENV_SERVER_USER, raising=False)
    with pytest.raises(GeneralError, match="no OS user 'cgatepro' to drop the root privilege to: create one"):
        privilege.unprivileged_identity()
    known["cgatepro"] = (991, 991)
    assert privilege.unprivileged_identity() == privilege.Identity(991, 991, "cgatepro")
    monkeypatch.setenv(privilege.ENV_SERVER_USER, "mailsrv")
    assert privilege.unprivileged_identity() == privilege.Identity(990, 990, "mailsrv")
    for shared in ("nobody", "daemon"):
        with pytest.raises(GeneralError, match="is shared with other programs"):
            privilege.unprivileged_identity(shared)
    with pytest.raises(GeneralError, match="is root"):
        privilege.unprivileged_identity("root")


@needs_root
def test_a_reversible_drop_can_be_restored():
    def check():
        privilege.drop_reversibly(NOBODY)
        assert (os.getuid(), os.geteuid(), os.getegid()) == (0, NOBODY.uid, NOBODY.gid)
        with pytest.raises(PermissionError):
            Path("/root/.cgadmin-probe").write_text("x")
        privilege.restore()
        assert os.geteuid() == 0

    in_child(check)


@needs_root
def test_a_permanent_drop_cannot_be_undone():
    def check():
        privilege.drop_permanently(NOBODY)
        assert os.getresuid() == (NOBODY.uid,) * 3 and os.getgroups() in ([], [NOBODY.gid])
        with pytest.raises(PermissionError):
            privilege.restore()

    in_child(check)


@pytest.fixture
def open_tmp():
    """A folder anyone may pass through (pytest's own tmp_path is under a folder closed to others)."""
    folder = Path(tempfile.mkdtemp(prefix="cgadmin-privilege-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@needs_root
def test_the_base_directory_is_given_to_the_user_and_closed_parents_are_named(open_tmp):
    tmp_path = open_tmp
    base = tmp_path / "CommuniGate"
    (base / "Settings").mkdir(parents=True)
    (base / "Settings" / "Main.settings").write_text("{}")
    os.symlink("/etc/hostname", base / "link")

    assert privilege.give_tree(base, NOBODY) == 4
    assert all(path.lstat().st_uid == NOBODY.uid for path in [base, *base.rglob("*")])
    assert Path("/etc/hostname").stat().st_uid == 0  # a link is changed, never what it points to
    assert privilege.give_tree(base, NOBODY) == 0  # nothing left to change

    closed = tmp_path / "closed"
    (closed / "CommuniGate").mkdir(parents=True)
    closed.chmod(0o700)
    assert privilege.inaccessible_ancestor(closed / "CommuniGate", NOBODY) == closed
    problem = privilege.obstacle(NOBODY, closed / "CommuniGate")
    assert problem is not None and "is closed to it" in problem


@needs_root
@pytest.mark.skipif(not os.access("/usr/bin/python3", os.X_OK), reason="needs a system python3 outside /root")
def test_children_start_as_the_user_after_drop_root_and_as_root_after_restore(settings, monkeypatch, server_user):
    """The Supervisor with a probe component (a system python3, which any user may run) reporting its uids."""
    from server import process
    from server.options import ServerOptions

    base = Path(tempfile.mkdtemp(prefix="cgadmin-privilege-", dir="/tmp"))
    base.chmod(0o755)
    report = base / "probe.txt"
    script = textwrap.dedent(f"""
        import os, time
        with open({str(report)!r}, "a") as out:
            out.write(f"{{os.getuid()}} {{os.geteuid()}}\\n")
        time.sleep(60)
    """)
    probe = process.Component("probe", lambda options: ["/usr/bin/python3", "-c", script])
    settings.CGATE_BASE = base
    settings.CGADMIN_STATE_DIR = base / "cgadmin"
    monkeypatch.setattr(process, "COMPONENTS", [probe])
    monkeypatch.setattr(process, "application_dir", lambda: Path("/"))
    monkeypatch.setattr(privilege, "obstacle", lambda identity, base: None)  # pytest's python is under /root

    def lines(count: int) -> list[str]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = report.read_text().splitlines() if report.exists() else []
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"probe wrote {found}")

    def check():
        supervisor = process.Supervisor(ServerOptions(), say=print)
        supervisor.start_all()
        assert lines(1) == ["0 0"]
        supervisor._restart_children_after(lambda: supervisor.drop_root(permanently=False))
        assert supervisor.root == privilege.DROPPED and os.geteuid() == server_user.uid and os.getuid() == 0
        assert lines(2)[1] == f"{server_user.uid} {server_user.uid}"
        assert base.stat().st_uid == server_user.uid
        supervisor._restart_children_after(supervisor.restore_root)
        assert supervisor.root == privilege.ROOT and os.geteuid() == 0
        assert lines(3)[2] == "0 0"
        supervisor.stop_all()

    try:
        in_child(check)
    finally:
        shutil.rmtree(base, ignore_errors=True)


class FakeServer:
    """A process holding the base directory's ProcessID lock, noting the signals it gets."""

    def __init__(self, base: Path) -> None:
        self.signals = base / "signals.txt"
        script = textwrap.dedent(f"""
            import fcntl, os, signal, sys, time
            fd = os.open({str(base / 'ProcessID')!r}, os.O_RDWR | os.O_CREAT)
            fcntl.lockf(fd, fcntl.LOCK_EX)
            os.write(fd, f"{{os.getpid()}}\\n".encode())
            def note(signum, frame):
                with open({str(self.signals)!r}, "a") as out:
                    out.write(signal.Signals(signum).name + "\\n")
            signal.signal(signal.SIGUSR1, note)
            print("ready", flush=True)
            while True:
                time.sleep(0.1)
        """)
        self.process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline() == "ready\n"

    def received(self) -> list[str]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not self.signals.exists():
            time.sleep(0.05)
        return self.signals.read_text().split() if self.signals.exists() else []

    def stop(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def running_as_root(settings, tmp_path):
    from server import documents

    settings.CGATE_BASE = tmp_path
    documents.write(documents.RUNTIME, {"RootPrivilege": privilege.ROOT, "RunAs": ""})
    server = FakeServer(tmp_path)
    yield server
    server.stop()


@pytest.mark.django_db
def test_drop_root_asks_the_running_server_and_is_audited(postmaster, as_basic, running_as_root, monkeypatch,
                                                          django_capture_on_commit_callbacks, server_user):
    from logs.models import AuditEntry
    from server import documents

    monkeypatch.setattr(privilege, "obstacle", lambda identity, base: None)
    client = as_basic(postmaster)
    assert "Drop Root" in client.get(GENERAL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(GENERAL, {"action": "drop_root"})
        unticked = client.post(GENERAL, {"action": "drop_root", "confirming": "1"})
        assert "RootPrivilegeRequest" not in documents.read(documents.RUNTIME)  # nothing without the ticked box
        assert running_as_root.received() == []
        response = client.post(GENERAL, {"action": "drop_root", "confirm": "on"})

    assert asked.status_code == 200 and 'name="confirm"' in asked.content.decode()
    assert 'value="drop_root"' in asked.content.decode()  # the confirmation posts the same action again
    assert unticked.status_code == 400 and 'role="alert"' in unticked.content.decode()
    assert response.status_code == 302
    assert documents.read(documents.RUNTIME)["RootPrivilegeRequest"] == "drop"
    assert running_as_root.received() == ["SIGUSR1"]
    entry = AuditEntry.objects.get(event="server.root")
    assert entry.actor == postmaster and "drop requested" in entry.after


@pytest.mark.django_db
def test_restore_root_is_offered_only_after_a_reversible_drop(postmaster, as_basic, running_as_root):
    from server import documents

    client = as_basic(postmaster)
    documents.write(documents.RUNTIME, {"RootPrivilege": privilege.DROPPED, "RunAs": "nobody"})
    page = client.get(GENERAL).content.decode()
    assert "Restore Root" in page and "dropped: running as nobody" in page

    documents.write(documents.RUNTIME, {"RootPrivilege": privilege.DROPPED_PERMANENTLY, "RunAs": "nobody"})
    page = client.get(GENERAL).content.decode()
    assert "Restore Root" not in page and "Drop Root" not in page

    response = client.post(GENERAL, {"action": "restore_root"}, follow=True)
    assert "cannot restore the root privilege: it is dropped permanently" in response.content.decode()
    assert "RootPrivilegeRequest" not in documents.read(documents.RUNTIME)


@pytest.mark.django_db
def test_a_drop_the_user_could_not_live_with_is_refused(postmaster, as_basic, running_as_root, monkeypatch,
                                                        server_user):
    from logs.models import AuditEntry

    monkeypatch.setattr(privilege, "obstacle", lambda identity, base: f"{identity.name} cannot run /root/python")
    response = as_basic(postmaster).post(GENERAL, {"action": "drop_root", "confirm": "on"}, follow=True)

    assert f"the root privilege stays: {server_user.name} cannot run /root/python" in response.content.decode()
    assert running_as_root.received() == []
    assert not AuditEntry.objects.filter(event="server.root").exists()


@pytest.mark.django_db
def test_drop_root_without_a_user_of_the_servers_own_is_refused_on_the_page(postmaster, as_basic, running_as_root,
                                                                             monkeypatch):
    from logs.models import AuditEntry

    monkeypatch.setenv(privilege.ENV_SERVER_USER, "nobody")
    response = as_basic(postmaster).post(GENERAL, {"action": "drop_root", "confirm": "on"}, follow=True)

    assert "the root privilege stays: the OS user &#x27;nobody&#x27; (uid 65534) is shared with other programs" \
        in response.content.decode()
    assert running_as_root.received() == []
    assert not AuditEntry.objects.filter(event="server.root").exists()


@pytest.mark.django_db
def test_drop_root_needs_the_settings_right(personas, running_as_root):
    from cgadmin.errors import AccessDenied
    from server.services import server_root_privilege_set

    with pytest.raises(AccessDenied):
        server_root_privilege_set(actor=personas.monitor, drop=True)
