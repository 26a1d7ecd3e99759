"""The blog's worst case for rendering a post body: the slowest body the API and the forms accept.

Posts are rendered once, when written (functions/shared/blog_posts/rendering.py), within bounds on size,
nesting and element count that are meant to keep any accepted body within about 50 ms. This looks for the
slowest accepted body two ways, and reports it:

- known pathological families (each the input of a super-linear path in some Markdown renderer or HTML
  parser: unclosed links, nesting, references, emphasis runs, tables...), each scaled to the largest size
  the bounds accept (a binary search on its repetition count);
- a seeded random search in the style of a fuzzer: short patterns of Markdown pieces (brackets, emphasis,
  quotes, list markers, code fences, raw HTML, entities...), each repeated up to the size limit, the
  slowest of them then mutated to look for slower neighbours.

Each body is timed rendering and sanitising it as a write does (``render(body, "markdown")``: HTML and
excerpt), in CPU time (``time.process_time``): the fastest of ``--repeat`` runs is its cost (rendering is
deterministic and single-threaded; slower runs measure whatever else the machine was doing), the median is
shown beside it. Not a test: timings depend on the machine.

    make bench-render                      # or: .venv/bin/python bench/render_worst_case.py [--quick]
"""

from __future__ import annotations

import argparse
import ast
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions" / "shared"))

from blog_posts import rendering  # the layer's package, from its folder

BUDGET_MS = 50.0

FAMILIES: dict[str, Callable[[int], str]] = {
    "unclosed link destinations `[a](` (issue 16)": lambda n: "[a](" * n,
    "nested brackets `[`": lambda n: "[" * n,
    "image openers `![`": lambda n: "![" * n,
    "balanced brackets `[[...]]`": lambda n: "[" * n + "]" * n,
    "nested quotes `>`": lambda n: ">" * n,
    "nested lists": lambda n: "".join("  " * i + "- a\n" for i in range(n)),
    "list items": lambda n: "- item\n" * n,
    "paragraphs": lambda n: "a\n\n" * n,
    "emphasis openers `*a `": lambda n: "*a " * n,
    "mixed emphasis `*a_`": lambda n: "*a_" * n,
    "emphasis runs `**_`": lambda n: "**_" * n,
    "interleaved `_*`": lambda n: "_*" * n,
    "backtick runs": lambda n: "`a``" * n,
    "code fences": lambda n: "```\n" * n,
    "reference definitions": lambda n: "[a]: /b\n" * n,
    "reference uses": lambda n: "[a]: /b\n" + "[a]" * n,
    "links": lambda n: "[text](https://example.com/path) " * n,
    "autolinks www.": lambda n: "www.example.com " * n,
    "angle autolinks": lambda n: "<https://example.com> " * n,
    "raw HTML openers `<a `": lambda n: "<a " * n,
    # The HTML5 parser's quadratic case (open formatting elements reconstructed in every paragraph), in
    # raw HTML, which safe mode leaves out.
    "raw HTML formatting, distinct attributes": lambda n: "".join(
        f'<b title="{i}">\n\npara\n\n' for i in range(n)
    ),
    "less-than signs": lambda n: "<" * n,
    "entities `&#`": lambda n: "&#" * n,
    "named entities": lambda n: "&amp;&lt;&gt;" * n,
    "tildes `~a`": lambda n: "~a" * n,
    "tables, rows": lambda n: "|a|b|\n|-|-|\n" + "|x|y|\n" * n,
    "tables, columns": lambda n: "|" + "a|" * n + "\n|" + "-|" * n + "\n|" + "x|" * n + "\n",
    "headings": lambda n: "# heading\n" * n,
    "hard breaks": lambda n: "line  \n" * n,
    "typical prose": lambda n: (
        "Some *emphasis*, a [link](https://example.com), `code` and **strong** words in a sentence.\n\n" * n
    ),
}

PIECES = [
    "[", "]", "(", ")", "*", "_", "**", "`", "```", "~", "~~", "<", ">", "> ", "- ", "* ", "1. ", "# ", "|",
    "|-", "---", "!", "\\", "&", "&#", "&amp;", "http://", "www.", "\n", "\n\n", "    ", "a", "word ", "<b>",
    "</b>", "<p>", "<div>", '<a href="x">', "<!--", "-->", "[a]: /u\n", "](", "![", "\t", ":", '"', "'",
]  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """One accepted body and what it cost."""

    name: str
    body: str
    milliseconds: float  # the fastest of the runs: the least disturbed by other work on the machine
    median: float
    html_bytes: int


def accepted(body: str) -> bool:
    try:
        rendering.render(body, "markdown")
    except rendering.BodyTooComplex:
        return False
    return True


