"""Fixtures for the example functions' tests.

The functions get the shared ``blog_posts`` package from their BlogPostsLayer (ContentUri functions/shared,
which the test kit puts on each function's import path); the package's unit tests import it from
functions/shared directly.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import pytest
import yaml
from moto import mock_aws

from lambda_micro.testing.plugin import AwsResources

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SHARED = ROOT / "functions" / "shared"

if str(SHARED) not in sys.path:
    sys.path.insert(0, str(SHARED))


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !Sub, ...) as {"Fn::...": value}."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_raw_template() -> dict[str, Any]:
    """template.yaml as plain data (intrinsic functions left unresolved)."""
    with TEMPLATE.open(encoding="utf-8") as stream:
        return yaml.load(stream, Loader=_CloudFormationLoader)


def load_module(name: str, path: Path) -> ModuleType:
    """Import one file under a unique module name (the functions' sibling modules share plain names)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses (and pickling) look a module up by its name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def moto_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A mocked AWS account (no network), with fake credentials and a region."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def posts_table(moto_env: None) -> str:
    """The posts table created exactly as template.yaml declares it; returns its name."""
    properties = load_raw_template()["Resources"]["PostsTable"]["Properties"]
    client = boto3.client("dynamodb")
    client.create_table(
        TableName="posts",
        BillingMode=properties["BillingMode"],
        AttributeDefinitions=properties["AttributeDefinitions"],
        KeySchema=properties["KeySchema"],
        GlobalSecondaryIndexes=properties["GlobalSecondaryIndexes"],
    )
    return "posts"


@pytest.fixture
def images_bucket(moto_env: None) -> str:
    """An S3 bucket for images; returns its name."""
    boto3.client("s3").create_bucket(Bucket="images")
    return "images"


# --- Talking to the functions through the test kit ------------------------------------------------------


@pytest.fixture
def table(aws: AwsResources) -> str:
    """The name of the template's PostsTable, on moto."""
    return aws.table_name("PostsTable")


@pytest.fixture
def bucket(aws: AwsResources) -> str:
    """The name of the template's ImagesBucket, on moto."""
    return aws.bucket_name("ImagesBucket")


#: The author the ``api`` client acts as (the API's writes are for signed-in authors).
AUTHOR = {"sub": "author-1", "email": "ada@example.com"}


@pytest.fixture
def api(aws: AwsResources, function_client: Any) -> Iterator[Any]:
    """A test-kit client of the ApiFunction (HTTP API, payload 2.0), signed in as :data:`AUTHOR`."""
    client = function_client("ApiFunction")
    with client.as_user(**AUTHOR):
        yield client


@pytest.fixture
def web(aws: AwsResources, function_client: Any) -> Iterator[Any]:
    """A test-kit client of the WebFunction (REST API, payload 1.0, stage Prod), signed in as :data:`AUTHOR`
    (its writes are for authors; test_web_sign_in.py signs in through the login form instead)."""
    client = function_client("WebFunction")
    with client.as_user(**AUTHOR):
        yield client


def stored(table: str, slug: str) -> dict[str, Any] | None:
    """The post's item as DynamoDB holds it (strongly consistent), or None."""
    item: dict[str, Any] | None = (
        boto3.client("dynamodb")
        .get_item(TableName=table, Key={"slug": {"S": slug}}, ConsistentRead=True)
        .get("Item")
    )
    return item


def item_count(table: str) -> int:
    """How many items the table holds."""
    return int(boto3.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"])


def objects(bucket: str) -> list[str]:
    """The keys in the bucket, sorted."""
    listing = boto3.client("s3").list_objects_v2(Bucket=bucket)
    return sorted(entry["Key"] for entry in listing.get("Contents", []))


def error_of(response: Any) -> dict[str, Any]:
    """The API's ``{"error": {...}}`` document of a response, which must be JSON."""
    assert header(response, "Content-Type") == "application/json", response.text
    error: dict[str, Any] = response.json["error"]
    return error


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION_FIELD = re.compile(r'name="version" id="version" value="(\d+)"')


def header(response: Any, name: str) -> str | None:
    """One response header (the first value), case-insensitively, from the kit's multi-valued headers."""
    headers = response.headers
    if hasattr(headers, "getlist"):
        values = headers.getlist(name)
    else:
        values = [v for k, vs in dict(headers).items() if k.lower() == name.lower() for v in _as_list(vs)]
    return values[0] if values else None


def _as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value]


def form_body(fields: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments that post ``fields`` as an HTML form would."""
    return {
        "body": urlencode(fields).encode("ascii"),
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
    }


def csrf_from(html: str) -> str:
    """The CSRF token a rendered form carries."""
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def app_path(location: str, stage: str = "Prod") -> str:
    """The path to request for a Location the app produced (links carry the stage prefix on REST APIs)."""
    path = urlsplit(location).path if "://" in location else location
    prefix = f"/{stage}"
    if path == prefix or path.startswith(prefix + "/"):
        path = path[len(prefix) :] or "/"
    query = urlsplit(location).query
    return f"{path}?{query}" if query else path
