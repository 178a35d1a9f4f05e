"""The server's command-line options (the seed's "Command Line Options"): names case-insensitive.

Table-driven: each option says whether it takes a value, how to read it, and whether it means
anything on this platform, so an unknown option or a bad value stops the start with a message that
names it, and a platform-specific one is accepted and reported as not applicable."""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgadmin.errors import InvalidInput

HTTP_PORT = 8010
CLI_PORT = 106
SNMP_PORT = 161
SYSTEM_PORT_LIMIT = 1024
UNPRIVILEGED_PORT_OFFSET = 8000  # the seed: without root, port n < 1024 opens 8000+n
DEFAULT_LOCAL_IP_BUFFER = 16 * 1024
MIN_STACK_SIZE = 32 * 1024  # the smallest thread stack Python accepts
STARTUP_FILE = "Startup.sh"
_SIZE = re.compile(r"^(\d+)([KMG]?)$", re.IGNORECASE)
_SIZE_FACTORS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError("a port number from 1 to 65535")
    return int(text)


def _yes_no(text: str) -> bool:
    if text.upper() not in ("YES", "NO"):
        raise ValueError("YES or NO")
    return text.upper() == "YES"


def _path(text: str) -> Path:
    if not text:
        raise ValueError("a directory")
    return Path(text).expanduser().absolute()


def _directory(text: str) -> Path:
    path = _path(text)
    if not path.is_dir():
        raise ValueError("an existing directory")
    return path


def _file_path(text: str) -> Path:
    if not text:
        raise ValueError("a file path")
    return Path(text).expanduser().absolute()


def _seconds(text: str) -> int:
    if not text.isdigit():
        raise ValueError("a number of seconds")
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit():
        raise ValueError("a number (0 or more)")
    return int(text)


def _size(text: str) -> int:
    match = _SIZE.match(text)
    if match is None:
        raise ValueError("a size in bytes, e.g. 204800 or 200K")
    return int(match.group(1)) * _SIZE_FACTORS[match.group(2).upper()]


def _positive_size(text: str) -> int:
    value = _size(text)
    if value <= 0:
        raise ValueError("a size above 0, e.g. 204800 or 200K")
    return value


def _stack_size(text: str) -> int:
    value = _size(text)
    if value < MIN_STACK_SIZE:
        raise ValueError(f"a size of at least {MIN_STACK_SIZE} bytes (32K)")
    return value


def _user_name(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}", text):
        raise ValueError("an OS user name")
    return text


def _ip_address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        raise ValueError("an IP address") from None


def _threads_scope(text: str) -> str:
    if text.lower() not in ("system", "process"):
        raise ValueError("system or process")
    return text.lower()


@dataclass(frozen=True)
class OptionSpec:
    name: str  # the canonical spelling
    attribute: str  # where ServerOptions keeps it ("" for options that do not apply here)
    reader: Callable[[str], Any] | None = None  # None: a flag without a value
    repeatable: bool = False
    help: str = ""
    not_applicable: str = ""  # why the option means nothing on this platform

    @property
    def applies(self) -> bool:
        return not self.not_applicable


_WINDOWS = "a Microsoft Windows option"
_SOCKETS = "Python's sockets choose their own mode"
_SIP = "this server has no SIP module"
_DNR = "the OS resolver does DNS here"

