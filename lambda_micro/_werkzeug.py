"""Every use lambda_micro makes of werkzeug's private API, in one place.

werkzeug documents its public API only; the hot paths below read and write a few of its internals
(``Headers._list``, ``Rule._converters``, ``Rule._compile_builder``, the sansio Response's ``_status``,
``_status_code`` and ``_on_close``) to skip generic work. When werkzeug changes one of them, this module is
the one to update; the test suite runs every path through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

from werkzeug.routing import Rule

if TYPE_CHECKING:
    from werkzeug.routing.converters import BaseConverter

__all__ = [
    "HEADERS_LIST",
    "RESPONSE_ON_CLOSE",
    "RESPONSE_STATUS",
    "RESPONSE_STATUS_CODE",
    "LazyBuilderRule",
    "rule_converters",
]


class LazyBuilderRule(Rule):
    """A werkzeug Rule that compiles its URL builders on first use.

    werkzeug generates and compiles two Python functions per rule when the rule is bound, which every route
    paid at INIT although many Lambda functions never build a URL.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        # ``Rule.compile()`` binds what this returns as ``_build``/``_build_unknown``. The stand-in compiles
        # werkzeug's builder on its first call and puts it in its own place, so later builds call werkzeug's
        # function directly. A new ``compile()`` (``refresh()``, a rebound map) installs new stand-ins.
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def build_on_first_use(rule: Rule, /, **values: Any) -> tuple[str, str]:
            builder: Callable[..., tuple[str, str]] = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(**values)

        return build_on_first_use


def rule_converters(rule: Rule) -> Iterable[BaseConverter]:
    """The converters of a compiled rule's arguments."""
    return rule._converters.values()


# The hot paths read and write these attributes inline, by name (a function call per response costs more
# than the work it wraps): the names are here, with the other private uses.
#: The sansio Response's status line and code, set together by its ``status`` setter.
RESPONSE_STATUS: Final = "_status"
RESPONSE_STATUS_CODE: Final = "_status_code"
#: The WSGI Response's close callbacks (``call_on_close``), a list.
RESPONSE_ON_CLOSE: Final = "_on_close"
#: A werkzeug ``Headers``' list of ``(name, value)`` pairs.
HEADERS_LIST: Final = "_list"
