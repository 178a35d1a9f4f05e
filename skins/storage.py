"""Admin-<name> skins in the base directory (spec/basedir.md): WebSkins/ for server-wide skins and
<domain folder>/WebSkins/ for a domain's. Names are checked here, before any path is built, so no
upload can reach outside its skin folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nh3
from django.conf import settings

from basedir import nofollow, paths
from basedir.atomic import fsync_dir, write_file_atomic
from cgadmin.errors import InvalidInput, NotFound
from domains.models import Domain

PREFIX = "Admin-"
MAX_FILE_SIZE = 1024 * 1024
MAX_FILES_PER_SKIN = 200
SKIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}\.[a-z0-9]{2,5}")
# What a skin may hold, with the type it is served as: a stylesheet, pictures, and page fragments.
CONTENT_TYPES = {
    "css": "text/css; charset=utf-8",
    "png": "image/png",
    "gif": "image/gif",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "ico": "image/x-icon",
    "svg": "image/svg+xml",
    "html": "text/html; charset=utf-8",
}
FRAGMENTS = ("adminheader.html", "adminfooter.html")  # the page parts a skin may replace
STYLESHEET = "admin.css"
# A fragment is markup only: anything that could run code or post a form elsewhere is refused.
FORBIDDEN_MARKUP = re.compile(
    r"<\s*(script|iframe|object|embed|form|base|meta|link|style)\b|\son[a-z]+\s*=|javascript:|\{%|\{\{(?!\s*(domain|"
    r"administrator|title)\s*\}\})",
    re.IGNORECASE,
)


# What a page part may hold once rendered (nh3, an allow-list): plain markup and links, nothing else.
# Everything outside it is dropped, whatever the spelling: `<a href="/x" /onclick=...>`,
# `jav&#x61;script:` links, an attribute a regular expression would not see.
FRAGMENT_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "figcaption", "figure", "footer", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "i", "img", "li", "nav", "ol", "p", "pre", "section", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}
FRAGMENT_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "role", "aria-label"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
FRAGMENT_URL_SCHEMES = {"http", "https", "mailto"}  # and relative addresses


def sanitise_fragment(markup: str) -> str:
    """The page part as it may be shown: the allow-list's tags, attributes and addresses only."""
    return nh3.clean(markup, tags=FRAGMENT_TAGS, attributes=FRAGMENT_ATTRIBUTES, url_schemes=FRAGMENT_URL_SCHEMES,
                     clean_content_tags={"script", "style"})


@dataclass(frozen=True)
class SkinFile:
    name: str
    size: int
    modified: datetime


def skins_root(domain: Domain | None) -> Path:
    """WebSkins/ of the server (domain None) or of one domain."""
    return (paths.domain_dir(domain) if domain else paths.base()) / "WebSkins"


def check_skin_name(skin: str) -> str:
    if skin and not SKIN_NAME.fullmatch(skin):
        raise InvalidInput(f"bad skin name {skin!r}: letters, digits, '-' and '_', at most 64", field="skin")
    return skin


def check_file_name(name: str) -> str:
    if not FILE_NAME.fullmatch(name) or name.rsplit(".", 1)[1] not in CONTENT_TYPES:
        kinds = ", ".join(sorted(CONTENT_TYPES))
        raise InvalidInput(f"bad skin file name {name!r}: a plain name ending in one of {kinds}", field="file")
    if name.endswith(".html") and name not in FRAGMENTS:
        raise InvalidInput(f"a skin may replace only these page parts: {', '.join(FRAGMENTS)}", field="file")
    return name


def check_content(name: str, data: bytes) -> None:
    if len(data) > MAX_FILE_SIZE:
        raise InvalidInput(f"{name} is {len(data):,} bytes; a skin file may have at most {MAX_FILE_SIZE:,}",
                           field="data")
    if name.endswith((".html", ".css", ".svg")):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidInput(f"{name} is not UTF-8 text", field="data") from error
        if name.endswith((".html", ".svg")) and (match := FORBIDDEN_MARKUP.search(text)):
            raise InvalidInput(f"{name} may not contain {match.group(0).strip()!r}: skins are markup, not code",
                               field="data")


