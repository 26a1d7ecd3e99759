"""One measured process of bench/instructions.py, run under ``valgrind --tool=callgrind``.

    python bench/_instructions_child.py MODULE EVENTS_JSON PLAN_JSON

It goes through the phases of a Lambda function's life and calls ``os.getppid()`` at the end of each:
callgrind runs with ``--dump-before=os_getppid``, so each phase's instruction count lands in a dump file of
its own, in order (a phase is measured exactly, in one process, without differencing runs). Phases:

- ``interpreter``: the interpreter's start up to this script's first line;
- ``runtime``: the Lambda runtime interface client's import (awslambdaric's bootstrap, as the runtime has
  it loaded before INIT) and the loading of the events (cancels out: it is no part of INIT);
- ``init``: importing the handler module (INIT);
- with SnapStart (``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`` in the environment): ``before_snapshot``
  and ``after_restore``, the hooks registered with ``snapshot_restore_py``, run as awslambdaric runs them;
- ``first``: the first invocation (``GET /`` of the plan's payload format);
- ``warm:FORMAT:ROUTE``: ``N`` invocations of one route (after ``WARMUP`` unmeasured ones).

The phase names are printed on stdout, one JSON list, in dump order.
"""

import os
import sys

os.getppid()  # end of "interpreter"

try:  # noqa: SIM105 - contextlib is not loaded by the runtime client: importing it would skew the count
    import awslambdaric.bootstrap  # noqa: F401
except ImportError:
    pass

import importlib  # noqa: E402
import json  # noqa: E402

from _lambda_context import LambdaContext  # noqa: E402

_HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    module_name, events_path, plan_json = sys.argv[1:4]
    plan = json.loads(plan_json)
    with open(events_path, encoding="utf-8") as events_file:
        events = json.load(events_file)["events"][plan["resources"]]
    sys.path.insert(0, _HERE)
    importlib.import_module("stacks")  # the benchmark's registry (plain data), not part of any stack
    context = LambdaContext()
    phases = ["interpreter", "runtime"]
    os.getppid()  # end of "runtime"
    handler = importlib.import_module(f"stacks.{module_name}").handler
    os.getppid()
    phases.append("init")
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "snap-start":
        from snapshot_restore_py import get_after_restore, get_before_snapshot

        for hook, args, kwargs in reversed(get_before_snapshot()):
            hook(*args, **kwargs)
        os.getppid()
        phases.append("before_snapshot")
        for hook, args, kwargs in get_after_restore():
            hook(*args, **kwargs)
        os.getppid()
        phases.append("after_restore")
    result = handler(events[plan["first_source"]]["hello"], context)
    os.getppid()
    phases.append("first")
    assert int(result["statusCode"]) == 200, result  # aws-wsgi answers a string
    runs, warmup = plan["runs"], plan["warmup"]
    for source, route in plan["warm"]:
        event = events[source][route]
        for _ in range(warmup):
            handler(event, context)
        os.getppid()
        phases.append(f"warmup:{source}:{route}")
        for _ in range(runs):
            handler(event, context)
        os.getppid()
        phases.append(f"warm:{source}:{route}")
    sys.stdout.write(json.dumps(phases) + "\n")
    sys.stdout.flush()
    os._exit(0)  # the interpreter's shutdown is no part of any phase


main()
