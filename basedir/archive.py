"""Backup archives (tar.gz of paths relative to the base directory): writing them with a progress
bar, and reading them safely into a staging folder.

An archive is untrusted input. Reading one refuses, before anything is applied, every member that
could write outside its place (absolute paths, `..`), every member that is not a plain file or
folder (symbolic and hard links, devices, FIFOs), duplicate members, and an archive that is
damaged or truncated. Members are copied out by hand (never `extractall`), with our own modes."""

from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from basedir import nofollow
from basedir.atomic import fsync_dir
from cgadmin.errors import GeneralError, InvalidInput

STAGING_PREFIX = ".restore-"
FILE_MODE = 0o640
DIR_MODE = 0o750
CHUNK = 1 << 20


def is_atomic_temp(name: str) -> bool:
    """The exporter's half-written temp files (basedir.atomic): never part of a backup."""
    return name.startswith(".") and name.endswith(".tmp")


@dataclass(frozen=True)
class SourceFile:
    """One file or folder to archive: where it is on disk and its name in the archive."""

    path: Path
    name: str  # relative to the base directory, '/'-separated
    is_dir: bool
    size: int


def walk_sources(
    base: Path, relative: str, *, skip: Callable[[str], bool] = lambda name: False
) -> Iterator[SourceFile]:
    """Every folder and plain file under base/relative (or that one file), in a stable order.

    A top folder an administrator moved to another disk and replaced by a symbolic link is
    followed (the seed allows it); links below it are not part of the data and are skipped."""
    start = base / relative
    if start.is_file():
        yield SourceFile(start, relative, False, start.stat().st_size)
        return
    if not start.is_dir():
        return
    yield SourceFile(start, relative, True, 0)
    for folder, dirs, files in os.walk(start):
        dirs.sort()
        here = Path(folder)
        prefix = PurePosixPath(relative) / here.relative_to(start)
        for name in list(dirs):
            entry = here / name
            member = str(prefix / name)
            if entry.is_symlink() or skip(member) or name.startswith(STAGING_PREFIX):
                dirs.remove(name)
                continue
            yield SourceFile(entry, member, True, 0)
        for name in sorted(files):
            entry = here / name
            member = str(prefix / name)
            if entry.is_symlink() or is_atomic_temp(name) or skip(member) or not entry.is_file():
                continue
            yield SourceFile(entry, member, False, entry.stat().st_size)


def write_archive(output: Path, sources: Iterable[SourceFile], *, progress: bool = False) -> tuple[int, int]:
    """Write the sources into output (tar.gz), whole: a temp file renamed at the end.

    Returns (files, bytes). A file that changes size while it is read fails the backup: the
    object was in use (suspend the domain or pause the account for the duration)."""
    items = list(sources)
    total = sum(item.size for item in items)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(fd)
    files = 0
    try:
        with tarfile.open(tmp_name, "w:gz") as tar, tqdm(
            total=total, unit="B", unit_scale=True, desc=output.name, disable=not progress, leave=False,
        ) as bar:
            for item in items:
                if item.is_dir:
                    info = tarfile.TarInfo(item.name)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, DIR_MODE, int(item.path.stat().st_mtime)
                    tar.addfile(info)
                    continue
                with open(item.path, "rb") as handle:
                    info = tar.gettarinfo(arcname=item.name, fileobj=handle)
                    info.uname = info.gname = ""
                    try:
                        tar.addfile(info, handle)
                    except OSError as error:
                        raise GeneralError(
                            f"{item.name} changed while it was copied ({error}): suspend the domain or pause "
                            "the account for the duration of the backup") from error
                bar.update(info.size)
                files += 1
        with open(tmp_name, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_name, output)
        fsync_dir(output.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return files, total


# --- reading -------------------------------------------------------------------------------------


def member_name(raw: str) -> str:
    """The member's path relative to the base directory, or InvalidInput when it could leave it."""
    if not raw or "\x00" in raw or "\\" in raw:
        raise InvalidInput(f"the archive holds a member with an invalid name {raw!r}")
    if raw.startswith("/"):
        raise InvalidInput(f"the archive holds an absolute path {raw!r}: refused, it would write outside "
                           "the base directory")
    parts = [part for part in PurePosixPath(raw).parts if part != "."]
    if ".." in parts:
        raise InvalidInput(f"the archive holds a path with '..' {raw!r}: refused, it would write outside "
                           "the base directory")
    if not parts:
        raise InvalidInput(f"the archive holds a member with an empty name {raw!r}")
    return "/".join(parts)


def _member_kind(member: tarfile.TarInfo, name: str) -> str:
    if member.isdir():
        return "dir"
    if member.isreg():
        return "file"
    if member.issym():
        what = f"a symbolic link (to {member.linkname!r})"
    elif member.islnk():
        what = f"a hard link (to {member.linkname!r})"
    elif member.ischr() or member.isblk():
        what = "a device file"
    elif member.isfifo():
        what = "a FIFO"
    else:
        what = "a special file"
    raise InvalidInput(f"the archive member {name!r} is {what}: only plain files and folders are restored")


@dataclass
class Staged:
    """What an archive held: every member name (file or folder), and where selected files were copied."""

    root: Path
    names: dict[str, str]  # member name -> "file" | "dir"

    def path(self, name: str) -> Path:
        return self.root / name

    def has(self, name: str) -> bool:
        return name in self.names

    def files_under(self, prefix: str) -> list[str]:
        cut = prefix.rstrip("/") + "/"
        return sorted(name for name, kind in self.names.items() if kind == "file" and name.startswith(cut))


def read_archive(archive: Path, stage: Path, *, select: Callable[[str], bool]) -> Staged:
    """Check every member of the archive, and copy the selected ones into stage.

    The whole archive is read to its end, so a truncated or damaged one is refused here, before
    anything is applied."""
    if not archive.is_file():
        raise InvalidInput(f"no archive at {archive}")
    names: dict[str, str] = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.isdir() and member.name.strip("/") in (".", ""):
                    continue  # the root of `tar -C base .`
                name = member_name(member.name)
                kind = _member_kind(member, name)
                if name in names:
                    raise InvalidInput(f"the archive holds {name!r} twice")
                names[name] = kind
                if select(name):
                    _copy_member(tar, member, stage / name, kind)
    except InvalidInput:
        raise
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise InvalidInput(f"the archive {archive.name} is damaged or truncated ({error or type(error).__name__}): "
                           "nothing was restored") from error
    except OSError as error:
        raise InvalidInput(f"the archive {archive.name} cannot be read ({error}): nothing was restored") from error
    if not names:
        raise InvalidInput(f"the archive {archive.name} is empty")
    return Staged(stage, names)


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, kind: str) -> None:
    if kind == "dir":
        target.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        return
    target.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    source = tar.extractfile(member)
    assert source is not None
    with source, open(target, "xb") as handle:
        shutil.copyfileobj(source, handle, CHUNK)
    os.chmod(target, FILE_MODE)
    os.utime(target, (member.mtime, member.mtime))


