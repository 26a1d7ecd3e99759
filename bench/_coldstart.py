"""One cold start in a fresh interpreter spawned by bench/run.py: import a stack's handler, answer once.

    python bench/_coldstart.py MODULE EVENTS_JSON SOURCE RESOURCES

Like the Lambda Python runtime, it first imports the runtime interface client (awslambdaric's bootstrap,
which loads json, logging, decimal, traceback...), then imports the handler module (INIT) and answers
``GET /`` (the first invocation). It prints one JSON line as soon as that response exists, so the parent can
time spawn -> first response, then answers every other route once and prints a second line with the peak RSS.
It imports nothing a stack could otherwise have to import itself.
"""

import sys
import time

_started = time.perf_counter()

try:  # noqa: SIM105 - contextlib is not loaded by the runtime: importing it here would skew the sample
    import awslambdaric.bootstrap  # noqa: F401  - what the runtime has loaded before it imports the handler
except ImportError:
    pass

import importlib  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402

from _lambda_context import LambdaContext  # noqa: E402


def main() -> None:
    module_name, events_path, source, resources = sys.argv[1:5]
    with open(events_path, encoding="utf-8") as events_file:
        events = json.load(events_file)["events"][resources][source]
    context = LambdaContext()
    importlib.import_module("stacks")  # the benchmark's registry (plain data), not part of any stack
    runtime_ready = time.perf_counter()
    modules_before = len(sys.modules)
    sys.stderr.write("bench-coldstart: importing the handler module\n")
    sys.stderr.flush()
    t0 = time.perf_counter()
    handler = importlib.import_module(f"stacks.{module_name}").handler
    t1 = time.perf_counter()
    result = handler(events["hello"], context)
    t2 = time.perf_counter()
    status = result.get("statusCode") if isinstance(result, dict) else None
    rss_first = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    first = {
        "status": status,
        "runtime_ms": (runtime_ready - _started) * 1000,
        "import_ms": (t1 - t0) * 1000,
        "first_ms": (t2 - t1) * 1000,
        "modules": len(sys.modules) - modules_before,
        "rss_first_kb": rss_first,
    }
    sys.stdout.write(json.dumps(first) + "\n")
    sys.stdout.flush()
    sys.stderr.write("bench-coldstart: first response sent\n")
    sys.stderr.flush()
    skip = set(sys.argv[5].split(",")) if len(sys.argv) > 5 and sys.argv[5] else set()
    for route, event in events.items():
        if route != "hello" and route not in skip:
            handler(event, context)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(json.dumps({"rss_kb": rss, "modules_all": len(sys.modules) - modules_before}) + "\n")
    sys.stdout.flush()


main()
