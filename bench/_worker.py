"""Measurements that run inside the benchmark virtualenv; bench/run.py starts it and reads its JSON.

python bench/_worker.py warm --rounds R --batch N --out FILE      correctness, then warm timings
python bench/_worker.py routing --rounds R --batch N --out FILE   routing cost at 10/100/1000 routes
python bench/_worker.py events --out FILE                         the events cold-start children send
"""

from __future__ import annotations

import argparse
import copy
import gc
import importlib
import json
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _checks import check
from _events import LambdaContext, build_events
from stacks import ROUTES, SOURCES, STACKS

Handler = Callable[[dict[str, Any], Any], Any]


def _time_batch(handler: Handler, events: list[dict[str, Any]], context: Any) -> float:
    """Mean µs per invocation over ``events`` (timeit's practice: no GC pause inside the timed loop)."""
    gc_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for event in events:
            handler(event, context)
        elapsed = time.perf_counter_ns() - start
    finally:
        if gc_enabled:
            gc.enable()
    return elapsed / len(events) / 1000.0


def _load_stacks(only: set[str] | None) -> tuple[dict[str, Handler], dict[str, str]]:
    handlers: dict[str, Handler] = {}
    errors: dict[str, str] = {}
    for stack in STACKS:
        module = stack["module"]
        if only and module not in only:
            continue
        try:
            handlers[module] = importlib.import_module(f"stacks.{module}").handler
        except Exception as exc:
            errors[module] = f"{type(exc).__name__}: {exc}".strip()
    return handlers, errors


def warm(args: argparse.Namespace) -> dict[str, Any]:
    only = set(args.only.split(",")) if args.only else None
    builder, events = build_events(args.events)
    handlers, load_errors = _load_stacks(only)
    context = LambdaContext()
    status: dict[str, dict[str, dict[str, str]]] = {}  # module -> source -> route -> "ok" | "n/a: ..." | ...
    runnable: list[tuple[str, str, str, dict[str, Any]]] = []
    for stack in STACKS:
        module = stack["module"]
        if only and module not in only:
            continue
        resources = stack.get("rest_resources", "proxy")
        per_source: dict[str, dict[str, str]] = {}
        for source in SOURCES:
            per_route: dict[str, str] = {}
            for route in ROUTES:
                na = stack["sources"][source] or stack["routes_na"].get(route)
                if na:
                    per_route[route] = f"n/a: {na}"
                    continue
                if module in load_errors:
                    per_route[route] = f"error: import failed: {load_errors[module]}"
                    continue
                event = events[resources][source][route]
                try:
                    result = handlers[module](copy.deepcopy(event), context)
                except Exception as exc:
                    tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
                    per_route[route] = f"error: raised {tb}"
                    continue
                problems = check(route, source, result)
                if problems:
                    per_route[route] = "wrong: " + "; ".join(problems)
                else:
                    per_route[route] = "ok"
                    runnable.append((module, source, route, event))
            per_source[source] = per_route
        status[module] = per_source

    # Warm-up: compile templates, fill caches, let adaptive specialisation settle.
    for module, _source, _route, event in runnable:
        for _ in range(args.warmup):
            handlers[module](copy.deepcopy(event), context)

    samples: dict[str, list[float]] = {f"{m}|{s}|{r}": [] for m, s, r, _ in runnable}
    groups: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for module, source, route, event in runnable:
        groups.setdefault((source, route), []).append((module, event))
    started = time.monotonic()
    for round_index in range(args.rounds):
        for (source, route), members in groups.items():
            shift = round_index % len(members)
            for module, event in members[shift:] + members[:shift]:
                batch = [copy.deepcopy(event) for _ in range(args.batch)]
                gc.collect()
                samples[f"{module}|{source}|{route}"].append(_time_batch(handlers[module], batch, context))
    return {
        "builder": builder,
        "status": status,
        "load_errors": load_errors,
        "rounds": args.rounds,
        "batch": args.batch,
        "seconds": time.monotonic() - started,
        "median_us": {key: statistics.median(values) for key, values in samples.items()},
        "samples_us": samples,
    }


def _routing_apps(count: int) -> dict[str, Handler]:
    from apig_wsgi import make_lambda_handler
    from flask import Flask

    apps: dict[str, Handler] = {}
    try:
        from lambda_micro import App

        ours = App(f"bench_routes_{count}")
        for i in range(count):
            ours.get(f"/r{i}/items/<item_id>")(_view(i))
        apps["lambda_micro"] = ours.lambda_handler
    except Exception as exc:
        print(f"routing: lambda_micro unavailable: {exc}", file=sys.stderr)
    flask_app = Flask(f"bench_routes_{count}")
    for i in range(count):
        flask_app.get(f"/r{i}/items/<item_id>")(_view(i))
    apps["Flask + apig-wsgi"] = make_lambda_handler(flask_app)
    return apps


def _view(i: int) -> Callable[[str], str]:
    def view(item_id: str) -> str:
        return f"{i}:{item_id}"

    view.__name__ = f"route_{i}"
    return view


def routing(args: argparse.Namespace) -> dict[str, Any]:
    _builder, events = build_events(args.events)
    template = events["proxy"]["1.0"]["hello"]
    context = LambdaContext()
    counts = (10, 100, 1000)
    cases: list[tuple[str, int, Handler, dict[str, Any]]] = []
    problems: dict[str, str] = {}
    for count in counts:
        event = copy.deepcopy(template)
        path = f"/r{count - 1}/items/7"
        event["path"] = path
        event["resource"] = "/{proxy+}"
        event["pathParameters"] = {"proxy": path[1:]}
        event["requestContext"]["path"] = f"/{event['requestContext']['stage']}{path}"
        for name, handler in _routing_apps(count).items():
            result = handler(copy.deepcopy(event), context)
            body = result.get("body") if isinstance(result, dict) else None
            if (
                not isinstance(result, dict)
                or int(result.get("statusCode", 0)) != 200
                or body != f"{count - 1}:7"
            ):
                problems[f"{name}|{count}"] = f"wrong answer: {str(result)[:120]}"
                continue
            cases.append((name, count, handler, event))
    for _name, _count, handler, event in cases:
        for _ in range(args.warmup):
            handler(copy.deepcopy(event), context)
    samples: dict[str, list[float]] = {f"{n}|{c}": [] for n, c, _, _ in cases}
    for round_index in range(args.rounds):
        shift = round_index % len(cases) if cases else 0
        for name, count, handler, event in cases[shift:] + cases[:shift]:
            batch = [copy.deepcopy(event) for _ in range(args.batch)]
            gc.collect()
            samples[f"{name}|{count}"].append(_time_batch(handler, batch, context))
    return {
        "problems": problems,
        "median_us": {key: statistics.median(values) for key, values in samples.items() if values},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["warm", "routing", "events"])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--events", choices=["auto", "kit", "files"], default="auto")
    parser.add_argument("--only", default="", help="comma-separated stack modules")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.command == "warm":
        output = warm(args)
    elif args.command == "routing":
        output = routing(args)
    else:
        builder, events = build_events(args.events)
        output = {"builder": builder, "events": events}
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(output, out)


if __name__ == "__main__":
    main()
