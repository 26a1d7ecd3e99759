"""pytest plugin for SAM projects, loaded automatically once ``lambda-micro`` is installed.

Fixtures:

- ``lambda_context``: a :class:`~lambda_micro.testing.LambdaContext`.
- ``sam_template``: the parsed ``template.yaml`` (``--sam-template PATH`` or the ``lambda_micro_template`` ini
  option; default ``template.yaml`` in the rootdir; ``lambda_micro_parameter_overrides`` ini lines
  ``Name=Value``).
- ``aws``: moto's ``mock_aws`` with fake credentials and the template's region, and every table, bucket,
  queue, topic and stream of the template created; gives their names, and boto3 clients/resources.
  ``aws.deliver()`` runs the template's non-HTTP events (SQS, S3, DynamoDB and Kinesis streams, SNS,
  EventBridge rules) as their mappings would, synchronously: put an object, then assert its effect.
- ``function_client``: ``function_client("WebFunction")`` imports that function from its CodeUri and Handler
  with its Environment, and returns a :class:`~lambda_micro.testing.Client` that matches requests against the
  function's template routes (payload, stage, resource) like API Gateway; ``enforce_auth=True`` enforces
  the routes' authorizers (tokens checked against the ``aws`` fixture's Cognito, Lambda authorizers run,
  SigV4 checked, API keys required).

Nothing heavy (PyYAML, boto3, moto) is imported until a fixture needs it, and no template is read unless a
fixture that needs one is used.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from lambda_micro.local.cognito import LocalCognito
    from lambda_micro.local.context import LambdaContext
    from lambda_micro.local.sam import SamTemplate
    from lambda_micro.local.sources.delivery import Delivery, EventDelivery

    from ._client import Client

__all__ = ["AwsResources", "local_aws"]

_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
# Variables that would send boto3 somewhere other than moto, or to a real account's configuration.
_UNSET = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_ENDPOINT_URL_S3",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lambda-micro", "lambda_micro test kit")
    group.addoption(
        "--sam-template",
        dest="lambda_micro_template",
        default=None,
        metavar="PATH",
        help="SAM template for the lambda_micro fixtures (default: template.yaml in the rootdir)",
    )
    parser.addini(
        "lambda_micro_template",
        "SAM template for the lambda_micro fixtures, relative to the rootdir (default: template.yaml)",
        default=None,
    )
    parser.addini(
        "lambda_micro_parameter_overrides",
        "template parameter overrides for the lambda_micro fixtures, one Name=Value per line",
        type="linelist",
        default=[],
    )


_PREVIOUS_DEFAULTS = pytest.StashKey[tuple[Any, ...]]()


def pytest_configure(config: pytest.Config) -> None:
    from . import _drift  # noqa: PLC0415 - stdlib only, but keep the pattern

    # Nested sessions (pytester) must give the outer session its defaults back: see pytest_unconfigure.
    config.stash[_PREVIOUS_DEFAULTS] = (_drift._default_template, _drift._default_overrides)
    try:
        _drift.configure_defaults(template_path(config), _overrides(config))
    except pytest.UsageError:
        _drift.configure_defaults(template_path(config))  # the fixtures report the bad ini line when used


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(_PREVIOUS_DEFAULTS, None)
    if previous is not None:
        from . import _drift  # noqa: PLC0415

        _drift.configure_defaults(*previous)


def template_path(config: pytest.Config) -> Path:
    """The template the fixtures use: ``--sam-template``, else the ini option, else rootdir/template.yaml."""
    option = config.getoption("lambda_micro_template", default=None)
    if option:
        return Path(option).resolve()
    ini = config.getini("lambda_micro_template")
    if ini:
        return (config.rootpath / str(ini)).resolve()
    return config.rootpath / "template.yaml"


def _overrides(config: pytest.Config) -> dict[str, str]:
    overrides = {}
    for line in config.getini("lambda_micro_parameter_overrides"):
        name, sep, value = str(line).partition("=")
        if not sep:
            raise pytest.UsageError(f"lambda_micro_parameter_overrides: expected Name=Value, got {line!r}")
        overrides[name.strip()] = value.strip()
    return overrides


@pytest.fixture
def lambda_context() -> LambdaContext:
    """A Lambda context (``function_name``, ``aws_request_id``, ``get_remaining_time_in_millis()``...)."""
    from lambda_micro.local.context import LambdaContext  # noqa: PLC0415 - keep the plugin cheap to load

    return LambdaContext()


def _load(config: pytest.Config, *, required: bool) -> SamTemplate | None:
    from lambda_micro.local.sam import TemplateError, load_template  # noqa: PLC0415

    path = template_path(config)
    if not path.is_file():
        if not required:
            return None
        pytest.fail(
            f"no SAM template at {path}: add template.yaml to the rootdir, or set the lambda_micro_template "
            "ini option or --sam-template",
            pytrace=False,
        )
    try:
        return load_template(path, parameter_overrides=_overrides(config))
    except TemplateError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def sam_template(pytestconfig: pytest.Config) -> SamTemplate:
    """The parsed SAM template (functions, routes, tables, buckets), read once per session."""
    template = _load(pytestconfig, required=True)
    assert template is not None
    return template


class AwsResources:
    """The local AWS of a test: names of the template's tables and buckets, and boto3 handles."""

    def __init__(self, template: SamTemplate | None, region: str) -> None:
        self.template = template
        self.region = region
        self.tables: dict[str, str] = {}
        self.buckets: dict[str, str] = {}
        #: Queue logical id -> URL; topic and stream logical ids -> ARN.
        self.queues: dict[str, str] = {}
        self.topics: dict[str, str] = {}
        self.streams: dict[str, str] = {}
        self._delivery: EventDelivery | None = None
        self._functions: dict[str, Any] = {}

    def queue_url(self, logical_id: str) -> str:
        """The URL of queue ``logical_id``."""
        return _lookup(self.queues, logical_id, "queue")

    def topic_arn(self, logical_id: str) -> str:
        """The ARN of topic ``logical_id``."""
        return _lookup(self.topics, logical_id, "topic")

    def deliver(self, *, rounds: int = 20) -> list[Delivery]:
        """Deliver what the template's non-HTTP events have for their functions, now, and return the
        deliveries (``str(delivery)``: ``SQS Jobs → WorkerFunction 3 records, 1 failed, 12 ms``).

        Each source is polled as its mapping or service would (SQS, S3 notifications, DynamoDB and Kinesis
        streams, SNS subscriptions, EventBridge rules), until a round delivers nothing, at most ``rounds``
        times (a function's writes may feed another function's source). Schedules fire on time only in
        ``lambda-micro serve``: fire one with :meth:`trigger`. A failed invocation does not raise: it is a
        delivery with ``failed`` records and an ``error``, logged with its traceback.
        """
        if self._delivery is None:
            return []
        return self._delivery.deliver_until_quiet(max_rounds=rounds)

    def trigger(self, qualified_id: str, detail: dict[str, Any] | None = None) -> Delivery:
        """Fire schedule or EventBridge rule ``"Function.Event"`` now; return its delivery."""
        if self._delivery is None:
            raise KeyError(f"the template has no event {qualified_id!r} (no non-HTTP events at all)")
        return self._delivery.trigger(qualified_id, detail=detail)

    def _function(self, logical_id: str) -> Any:
        if logical_id not in self._functions:
            from lambda_micro.local.loader import FunctionLoadError, load_function  # noqa: PLC0415

            assert self.template is not None
            try:
                self._functions[logical_id] = load_function(
                    self.template.function(logical_id), region=self.template.region
                )
            except FunctionLoadError as exc:
                pytest.fail(str(exc), pytrace=False)
        return self._functions[logical_id]

    def _close(self) -> None:
        for loaded in self._functions.values():
            loaded.unload()
        self._functions.clear()

    def table_name(self, logical_id: str) -> str:
        """The physical name of table ``logical_id`` (as the functions see it)."""
        return _lookup(self.tables, logical_id, "table")

    def bucket_name(self, logical_id: str) -> str:
        """The physical name of bucket ``logical_id``."""
        return _lookup(self.buckets, logical_id, "bucket")

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client in the test's region (``aws.client("dynamodb")``)."""
        import boto3  # noqa: PLC0415

        return boto3.client(service, region_name=self.region, **kwargs)  # type: ignore[call-overload]

    def resource(self, service: str, **kwargs: Any) -> Any:
        """A boto3 resource in the test's region."""
        import boto3  # noqa: PLC0415

        return boto3.resource(service, region_name=self.region, **kwargs)  # type: ignore[call-overload]

    def table(self, logical_id: str) -> Any:
        """The boto3 ``Table`` for the template's table ``logical_id``."""
        return self.resource("dynamodb").Table(self.table_name(logical_id))

    def bucket(self, logical_id: str) -> Any:
        """The boto3 ``Bucket`` for the template's bucket ``logical_id``."""
        return self.resource("s3").Bucket(self.bucket_name(logical_id))

    @property
    def cognito(self) -> LocalCognito:
        """The template's user pools on moto: ``aws.cognito.add_user("ada@example.com", groups=[...])``,
        then ``aws.cognito.tokens(user.username, user.password)["IdToken"]``."""
        from lambda_micro.local.cognito import LocalCognito  # noqa: PLC0415

        if self.template is None:
            raise RuntimeError("the aws fixture found no template, so no user pools")
        return LocalCognito(self.template)

    def __repr__(self) -> str:
        return f"<AwsResources region={self.region} tables={self.tables} buckets={self.buckets}>"


