"""Run every benchmark in bench/ (`*_bench.py`) and print one table of their headline figures.

    python bench/run.py [--write] [--million] [name-filter ...]

Each benchmark prints its own details, and one `report()` line (bench/common.py) per headline
figure: the figure, its baseline measured in the same run, and the ratio. This collects them into
one Markdown table, printed at the end; --write also puts it into bench/README.md ("Latest
results"), with the machine it came from. --million also grows the Users realm benchmark's domain to
1,000,000 accounts (about ten more minutes) for the list pages' figures at that size."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import RESULT_PREFIX, machine  # noqa: E402

README = HERE / "README.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def run_one(script: Path, arguments: list[str]) -> tuple[int, list[dict]]:
    """Run one benchmark, echoing its output, and collect its reported figures."""
    results = []
    process = subprocess.Popen([sys.executable, str(script), *arguments], cwd=HERE.parent, stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(RESULT_PREFIX):
            results.append({"bench": script.stem, **json.loads(line[len(RESULT_PREFIX):])})
        else:
            print(line, end="", flush=True)
    return process.wait(), results


def number(value: float | None) -> str:
    """A figure as a reader wants it: thousands separated, a sensible number of decimals."""
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"


def table(results: list[dict]) -> str:
    """The Markdown table of every figure."""
    rows = [
        "| benchmark | figure | value | baseline (same run) | ratio | target | verdict |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in results:
        baseline = f"{number(r['baseline'])} {r['unit']} {r['baseline_name']}".strip() if r["baseline"] else ""
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] else ""
        verdict = {True: "PASS", False: "FAIL", None: ""}[r["passed"]]
        rows.append(f"| {r['bench']} | {r['figure']} | {number(r['value'])} {r['unit']} | {baseline} | {ratio} "
                     f"| {r['target']} | {verdict} |")
    return "\n".join(rows)


def write_readme(text: str) -> None:
    """Replace the Latest results section of bench/README.md."""
    readme = README.read_text()
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in readme:
        readme = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, readme, flags=re.DOTALL)
    else:
        readme += f"\n## Latest results\n\n{block}\n"
    README.write_text(readme)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="put the table into bench/README.md")
    parser.add_argument("--million", action="store_true", help="users_bench.py at 1,000,000 accounts too")
    parser.add_argument("names", nargs="*", help="run only benchmarks whose file name contains one of these")
    options = parser.parse_args(argv)
    failed, results = [], []
    about = machine()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for script in sorted(HERE.glob("*_bench.py")):
        if options.names and not any(name in script.name for name in options.names):
            continue
        print(f"=== {script.name}", flush=True)
        arguments = ["--million"] if options.million and script.name == "users_bench.py" else []
        returncode, figures = run_one(script, arguments)
        results.extend(figures)
        if returncode != 0:
            failed.append(script.name)
        print(flush=True)
    text = f"Run {started} on {about}.\n\n{table(results)}"
    if failed:
        text += f"\n\nBenchmarks that failed or missed a target: {', '.join(failed)}."
    print(text)
    if options.write:
        write_readme(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
