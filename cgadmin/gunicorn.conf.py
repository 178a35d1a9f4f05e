"""gunicorn settings for the WebAdmin (cgserver passes --bind; everything else is here)."""

import multiprocessing
import os

workers = int(os.environ.get("WEB_WORKERS", min(4, multiprocessing.cpu_count() + 1)))
worker_class = "gthread"
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
