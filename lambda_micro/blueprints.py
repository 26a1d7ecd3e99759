"""Blueprints: groups of routes, hooks, error handlers and templates, registered on an App (and nestable)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .scaffold import Scaffold, _endpoint_from_view_func, _exception_class_and_code
from .typing import (
    AfterRequestCallable,
    BeforeRequestCallable,
    ErrorHandlerCallable,
    TeardownCallable,
)

if TYPE_CHECKING:
    from .app import App
    from .events.registry import EventHandler
    from .typing import RouteCallable, TemplateContextProcessorCallable

__all__ = ["Blueprint"]

# Bounds are the aliases themselves, not their names: a string bound is compiled at import.
T_before = TypeVar("T_before", bound=BeforeRequestCallable)
T_after = TypeVar("T_after", bound=AfterRequestCallable)
T_teardown = TypeVar("T_teardown", bound=TeardownCallable)
T_handler = TypeVar("T_handler", bound=ErrorHandlerCallable)
T_callable = TypeVar("T_callable", bound=Callable[..., Any])

_HOOK_ATTRS = (
    "before_request_funcs",
    "after_request_funcs",
    "teardown_request_funcs",
    "template_context_processors",
)


def _join_prefix(prefix: str, rule: str) -> str:
    if not rule:
        return prefix
    return f"{prefix.rstrip('/')}/{rule.lstrip('/')}"


class Blueprint(Scaffold):
    """A group of views registered on an app under a name (endpoints ``name.view``) and a URL prefix.

    Its hooks and error handlers apply only to its own requests (and its nested blueprints'); the
    ``*_app_*`` variants register app-wide ones. ``template_folder`` and ``static_folder`` are relative to
    the blueprint's module.
    """

    def __init__(
        self,
        name: str,
        import_name: str,
        *,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        url_defaults: dict[str, Any] | None = None,
        root_path: str | None = None,
    ) -> None:
        if not name:
            raise ValueError("'name' may not be empty.")
        if "." in name:
            raise ValueError(f"Blueprint name {name!r} may not contain a dot '.' character.")
        super().__init__(
            import_name, template_folder=template_folder, static_folder=static_folder, root_path=root_path
        )
        self.name = name
        self.url_prefix = url_prefix
        self.url_defaults = dict(url_defaults or {})
        self.static_url_path = static_url_path
        self._rules: list[tuple[str, str | None, RouteCallable | None, bool | None, dict[str, Any]]] = []
        self._blueprints: list[tuple[Blueprint, dict[str, Any]]] = []
        self._app_error_handlers: list[tuple[type[BaseException] | int, ErrorHandlerCallable]] = []
        self._app_hooks: dict[str, list[Any]] = {attr: [] for attr in _HOOK_ATTRS}
        # Registrations applied to the app at each registration, with the blueprint's registered name.
        self._deferred: list[Callable[[App, str], None]] = []
        self._got_registered_once = False

    def _check_setup_finished(self, method: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method {method!r} can no longer be called on the blueprint {self.name!r}: it has"
                " already been registered on an app, so the change would not be applied. Make all"
                " registrations before registering the blueprint."
            )

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: Any,
    ) -> None:
        """Record a route; registration adds it to the app, prefixed, as ``blueprint.endpoint``."""
        self._check_setup_finished("add_url_rule")
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        if "." in endpoint:
            raise ValueError(f"Blueprint endpoint {endpoint!r} may not contain a dot '.' character.")
        self._rules.append((rule, endpoint, view_func, provide_automatic_options, options))

    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Nest ``blueprint`` in this one: endpoints ``parent.child.view``, URL prefixes joined."""
        self._check_setup_finished("register_blueprint")
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself.")
        self._blueprints.append((blueprint, options))

    # App-wide registrations made from a blueprint ------------------------------------------------

    def before_app_request(self, f: T_before) -> T_before:
        """Like :meth:`before_request`, for every request of the app."""
        self._check_setup_finished("before_app_request")
        self._app_hooks["before_request_funcs"].append(f)
        return f

    def after_app_request(self, f: T_after) -> T_after:
        """Like :meth:`after_request`, for every request of the app."""
        self._check_setup_finished("after_app_request")
        self._app_hooks["after_request_funcs"].append(f)
        return f

    def teardown_app_request(self, f: T_teardown) -> T_teardown:
        """Like :meth:`teardown_request`, for every request of the app."""
        self._check_setup_finished("teardown_app_request")
        self._app_hooks["teardown_request_funcs"].append(f)
        return f

    def app_context_processor(self, f: TemplateContextProcessorCallable) -> TemplateContextProcessorCallable:
        """Like :meth:`context_processor`, for every template of the app."""
        self._check_setup_finished("app_context_processor")
        self._app_hooks["template_context_processors"].append(f)
        return f

    def _register_view(self, endpoint: str, f: RouteCallable) -> None:
        self._deferred.append(lambda app, name: app._register_view(f"{name}.{endpoint}", f))

    def _add_event_handler(self, spec: EventHandler) -> None:
        # Added to the app when the blueprint is registered, in registration order, named by the blueprint.
        self._deferred.append(lambda app, name: app._add_event_handler(spec.for_blueprint(name)))

    def app_template_filter(self, name: str | None = None) -> Callable[[T_callable], T_callable]:
        """Like ``App.template_filter``, registered on the app with the blueprint."""
        return self._app_template("add_template_filter", name)

    def add_app_template_filter(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Non-decorator form of :meth:`app_template_filter`."""
        self._app_template("add_template_filter", name)(f)

    def app_template_global(self, name: str | None = None) -> Callable[[T_callable], T_callable]:
        """Like ``App.template_global``, registered on the app with the blueprint."""
        return self._app_template("add_template_global", name)

    def add_app_template_global(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Non-decorator form of :meth:`app_template_global`."""
        self._app_template("add_template_global", name)(f)

    def app_template_test(self, name: str | None = None) -> Callable[[T_callable], T_callable]:
        """Like ``App.template_test``, registered on the app with the blueprint."""
        return self._app_template("add_template_test", name)

    def add_app_template_test(self, f: Callable[..., Any], name: str | None = None) -> None:
        """Non-decorator form of :meth:`app_template_test`."""
        self._app_template("add_template_test", name)(f)

    def _app_template(self, method: str, name: str | None) -> Callable[[T_callable], T_callable]:
        def decorator(f: T_callable) -> T_callable:
            self._check_setup_finished(method.replace("add_", "add_app_"))
            self._deferred.append(lambda app, _: getattr(app, method)(f, name))
            return f

        return decorator

    def app_errorhandler(self, code_or_exception: type[BaseException] | int) -> Any:
        """Like :meth:`errorhandler`, for errors anywhere in the app."""
        _exception_class_and_code(code_or_exception)  # validate now, not at registration

        def decorator(f: T_handler) -> T_handler:
            self._check_setup_finished("app_errorhandler")
            self._app_error_handlers.append((code_or_exception, f))
            return f

        return decorator

    # Registration --------------------------------------------------------------------------------

    def register(self, app: App, options: dict[str, Any]) -> None:
        """Add this blueprint's routes, handlers and hooks to ``app`` (see ``app.register_blueprint``)."""
        self_name = options.get("name", self.name)
        if "." in self_name:
            raise ValueError(f"Blueprint name {self_name!r} may not contain a dot '.' character.")
        name_prefix = options.get("name_prefix", "")
        name = f"{name_prefix}.{self_name}" if name_prefix else self_name
        existing = app.blueprints.get(name)
        if existing is not None:
            which = "this" if existing is self else "a different"
            raise ValueError(
                f"The name {name!r} is already registered for {which} blueprint. Pass a unique name with"
                " register_blueprint(..., name=...)."
            )
        app.blueprints[name] = self
        self._got_registered_once = True

        url_prefix: str | None = options.get("url_prefix", self.url_prefix)
        url_defaults = dict(self.url_defaults)
        url_defaults.update(options.get("url_defaults") or {})

        static_folder = self.static_folder
        if static_folder is not None and os.path.isdir(static_folder):
            static_url_path = self.static_url_path or f"/{os.path.basename(static_folder.rstrip(os.sep))}"
            rule = f"{static_url_path.rstrip('/')}/<path:filename>"
            if url_prefix is not None:
                rule = _join_prefix(url_prefix, rule)
            app.add_url_rule(rule, f"{name}.static", self.send_static_file)

        for rule, endpoint, view_func, automatic_options, rule_options in self._rules:
            full_rule = _join_prefix(url_prefix, rule) if url_prefix is not None else rule
            options_copy = dict(rule_options)
            defaults = {**url_defaults, **(options_copy.pop("defaults", None) or {})}
            if defaults:
                options_copy["defaults"] = defaults
            app.add_url_rule(full_rule, f"{name}.{endpoint}", view_func, automatic_options, **options_copy)

        own_handlers = self.error_handler_spec.get(None)
        if own_handlers:
            app.error_handler_spec[name] = {code: dict(handlers) for code, handlers in own_handlers.items()}
        for attr in _HOOK_ATTRS:
            funcs = getattr(self, attr).get(None)
            if funcs:
                getattr(app, attr).setdefault(name, []).extend(funcs)
            app_funcs = self._app_hooks[attr]
            if app_funcs:
                getattr(app, attr).setdefault(None, []).extend(app_funcs)
        for code_or_exception, handler in self._app_error_handlers:
            app.register_error_handler(code_or_exception, handler)
        for deferred in self._deferred:
            deferred(app, name)

        for child, registered_options in self._blueprints:
            child_options = dict(registered_options)
            child_prefix = child_options.get("url_prefix", child.url_prefix)
            if url_prefix is not None and child_prefix is not None:
                child_options["url_prefix"] = _join_prefix(url_prefix, child_prefix)
            elif url_prefix is not None:
                child_options["url_prefix"] = url_prefix
            child_options["name_prefix"] = name
            child.register(app, child_options)