OPTIONS: list[OptionSpec] = [
    OptionSpec("--Base", "base", _path, help="the base directory"),
    OptionSpec("--CGateBase", "base", _path, help="the base directory (same as --Base)"),
    OptionSpec("--CGateApplication", "application", _directory,
               help="the application directory (where manage.py and the templates are)"),
    OptionSpec("--logToConsole", "log_to_console", help="copy every Server Log record to stdout"),
    OptionSpec("--logAll", "log_all", help="ignore the Log Level settings and record everything"),
    OptionSpec("--daemon", "daemon", help="fork into the background, stdin/stdout/stderr on /dev/null"),
    OptionSpec("--IPv6", "ipv6", _yes_no, help="NO: IPv4 only (no IPv6 local addresses or listeners)"),
    OptionSpec("--lockLockFile", "lock_lock_file", _yes_no,
               help="NO: do not lock ProcessID (file systems without locks)"),
    OptionSpec("--dropRoot", "drop_root", help="started as root: drop the root privilege permanently"),
    OptionSpec("--serverUser", "server_user", _user_name,
               help="the OS user the server drops the root privilege to (cgatepro)"),
    OptionSpec("--delayOnStart", "delay_on_start", _seconds, help="sleep N seconds before initializing"),
    OptionSpec("--localIPBuffer", "local_ip_buffer", _positive_size,
               help="buffer size for reading the local IP addresses from the OS (16K)"),
    OptionSpec("--defaultStackSize", "default_stack_size", _stack_size, help="thread stack size in bytes"),
    OptionSpec("--excludeLocalIP", "exclude_local_ips", _ip_address, repeatable=True,
               help="not a local address (repeatable)"),
    OptionSpec("--createTempFilesDirectly", "create_temp_files_directly", _count,
               help="temporary files: created by the process that needs them"),
    OptionSpec("--UseSystemPorts", "use_system_ports", _yes_no, help="open ports below 1024 without root"),
    OptionSpec("--randomDataDevice", "random_data_device", _file_path, help="the entropy source seeding the PRNG"),
    # cgadmin's own
    OptionSpec("--HTTPPort", "http_port", _port, help="the WebAdmin port (8010)"),
    OptionSpec("--CLIPort", "cli_port", _port, help="the CLI port (106; 8106 without root)"),
    OptionSpec("--SNMPPort", "snmp_port", _port, help="the SNMP agent's UDP port (161; 8161 without root)"),
    OptionSpec("--ListenAddress", "listen_address", str, help="the address listeners bind"),
    OptionSpec("--adoptFiles", "adopt_files",
               help="take edited settings files and copied account folders into the database before anything "
                    "runs (manage.py basedir adopt); without it the database is the truth"),
    # accepted, but they mean nothing here
    OptionSpec("--threadsScope", "", _threads_scope, not_applicable="Python threads have no scheduling scope"),
    OptionSpec("--batchLogon", "", not_applicable=_WINDOWS),
    OptionSpec("--sharedFiles", "", not_applicable=_WINDOWS),
    OptionSpec("--noSharedFiles", "", not_applicable=_WINDOWS),
    OptionSpec("--useNonBlockingSockets", "", not_applicable=_SOCKETS),
    OptionSpec("--useBlockingSockets", "", not_applicable=_SOCKETS),
    OptionSpec("--closeStuckSockets", "", not_applicable="the Linux kernel interrupts stuck socket calls"),
    OptionSpec("--threadPriority", "", _yes_no, not_applicable="thread priorities are never raised here"),
    OptionSpec("--SIPUDPSendBuffer", "", _size, not_applicable=_SIP),
    OptionSpec("--SIPUDPReceiveBuffer", "", _size, not_applicable=_SIP),
    OptionSpec("--SIPUDPReceiverHighPty", "", _yes_no, not_applicable=_SIP),
    OptionSpec("--DNRUDPSendBuffer", "", _size, not_applicable=_DNR),
    OptionSpec("--DNRUDPReceiveBuffer", "", _size, not_applicable=_DNR),
    OptionSpec("--DNRUDPReceiverHighPty", "", _yes_no, not_applicable=_DNR),
]


@dataclass
class ServerOptions:
    base: Path | None = None
    application: Path | None = None
    log_to_console: bool = False
    log_all: bool = False
    daemon: bool = False
    ipv6: bool = True
    lock_lock_file: bool = True
    drop_root: bool = False
    server_user: str | None = None
    delay_on_start: int = 0
    local_ip_buffer: int = DEFAULT_LOCAL_IP_BUFFER
    default_stack_size: int | None = None
    exclude_local_ips: list[str] = field(default_factory=list)
    create_temp_files_directly: int = 0
    use_system_ports: bool = False
    random_data_device: Path | None = None
    http_port: int = HTTP_PORT
    cli_port: int = CLI_PORT
    snmp_port: int = SNMP_PORT
    listen_address: str | None = None
    adopt_files: bool = False
    given: list[str] = field(default_factory=list)  # the parameters in force (the General page shows them)
    not_applicable: list[str] = field(default_factory=list)  # "--name: why", for the start-up log


def _spec_index() -> dict[str, OptionSpec]:
    return {spec.name.lower(): spec for spec in OPTIONS}


