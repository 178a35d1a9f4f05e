"""Settings for the test suite: real PostgreSQL and Redis (make test), never SQLite.

Each pytest-xdist worker gets its own Redis databases (cache and broker), as pytest-django gives it
its own PostgreSQL database, so parallel workers never see each other's counters or tasks."""

import os
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_index = int(_worker[2:]) if _worker[2:].isdigit() else 0
_redis = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin")
# Set, not setdefault: xdist workers inherit the controller's environment, and these must differ.
os.environ["REDIS_URL"] = f"{_redis}/{1 + _index % 7}"
os.environ["CELERY_BROKER_URL"] = f"{_redis}/{8 + _index % 7}"
os.environ["CGATE_BASE"] = tempfile.mkdtemp(prefix=f"cgadmin-test-base-{_worker}-")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-server")

from .settings import *  # noqa: E402,F403

# Fast hashing keeps the suite quick; production uses Argon2id (settings.PASSWORD_HASHERS).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
DNS_RESOLVER = "server.dns.StaticResolver"