@contextlib.contextmanager
def staging(base: Path) -> Iterator[Path]:
    """A private folder inside the base directory (same disk, so applying is a rename), removed after."""
    base.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=base))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _device(path: Path) -> int:
    return os.stat(path).st_dev


class Swap:
    """Putting staged files in place by renames, each one undoable until the restore commits.

    A top-level folder an administrator moved to another disk (a symbolic link, as the seed
    allows) stays a link: the restore merges into it, and what goes there is first copied beside
    its target on that disk (a rename cannot cross disks); the old entry waits beside it too,
    named `.<name>.removed-<ns>` (the exporter's mark for a removal a crash interrupted)."""

    def __init__(self, aside: Path, *, base: Path | None = None) -> None:
        self.aside = aside
        self.base = base
        self.moves: list[tuple[Path, Path | None]] = []  # (target, where the old one went)
        self.created: list[Path] = []
        self.beside: list[Path] = []  # old entries kept on their own disk until finish()

    def _make_parents(self, folder: Path) -> None:
        missing: list[Path] = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir(mode=DIR_MODE)
            self.created.append(path)

    def _on_disk_of(self, staged: Path, folder: Path) -> Path:
        """staged itself when folder is on its disk, else a copy of it made beside folder's entries."""
        if _device(staged) == _device(folder):
            return staged
        local = folder / f".{staged.name}.{os.getpid()}.restore.tmp"
        if staged.is_dir():
            shutil.copytree(staged, local, symlinks=False)
            for here, _dirs, files in os.walk(local):
                for name in files:
                    _fsync_file(Path(here) / name)
                fsync_dir(Path(here))
        else:
            shutil.copy2(staged, local)
            _fsync_file(local)
        fsync_dir(folder)
        return local

    def _put_aside(self, target: Path) -> Path:
        if _device(target.parent) == _device(self.aside.parent):
            old = self.aside / str(len(self.moves))
            old.parent.mkdir(parents=True, exist_ok=True)
        else:
            old = target.with_name(f".{target.name}.removed-{time.time_ns()}")
            self.beside.append(old)
        os.rename(target, old)
        return old

    def put(self, staged: Path, target: Path) -> None:
        """Replace target (file or folder, when there is one) with staged, whole; never through a
        symbolic link below a top-level folder (refused: the whole restore is undone)."""
        try:
            nofollow.refuse_links(target)
        except nofollow.SymlinkRefused as error:
            raise GeneralError(f"{error.filename} is a symbolic link below the base directory's top-level folders: "
                               "nothing was restored (remove the link, then restore again)") from None
        self._make_parents(target.parent)
        source = self._on_disk_of(staged, target.parent)
        old: Path | None = None
        if target.exists() or target.is_symlink():
            old = self._put_aside(target)
        self.moves.append((target, old))
        os.rename(source, target)
        fsync_dir(target.parent)

    def remove(self, target: Path) -> None:
        """Take target away (kept aside until the restore commits)."""
        old = self._put_aside(target)
        self.moves.append((target, old))

    def _merges_into(self, into: Path) -> bool:
        """A folder to merge into: a real one, or a top-level folder that is a link to another disk."""
        if not into.is_dir():
            return False
        return not into.is_symlink() or (self.base is not None and into.parent == self.base)

    def merge(self, staged: Path, target: Path, *, whole: Callable[[str], bool]) -> None:
        """Put every entry of the staged folder into target; folders `whole` names are replaced
        whole, other folders are merged entry by entry (files not in the archive stay)."""
        for entry in sorted(staged.iterdir()):
            into = target / entry.name
            if entry.is_dir() and not whole(entry.name) and self._merges_into(into):
                self.merge(entry, into, whole=whole)
            else:
                self.put(entry, into)

    def finish(self) -> None:
        """The restore committed: delete the old entries kept beside their targets."""
        for old in self.beside:
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    old.unlink()
        self.beside.clear()

    def undo(self) -> None:
        """Put every replaced file back, remove what was added: the tree is as before."""
        for target, old in reversed(self.moves):
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
            if old is not None:
                os.rename(old, target)
        for folder in reversed(self.created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self.moves.clear()
        self.created.clear()
        self.beside.clear()
