"""The base directory's folders (spec/basedir.md, "Layout"), created when the server starts."""

from pathlib import Path

TOP_FOLDERS = (
    "Settings", "Accounts", "Domains", "Queue", "BadFiles", "Submitted", "SystemLogs", "Directory", "WebSkins",
)
PROCESS_ID = "ProcessID"


def ensure_layout(base: Path) -> list[Path]:
    """Create the base directory and its top folders where missing; return those created.

    A folder an administrator moved to another disk and replaced by a symbolic link stays a link."""
    created: list[Path] = []
    base.mkdir(parents=True, exist_ok=True)
    for name in TOP_FOLDERS:
        folder = base / name
        if folder.is_symlink() or folder.is_dir():
            continue
        folder.mkdir()
        created.append(folder)
    main_settings = base / "Accounts" / "Settings"
    if not main_settings.exists():
        main_settings.mkdir(parents=True)
        created.append(main_settings)
    return created
