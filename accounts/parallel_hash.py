"""Many passwords hashed at once on every core, for imports (issue 18.2).

A one-way hash is deliberately slow (Argon2id: tens of milliseconds of one core), so an import of
clear passwords is bound by it. The batch's passwords go to worker processes (forked once per
import, so they carry the server's settings and hashers), while this process commits the previous
batch through the services as always. Where a process may not have children (a Celery prefork
worker is a daemon), threads do it: argon2-cffi and hashlib release the GIL while they hash."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

from django.conf import settings

from accounts.hashers import encode_password

# Each worker's share of a batch goes in a few pieces: a worker slowed down by the machine's other
# work leaves the rest of its share to the others instead of holding up the batch alone.
CHUNKS_PER_WORKER = 4


def hash_workers() -> int:
    """How many hashes run at once: IMPORT_HASH_WORKERS, else one per core."""
    return max(1, int(getattr(settings, "IMPORT_HASH_WORKERS", 0) or os.cpu_count() or 1))


def _encode_chunk(items: Sequence[tuple[str, str]]) -> list[str]:
    return [encode_password(password, encryption) for password, encryption in items]


class ParallelEncoder:
    """Encodes (password, PasswordEncryption) pairs on every core; use it as a context manager."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or hash_workers()
        self._executor: Executor | None = None

    def _pool(self) -> Executor:
        if self._executor is None:
            if multiprocessing.current_process().daemon:
                self._executor = ThreadPoolExecutor(self.workers)
            else:
                self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        return self._executor

    def submit(self, items: Sequence[tuple[str, str]]) -> list[Future[list[str]]]:
        """Start encoding; the results come back in order from collect()."""
        if not items:
            return []
        size = -(-len(items) // (self.workers * CHUNKS_PER_WORKER))
        return [self._pool().submit(_encode_chunk, items[start:start + size]) for start in range(0, len(items), size)]

    @staticmethod
    def collect(futures: list[Future[list[str]]]) -> list[str]:
        return [encoded for future in futures for encoded in future.result()]

    def __enter__(self) -> ParallelEncoder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
