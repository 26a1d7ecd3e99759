"""Class-based views, as ``flask.views``: :class:`View` and :class:`MethodView`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, ClassVar

from werkzeug.exceptions import MethodNotAllowed

from .globals import request
from .typing import ResponseReturnValue, RouteCallable

__all__ = ["MethodView", "View", "http_method_funcs"]

http_method_funcs = frozenset(["get", "post", "head", "options", "delete", "put", "trace", "patch"])


class View:
    """Subclass and override :meth:`dispatch_request`; register ``MyView.as_view("name")``.

    ``methods`` sets the accepted methods, ``decorators`` decorates the generated view function, and
    ``init_every_request = False`` reuses one instance for every request.
    """

    methods: ClassVar[Collection[str] | None] = None
    provide_automatic_options: ClassVar[bool | None] = None
    decorators: ClassVar[list[Callable[..., Any]]] = []
    init_every_request: ClassVar[bool] = True

    def dispatch_request(self, **kwargs: Any) -> ResponseReturnValue:
        """The view: called with the URL's variables; return a response value."""
        raise NotImplementedError

    @classmethod
    def as_view(cls, name: str, *class_args: Any, **class_kwargs: Any) -> RouteCallable:
        """A view function for ``add_url_rule``: it makes an instance (with these arguments) per request,
        or once when ``init_every_request`` is ``False``, and calls its ``dispatch_request``."""
        if cls.init_every_request:

            def view(**kwargs: Any) -> ResponseReturnValue:
                instance = view.view_class(*class_args, **class_kwargs)  # type: ignore[attr-defined]
                return instance.dispatch_request(**kwargs)  # type: ignore[no-any-return]

        else:
            instance = cls(*class_args, **class_kwargs)

            def view(**kwargs: Any) -> ResponseReturnValue:
                return instance.dispatch_request(**kwargs)

        if cls.decorators:
            view.__name__ = name
            view.__module__ = cls.__module__
            for decorator in cls.decorators:
                view = decorator(view)
        view.view_class = cls  # type: ignore[attr-defined]
        view.__name__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods  # type: ignore[attr-defined]
        view.provide_automatic_options = cls.provide_automatic_options  # type: ignore[attr-defined]
        return view


class MethodView(View):
    """Dispatches each request to the method named after its HTTP method (``get``, ``post``…; ``HEAD``
    falls back to ``get``). ``methods`` is computed from the methods the class defines."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" not in cls.__dict__:
            methods: set[str] = set()
            for base in cls.__bases__:
                base_methods = getattr(base, "methods", None)
                if base_methods:
                    methods.update(base_methods)
            for key in http_method_funcs:
                if hasattr(cls, key):
                    methods.add(key.upper())
            if methods:
                cls.methods = methods

    def dispatch_request(self, **kwargs: Any) -> ResponseReturnValue:
        """Call the method for the request's HTTP method; one the class lacks is a 405."""
        method = request.method
        handler = getattr(self, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(self, "get", None)
        if handler is None:
            raise MethodNotAllowed(
                valid_methods=sorted(m for m in self.methods or () if hasattr(self, m.lower()))
            )
        return handler(**kwargs)  # type: ignore[no-any-return]