def timed(name: str, body: str, repeat: int) -> Sample:
    times = []
    for _ in range(repeat):
        # CPU time of this process: on a machine shared with other work, wall time also counts the time
        # the scheduler gave to others, and varied by a factor of two from run to run here.
        start = time.process_time()
        result = rendering.render(body, "markdown")
        times.append((time.process_time() - start) * 1000)
    html_bytes = len((result.html or "").encode("utf-8"))
    return Sample(name, body, min(times), statistics.median(times), html_bytes)


def largest_accepted(make: Callable[[int], str]) -> str | None:
    """The body of the largest repetition count the bounds accept (binary search), or None."""
    low, high = 0, 1
    while accepted(make(high)) and len(make(high)) <= rendering.MAX_BODY_LENGTH:
        low, high = high, high * 2
        if high > rendering.MAX_BODY_LENGTH:
            break
    high = min(high, rendering.MAX_BODY_LENGTH)
    while high - low > 1:
        middle = (low + high) // 2
        if accepted(make(middle)):
            low = middle
        else:
            high = middle
    return make(low) if low else None


def fill(pattern: str) -> str:
    """``pattern`` repeated to the size limit, halved until the bounds accept it ("" if they never do)."""
    body = pattern * (rendering.MAX_BODY_LENGTH // max(len(pattern), 1))
    while body and not accepted(body):
        body = body[: len(body) // 2]
    return body


def random_pattern(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 5)))


def search(rng: random.Random, samples: int, repeat: int) -> list[Sample]:
    """Random repeated patterns, then mutations of the slowest."""
    found: list[Sample] = []
    for index in range(samples):
        pattern = random_pattern(rng)
        body = fill(pattern)
        if body:
            found.append(timed(f"random pattern {index}: {pattern!r}", body, repeat))
    found.sort(key=lambda sample: sample.milliseconds, reverse=True)
    for parent in found[:5]:
        pattern = parent.name.split(": ", 1)[1]
        for step in range(max(samples // 20, 2)):
            mutated = ast.literal_eval(pattern)  # the repr of a pattern this script wrote itself
            position = rng.randrange(len(mutated) + 1)
            mutated = mutated[:position] + rng.choice(PIECES) + mutated[position:]
            body = fill(mutated)
            if body:
                label = f"mutation {step} of {parent.name.split(':')[0]}: {mutated!r}"
                found.append(timed(label, body, repeat))
    return found


def row(sample: Sample) -> str:
    label = sample.name.replace("|", "\\|")
    return (
        f"| {label} | {len(sample.body)} | {sample.html_bytes} | {sample.milliseconds:.1f} | "
        f"{sample.median:.1f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="random patterns to try (default 200)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per body, fastest kept (default 5)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 patterns, 3 runs each")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.repeat = 20, 3
    rendering.render("warm *up* the [imports](x)", "markdown")

    families = []
    for name, make in FAMILIES.items():
        body = largest_accepted(make)
        if body is not None:
            families.append(timed(name, body, args.repeat))
    fuzzed = search(random.Random(args.seed), args.samples, args.repeat)

    print("# Rendering a post body: the slowest accepted bodies\n")
    print(
        f"Bounds: {rendering.MAX_BODY_LENGTH} characters, nesting {rendering.MAX_NESTING}, "
        f"{rendering.MAX_DELIMITERS} of *, _ and ~, {rendering.MAX_ELEMENTS} elements, "
        f"{rendering.MAX_HTML_BYTES} bytes of HTML. Fastest and median of {args.repeat} runs of "
        f"render(body, 'markdown'), CPU time; {len(families)} families, {len(fuzzed)} fuzzed bodies "
        f"(seed {args.seed}).\n"
    )
    print("| family (largest accepted) | characters | HTML bytes | ms | median ms |")
    print("|---|--:|--:|--:|--:|")
    for sample in sorted(families, key=lambda sample: sample.milliseconds, reverse=True):
        print(row(sample))
    print("\n| slowest fuzzed bodies | characters | HTML bytes | ms | median ms |")
    print("|---|--:|--:|--:|--:|")
    for sample in sorted(fuzzed, key=lambda sample: sample.milliseconds, reverse=True)[:5]:
        print(row(sample))
    worst = max(families + fuzzed, key=lambda sample: sample.milliseconds)
    verdict = "within" if worst.milliseconds <= BUDGET_MS else "OVER"
    print(
        f"\nSlowest accepted body: {worst.name}, {len(worst.body)} characters, {worst.milliseconds:.1f} ms "
        f"({verdict} the {BUDGET_MS:.0f} ms budget)."
    )
    return 0 if worst.milliseconds <= BUDGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