def parse_options(arguments: list[str], options: ServerOptions | None = None) -> ServerOptions:
    """ServerOptions from argv-style arguments, or InvalidInput naming the bad option or value.

    Given `options`, the arguments are added to those already read (Startup.sh's SUPPLPARAMS)."""
    index = _spec_index()
    options = options or ServerOptions()
    options.given.extend(arguments)
    position = 0
    while position < len(arguments):
        word = arguments[position]
        spec = index.get(word.lower())
        if spec is None:
            raise InvalidInput(f"unknown command-line option {word!r}")
        position += 1
        if spec.reader is None:
            value: Any = True
        else:
            if position >= len(arguments):
                raise InvalidInput(f"option {spec.name} needs a value")
            raw = arguments[position]
            position += 1
            try:
                value = spec.reader(raw)
            except ValueError as error:
                raise InvalidInput(f"bad value {raw!r} for {spec.name}: expected {error}") from None
        if not spec.applies:
            options.not_applicable.append(f"{spec.name}: {spec.not_applicable}")
        elif spec.repeatable:
            getattr(options, spec.attribute).append(value)
        else:
            setattr(options, spec.attribute, value)
    return options


def startup_parameters(base: Path) -> tuple[list[str], dict[str, str]]:
    """SUPPLPARAMS of the base directory's Startup.sh, and the variables it exports.

    The file is a shell fragment the Startup script sources (the seed: "Customizing Unix Startup
    Scripts"), so it is sourced by /bin/sh in the base directory, and $SUPPLPARAMS split into words
    as the script's unquoted expansion would be."""
    script = base / STARTUP_FILE
    try:
        fd = os.open(script, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return [], {}
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise InvalidInput(f"{script} is a symbolic link: not sourced (make it a file of its own)") from None
        raise InvalidInput(f"cannot read {script}: {error.strerror}") from None
    try:
        _may_source(script, os.fstat(fd))
        # the file checked is the file sourced: through its descriptor, whatever is renamed meanwhile
        probe = f'. /dev/fd/{fd} >&2 </dev/null; printf "%s\\0" "$SUPPLPARAMS"; env -0'
        result = subprocess.run(["/bin/sh", "-c", probe], cwd=base, capture_output=True, timeout=60,
                                env={**os.environ, "SUPPLPARAMS": ""}, pass_fds=(fd,))
    finally:
        os.close(fd)
    if result.returncode != 0:
        problem = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        raise InvalidInput(f"{script} failed (status {result.returncode}): {problem[0]}")
    supplied, _, environment = result.stdout.partition(b"\0")
    exported: dict[str, str] = {}
    for item in environment.split(b"\0"):
        name, equals, value = item.decode(errors="replace").partition("=")
        if equals and name not in ("SUPPLPARAMS", "PWD", "OLDPWD", "SHLVL", "_") and os.environ.get(name) != value:
            exported[name] = value
    words = supplied.decode(errors="replace").split()
    for word in words:
        if word.lower() in ("--base", "--cgatebase"):
            raise InvalidInput(f"{script}: SUPPLPARAMS cannot change the base directory ({word})")
    return words, exported


def _may_source(script: Path, info: os.stat_result) -> None:
    """Startup.sh runs with the server's privilege (root's, at a start as root): only a regular file
    owned by root or by the user starting the server, that no one else may write, is sourced."""
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(f"{script} is not a regular file: not sourced")
    if info.st_uid not in (0, os.geteuid()):
        raise InvalidInput(f"{script} belongs to uid {info.st_uid}: not sourced (only a file owned by root"
                           f"{'' if os.geteuid() == 0 else ' or by the user starting the server'} is)")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise InvalidInput(f"{script} may be written by its group or by others (mode "
                           f"{stat.S_IMODE(info.st_mode):04o}): not sourced (chmod go-w {script})")


def may_bind_system_ports(use_system_ports: bool) -> bool:
    return os.geteuid() == 0 or use_system_ports


def effective_port(port: int, use_system_ports: bool) -> int:
    """Without root, a listener asked for port n < 1024 opens 8000+n (unless --UseSystemPorts YES)."""
    if port < SYSTEM_PORT_LIMIT and not may_bind_system_ports(use_system_ports):
        return UNPRIVILEGED_PORT_OFFSET + port
    return port
