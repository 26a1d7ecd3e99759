"""The embedded AWS: moto's server on a free loopback port, and the environment functions get."""

from __future__ import annotations

import urllib.request

import boto3
import pytest

from lambda_micro.local.embedded_aws import EmbeddedAWS, EmbeddedAWSError, default_region, scrub_environment


def test_embedded_aws_serves_s3_on_a_free_loopback_port() -> None:
    with EmbeddedAWS(region="eu-west-1") as aws:
        assert aws.running
        assert aws.endpoint.startswith("http://127.0.0.1:")
        assert aws.start() == aws.endpoint  # idempotent
        s3 = boto3.client("s3", **aws.client_kwargs)
        s3.create_bucket(
            Bucket="photos-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        s3.put_object(Bucket="photos-bucket", Key="k", Body=b"hello")
        assert s3.get_object(Bucket="photos-bucket", Key="k")["Body"].read() == b"hello"
    assert not aws.running
    aws.stop()  # idempotent


def test_embedded_aws_environment_points_boto3_at_it(monkeypatch: pytest.MonkeyPatch) -> None:
    with EmbeddedAWS(region="us-west-2") as aws:
        env = aws.environment
        assert env["AWS_ENDPOINT_URL"] == aws.endpoint
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-west-2"
        assert env["AWS_ACCESS_KEY_ID"]
        assert env["AWS_SECRET_ACCESS_KEY"]
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        # Plain boto3, no endpoint argument: what function code does.
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert dynamodb.list_tables()["TableNames"] == ["t"]


def test_embedded_aws_starts_empty_whatever_an_earlier_one_left() -> None:
    # moto keeps data in process-wide backends: without a reset, the second server would list the bucket.
    with EmbeddedAWS() as first:
        boto3.client("s3", **first.client_kwargs).create_bucket(Bucket="left-behind")
    with EmbeddedAWS() as second:
        assert boto3.client("s3", **second.client_kwargs).list_buckets()["Buckets"] == []


def test_embedded_aws_endpoint_before_start_is_an_error() -> None:
    with pytest.raises(EmbeddedAWSError, match="not started"):
        _ = EmbeddedAWS().endpoint


def test_embedded_aws_stop_releases_the_port() -> None:
    aws = EmbeddedAWS()
    endpoint = aws.start()
    aws.stop()
    with pytest.raises(OSError):  # noqa: PT011 - connection refused is the point
        urllib.request.urlopen(endpoint + "/moto-api/", timeout=2)


def test_scrub_environment_removes_profiles_tokens_and_service_endpoints() -> None:
    environ = {
        "AWS_PROFILE": "prod",
        "AWS_DEFAULT_PROFILE": "prod",
        "AWS_SESSION_TOKEN": "t",
        "AWS_ENDPOINT_URL_DYNAMODB": "http://elsewhere",
        "AWS_ENDPOINT_URL_S3": "http://elsewhere",
        "AWS_REGION": "eu-west-1",
        "HOME": "/home/x",
    }
    removed = scrub_environment(environ)
    assert removed == [
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL_S3",
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
    ]
    assert environ == {"AWS_REGION": "eu-west-1", "HOME": "/home/x"}


def test_apply_to_sets_the_environment_and_scrubs() -> None:
    with EmbeddedAWS() as aws:
        environ = {"AWS_PROFILE": "prod", "AWS_ENDPOINT_URL": "http://old"}
        aws.apply_to(environ)
        assert "AWS_PROFILE" not in environ
        assert environ["AWS_ENDPOINT_URL"] == aws.endpoint


def test_default_region_order() -> None:
    assert default_region({"AWS_REGION": "a", "AWS_DEFAULT_REGION": "b"}) == "a"
    assert default_region({"AWS_DEFAULT_REGION": "b"}) == "b"
    assert default_region({}) == "us-east-1"