def _lookup(names: dict[str, str], logical_id: str, kind: str) -> str:
    try:
        return names[logical_id]
    except KeyError:
        known = ", ".join(sorted(names)) or "none"
        raise KeyError(f"the template has no {kind} {logical_id!r} ({kind}s: {known})") from None


@pytest.fixture
def aws(pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsResources]:
    """moto's ``mock_aws`` with fake credentials; every table, bucket, queue, topic and stream of the
    template is created, and its non-HTTP events are wired for ``aws.deliver()``."""
    with local_aws(_load(pytestconfig, required=False), monkeypatch) as resources:
        yield resources


@contextlib.contextmanager
def local_aws(template: SamTemplate | None, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsResources]:
    """What the ``aws`` fixture gives, for ``template`` (a test of another project than the rootdir's)."""
    from moto import mock_aws  # noqa: PLC0415

    from lambda_micro.local.dynamodb_atomic import make_dynamodb_atomic  # noqa: PLC0415
    from lambda_micro.local.resources import create_resources  # noqa: PLC0415

    make_dynamodb_atomic()  # concurrent conditional writes keep DynamoDB's guarantee, as on AWS

    region = template.region if template is not None else "us-east-1"
    for name in _UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in _FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_REGION", region)
    resources = AwsResources(template, region)
    with mock_aws():
        if template is not None:
            created = create_resources(template)
            resources.tables = created.tables
            resources.buckets = created.buckets
            resources.queues, resources.topics = created.queues, created.topics
            resources.streams = created.streams
            if template.event_sources:
                from lambda_micro.local.sources.delivery import EventDelivery  # noqa: PLC0415

                functions = _LazyFunctions(resources, template)
                resources._delivery = EventDelivery(template, lambda: functions).setup()
        try:
            yield resources
        finally:
            resources._close()


