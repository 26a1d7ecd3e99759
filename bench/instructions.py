"""Instruction counts under callgrind: the benchmark's targets measured deterministically.

    python bench/instructions.py [--runs 50] [--stacks a,b] [--source DIR] [--json FILE]

Wall-clock timings move with whatever else the machine runs; the number of instructions a process executes
does not (``PYTHONHASHSEED=0``, bytecode compiled beforehand). Each stack of bench/stacks runs once, in a
fresh interpreter under ``valgrind --tool=callgrind``, through the phases of a Lambda function's life
(bench/_instructions_child.py: interpreter start, runtime client, INIT, first invocation, then ``--runs``
invocations of every route and payload format), each phase counted on its own. It reports:

- cold start (REST 1.0 ``GET /``): *INIT + first* (the handler import and the first invocation, after the
  runtime client is loaded) and *spawn -> first* (from the interpreter's start), as ratios to
  Flask + apig-wsgi;
- warm: instructions per invocation of each route, and per payload format the geometric mean of
  lambda_micro / each peer framework (the fastest peer is the one lambda_micro compares worst with);
- SnapStart: lambda_micro's reference app again with ``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``: the
  before-snapshot and after-restore hooks, and the first invocation after the restore as a ratio to a warm
  one.

``--source DIR`` imports lambda_micro from DIR (e.g. ``git worktree add /tmp/base main``) to compare two
versions on the same peers. Needs valgrind (``apt-get install valgrind``); a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from stacks import ROUTES, SOURCES, STACKS  # noqa: E402

OURS = "lambda_micro_app"
FLASK = "flask_apig"
SNAPSTART = "snap-start"
_CHILD = os.path.join(HERE, "_instructions_child.py")
_TOTALS = re.compile(r"^totals:\s*(\d+)", re.MULTILINE)


def available() -> bool:
    """Whether valgrind is installed (instruction counts need it)."""
    return shutil.which("valgrind") is not None


def _dump_number(path: str) -> int:
    suffix = path.rpartition(".")[2]
    return int(suffix) if suffix.isdigit() else 1 << 30  # the final dump (at exit) has no number


def measure_stack(
    module: str, events_path: str, *, runs: int, warmup: int, source_dir: str | None, snapstart: bool = False
) -> dict[str, Any]:
    """The instruction count of each phase of one stack's process: ``{phase: instructions}``."""
    stack = next(s for s in STACKS if s["module"] == module)
    warm = [
        [source, route]
        for source in SOURCES
        if not stack["sources"][source]
        for route in ROUTES
        if route not in stack["routes_na"]
    ]
    plan = {
        "resources": stack.get("rest_resources", "proxy"),
        "first_source": stack["cold_source"],
        "runs": runs,
        "warmup": warmup,
        "warm": warm,
    }
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as out:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--dump-before=os_getppid",
            f"--callgrind-out-file={os.path.join(out, 'cg.out')}",
            sys.executable,
            _CHILD,
            module,
            events_path,
            json.dumps(plan),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LAMBDA_MICRO_", "AWS_"))}
        env["PYTHONHASHSEED"] = "0"
        if source_dir:
            env["PYTHONPATH"] = source_dir
        if snapstart:
            env["AWS_LAMBDA_INITIALIZATION_TYPE"] = SNAPSTART
        # From an empty folder: nothing of the working directory is importable by accident.
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False, cwd=out)
        if result.returncode != 0 or not result.stdout.strip():
            python_lines = [line for line in result.stderr.splitlines() if line and not line.startswith("==")]
            return {"error": (python_lines or ["no output"])[-1]}
        phases: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
        dumps = sorted(glob.glob(os.path.join(out, "cg.out.*")), key=_dump_number)
        if len(dumps) < len(phases):
            return {"error": f"{len(dumps)} callgrind dumps for {len(phases)} phases"}
        counts: dict[str, Any] = {}
        for phase, path in zip(phases, dumps, strict=False):
            with open(path, encoding="utf-8", errors="replace") as dump:
                found = _TOTALS.search(dump.read())
            counts[phase] = int(found.group(1)) if found else 0
    counts["runs"] = runs
    return counts


