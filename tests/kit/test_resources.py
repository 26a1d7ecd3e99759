"""create_resources: tables (keys, indexes, billing, TTL, streams) and buckets exist on moto as declared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from lambda_micro.local.embedded_aws import reset_moto
from lambda_micro.local.resources import create_resources, table_request
from lambda_micro.local.sam import load_template

WriteProject = Callable[..., Path]

TEMPLATE = """\
Resources:
  Posts:
    Type: AWS::Serverless::SimpleTable
  Counters:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: n, Type: Number}
      ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 2}
  Comments:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: comments
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: post, KeyType: HASH}, {AttributeName: at, KeyType: RANGE}]
      AttributeDefinitions:
        - {AttributeName: post, AttributeType: S}
        - {AttributeName: at, AttributeType: S}
        - {AttributeName: author, AttributeType: S}
        - {AttributeName: score, AttributeType: N}
      GlobalSecondaryIndexes:
        - IndexName: byAuthor
          KeySchema: [{AttributeName: author, KeyType: HASH}, {AttributeName: at, KeyType: RANGE}]
          Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [body]}
      LocalSecondaryIndexes:
        - IndexName: byScore
          KeySchema: [{AttributeName: post, KeyType: HASH}, {AttributeName: score, KeyType: RANGE}]
          Projection: {ProjectionType: ALL}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  Legacy:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: g, AttributeType: S}]
      ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
      GlobalSecondaryIndexes:
        - IndexName: byG
          KeySchema: [{AttributeName: g, KeyType: HASH}]
          Projection: {ProjectionType: KEYS_ONLY}
  Media:
    Type: AWS::S3::Bucket
  Named:
    Type: AWS::S3::Bucket
    Properties: {BucketName: blog-uploads}
"""


@pytest.fixture
def fake_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
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


@pytest.mark.usefixtures("fake_aws")
def test_create_resources_tables_and_buckets(write_project: WriteProject) -> None:
    template = load_template(write_project(TEMPLATE))
    created = create_resources(template)
    assert created.tables == {logical: table.name for logical, table in template.tables.items()}
    assert created.buckets == {"Media": template.buckets["Media"].name, "Named": "blog-uploads"}
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    assert sorted(dynamodb.list_tables()["TableNames"]) == sorted(created.tables.values())

    comments = dynamodb.describe_table(TableName="comments")["Table"]
    assert comments["KeySchema"] == [
        {"AttributeName": "post", "KeyType": "HASH"},
        {"AttributeName": "at", "KeyType": "RANGE"},
    ]
    assert comments["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    (gsi,) = comments["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "byAuthor"
    assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["body"]}
    (lsi,) = comments["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "byScore"
    assert comments["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    ttl = dynamodb.describe_time_to_live(TableName="comments")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}

    posts = dynamodb.describe_table(TableName=template.tables["Posts"].name)["Table"]
    assert posts["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    counters = dynamodb.describe_table(TableName=template.tables["Counters"].name)["Table"]
    assert counters["AttributeDefinitions"] == [{"AttributeName": "n", "AttributeType": "N"}]
    assert counters["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    legacy = dynamodb.describe_table(TableName=template.tables["Legacy"].name)["Table"]
    assert legacy["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 5

    # The tables work: an item written through the GSI's key is found through the index.
    table = boto3.resource("dynamodb", region_name="us-east-1").Table("comments")
    table.put_item(Item={"post": "p1", "at": "2024", "author": "ada", "score": 3, "body": "hi"})
    found = table.query(
        IndexName="byAuthor", KeyConditionExpression="author = :a", ExpressionAttributeValues={":a": "ada"}
    )
    assert found["Items"][0]["body"] == "hi"

    s3 = boto3.client("s3", region_name="us-east-1")
    names = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
    assert names == set(created.buckets.values())


@pytest.mark.usefixtures("fake_aws")
def test_create_resources_is_idempotent_and_honours_region(write_project: WriteProject) -> None:
    template = load_template(write_project(TEMPLATE), region="eu-west-1")
    create_resources(template)
    boto3.resource("dynamodb", region_name="eu-west-1").Table("comments").put_item(
        Item={"post": "p", "at": "1", "author": "a", "score": 1}
    )
    again = create_resources(template)
    assert again.tables["Comments"] == "comments"
    item = (
        boto3.resource("dynamodb", region_name="eu-west-1")
        .Table("comments")
        .get_item(Key={"post": "p", "at": "1"})
    )
    assert "Item" in item  # existing data survives
    location = boto3.client("s3", region_name="eu-west-1").get_bucket_location(Bucket="blog-uploads")
    assert location["LocationConstraint"] == "eu-west-1"


def test_table_request_provisioned_defaults(write_project: WriteProject) -> None:
    template = load_template(write_project(TEMPLATE))
    request = table_request(template.tables["Legacy"])
    assert request["BillingMode"] == "PROVISIONED"
    assert request["ProvisionedThroughput"] == {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    assert "StreamSpecification" not in request


@pytest.mark.usefixtures("fake_aws")
def test_create_resources_empty_template(write_project: WriteProject) -> None:
    created = create_resources(load_template(write_project("Resources: {}\n")))
    assert created.tables == {}
    assert created.buckets == {}


def test_create_resources_against_a_moto_server(
    write_project: WriteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.server import ThreadedMotoServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = {"endpoint_url": f"http://{host}:{port}"}
        reset_moto(endpoint["endpoint_url"])  # moto's backends are process-wide: earlier tests' data
        template = load_template(write_project(TEMPLATE))
        created = create_resources(template, client_kwargs=endpoint)
        tables = boto3.client("dynamodb", region_name="us-east-1", **endpoint).list_tables()["TableNames"]
        assert sorted(tables) == sorted(created.tables.values())
        buckets = boto3.client("s3", region_name="us-east-1", **endpoint).list_buckets()["Buckets"]
        assert {bucket["Name"] for bucket in buckets} == set(created.buckets.values())
    finally:
        server.stop()
