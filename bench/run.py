#!/usr/bin/env python3
"""Side-by-side benchmarks of lambda_micro against the stacks users would pick instead.

    python3 bench/run.py            full run (a few minutes on 2 cores), writes bench/results.md
    python3 bench/run.py --quick    smoke run: every measurement, few samples

Standard library only: it creates (or refreshes) the benchmark virtualenv `.venv-bench` with the repository
(`pip install -e .`) and the pinned peers of bench/requirements.txt, then runs each measurement in
subprocesses of that virtualenv:

1. correctness of every (stack, payload format, route), then warm timings, interleaved (bench/_worker.py);
2. routing cost at 10/100/1000 routes (bench/_worker.py routing);
3. cold starts, one fresh interpreter per sample (bench/_coldstart.py), with peak RSS;
4. an import-time breakdown (`-X importtime`) for lambda_micro and Flask + apig-wsgi;
5. deployment package sizes (`pip install --target`, boto3/botocore excluded, zipped);
6. instruction counts under callgrind (bench/instructions.py, when valgrind is installed): cold INIT + first,
   spawn -> first, warm per route, SnapStart's first invocation after the restore; deterministic, so they
   can be compared across runs and machines where the wall-clock ratios cannot.

The targets are ratios from that one run. For the ones against Flask + apig-wsgi (cold start, RSS, zip),
the report also gives the ratio of *werkzeug alone* (the six routes on werkzeug's Map, Request and Response,
no framework): the least any stack on werkzeug's routing and wrappers can reach.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = ROOT / ".venv-bench"
WORK = BENCH / ".work"
REQUIREMENTS = BENCH / "requirements.txt"
RESULTS = BENCH / "results.md"
STAMP = VENV / ".bench-installed"
# Provided by the Lambda Python runtime: never counted in a deployment package.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")

sys.path.insert(0, str(BENCH))
from stacks import ROUTES, SOURCES, STACKS  # noqa: E402

STACK_BY_MODULE = {stack["module"]: stack for stack in STACKS}
# Extra cold-start rows: "module@variant" runs the module's cold start with these environment variables.
COLD_VARIANTS = {"eager-werkzeug": {"LAMBDA_MICRO_EAGER_WERKZEUG": "1"}}
COLD_EXTRA = {"lambda_micro_app@eager-werkzeug": "lambda_micro, werkzeug's __init__ not deferred"}
TARGETS = {
    "warm": 0.8,
    "adapter": 0.8,
    "cold": 0.45,
    "rss": 0.7,
    "zip": 0.7,
    "routing": 1.1,
    "cold_instructions": 0.35,
    "spawn_instructions": 0.45,
    "snapstart": 1.2,
}


# --------------------------------------------------------------------------------------------- helpers
def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def verdict(value: float | None, target: float) -> str:
    if value is None or math.isnan(value):
        return "not measured"
    return "met" if value <= target else "NOT met"


def run(cmd: list[str], *, log_file: Path | None = None, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if log_file is not None:
        log_file.write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"bench: command failed ({result.returncode}): {shlex.join(cmd)}")
    return result


# --------------------------------------------------------------------------------------------- venv
def ensure_venv(python: str) -> None:
    digest = hashlib.sha256()
    for path in (REQUIREMENTS, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    wanted = digest.hexdigest()
    if venv_python().exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        log(f"{VENV.name} is up to date")
        return
    if not venv_python().exists():
        log(f"creating {VENV.name}")
        run([python, "-m", "venv", str(VENV)])
    log(f"installing the repository and the pinned peers into {VENV.name} (bench/requirements.txt)")
    # Only the runtime distribution, lambda-micro: lambda-micro-local would add moto and boto3 for nothing.
    # The event builder (lambda_micro.testing, see _events.py) still imports, from the checkout, which the
    # editable install puts on sys.path.
    WORK.mkdir(parents=True, exist_ok=True)
    run(
        [
            str(venv_python()),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(REQUIREMENTS),
            "-e",
            str(ROOT),
        ],
        log_file=WORK / "pip-install.log",
    )
    STAMP.write_text(wanted + "\n")


def versions() -> dict[str, str]:
    names = [
        "lambda-micro",
        "werkzeug",
        "jinja2",
        "flask",
        "aws-wsgi",
        "apig-wsgi",
        "serverless-wsgi",
        "bottle",
        "chalice",
        "aws-lambda-powertools",
        "starlette",
        "mangum",
        "awslambdaric",
    ]
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {'python': sys.version.split()[0]}\n"
        f"for n in {names!r}:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: out[n] = 'missing'\n"
        "print(json.dumps(out))\n"
    )
    return json.loads(run([str(venv_python()), "-c", code]).stdout)


def worker(command: str, out: Path, *extra: str) -> dict[str, Any]:
    run([str(venv_python()), str(BENCH / "_worker.py"), command, "--out", str(out), *extra], cwd=ROOT)
    return json.loads(out.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------- cold start
def cold_sample(
    key: str, events_file: Path, extra_args: tuple[str, ...] = (), extra_env: dict[str, str] | None = None
) -> dict[str, Any]:
    module, _, variant = key.partition("@")
    stack = STACK_BY_MODULE[module]
    skip = ",".join(stack["routes_na"])
    cmd = [
        str(venv_python()),
        *extra_args,
        str(BENCH / "_coldstart.py"),
        module,
        str(events_file),
        stack["cold_source"],
        stack.get("rest_resources", "proxy"),
        skip,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LAMBDA_MICRO_"))}
    env.update(COLD_VARIANTS.get(variant, {}))
    env.update(extra_env or {})
    # stderr goes to a file: `-X importtime` writes a lot there before the first stdout line, and a full
    # pipe would block the child. stdout is read through one buffered reader only (readline, then read).
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as stderr_file:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr_file, text=True)
        assert proc.stdout is not None
        with proc.stdout:
            first_line = proc.stdout.readline()
            spawn_ms = (time.perf_counter() - started) * 1000
            rest = proc.stdout.read()
        proc.wait()
        stderr_file.seek(0)
        stderr = stderr_file.read()
    if proc.returncode != 0 or not first_line:
        return {"error": (stderr.strip().splitlines() or ["no output"])[-1]}
    sample: dict[str, Any] = json.loads(first_line)
    sample["spawn_ms"] = spawn_ms
    for line in rest.splitlines():
        if line.startswith("{"):
            sample.update(json.loads(line))
    if "rss_kb" not in sample:
        return {"error": "no report after the other routes: " + (stderr.strip().splitlines() or ["?"])[-1]}
    sample["stderr"] = stderr
    return sample


def cold_starts(modules: list[str], events_file: Path, samples: int) -> dict[str, dict[str, Any]]:
    collected: dict[str, list[dict[str, Any]]] = {m: [] for m in modules}
    errors: dict[str, str] = {}
    # Round 0 writes the bytecode caches (a deployment package built with compileall has them) and is
    # discarded; then one sample per stack per round, the order rotated so that noise is shared.
    for round_index in range(samples + 1):
        shift = round_index % len(modules)
        for module in modules[shift:] + modules[:shift]:
            if module in errors:
                continue
            sample = cold_sample(module, events_file)
            if "error" in sample:
                errors[module] = sample["error"]
            elif sample.get("status") not in (200, "200"):
                errors[module] = f"first response status {sample.get('status')!r}"
            elif round_index > 0:
                collected[module].append(sample)
    summary: dict[str, dict[str, Any]] = {}
    for module in modules:
        if module in errors:
            summary[module] = {"error": errors[module]}
            continue
        rows = collected[module]
        summary[module] = {
            "samples": len(rows),
            "init_first_ms": statistics.median(r["import_ms"] + r["first_ms"] for r in rows),
            "import_ms": statistics.median(r["import_ms"] for r in rows),
            "first_ms": statistics.median(r["first_ms"] for r in rows),
            "spawn_ms": statistics.median(r["spawn_ms"] for r in rows),
            "runtime_ms": statistics.median(r["runtime_ms"] for r in rows),
            "rss_first_kb": statistics.median(r["rss_first_kb"] for r in rows),
            "rss_kb": statistics.median(r["rss_kb"] for r in rows),
            "modules": statistics.median(r["modules"] for r in rows),
            "modules_all": statistics.median(r["modules_all"] for r in rows),
        }
    return summary


def import_breakdown(module: str, events_file: Path, top: int = 12) -> dict[str, Any]:
    """-X importtime of the handler import only: the top packages by self time, and the slowest imports."""
    sample = cold_sample(module, events_file, ("-X", "importtime"))
    if "error" in sample:
        return {"error": sample["error"]}
    lines = sample["stderr"].splitlines()
    markers = [i for i, line in enumerate(lines) if line.startswith("bench-coldstart:")]
    if len(markers) != 2:
        return {"error": "the cold-start child printed no import markers"}
    rows: list[tuple[int, int, int, str]] = []
    # Only what the handler import and the first response loaded, not the runtime client nor later routes.
    for line in lines[markers[0] + 1 : markers[1]]:
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        head, cumulative, raw_name = line.split("|")
        self_us = int(head.split(":", 1)[1])
        cumulative_us = int(cumulative)
        depth = (len(raw_name) - len(raw_name.lstrip(" ")) - 1) // 2
        rows.append((self_us, cumulative_us, depth, raw_name.strip()))
    by_package: dict[str, int] = {}
    for self_us, _cum, _depth, name in rows:
        root = name.split(".")[0]
        by_package[root] = by_package.get(root, 0) + self_us
    total = sum(self_us for self_us, *_ in rows)
    packages = sorted(by_package.items(), key=lambda item: -item[1])[:top]
    stack_module = f"stacks.{module}"
    slowest = sorted(
        ((cum, "· " * max(depth - 1, 0) + name) for _s, cum, depth, name in rows if name != stack_module),
        reverse=True,
    )[:top]
    return {
        "total_ms": total / 1000,
        "modules": len(rows),
        "packages": [(name, us / 1000) for name, us in packages],
        "slowest": [(name, us / 1000) for us, name in slowest],
        "names": sorted(name for *_, name in rows),
    }


# --------------------------------------------------------------------------------------------- zip size
def zip_sizes(modules: list[str]) -> dict[str, dict[str, Any]]:
    sizes: dict[str, dict[str, Any]] = {}
    cache: dict[tuple[str, ...], dict[str, Any]] = {}
    for module in modules:
        stack = STACK_BY_MODULE[module]
        key = tuple(stack["requirements"])
        if key not in cache:
            cache[key] = _zip_size(stack["requirements"])
        sizes[module] = cache[key]
    return sizes


def _zip_size(requirements: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-zip-") as tmp:
        target = Path(tmp) / "package"
        target.mkdir()
        pip_args = [req for req in requirements if not req.startswith("<")]
        if "<repo>" in requirements:
            pip_args.append(str(ROOT))
        if pip_args:
            cmd = [
                str(venv_python()),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-compile",
                "--target",
                str(target),
                "-c",
                str(REQUIREMENTS),
                *pip_args,
            ]
            result = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                return {"error": (result.stderr.strip().splitlines() or ["pip failed"])[-1]}
        if "<chalice-runtime>" in requirements:
            # What `chalice package` puts in the zip: its router module and package __init__ only.
            code = "import chalice, chalice.app; print(chalice.__file__); print(chalice.app.__file__)"
            init_file, app_file = run([str(venv_python()), "-c", code]).stdout.split()
            (target / "chalice").mkdir(exist_ok=True)
            shutil.copy(init_file, target / "chalice" / "__init__.py")
            shutil.copy(app_file, target / "chalice" / "app.py")
        for entry in list(target.iterdir()):
            base = entry.name.split("-")[0].lower()
            if base in RUNTIME_PROVIDED or entry.name in {"bin", "__pycache__"}:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
        archive = Path(tmp) / "package.zip"
        files = 0
        installed = 0
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(target.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    zf.write(path, path.relative_to(target))
                    files += 1
                    installed += path.stat().st_size
        by_entry: dict[str, int] = {}
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                top = info.filename.split("/")[0]
                by_entry[top] = by_entry.get(top, 0) + info.compress_size
        largest = sorted(by_entry.items(), key=lambda item: -item[1])[:8]
        return {
            "zip_kb": archive.stat().st_size / 1024,
            "unzipped_kb": installed / 1024,
            "files": files,
            "largest": [(name, size / 1024) for name, size in largest],
        }


# --------------------------------------------------------------------------------------------- analysis
def warm_tables(warm: dict[str, Any]) -> dict[str, Any]:
    median = warm["median_us"]

    def t(module: str, source: str, route: str) -> float | None:
        return median.get(f"{module}|{source}|{route}")

    per_source: dict[str, Any] = {}
    for source in SOURCES:
        floor_ratio: dict[str, float] = {}
        for stack in STACKS:
            ratios = []
            for route in ROUTES:
                mine, floor = t(stack["module"], source, route), t("floor", source, route)
                if mine is not None and floor is not None:
                    ratios.append(mine / floor)
            if ratios:
                floor_ratio[stack["module"]] = geomean(ratios)
        peers = [s["module"] for s in STACKS if s["kind"] == "peer" and s["module"] in floor_ratio]
        vs_peer: dict[str, float] = {}
        for peer in peers:
            ratios = [
                t("lambda_micro_app", source, r) / t(peer, source, r)  # type: ignore[operator]
                for r in ROUTES
                if t("lambda_micro_app", source, r) is not None and t(peer, source, r) is not None
            ]
            if ratios:
                vs_peer[peer] = geomean(ratios)
        # The fastest peer is the one lambda_micro compares worst with, on the routes both answered (a peer
        # that is not invoked for some route, like Chalice for /missing, is compared on the others).
        fastest = max(vs_peer, key=lambda m: vs_peer[m]) if vs_peer else None
        adapter = [
            t("adapter_ours", source, r) / t("adapter_apig", source, r)  # type: ignore[operator]
            for r in ROUTES
            if t("adapter_ours", source, r) is not None and t("adapter_apig", source, r) is not None
        ]
        per_source[source] = {
            "floor_ratio": floor_ratio,
            "fastest_peer": fastest,
            "vs_peer": vs_peer,
            "vs_fastest": vs_peer.get(fastest) if fastest else None,
            "adapter_vs_apig": geomean(adapter) if adapter else None,
        }
    return per_source


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# --------------------------------------------------------------------------------------------- report
def write_report(data: dict[str, Any], args: argparse.Namespace) -> str:
    warm, tables, cold, routing = data["warm"], data["tables"], data["cold"], data["routing"]
    v = data["versions"]
    label = {s["module"]: s["label"] for s in STACKS}
    lines: list[str] = []
    add = lines.append
    add("# Benchmark results")
    add("")
    add(
        f"Generated by `{data['make']}` (`{data['command']}`) on {data['date']} "
        f"({'quick smoke run' if args.quick else 'full run'})."
    )
    add("")
    add(f"- Machine: {data['cpu']}, {os.cpu_count()} cores, {platform.system()} {platform.release()}")
    add(
        f"- Python {v['python']} (benchmark virtualenv); lambda-micro {v['lambda-micro']}, werkzeug "
        f"{v['werkzeug']}, jinja2 {v['jinja2']}"
    )
    add(
        "- Peers: "
        + ", ".join(
            f"{n} {v[n]}"
            for n in (
                "flask",
                "aws-wsgi",
                "apig-wsgi",
                "serverless-wsgi",
                "bottle",
                "chalice",
                "aws-lambda-powertools",
                "starlette",
                "mangum",
            )
        )
    )
    add(
        f"- Events: {warm['builder']}; warm: {warm['rounds']} interleaved rounds x {warm['batch']} "
        "invocations "
        f"per (stack, format, route), median of the rounds; cold start: {data['cold_samples']} fresh "
        "interpreters per stack, median."
    )
    add("")
    add("## Targets (ratios from this run)")
    add("")
    add("| target | measured | goal | verdict |")
    add("| --- | --- | --- | --- |")
    for row in data["targets"]:
        add(f"| {row[0]} | {fmt(row[1])} | ≤ {row[2]} | {verdict(row[1], row[2])} |")
    add("")
    add("### What werkzeug itself costs")
    add("")
    add(
        "The stack *werkzeug alone* serves the six routes with werkzeug's `Map`, `Request` and `Response` "
        "and no framework code, with werkzeug's package `__init__` deferred as lambda_micro defers it (its "
        "best case); its zip holds werkzeug and jinja2 alone. At cold start, in memory and in the zip, any "
        "stack built on werkzeug's routing and wrappers costs at least this much: a goal below this bound "
        "cannot be met on them. (Warm, it is no bound: it uses werkzeug plainly, and lambda_micro's hot "
        "path skips much of that work, see the warm tables.)"
    )
    add("")
    add(
        "| ratio to Flask + apig-wsgi | lambda_micro | werkzeug alone (bound) | goal | goal below the bound |"
    )
    add("| --- | ---: | ---: | ---: | --- |")
    for name, ours, bound, goal in data["bounds"]:
        below = "n/a" if bound is None else ("yes" if goal < bound else "no")
        add(f"| {name} | {fmt(ours)} | {fmt(bound)} | ≤ {goal} | {below} |")
    add("")
    add("## Correctness (checked before timing)")
    add("")
    add(
        "Each response is checked: status, content type, body or JSON document, byte-exact base64 body for "
        "`/bin`, 404 for `/missing`, JSON-serialisable result. A wrong answer is not timed and counts in no "
        "ratio; n/a means the stack does not serve that payload format or route."
    )
    add("")
    problems = []
    for module, per_source in warm["status"].items():
        for source, per_route in per_source.items():
            for route, state in per_route.items():
                if state != "ok" and not state.startswith("n/a"):
                    problems.append(f"- {label[module]}, {source}, `{route}`: {state}")
    na = set()
    for module, per_source in warm["status"].items():
        for source, per_route in per_source.items():
            for route, state in per_route.items():
                if state.startswith("n/a"):
                    na.add(
                        f"- {label[module]}, {source}"
                        + ("" if STACK_BY_MODULE[module]["sources"][source] else f", `{route}`")
                        + f": {state[5:]}"
                    )
    lines.extend(problems or ["- Every measured (stack, format, route) answered correctly."])
    add("")
    add("Not applicable:")
    add("")
    lines.extend(sorted(na))
    add("")
    add("## Warm invocations (median µs per invocation)")
    add("")
    for source in SOURCES:
        info = tables[source]
        add(f"### Payload {source}" if source != "alb" else "### ALB")
        add("")
        add("| stack | " + " | ".join(ROUTES) + " | geo-mean x floor |")
        add("| --- | " + " | ".join("---:" for _ in ROUTES) + " | ---: |")
        for stack in STACKS:
            module = stack["module"]
            if stack["sources"][source]:
                continue
            cells = []
            for route in ROUTES:
                state = warm["status"].get(module, {}).get(source, {}).get(route, "")
                value = warm["median_us"].get(f"{module}|{source}|{route}")
                cells.append(
                    fmt(value, 1)
                    if value is not None
                    else ("n/a" if state.startswith("n/a") else state.split(":")[0] or "—")
                )
            ratio = info["floor_ratio"].get(module)
            add(f"| {label[module]} | " + " | ".join(cells) + f" | {fmt(ratio)} |")
        add("")
        fastest = info["fastest_peer"]
        add(
            f"Fastest peer framework: {label[fastest] if fastest else 'n/a'}. lambda_micro / peer "
            "(geometric mean over the routes both answered):"
        )
        add("")
        for peer, ratio in sorted(info["vs_peer"].items(), key=lambda item: item[1]):
            add(f"- {label[peer]}: {fmt(ratio)}")
        add(
            "- Adapter alone (raw WSGI app + lambda_micro adapter / + apig-wsgi): "
            f"{fmt(info['adapter_vs_apig'])}"
        )
        add("")
    add("## Cold start (fresh interpreter, `GET /`)")
    add("")
    add(
        "*init + first* = import of the handler module (INIT) plus the first invocation, timed inside the "
        "child after the Lambda runtime interface client is loaded (as the runtime has it before INIT). "
        "*spawn → first* = process start to first response, timed by the parent (includes the interpreter "
        "start and the runtime client). RSS = ru_maxrss of the child after the first response, and after one "
        "request to every route."
    )
    add("")
    add(
        "| stack | init + first (ms) | import (ms) | first (ms) | spawn → first (ms) | modules loaded "
        "| RSS first (MiB) | RSS all routes (MiB) | zip (KiB) | files |"
    )
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [(s["module"], s["label"]) for s in STACKS] + list(COLD_EXTRA.items())
    for key, row_label in rows:
        row = cold.get(key)
        size = data["zip"].get(key, {})
        zip_cells = (
            f"{fmt(size.get('zip_kb'), 0)} | {size.get('files', 'n/a')}"
            if "zip_kb" in size
            else f"{size.get('error', 'n/a')} | n/a"
        )
        if row is None:
            continue
        if "error" in row:
            add(f"| {row_label} | error: {row['error']} | | | | | | | {zip_cells} |")
            continue
        add(
            f"| {row_label} | {fmt(row['init_first_ms'], 1)} | {fmt(row['import_ms'], 1)} | "
            f"{fmt(row['first_ms'], 2)} | {fmt(row['spawn_ms'], 1)} | {row['modules']:.0f} | "
            f"{fmt(row['rss_first_kb'] / 1024, 1)} | {fmt(row['rss_kb'] / 1024, 1)} | {zip_cells} |"
        )
    add("")
    floor, ours, flask = (cold.get(m, {}) for m in ("floor", "lambda_micro_app", "flask_apig"))
    if all("rss_first_kb" in row for row in (floor, ours, flask)):
        over = [(row["rss_first_kb"] - floor["rss_first_kb"]) / 1024 for row in (ours, flask)]
        add(
            f"RSS above the floor's (interpreter and runtime client, "
            f"{fmt(floor['rss_first_kb'] / 1024, 1)} MiB) after the cold start: lambda_micro "
            f"{fmt(over[0], 1)} MiB, Flask + apig-wsgi {fmt(over[1], 1)} MiB (ratio "
            f"{fmt(over[0] / over[1] if over[1] else None)}; for information, the target is on the peak RSS)."
        )
        add("")
    add(
        "Deployment package: `pip install --target` of the stack's runtime requirements (pinned as in "
        "bench/requirements.txt, no bytecode), boto3/botocore/s3transfer removed (the runtime provides "
        "them), zipped with deflate. Chalice: what `chalice package` ships (its `app.py` router and "
        "`__init__.py`) plus jinja2."
    )
    add("")
    if "lambda_micro_app" in data["zip"]:
        add(
            "- lambda_micro's package is the repository's runtime distribution, `lambda-micro` (`pip "
            "install <repo>`), without the `sessions` extra (itsdangerous), which the reference app does not "
            "use; its development tools (`lambda_micro/local/`, `lambda_micro/testing/`) are the separate "
            "distribution `lambda-micro-local`, which a deployment does not install."
        )
    for module in ("lambda_micro_app", "flask_apig"):
        largest = data["zip"].get(module, {}).get("largest")
        if largest:
            add(
                f"- Largest entries of the {label[module]} package (compressed KiB): "
                + ", ".join(f"`{name}` {fmt(size, 0)}" for name, size in largest)
            )
    add("")
    add("## Import-time breakdown of the handler module (`-X importtime`, self time summed per package)")
    add("")
    for module, info in data["importtime"].items():
        add(f"### {label[module]}")
        add("")
        if "error" in info:
            add(f"error: {info['error']}")
            add("")
            continue
        add(
            f"{info['modules']} modules, {fmt(info['total_ms'], 1)} ms self time in total (importtime adds "
            "its "
            "own overhead)."
        )
        add("")
        add("| package | self ms |   | slowest imports (cumulative) | ms |")
        add("| --- | ---: | --- | --- | ---: |")
        for (pkg, pms), (name, cms) in zip(info["packages"], info["slowest"], strict=False):
            add(f"| {pkg} | {fmt(pms, 1)} | | {name} | {fmt(cms, 1)} |")
        add("")
    add("## Instruction counts (callgrind, bench/instructions.py)")
    add("")
    counts = data.get("instructions", {})
    if "missing" in counts:
        add(counts["missing"])
    else:
        import instructions

        add(
            "Each stack in one fresh interpreter under `valgrind --tool=callgrind`, every phase counted on "
            f"its own ({counts.get('runs')} invocations per route after a warm-up; `PYTHONHASHSEED=0`). "
            "Deterministic: these ratios do not move with the machine's load."
        )
        add("")
        lines.extend(instructions.report(counts))
        for key, error in counts.get("errors", {}).items():
            add(f"- {key}: error: {error}")
    add("")
    add(
        "## Routing cost (median µs per invocation of the last of N routes `/r{i}/items/<item_id>`, REST 1.0)"
    )
    add("")
    add("| stack | 10 | 100 | 1000 | 1000 / 10 |")
    add("| --- | ---: | ---: | ---: | ---: |")
    for name in ("lambda_micro", "Flask + apig-wsgi"):
        values = [routing["median_us"].get(f"{name}|{n}") for n in (10, 100, 1000)]
        ratio = values[2] / values[0] if values[0] and values[2] else None
        add(f"| {name} | " + " | ".join(fmt(x, 1) for x in values) + f" | {fmt(ratio)} |")
    for key, problem in routing.get("problems", {}).items():
        add(f"- {key}: {problem}")
    add("")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="few samples: validates the harness in ~2 minutes"
    )
    parser.add_argument("--skip-install", action="store_true", help=f"use {VENV.name} as it is")
    parser.add_argument(
        "--events",
        choices=["auto", "kit", "files"],
        default="auto",
        help="event builder: the project's (kit), bench/events samples (files), or kit if present",
    )
    parser.add_argument("--no-zip", action="store_true", help="skip deployment package sizes")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    started = time.monotonic()
    python = sys.executable or "python3"
    if not args.skip_install:
        ensure_venv(python)
    WORK.mkdir(parents=True, exist_ok=True)
    if args.quick:
        warm_args = ["--rounds", "5", "--batch", "5", "--warmup", "5"]
        routing_args = ["--rounds", "5", "--batch", "10", "--warmup", "5"]
        cold_samples = 3
    else:
        warm_args = ["--rounds", "81", "--batch", "25", "--warmup", "30"]
        routing_args = ["--rounds", "41", "--batch", "40", "--warmup", "30"]
        cold_samples = 31
    events_arg = ["--events", args.events]
    data: dict[str, Any] = {
        "command": " ".join(["python3 bench/run.py", *sys.argv[1:]]),
        "make": "make bench" + (f" BENCH_ARGS='{' '.join(sys.argv[1:])}'" if sys.argv[1:] else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpu": cpu_model(),
        "versions": versions(),
        "cold_samples": cold_samples,
    }
    events_file = WORK / "events.json"
    worker("events", events_file, *events_arg)
    log("correctness checks and warm timings (interleaved rounds)")
    data["warm"] = worker("warm", WORK / "warm.json", *warm_args, *events_arg)
    log(f"warm timings done in {data['warm']['seconds']:.0f} s")
    data["tables"] = warm_tables(data["warm"])
    log("routing cost at 10/100/1000 routes")
    data["routing"] = worker("routing", WORK / "routing.json", *routing_args, *events_arg)
    modules = [s["module"] for s in STACKS]
    cold_keys = [*modules, *COLD_EXTRA]
    log(f"cold starts: {cold_samples} fresh interpreters per stack ({len(cold_keys)} stacks)")
    data["cold"] = cold_starts(cold_keys, events_file, cold_samples)
    log("import-time breakdown")
    data["importtime"] = {m: import_breakdown(m, events_file) for m in ("lambda_micro_app", "flask_apig")}
    if args.no_zip:
        data["zip"] = {}
    else:
        log("deployment package sizes (pip install --target, zipped)")
        data["zip"] = zip_sizes(modules)
    data["instructions"] = instruction_counts(args.quick)
    data["targets"] = targets(data)
    data["bounds"] = bounds(data)
    report = write_report(data, args)
    args.output.write_text(report, encoding="utf-8")
    # The same targets table on its own, ready to quote in the README's performance section.
    table = report.split("## Targets (ratios from this run)\n\n", 1)[1].split("\n\n", 1)[0]
    (WORK / "targets.md").write_text(f"{data['date']}\n\n{table}\n", encoding="utf-8")
    (WORK / "results.json").write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    log(
        f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} "
        f"in {time.monotonic() - started:.0f} s"
    )
    print()
    print("Targets:")
    for name, value, goal in data["targets"]:
        print(f"  {name:<62} {fmt(value):>6}  (≤ {goal})  {verdict(value, goal)}")


def instruction_counts(quick: bool) -> dict[str, Any]:
    """bench/instructions.py in the benchmark virtualenv (every stack, and lambda_micro under SnapStart)."""
    import instructions  # stdlib and the stacks registry only

    if not instructions.available():
        return {"missing": "valgrind is not installed (apt-get install valgrind): no instruction counts"}
    log("instruction counts under callgrind (bench/instructions.py)")
    out = WORK / "instructions.json"
    runs = ["--runs", "10", "--warmup", "3"] if quick else ["--runs", "100", "--warmup", "20"]
    run([str(venv_python()), str(BENCH / "instructions.py"), *runs, "--json", str(out)], cwd=ROOT)
    analysis: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return analysis


# (target name, measurement table, key, goal): the targets measured against Flask + apig-wsgi.
VERSUS_FLASK = (
    ("cold start (init + first)", "cold", "init_first_ms", "cold"),
    ("cold start (spawn → first)", "cold", "spawn_ms", "cold"),
    ("peak RSS after the cold start", "cold", "rss_first_kb", "rss"),
    ("peak RSS after every route", "cold", "rss_kb", "rss"),
    ("deployment zip", "zip", "zip_kb", "zip"),
)


def versus_flask(data: dict[str, Any], module: str, table: str, key: str) -> float | None:
    """``module``'s ``key`` measurement divided by Flask + apig-wsgi's, from the same run."""
    mine, flask = data[table].get(module, {}), data[table].get("flask_apig", {})
    return mine[key] / flask[key] if key in mine and key in flask and flask[key] else None


def bounds(data: dict[str, Any]) -> list[tuple[str, float | None, float | None, float]]:
    """For each target against Flask + apig-wsgi: lambda_micro's ratio, werkzeug alone's ratio, the goal."""
    return [
        (
            name,
            versus_flask(data, "lambda_micro_app", table, key),
            versus_flask(data, "werkzeug_alone", table, key),
            TARGETS[goal],
        )
        for name, table, key, goal in VERSUS_FLASK
    ]


def targets(data: dict[str, Any]) -> list[tuple[str, float | None, float]]:
    rows: list[tuple[str, float | None, float]] = []
    names = {s["module"]: s["label"] for s in STACKS}
    for source in SOURCES:
        info = data["tables"][source]
        fastest = info["fastest_peer"]
        rows.append(
            (
                f"warm {source}: lambda_micro / fastest peer ({names.get(fastest, 'n/a')})",
                info["vs_fastest"],
                TARGETS["warm"],
            )
        )
    for source in SOURCES:
        rows.append(
            (
                f"warm {source}: our adapter / apig-wsgi (same raw WSGI app)",
                data["tables"][source]["adapter_vs_apig"],
                TARGETS["adapter"],
            )
        )
    for name, table, key, goal in VERSUS_FLASK:
        rows.append(
            (f"{name} / Flask + apig-wsgi", versus_flask(data, "lambda_micro_app", table, key), TARGETS[goal])
        )
    counts = data.get("instructions", {})
    for key, name, goal in (
        ("init_first", "cold start (init + first), instructions", "cold_instructions"),
        ("spawn_first", "cold start (spawn → first), instructions", "spawn_instructions"),
    ):
        rows.append((f"{name} / Flask + apig-wsgi", counts.get("cold_ratio", {}).get(key), TARGETS[goal]))
    for source in SOURCES:
        info = counts.get("warm", {}).get(source, {})
        fastest = info.get("fastest_peer")
        rows.append(
            (
                f"warm {source}, instructions: lambda_micro / fastest peer ({names.get(fastest, 'n/a')})",
                info.get("vs_fastest"),
                TARGETS["warm"],
            )
        )
    rows.append(
        (
            "SnapStart: first invocation after restore / warm, instructions",
            counts.get("snapstart", {}).get("ratio"),
            TARGETS["snapstart"],
        )
    )
    r10 = data["routing"]["median_us"].get("lambda_micro|10")
    r1000 = data["routing"]["median_us"].get("lambda_micro|1000")
    rows.append(
        (
            "routing: last of 1000 routes / last of 10",
            r1000 / r10 if r10 and r1000 else None,
            TARGETS["routing"],
        )
    )
    return rows


if __name__ == "__main__":
    main()