def _geomean(values: list[float]) -> float | None:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def analyse(measured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Cold, warm and SnapStart figures, and the target ratios, from ``measure_stack`` results."""

    def warm(module: str, source: str, route: str) -> float | None:
        counts = measured.get(module, {})
        value = counts.get(f"warm:{source}:{route}")
        return value / counts["runs"] if value is not None else None

    cold: dict[str, dict[str, int]] = {}
    for module, counts in measured.items():
        if "error" in counts or module.endswith("@" + SNAPSTART):
            continue
        init_first = counts["init"] + counts["first"]
        cold[module] = {
            "init": counts["init"],
            "first": counts["first"],
            "init_first": init_first,
            "spawn_first": counts["interpreter"] + counts["runtime"] + init_first,
        }
    per_source: dict[str, Any] = {}
    for source in SOURCES:
        vs_peer: dict[str, float] = {}
        for stack in STACKS:
            if stack["kind"] != "peer":
                continue
            ratios = [
                mine / theirs
                for route in ROUTES
                if (mine := warm(OURS, source, route)) and (theirs := warm(stack["module"], source, route))
            ]
            ratio = _geomean(ratios)
            if ratio is not None:
                vs_peer[stack["module"]] = ratio
        fastest = max(vs_peer, key=lambda m: vs_peer[m]) if vs_peer else None
        per_source[source] = {
            "vs_peer": vs_peer,
            "fastest_peer": fastest,
            "vs_fastest": vs_peer.get(fastest) if fastest else None,
            "per_route": {
                stack["module"]: {route: warm(stack["module"], source, route) for route in ROUTES}
                for stack in STACKS
                if stack["module"] in measured
            },
        }
    ours, flask = cold.get(OURS), cold.get(FLASK)
    snap = measured.get(f"{OURS}@{SNAPSTART}", {})
    snapshot: dict[str, Any] = {}
    if "first" in snap:
        warm_hello = warm(f"{OURS}@{SNAPSTART}", "1.0", "hello")
        snapshot = {
            "init": snap["init"],
            "before_snapshot": snap.get("before_snapshot"),
            "after_restore": snap.get("after_restore"),
            "first_after_restore": snap["first"],
            "warm": warm_hello,
            "ratio": snap["first"] / warm_hello if warm_hello else None,
        }
    return {
        "cold": cold,
        "cold_ratio": {
            key: ours[key] / flask[key] for key in ("init_first", "spawn_first") if ours and flask
        },
        "warm": per_source,
        "snapstart": snapshot,
    }


def _label(module: str) -> str:
    return next((s["label"] for s in STACKS if s["module"] == module), module)


def report(analysis: dict[str, Any]) -> list[str]:
    """Markdown tables of the figures (bench/run.py puts them in results.md)."""
    lines = [
        "| stack | INIT (M instr) | first (M) | INIT + first (M) | spawn -> first (M) |",
        "| --- |" + " ---: |" * 4,
    ]
    for module, row in analysis["cold"].items():
        lines.append(
            f"| {_label(module)} | {row['init'] / 1e6:.1f} | {row['first'] / 1e6:.2f} | "
            f"{row['init_first'] / 1e6:.1f} | {row['spawn_first'] / 1e6:.1f} |"
        )
    lines.append("")
    for key, value in analysis["cold_ratio"].items():
        lines.append(f"- lambda_micro / Flask + apig-wsgi, {key.replace('_', ' + ', 1)}: {value:.2f}")
    for source in SOURCES:
        info = analysis["warm"][source]
        lines += ["", f"Warm, payload {source} (k instructions per invocation):", ""]
        lines.append("| stack | " + " | ".join(ROUTES) + " |")
        lines.append("| --- |" + " ---: |" * len(ROUTES))
        for module, routes in info["per_route"].items():
            if module.endswith("@" + SNAPSTART) or not any(routes.values()):
                continue
            cells = [f"{v / 1e3:.1f}" if v else "n/a" for v in routes.values()]
            lines.append(f"| {_label(module)} | " + " | ".join(cells) + " |")
        lines.append("")
        for peer, ratio in sorted(info["vs_peer"].items(), key=lambda item: item[1]):
            lines.append(f"- lambda_micro / {_label(peer)}: {ratio:.2f}")
        if info["fastest_peer"]:
            lines.append(f"- fastest peer: {_label(info['fastest_peer'])} ({info['vs_fastest']:.2f})")
    snap = analysis["snapstart"]
    if snap:
        before = (snap["before_snapshot"] or 0) / 1e6
        lines += [
            "",
            "SnapStart (lambda_micro, REST 1.0 `GET /`): INIT "
            f"{snap['init'] / 1e6:.1f} M, before-snapshot hooks {before:.1f} M, "
            f"after-restore hooks {(snap['after_restore'] or 0) / 1e3:.1f} k, first invocation after the "
            f"restore {snap['first_after_restore'] / 1e3:.1f} k = {snap['ratio']:.2f} x a warm one "
            f"({snap['warm'] / 1e3:.1f} k).",
        ]
    return lines


def build_events_file(directory: str) -> str:
    """The benchmark's events (bench/_events.py), written to a JSON file the children read."""
    from _events import build_events

    builder, events = build_events()
    path = os.path.join(directory, "events.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"builder": builder, "events": events}, f)
    return path


def run_all(
    stacks: list[str], *, runs: int, warmup: int, source_dir: str | None, log: Any = print
) -> dict[str, Any]:
    """Measure ``stacks`` (and lambda_micro under SnapStart) and return the analysis."""
    import werkzeug

    import lambda_micro

    dirs = [HERE, os.path.dirname(werkzeug.__file__), os.path.dirname(lambda_micro.__file__)]
    if source_dir:
        dirs.append(source_dir)
    # Bytecode compiled beforehand: a stale .pyc would be compiled inside the measurement.
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], check=False)
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as tmp:
        events_path = build_events_file(tmp)
        measured: dict[str, dict[str, Any]] = {}
        keys = [*stacks, *([f"{OURS}@{SNAPSTART}"] if OURS in stacks else [])]
        for key in keys:
            module, _, variant = key.partition("@")
            log(f"callgrind: {key}")
            measured[key] = measure_stack(
                module, events_path, runs=runs, warmup=warmup, source_dir=source_dir, snapstart=bool(variant)
            )
            if "error" in measured[key]:
                log(f"  error: {measured[key]['error']}")
    analysis = analyse({k: v for k, v in measured.items() if "error" not in v})
    analysis["errors"] = {k: v["error"] for k, v in measured.items() if "error" in v}
    analysis["runs"] = runs
    return analysis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="measured invocations per route (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured invocations first (default 5)")
    parser.add_argument("--stacks", help="comma-separated stack modules (default: every stack)")
    parser.add_argument("--source", metavar="DIR", help="import lambda_micro from DIR instead")
    parser.add_argument("--json", metavar="FILE", help="also write the analysis as JSON")
    args = parser.parse_args()
    if not available():
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    stacks = args.stacks.split(",") if args.stacks else [s["module"] for s in STACKS]
    analysis = run_all(stacks, runs=args.runs, warmup=args.warmup, source_dir=args.source)
    print("\n".join(report(analysis)))
    for key, error in analysis["errors"].items():
        print(f"- {key}: error: {error}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(analysis, f, indent=1)


if __name__ == "__main__":
    main()
