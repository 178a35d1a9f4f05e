"""Run every benchmark in bench/ (`*_bench.py`), one after the other, and say which failed.

    python bench/run.py [name-filter]

Each benchmark prints its own figures and their ratio to a baseline measured in the same run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = argv[0] if argv else ""
    failed = []
    for script in sorted(HERE.glob("*_bench.py")):
        if wanted and wanted not in script.name:
            continue
        print(f"=== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False).returncode != 0:
            failed.append(script.name)
        print(flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
