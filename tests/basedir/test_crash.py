"""kill -9 a real Celery worker again and again while it exports 10,000 accounts: no reader ever sees
a torn or half-written file, and once a worker runs again the tree matches the database."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from accounts.models import Account
from basedir.check import check
from basedir.export import export_full
from basedir.files import is_temporary
from basedir.layout import ensure_layout
from basedir.models import ExportOutbox
from cgadmin.celery import app
from cgadmin.dataformat import load_settings_file
from tests.factories import initialize_server, make_domain

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),  # send_task: to the real worker
]

ACCOUNTS = 10_000
KILLS = 3
PROJECT = Path(django_settings.PROJECT_DIR)


class Reader(threading.Thread):
    """Reads every settings file it finds, over and over, as a backup script would."""

    def __init__(self, base: Path) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.files_read = 0
        self.torn: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            for folder, _dirs, files in os.walk(self.base):
                for name in files:
                    if is_temporary(name) or not name.endswith((".settings", ".info", ".prefs")):
                        continue
                    self._read(Path(folder) / name)
                if self.stop.is_set():
                    return

    def _read(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return  # moved or removed between the listing and the read
        try:
            load_settings_file(text)
            self.files_read += 1
        except Exception as error:
            self.torn.append(f"{path}: {error}")


def worker_env(base: Path) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cgadmin.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CGATE_BASE": str(base),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "REDIS_URL": django_settings.REDIS_URL,
        "SECRET_KEY": "test-only",
    }


def start_worker(base: Path) -> subprocess.Popen:
    """A real worker, one process doing the work itself (solo pool), so kill -9 hits the exporter."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cgadmin", "worker", "--pool", "solo", "--without-heartbeat",
         "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=PROJECT, env=worker_env(base), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def waiting() -> int:
    return ExportOutbox.objects.filter(kind="account").count()


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def memory_base(tmp_path):
    """The base directory in memory (tmpfs) when there is one: kill -9 stops the process, not the
    machine, so what a reader can see is the page cache either way, and the test does not wait
    on a disk shared with other work. The disk's own speed is bench/export_bench.py's business."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="cgadmin-crash-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path


@pytest.mark.timeout(900)
def test_kill_9_while_exporting_never_shows_a_torn_file_and_check_passes_after_restart(memory_base, settings):
    base = memory_base / "CommuniGate"
    settings.CGATE_BASE = base
    ensure_layout(base)
    initialize_server()
    domain = make_domain("crash.test")
    export_full()  # a running server's tree; then 10,000 accounts arrive at once (a bulk import)
    Account.objects.bulk_create(
        [Account(domain=domain, name=f"user{index:05d}", password="!",
                 settings={"RealName": f"User {index}", "MaxAccountSize": "10M"}, prefs={"TimeZone": "UTC"})
         for index in range(ACCOUNTS)],
        batch_size=2000,
    )
    ExportOutbox.objects.bulk_create(
        [ExportOutbox(kind="account", key=str(pk)) for pk in Account.objects.filter(domain=domain).values_list(
            "pk", flat=True)],
        batch_size=5000,
    )
    app.connection_for_write().default_channel.client.flushdb()  # no task of another test is waiting
    reader = Reader(base)
    reader.start()
    killed_mid_export = 0
    rng = random.Random(6)
    try:
        for _round in range(KILLS):
            before = waiting()
            worker = start_worker(base)
            try:
                app.send_task("basedir.tasks.export_outbox")
                # kill it once it is visibly writing, at a random moment of a batch
                def writing(before: int = before, worker: subprocess.Popen = worker) -> bool:
                    return waiting() < before or worker.poll() is not None

                assert wait_until(writing, 90)
                time.sleep(rng.uniform(0.0, 0.4))
            finally:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait()
            killed_mid_export += waiting() > 0
        worker = start_worker(base)
        try:
            app.send_task("basedir.tasks.export_outbox")  # as the beat sweep would after a restart
            assert wait_until(lambda: waiting() == 0, 180), f"{waiting()} account(s) still waiting"
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    finally:
        reader.stop.set()
        reader.join(timeout=30)
        app.connection_for_write().default_channel.client.flushdb()

    assert killed_mid_export >= 1  # the kills really interrupted the export
    assert reader.torn == []
    assert reader.files_read > 1000
    assert check() == []
