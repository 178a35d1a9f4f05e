"""gunicorn settings for the WebAdmin (cgserver passes --bind; everything else is here)."""

import multiprocessing
import os

workers = int(os.environ.get("WEB_WORKERS", min(4, multiprocessing.cpu_count() + 1)))
# gthread whose threads are taken only by requests whose head has arrived: slow clients (a header
# line every few seconds) wait in the worker's event loop, never in a thread (see the module).
worker_class = "cgadmin.gunicorn_worker.HeadFirstWorker"
threads = int(os.environ.get("WEB_THREADS", 4))
timeout = 60
graceful_timeout = 15
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "cgadmin-web"
