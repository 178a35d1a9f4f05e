"""The user the server drops root to, and the Startup.sh a start as root sources: as an operator
starting a real server and a local user trying to get root's hands on their code see them."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cgadmin.errors import InvalidInput
from cgadmin.private import private_file, read_or_create_secret
from server import privilege
from server.options import startup_parameters
from tests.server.test_cgserver_process import PROJECT, free_port, server_env
from tests.server.test_privilege import NOBODY, in_child, needs_root, server_user  # noqa: F401 - a fixture

pytestmark = needs_root


def start(base: Path, *options: str) -> subprocess.CompletedProcess:
    """A real `manage.py cgserver` start that is expected to stop before serving anything."""
    return subprocess.run(
        [sys.executable, "manage.py", "cgserver", "--Base", str(base), "--HTTPPort", str(free_port()),
         "--CLIPort", str(free_port()), "--SNMPPort", str(free_port()), *options],
        cwd=PROJECT, env=server_env(base), capture_output=True, text=True, timeout=120,
    )


@pytest.mark.slow
@pytest.mark.skipif(any(entry.pw_name == "cgatepro" for entry in pwd.getpwall()), reason="cgatepro exists here")
def test_drop_root_is_refused_at_start_without_a_user_of_the_servers_own(tmp_path):
    base = tmp_path / "CommuniGate"

    missing = start(base, "--dropRoot")
    assert missing.returncode == 2
    assert "no OS user 'cgatepro' to drop the root privilege to: create one for the server alone" in missing.stderr
    assert not (base / "ProcessID").exists()

    shared = start(base, "--dropRoot", "--serverUser", "nobody")
    assert shared.returncode == 2
    assert "the OS user 'nobody' (uid 65534) is shared with other programs" in shared.stderr


@pytest.mark.slow
@pytest.mark.parametrize("flaw", ["owned by another user", "writable by others", "a symbolic link"])
def test_a_startup_sh_another_user_could_have_written_is_never_sourced(tmp_path, flaw):
    base = tmp_path / "CommuniGate"
    base.mkdir()
    marker = tmp_path / "sourced"
    script = base / "Startup.sh"
    text = f'touch {marker}\nSUPPLPARAMS="--logAll"\n'
    if flaw == "a symbolic link":
        (tmp_path / "elsewhere.sh").write_text(text)
        script.symlink_to(tmp_path / "elsewhere.sh")
    else:
        script.write_text(text)
    if flaw == "owned by another user":
        os.chown(script, NOBODY.uid, NOBODY.gid)
    if flaw == "writable by others":
        script.chmod(0o666)

    result = start(base)

    assert result.returncode == 2
    expected = {"owned by another user": f"Startup.sh belongs to uid {NOBODY.uid}: not sourced",
                "writable by others": "Startup.sh may be written by its group or by others (mode 0666): not sourced",
                "a symbolic link": "Startup.sh is a symbolic link: not sourced"}[flaw]
    assert expected in result.stderr
    assert not marker.exists()


@pytest.fixture
def open_base():
    """A base directory under a folder every user may pass through (pytest's tmp_path is not)."""
    folder = Path(tempfile.mkdtemp(prefix="cgadmin-server-user-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder / "CommuniGate"
    shutil.rmtree(folder, ignore_errors=True)


def test_after_a_drop_only_the_server_user_reads_the_secrets_and_root_keeps_startup_sh(
        settings, monkeypatch, server_user, open_base):  # noqa: F811 - the fixture
    from server import process
    from server.options import ServerOptions

    base = open_base
    state = base / "cgadmin"
    settings.CGATE_BASE = base
    settings.CGADMIN_STATE_DIR = state
    database = private_file(state / "cgadmin.sqlite3")
    read_or_create_secret(state / "password.key", lambda: b"key")
    (base / "Startup.sh").write_text('SUPPLPARAMS="--logAll"\n')
    base.chmod(0o755)
    monkeypatch.setattr(process, "COMPONENTS", [])
    monkeypatch.setattr(privilege, "obstacle", lambda identity, base: None)  # pytest's python is under /root

    def as_the_server():
        process.Supervisor(ServerOptions(drop_root=True), say=print).drop_root(permanently=True)
        assert os.getresuid() == (server_user.uid,) * 3
        assert database.read_bytes() == b"" and (state / "password.key").read_bytes() == b"key\n"
        with pytest.raises(PermissionError):
            (base / "Startup.sh").open("a")
        (base / "Startup.sh").unlink()  # the base directory is its own: it may put another Startup.sh there
        (base / "Startup.sh").write_text('SUPPLPARAMS="--logAll"\n')

    def as_another_user():
        privilege.drop_permanently(NOBODY)
        for secret in (database, state / "password.key"):
            with pytest.raises(PermissionError):
                secret.read_bytes()

    in_child(as_the_server)
    assert database.stat().st_uid == server_user.uid and database.stat().st_mode & 0o777 == 0o600
    assert (base / "Startup.sh").stat().st_uid == server_user.uid
    in_child(as_another_user)
    with pytest.raises(InvalidInput, match=f"Startup.sh belongs to uid {server_user.uid}: not sourced"):
        startup_parameters(base)  # the next start, as root, refuses the server user's file


@pytest.mark.slow
def test_a_process_id_planted_as_a_link_is_never_written_through(tmp_path):
    base = tmp_path / "CommuniGate"
    base.mkdir()
    victim = tmp_path / "root-only"
    victim.write_text("root's own\n")
    (base / "ProcessID").symlink_to(victim)

    result = start(base)

    assert result.returncode == 2
    assert "ProcessID is a symbolic link: not opened" in result.stderr
    assert victim.read_text() == "root's own\n"