class _LazyFunctions(Mapping[str, Any]):
    """The template's functions, each loaded when an event is first delivered to it."""

    def __init__(self, resources: AwsResources, template: SamTemplate) -> None:
        self._resources = resources
        self._ids = list(template.functions)

    def __getitem__(self, key: str) -> Any:
        if key not in self._ids:
            raise KeyError(key)
        return self._resources._function(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@pytest.fixture
def function_client(sam_template: SamTemplate, aws: AwsResources) -> Iterator[Callable[..., Client]]:
    """``function_client("LogicalId", payload=None, enforce_auth=False, trust_dev_issuer=False,
    **client_options)``: a Client for a template function."""
    from lambda_micro.local.loader import FunctionLoadError, load_function  # noqa: PLC0415

    from ._client import Client  # noqa: PLC0415

    loaded_functions: list[Any] = []

    def load(logical_id: str) -> Any:
        try:
            loaded = load_function(sam_template.function(logical_id), region=sam_template.region)
        except FunctionLoadError as exc:
            pytest.fail(str(exc), pytrace=False)
        loaded_functions.append(loaded)
        return loaded

    def make(
        logical_id: str,
        payload: str | None = None,
        *,
        enforce_auth: bool = False,
        trust_dev_issuer: bool = False,
        **options: Any,
    ) -> Client:
        function = sam_template.function(logical_id)
        loaded = load(logical_id)
        if enforce_auth:
            options.setdefault("auth", _enforcing_auth(sam_template, trust_dev_issuer))
            options.setdefault("authorizers", {name: load(name) for name in _authorizer_functions(function)})
        options.setdefault("template", sam_template)
        options.setdefault("function_name", function.function_name)
        options.setdefault("timeout", float(function.timeout))
        options.setdefault("memory_size", function.memory_size)
        if payload is not None:
            return Client(loaded, payload=payload, **options)
        if function.routes:
            first = function.routes[0]
            options.setdefault("stage", first.stage)
            return Client(
                loaded, payload=first.payload, api_kind=first.api_kind, routes=function.routes, **options
            )
        return Client(loaded, payload="url" if function.function_url is not None else "2.0", **options)

    yield make
    for loaded in loaded_functions:
        loaded.unload()


def _authorizer_functions(function: Any) -> list[str]:
    """The template functions the Lambda authorizers of ``function``'s routes run."""
    names = []
    for route in function.routes:
        authorizer = route.auth.authorizer if route.auth is not None else None
        name = getattr(authorizer, "function_id", None)
        if name and name not in names and name != function.logical_id:
            names.append(name)
    return names


def _enforcing_auth(template: SamTemplate, trust_dev_issuer: bool) -> Any:
    """The authorization stage of ``serve``, on the test's moto: the template pools' keys, moto's IAM."""
    from lambda_micro.local.auth.dev_issuer import DevIssuer  # noqa: PLC0415
    from lambda_micro.local.auth.keys import IssuerKeys  # noqa: PLC0415
    from lambda_micro.local.auth.stage import GatewayAuth  # noqa: PLC0415

    keys = IssuerKeys(
        pool_issuers=[pool.issuer for pool in template.user_pools.values()],
        dev_issuer=DevIssuer.in_memory(),
        trust_dev_issuer=trust_dev_issuer,
    )
    return GatewayAuth(keys=keys)
