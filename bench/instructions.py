"""Instruction counts of lambda_micro's Lambda path under callgrind: deterministic, unlike wall-clock timings.

    python bench/instructions.py [--requests 1000] [--routes hello:2.0,user:1.0,page:2.0]

For each route and payload format it runs the benchmark's reference app (bench/stacks/lambda_micro_app.py)
in fresh interpreters under ``valgrind --tool=callgrind`` and prints:

- warm: instructions per request, ``(I(1 + N requests) - I(1 request)) / N`` through ``app.lambda_handler``;
- cold: instructions of importing the handler module and answering the first request, ``I(1 request) -
  I(no import)`` (the interpreter start and the loading of the events are in both and cancel out).

The events are built once beforehand (the project's event builder, in another process) and loaded from a
JSON file, so the measured processes import nothing but the stack. Needs valgrind; takes a minute or two.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES: set[str] = set()  # where the measured processes imported lambda_micro from

# The measured process: load the events, then (unless RUNS is -1) import the handler and answer RUNS + 1
# requests.
_CHILD = """
import json, sys
events_path, route, source, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(events_path, encoding="utf-8") as f:
    event = json.load(f)["proxy"][source][route]
if runs >= 0:
    from _events import LambdaContext  # the benchmark's context object
    from stacks.lambda_micro_app import handler
    context = LambdaContext()
    for _ in range(runs + 1):
        result = handler(event, context)
    assert result["statusCode"] == 200, result
    print("lambda_micro from", sys.modules["lambda_micro"].__file__, file=sys.stderr)
"""


def _instructions(events_path: str, route: str, source: str, runs: int, path: str) -> int:
    with tempfile.TemporaryDirectory() as out:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={os.path.join(out, 'callgrind.out')}",
            sys.executable,
            "-c",
            _CHILD,
            events_path,
            route,
            source,
            str(runs),
        ]
        env = {**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": "0"}
        # Run from an empty folder: `python -c` puts the working directory first on sys.path.
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False, cwd=out)
        if result.returncode != 0:
            raise SystemExit(f"callgrind run failed:\n{result.stderr[-3000:]}")
        if runs >= 0:
            found = re.search(r"lambda_micro from (\S+)", result.stderr)
            if found is None:
                raise SystemExit(
                    f"the measured process did not say where lambda_micro came from:\n{result.stderr}"
                )
            SOURCES.add(os.path.dirname(os.path.dirname(found.group(1))))
        match = re.search(r"Collected : (\d+)", result.stderr)
        if match is None:
            raise SystemExit(f"no instruction count in valgrind's output:\n{result.stderr[-3000:]}")
        return int(match.group(1))


def _package_dirs() -> list[str]:
    import werkzeug

    import lambda_micro

    return [os.path.dirname(lambda_micro.__file__), os.path.dirname(werkzeug.__file__)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="warm requests per route (default 1000)")
    parser.add_argument(
        "--routes", default="hello:2.0,user:1.0,page:2.0", help="route:format, comma-separated"
    )
    parser.add_argument(
        "--source",
        metavar="DIR",
        help="import lambda_micro from DIR (e.g. an export of another commit) instead of this checkout",
    )
    args = parser.parse_args()
    path = os.pathsep.join([args.source, HERE] if args.source else [HERE])
    sys.path.insert(0, HERE)
    from _events import build_events

    _, events = build_events()
    # Bytecode compiled beforehand: a module whose .pyc is stale would be compiled inside the measurement.
    dirs = [HERE, *_package_dirs()] + ([args.source] if args.source else [])
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(events, f)
        events_path = f.name
    try:
        print(f"{'route':<8} {'format':<6} {'warm instr/request':>20} {'cold instr (import + first)':>28}")
        for item in args.routes.split(","):
            route, _, source = item.partition(":")
            nothing = _instructions(events_path, route, source, -1, path)
            first = _instructions(events_path, route, source, 0, path)
            many = _instructions(events_path, route, source, args.requests, path)
            warm = (many - first) / args.requests
            print(f"{route:<8} {source:<6} {warm:>20,.0f} {first - nothing:>28,}")
        print(f"lambda_micro imported from: {', '.join(sorted(SOURCES))}")
    finally:
        os.unlink(events_path)


if __name__ == "__main__":
    main()
