"""The Server Root Privilege (the seed's section of that name).

Started as root, the server opens its listening sockets first (cgserver keeps them for its whole
life and hands them to its children), and can then change its user: to a user of its own,
cgatepro or the one --serverUser names, never a shared one (nobody, a system user with a low uid),
which every other daemon of the host could act as. --dropRoot does it permanently (setresuid)
right after the sockets are open; the General page's Drop Root button does it reversibly (seteuid:
the real uid stays 0, so Restore Root can take it back). Children (gunicorn, Celery, listeners) are
started as the user the server is at that moment, and are restarted when the privilege changes;
the base directory is given to that user first (Startup.sh excepted: root sources it), so they can
keep writing their files."""

from __future__ import annotations

import os
import pwd
import stat
from dataclasses import dataclass
from pathlib import Path

from cgadmin.errors import GeneralError

ROOT = "root"
DROPPED = "dropped"  # reversibly: Restore Root takes it back
DROPPED_PERMANENTLY = "dropped permanently"
NOT_ROOT = "not root"  # started by another user: nothing to drop
DEFAULT_USER = "cgatepro"
ENV_SERVER_USER = "CGADMIN_SERVER_USER"  # --serverUser, for every process of the server
SHARED_USERS = frozenset({"nobody", "nfsnobody", "nogroup"})
SHARED_UIDS = frozenset({65534})
LOWEST_OWN_UID = 100  # below: the system's static users (daemon is 1, bin 2, ...), shared by design
KEPT_BY_ROOT = ("Startup.sh",)  # sourced by root at the next start: never the server user's


@dataclass(frozen=True)
class Identity:
    uid: int
    gid: int
    name: str


ROOT_IDENTITY = Identity(0, 0, "root")


def server_user_name() -> str:
    """The user the server drops root to: --serverUser (through the environment), else cgatepro."""
    return os.environ.get(ENV_SERVER_USER) or DEFAULT_USER


def unprivileged_identity(name: str | None = None) -> Identity:
    """The server's own user (cgatepro or --serverUser); GeneralError naming what to do when there
    is no such user or it is root or a shared one."""
    name = name or server_user_name()
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise GeneralError(
            f"no OS user {name!r} to drop the root privilege to: create one for the server alone "
            f"(useradd --system --user-group --no-create-home --shell /usr/sbin/nologin {name}) "
            "or name another with --serverUser NAME") from None
    if entry.pw_uid == 0:
        raise GeneralError(f"the OS user {name!r} is root: name a user of the server's own with --serverUser NAME")
    if name in SHARED_USERS or entry.pw_uid in SHARED_UIDS or entry.pw_uid < LOWEST_OWN_UID:
        raise GeneralError(
            f"the OS user {name!r} (uid {entry.pw_uid}) is shared with other programs: the server drops "
            "the root privilege only to a user of its own (cgatepro, or one named with --serverUser NAME)")
    return Identity(entry.pw_uid, entry.pw_gid, name)


def initial_state() -> str:
    return ROOT if os.getuid() == 0 else NOT_ROOT


def drop_reversibly(identity: Identity) -> None:
    """This process acts as the user from now on; its real uid stays root, so restore() works."""
    os.setegid(identity.gid)
    os.seteuid(identity.uid)


def restore() -> None:
    """Back to root after drop_reversibly()."""
    os.seteuid(0)
    os.setegid(0)


def drop_permanently(identity: Identity) -> None:
    """Real, effective and saved ids all become the user's: there is no way back."""
    if os.geteuid() != 0:
        os.seteuid(0)  # from a reversible drop: the real uid is still root
    os.setgroups([])
    os.setresgid(identity.gid, identity.gid, identity.gid)
    os.setresuid(identity.uid, identity.uid, identity.uid)


def become(identity: Identity | None) -> None:
    """In a child before exec: run as identity (None: as root), for good. Does nothing without root."""
    if os.getuid() != 0:
        return
    if os.geteuid() != 0:
        os.seteuid(0)
        os.setegid(0)
    if identity is not None:
        drop_permanently(identity)


def inaccessible_ancestor(path: Path, identity: Identity) -> Path | None:
    """The first folder above path the user could not pass through, or None when the way is open."""
    for folder in reversed(path.resolve().parents):
        if not _may(folder.stat(), identity, (stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH)):
            return folder
    return None


def _may(info: os.stat_result, identity: Identity, bits: tuple[int, int, int]) -> bool:
    if info.st_uid == identity.uid:
        return bool(info.st_mode & bits[0])
    if info.st_gid == identity.gid:
        return bool(info.st_mode & bits[1])
    return bool(info.st_mode & bits[2])


def obstacle(identity: Identity, base: Path) -> str | None:
    """Why the server's processes could not run as identity, or None when nothing stands in the way:
    the interpreter, the standard library and the application must be reachable, and the base
    directory's parents passable (the base directory itself is given to the user)."""
    import sys

    from django.conf import settings

    interpreter = Path(os.path.realpath(sys.executable))
    needs = [
        (interpreter, "run", (stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH)),
        (Path(os.path.realpath(os.path.dirname(os.__file__))), "read", (stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH)),
        (Path(settings.CGATE_APPLICATION).resolve(), "read", (stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH)),
    ]
    for path, verb, bits in needs:
        blocked = inaccessible_ancestor(path, identity)
        if blocked is not None:
            return f"{identity.name} cannot {verb} {path}: {blocked} is closed to it"
        if not _may(path.stat(), identity, bits):
            return f"{identity.name} cannot {verb} {path}"
    blocked = inaccessible_ancestor(base, identity)
    if blocked is not None:
        return f"{identity.name} cannot reach the base directory {base}: {blocked} is closed to it"
    return None


def give_tree(path: Path, identity: Identity) -> int:
    """Make the user own path and everything in it (links themselves, not what they point to),
    except what root must keep (Startup.sh).

    Only entries owned by someone else are changed, so a second drop costs a walk, not writes."""
    changed = 0
    if not path.exists():
        return 0
    kept = {os.path.join(path, name) for name in KEPT_BY_ROOT}
    for folder, folders, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, entry) for entry in folders + files)]:
            if name in kept:
                continue
            info = os.lstat(name)
            if info.st_uid != identity.uid or info.st_gid != identity.gid:
                os.lchown(name, identity.uid, identity.gid)
                changed += 1
    return changed
