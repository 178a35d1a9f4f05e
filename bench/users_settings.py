"""Settings for bench/users_bench.py only: the product's settings plus Django's admin, mounted by
bench/users_urls.py as the baseline. Never used by the server (cgserver, wsgi) or the tests."""

import os
import tempfile

# A base directory of its own; the bench never writes the real one.
os.environ.setdefault("CGATE_BASE", tempfile.mkdtemp(prefix="cgadmin-bench-base-"))

from cgadmin.settings import *  # noqa: F403

# Tasks queued after commit (exporter, directory files) wait in memory: no worker runs here.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]  # noqa: F405
ROOT_URLCONF = "bench.users_urls"
DEBUG = False
ALLOWED_HOSTS = ["*"]
