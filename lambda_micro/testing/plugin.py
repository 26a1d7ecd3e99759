"""pytest plugin for SAM projects, loaded automatically once ``lambda-micro`` is installed.

Fixtures:

- ``lambda_context``: a :class:`~lambda_micro.testing.LambdaContext`.
- ``sam_template``: the parsed ``template.yaml`` (``--sam-template PATH`` or the ``lambda_micro_template`` ini
  option; default ``template.yaml`` in the rootdir; ``lambda_micro_parameter_overrides`` ini lines
  ``Name=Value``).
- ``aws``: moto's ``mock_aws`` with fake credentials and the template's region, and every table and bucket of
  the template created; gives their names, and boto3 clients/resources.
- ``function_client``: ``function_client("WebFunction")`` imports that function from its CodeUri and Handler
  with its Environment, and returns a :class:`~lambda_micro.testing.Client` that matches requests against the
  function's template routes (payload, stage, resource) like API Gateway; ``enforce_auth=True`` enforces
  the routes' authorizers (tokens checked against the ``aws`` fixture's Cognito, Lambda authorizers run,
  SigV4 checked, API keys required).

Nothing heavy (PyYAML, boto3, moto) is imported until a fixture needs it, and no template is read unless a
fixture that needs one is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from lambda_micro.local.cognito import LocalCognito
    from lambda_micro.local.context import LambdaContext
    from lambda_micro.local.sam import SamTemplate

    from ._client import Client

__all__ = ["AwsResources"]

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
    """moto's ``mock_aws`` with fake credentials; every table and bucket of the template is created."""
    from moto import mock_aws  # noqa: PLC0415

    from lambda_micro.local.dynamodb_atomic import make_dynamodb_atomic  # noqa: PLC0415
    from lambda_micro.local.resources import create_resources  # noqa: PLC0415

    make_dynamodb_atomic()  # concurrent conditional writes keep DynamoDB's guarantee, as on AWS

    template = _load(pytestconfig, required=False)
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
        yield resources


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
