"""The embedded AWS keeps DynamoDB's item-write atomicity: one winner among concurrent conditional writes."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lambda_micro.local.devserver import DevServer
from lambda_micro.local.dynamodb_atomic import ITEM_OPERATIONS, make_dynamodb_atomic
from lambda_micro.local.embedded_aws import EmbeddedAWS

REPO = Path(__file__).resolve().parents[2]
WRITERS = 32


@pytest.fixture(scope="module")
def embedded() -> Iterator[EmbeddedAWS]:
    with EmbeddedAWS() as aws:
        yield aws


@pytest.fixture
def preemptive() -> Iterator[None]:
    """Threads switch as often as the interpreter allows, so that a check-then-write race shows.

    With moto's own item operations (no lock) this test sees several rounds of 40 with two winners.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


@pytest.mark.usefixtures("preemptive")
def test_conditional_updates_with_one_expected_version_have_exactly_one_winner(embedded: EmbeddedAWS) -> None:
    client = boto3.client("dynamodb", config=Config(max_pool_connections=WRITERS), **embedded.client_kwargs)
    client.create_table(
        TableName="race",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for round_number in range(40):
        key = {"id": {"S": f"item-{round_number}"}}
        client.put_item(TableName="race", Item={**key, "version": {"N": "1"}, "owner": {"S": "nobody"}})
        start = threading.Barrier(WRITERS)

        def write(
            writer: int, key: dict[str, dict[str, str]] = key, start: threading.Barrier = start
        ) -> bool:
            start.wait()
            try:
                client.update_item(
                    TableName="race",
                    Key=key,
                    UpdateExpression="SET version = :next, #owner = :me",
                    ConditionExpression="version = :expected",
                    ExpressionAttributeNames={"#owner": "owner"},
                    ExpressionAttributeValues={
                        ":expected": {"N": "1"},
                        ":next": {"N": "2"},
                        ":me": {"S": f"writer-{writer}"},
                    },
                )
            except ClientError as error:
                # By its code, not ``client.exceptions.ConditionalCheckFailedException``: botocore builds a
                # client's exception classes lazily, and threads racing on the first access can each get
                # their own class, so the raised one need not be the one an except clause names.
                if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    return False
                raise
            return True

        with concurrent.futures.ThreadPoolExecutor(WRITERS) as pool:
            outcomes = list(pool.map(write, range(WRITERS)))
        winners = [writer for writer, won in enumerate(outcomes) if won]
        assert len(winners) == 1, f"round {round_number}: {len(winners)} winners"
        item = client.get_item(TableName="race", Key=key, ConsistentRead=True)["Item"]
        assert item["version"] == {"N": "2"}
        assert item["owner"] == {"S": f"writer-{winners[0]}"}  # the acknowledged write is the stored one


def test_making_dynamodb_atomic_is_idempotent(embedded: EmbeddedAWS) -> None:
    from moto.dynamodb.models import DynamoDBBackend

    assert make_dynamodb_atomic() is False  # the embedded AWS did it at start
    wrapped = [getattr(DynamoDBBackend, name) for name in ITEM_OPERATIONS if hasattr(DynamoDBBackend, name)]
    assert all(hasattr(method, "__wrapped__") for method in wrapped)
    assert not hasattr(DynamoDBBackend.put_item.__wrapped__, "__wrapped__")  # wrapped once


def _request(
    port: int, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_the_blogs_if_match_updates_through_the_gateway_have_one_winner() -> None:
    dev = DevServer(REPO / "template.yaml", port=0, reload=False, api="ServerlessHttpApi")
    dev.start()
    try:
        port = dev.listening[0][1]
        user = dev.cognito.add_user("racer@example.com")  # the API's writes are for the blog's authors
        signed = {"Authorization": "Bearer " + dev.cognito.tokens(user.username, user.password)["IdToken"]}
        status, _ = _request(
            port, "POST", "/api/posts", {"slug": "race", "title": "Start", "body": "b"}, signed
        )
        assert status == 201
        start = threading.Barrier(WRITERS)

        def replace(writer: int) -> int:
            start.wait()
            document = {"title": f"Writer {writer}", "body": "b", "format": "text"}
            return _request(port, "PUT", "/api/posts/race", document, {"If-Match": '"1"', **signed})[0]

        with concurrent.futures.ThreadPoolExecutor(WRITERS) as pool:
            statuses = list(pool.map(replace, range(WRITERS)))
        assert sorted(statuses) == [200] + [412] * (WRITERS - 1)
        winner = statuses.index(200)
        status, body = _request(port, "GET", "/api/posts/race")
        post = json.loads(body)
        assert (status, post["title"], post["version"]) == (200, f"Writer {winner}", 2)
    finally:
        dev.stop()
