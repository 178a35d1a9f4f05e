"""Files holding secrets, as an operator and a local attacker see them: the keys made once by
processes starting together, and the modes of what a real server start leaves on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

PROJECT = Path(settings.PROJECT_DIR)
RACERS = 8

RACER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import cgadmin.settings as project_settings   # SECRET_KEY comes from the environment: nothing made yet
    from django.conf import settings
    settings.SECRET_KEY
    from accounts.hashers import ACryptHasher
    go = Path(sys.argv[1])
    print("ready", flush=True)
    while not go.exists():
        pass
    secret_key = project_settings._embedded_secret_key()
    token = ACryptHasher().encode(f"password-{os.getpid()}", "")
    print(secret_key, token, flush=True)
""")


def race(base: Path) -> list[tuple[str, str]]:
    """RACERS processes make the secret key and the A-crpt key of a fresh base directory at once."""
    go = base / "go"
    env = {**os.environ, "CGATE_BASE": str(base), "DJANGO_SETTINGS_MODULE": "cgadmin.settings",
           "SECRET_KEY": "only-until-the-race", "CGADMIN_PASSWORD_KEY": ""}
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(go)], cwd=PROJECT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(RACERS)]
    try:
        for racer in racers:
            assert racer.stdout.readline() == "ready\n", racer.stderr.read()
        go.touch()
        results = []
        for racer in racers:
            out, err = racer.communicate(timeout=120)
            assert racer.returncode == 0, err
            secret_key, token = out.split()
            results.append((secret_key, token))
        return results
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()


@pytest.mark.slow
def test_processes_starting_together_agree_on_one_secret_key_and_one_password_key(tmp_path):
    for attempt in range(3):
        base = tmp_path / f"base{attempt}"
        base.mkdir()
        results = race(base)

        state = base / "cgadmin"
        secret_key = (state / "secret.key").read_text().strip()
        assert {key for key, _ in results} == {secret_key}
        password_key = Fernet((state / "password.key").read_bytes().strip())
        for _, token in results:  # every password encrypted during the race can still be read
            assert password_key.decrypt(token.removeprefix("A-crpt$").encode()).startswith(b"password-")
        for key in ("secret.key", "password.key"):
            assert (state / key).stat().st_mode & 0o777 == 0o600
        assert sorted(path.name for path in state.iterdir() if path.name.endswith(".tmp")) == []
