"""kill -9 a real Celery worker again and again while it exports 10,000 accounts: no reader ever sees
a torn or half-written file, and once a worker runs again the tree matches the database."""

from __future__ import annotations

import os
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
from basedir.export import ACCOUNT_BATCH, export_full
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
KILLS = 2
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
                    if self.files_read % 100 == 0 and self.stop.wait(0.02):
                        return  # a pause now and then: the worker under test needs the CPU more
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


def start_worker(base: Path, processes: int = 1) -> subprocess.Popen:
    """A real worker: one process doing the work itself (solo pool), so kill -9 hits the exporter;
    or several (prefork), exporting side by side under the exporter's locks."""
    pool = ["--pool", "solo"] if processes == 1 else ["--pool", "prefork", "--concurrency", str(processes)]
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cgadmin", "worker", *pool, "--without-heartbeat",
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


def temporaries(base: Path) -> list[Path]:
    """The temporary files a killed write left behind (never visible as settings files)."""
    return [Path(folder) / name for folder, _dirs, files in os.walk(base) for name in files if is_temporary(name)]


def kill_while_staged(worker: subprocess.Popen, folder: Path, timeout: float) -> bool:
    """SIGKILL the worker the moment a temporary file shows in folder (its batch is written but not
    yet renamed: the worst moment), or once the folder's files are all there if that was missed.
    True when the kill hit a staged batch."""
    deadline = time.monotonic() + timeout
    staged = False
    while time.monotonic() < deadline and worker.poll() is None:
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            names = []
        if any(is_temporary(name) for name in names):
            staged = True
            break
        if "account.prefs" in names:
            break
        time.sleep(0.0005)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    return staged


@pytest.mark.timeout(600)
def test_kill_9_while_exporting_never_shows_a_torn_file_and_check_passes_after_restart(memory_base, settings):
    started = time.monotonic()
    marks: list[str] = []  # where the time went, shown on failure (and with -s)

    def mark(what: str) -> None:
        marks.append(f"{time.monotonic() - started:6.1f}s {what}")
        print(marks[-1])

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
    mark("10,000 accounts waiting")
    reader = Reader(base)
    reader.start()
    staged_kills = 0
    left_behind = 0
    try:
        # Each kill aims at an account in the middle of a batch (ACCOUNT_BATCH accounts a batch,
        # outbox order), further on each round, and fires while that batch's temporary files are
        # written but not yet renamed.
        for round_number in range(KILLS):
            waiting_ids = [int(key) for key in ExportOutbox.objects.filter(kind="account").values_list("key",
                                                                                                         flat=True)]
            waiting_names = list(Account.objects.filter(pk__in=waiting_ids).order_by("pk")
                                 .values_list("name", flat=True))
            assert waiting_names, "the export finished before the kills"
            aim = ACCOUNT_BATCH * round_number + ACCOUNT_BATCH // 2
            target = waiting_names[min(len(waiting_names) - 1, aim)]
            worker = start_worker(base)
            app.send_task("basedir.tasks.export_outbox")
            staged = kill_while_staged(worker, base / "Domains" / "crash.test" / f"{target}.macnt", 120)
            staged_kills += staged
            left = temporaries(base)
            left_behind += len(left)
            mark(f"kill {round_number + 1} at {target}: staged batch {staged}, {len(left)} temporary files left, "
                 f"{waiting()} accounts waiting")
            torn = [str(path) for path in every_file(base) if not parses(path)]
            assert torn == [], torn[:5]  # right after kill -9: every visible file whole
            waiting_now = {int(key) for key in ExportOutbox.objects.filter(kind="account").values_list("key",
                                                                                                         flat=True)}
            done = Account.objects.filter(domain=domain).exclude(pk__in=waiting_now).values_list("name", flat=True)
            missing = [name for name in done
                       if not (base / "Domains" / "crash.test" / f"{name}.macnt" / "account.prefs").is_file()]
            assert missing == []  # what the worker committed before it died is on disk
            mark(f"every visible file parses, the {len(done)} accounts exported are all there")
        worker = start_worker(base, processes=2)  # any number of workers may export at once
        try:
            for _process in range(2):
                app.send_task("basedir.tasks.export_outbox")  # as the beat sweep would after a restart
            assert wait_until(lambda: waiting() == 0, 180), f"{waiting()} account(s) still waiting"
            mark("restarted worker (2 processes) exported the rest")
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    finally:
        reader.stop.set()
        reader.join(timeout=30)
        app.connection_for_write().default_channel.client.flushdb()

    assert staged_kills >= 1 and left_behind >= 1  # a kill really hit files written but not renamed
    assert reader.torn == []
    assert reader.files_read > 1000
    assert temporaries(base) == []  # the restarted worker cleared what the kills left
    assert check() == []
    mark("basedir check passed")


def every_file(base: Path) -> list[Path]:
    return [Path(folder) / name for folder, _dirs, files in os.walk(base) for name in files
            if not is_temporary(name) and name.endswith((".settings", ".info", ".prefs"))]


def parses(path: Path) -> bool:
    try:
        load_settings_file(path.read_text(encoding="utf-8"))
    except Exception:
        return False
    return True