def skin_dir(domain: Domain | None, skin: str) -> Path:
    """A named skin's Admin-<name>/ folder; the unnamed skin ("") keeps its files in WebSkins/ itself."""
    root = skins_root(domain)
    return root / (PREFIX + check_skin_name(skin)) if skin else root


def list_skins(domain: Domain | None) -> list[str]:
    """The skin names (without Admin-) of the server or a domain."""
    root = skins_root(domain)
    if not root.is_dir():
        return []
    names = (entry.name[len(PREFIX):] for entry in root.iterdir() if entry.is_dir() and entry.name.startswith(PREFIX))
    unnamed = [""] if list_files(domain, "") else []
    return unnamed + sorted(name for name in names if SKIN_NAME.fullmatch(name))


def list_files(domain: Domain | None, skin: str) -> list[SkinFile]:
    folder = skin_dir(domain, skin)
    if not folder.is_dir():
        return []
    files = []
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and not entry.is_symlink() and FILE_NAME.fullmatch(entry.name):
            stat = entry.stat()
            files.append(SkinFile(entry.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return files


def file_path(domain: Domain | None, skin: str, name: str) -> Path:
    return skin_dir(domain, skin) / check_file_name(name)


def read_file(domain: Domain | None, skin: str, name: str) -> tuple[bytes, datetime]:
    path = file_path(domain, skin, name)
    if not path.is_file() or path.is_symlink():
        raise NotFound(f"skin {skin!r} has no file {name!r}")
    return nofollow.read_bytes(path), datetime.fromtimestamp(path.stat().st_mtime, UTC)


def store_file(domain: Domain | None, skin: str, name: str, data: bytes) -> None:
    check_content(name, data)
    path = file_path(domain, skin, name)
    if not path.exists() and len(list_files(domain, skin)) >= MAX_FILES_PER_SKIN:
        raise InvalidInput(f"skin {skin!r} already holds {MAX_FILES_PER_SKIN} files", field="file")
    check_total_size(domain, path, len(data))
    write_file_atomic(path, data, mode=0o644)


def skins_size(domain: Domain | None) -> int:
    """The bytes every skin of the server (domain None) or of one domain takes."""
    root = skins_root(domain)
    if not root.is_dir():
        return 0
    folders = [root, *(entry for entry in root.iterdir() if entry.is_dir() and not entry.is_symlink()
                       and entry.name.startswith(PREFIX))]
    return sum(entry.stat().st_size for folder in folders for entry in folder.iterdir()
               if entry.is_file() and not entry.is_symlink())


def check_total_size(domain: Domain | None, path: Path, size: int) -> None:
    """A domain's skins together, and the server-wide skins together, stay within their setting."""
    setting = "SKINS_MAX_DOMAIN_SIZE" if domain else "SKINS_MAX_SERVER_SIZE"
    limit = int(getattr(settings, setting))
    replaced = path.stat().st_size if path.is_file() else 0
    total = skins_size(domain) - replaced + size
    if total > limit:
        whose = f"the skins of {domain.name}" if domain else "the server-wide skins"
        raise InvalidInput(f"{whose} would take {total:,} bytes; at most {limit:,} are allowed ({setting})",
                           field="data")


def delete_file(domain: Domain | None, skin: str, name: str) -> None:
    path = file_path(domain, skin, name)
    if not path.is_file():
        raise NotFound(f"skin {skin!r} has no file {name!r}")
    path.unlink()
    fsync_dir(path.parent)
    if skin and not any(path.parent.iterdir()):
        path.parent.rmdir()  # a named skin is its folder: the last file gone, the skin is gone
