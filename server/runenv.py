"""Options that every process of the server follows (cgserver, gunicorn, Celery, listeners).

cgserver puts them in the environment before it starts its children; each process applies them
when Django starts it (server.apps.ServerConfig.ready)."""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

from cgadmin.dataformat import Value
from logs.serverlog import ENV_LOG_ALL, ENV_LOG_TO_CONSOLE
from server.options import DEFAULT_LOCAL_IP_BUFFER, ServerOptions
from server.privilege import ENV_SERVER_USER

ENV_STACK_SIZE = "CGADMIN_STACK_SIZE"
ENV_RANDOM_DEVICE = "CGADMIN_RANDOM_DEVICE"
ENV_LOCAL_IP_BUFFER = "CGADMIN_LOCAL_IP_BUFFER"
ENV_IPV6 = "CGADMIN_IPV6"
RANDOM_SEED_BYTES = 64

_seeded_from_device = False


def export(options: ServerOptions) -> None:
    """Put the options every process follows into this process's environment (children inherit it)."""
    values = {
        ENV_LOG_ALL: "1" if options.log_all else None,
        ENV_LOG_TO_CONSOLE: "1" if options.log_to_console else None,
        ENV_STACK_SIZE: str(options.default_stack_size) if options.default_stack_size else None,
        ENV_RANDOM_DEVICE: str(options.random_data_device) if options.random_data_device else None,
        ENV_LOCAL_IP_BUFFER: str(options.local_ip_buffer),
        ENV_IPV6: "YES" if options.ipv6 else "NO",
        ENV_SERVER_USER: options.server_user,
    }
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def apply_to_this_process() -> None:
    """--defaultStackSize for the threads started from now on; the PRNG seeded by --randomDataDevice."""
    global _seeded_from_device
    stack = os.environ.get(ENV_STACK_SIZE)
    if stack:
        threading.stack_size(int(stack))
    device = os.environ.get(ENV_RANDOM_DEVICE)
    if device:
        try:
            with open(device, "rb") as handle:
                data = handle.read(RANDOM_SEED_BYTES)
            if not data:
                raise OSError("no data")
        except OSError:
            random.seed(time.time_ns())  # the seed: when reading fails, the system timer seeds the PRNG
            _seeded_from_device = False
        else:
            random.seed(data)
            _seeded_from_device = True


def seeded_from_device() -> bool:
    return _seeded_from_device


def local_ip_buffer() -> int:
    return int(os.environ.get(ENV_LOCAL_IP_BUFFER) or DEFAULT_LOCAL_IP_BUFFER)


def ipv6_enabled() -> bool:
    return os.environ.get(ENV_IPV6, "YES") != "NO"


def runtime_details(options: ServerOptions) -> dict[str, Value]:
    """What the running server's Runtime document records beside its parameters."""
    return {
        "ExcludedLocalIPs": list(options.exclude_local_ips),
        "IPv6": "YES" if options.ipv6 else "NO",
        "LocalIPBuffer": options.local_ip_buffer,
        "NotApplicable": list(options.not_applicable),
        "Base": str(Path(options.base).absolute()) if options.base else "",
    }
