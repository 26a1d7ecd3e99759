"""Type aliases for view return values and the callables lambda_micro registers (Flask's shapes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from werkzeug.datastructures import Headers
    from werkzeug.wrappers.response import Response as _WerkzeugResponse

# What a view may return as the body.
ResponseValue: TypeAlias = (
    "_WerkzeugResponse | str | bytes | list[Any] | dict[str, Any] | Iterator[str] | Iterator[bytes]"
)

HeaderName: TypeAlias = str
HeaderValue: TypeAlias = "str | list[str] | tuple[str, ...]"
HeadersValue: TypeAlias = (
    "Headers | Mapping[HeaderName, HeaderValue] | Sequence[tuple[HeaderName, HeaderValue]]"
)

# Everything a view (or a before_request hook, or an error handler) may return.
ResponseReturnValue: TypeAlias = (
    "ResponseValue | tuple[ResponseValue, HeadersValue] | tuple[ResponseValue, int]"
    " | tuple[ResponseValue, int, HeadersValue] | WSGIApplication"
)

RouteCallable: TypeAlias = Callable[..., "ResponseReturnValue"]
BeforeRequestCallable: TypeAlias = Callable[[], "ResponseReturnValue | None"]
AfterRequestCallable: TypeAlias = Callable[[Any], Any]
TeardownCallable: TypeAlias = Callable[[BaseException | None], None]
ErrorHandlerCallable: TypeAlias = Callable[[Any], "ResponseReturnValue"]
TemplateContextProcessorCallable: TypeAlias = Callable[[], dict[str, Any]]
TemplateFilterCallable: TypeAlias = Callable[..., Any]
ShellContextProcessorCallable: TypeAlias = Callable[[], dict[str, Any]]

__all__ = [
    "AfterRequestCallable",
    "BeforeRequestCallable",
    "ErrorHandlerCallable",
    "HeadersValue",
    "ResponseReturnValue",
    "ResponseValue",
    "RouteCallable",
    "ShellContextProcessorCallable",
    "TeardownCallable",
    "TemplateContextProcessorCallable",
    "TemplateFilterCallable",
]
