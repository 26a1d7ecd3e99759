"""The intrinsic-function resolver, unit by unit: values, physical names, ARNs and error messages."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_micro.local.sam.cfn_yaml import load_yaml
from lambda_micro.local.sam.intrinsics import NO_VALUE, ResolveError, Resolver, is_intrinsic

RESOURCES = {
    "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "posts"}},
    "Bucket": {"Type": "AWS::S3::Bucket"},
    "Fn": {"Type": "AWS::Serverless::Function", "Properties": {"FunctionName": "fn"}},
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "news"}},
    "Role": {"Type": "AWS::IAM::Role"},
    "Machine": {"Type": "AWS::Serverless::StateMachine"},
    "Bus": {"Type": "AWS::Events::EventBus"},
    "Log": {"Type": "AWS::Logs::LogGroup"},
    "Api": {"Type": "AWS::Serverless::Api"},
    "Http": {"Type": "AWS::Serverless::HttpApi"},
}


@pytest.fixture
def resolver() -> Resolver:
    return Resolver(
        parameters={"Name": "blog", "List": ["a", "b"], "Count": "1"},
        resources=RESOURCES,
        conditions={
            "IsOne": {"Fn::Equals": [{"Ref": "Count"}, 1]},
            "Loop": {"Condition": "Loop"},
            "NotBool": "text",
        },
        mappings={"M": {"k": {"v": "found"}}},
        stack_name="stack",
        region="us-west-2",
        implicit_resources={"FnUrl": "AWS::Lambda::Url"},
    )


def resolve(resolver: Resolver, text: str) -> Any:
    return resolver.resolve(load_yaml(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "!GetAtt Table.StreamArn",
            "arn:aws:dynamodb:us-west-2:123456789012:table/posts/stream/2024-01-01T00:00:00.000",
        ),
        ("!GetAtt Fn.Arn", "arn:aws:lambda:us-west-2:123456789012:function:fn"),
        ("!GetAtt Topic.TopicName", "news"),
        ("!GetAtt Topic.TopicArn", "arn:aws:sns:us-west-2:123456789012:news"),
        ("!Ref Topic", "arn:aws:sns:us-west-2:123456789012:news"),
        ("!GetAtt Machine.Arn", "arn:aws:states:us-west-2:123456789012:stateMachine:stack-Machine-"),
        ("!GetAtt Bus.Arn", "arn:aws:events:us-west-2:123456789012:event-bus/stack-Bus-"),
        ("!GetAtt Log.Arn", "arn:aws:logs:us-west-2:123456789012:loggroup/stack-Log-"),
        ("!GetAtt Role.Arn", "arn:aws:iam::123456789012:role/stack-Role-"),
        ("!GetAtt Bucket.RegionalDomainName", "stack-bucket-"),
        ("!GetAtt Bucket.WebsiteURL", "http://stack-bucket-"),
        ("!GetAtt FnUrl.FunctionUrl", "https://"),
        ("!GetAtt Http.ApiEndpoint", "https://"),
        ("!GetAtt Table.Unmodelled", "posts.Unmodelled"),
        ('!Sub "${Table.Arn}|${Name}"', "arn:aws:dynamodb:us-west-2:123456789012:table/posts|blog"),
        ("!Length [a, b, c]", 3),
        ("!If [IsOne, !Ref AWS::StackId, x]", "arn:aws:cloudformation:us-west-2:123456789012:stack/stack/"),
        ("!FindInMap [M, k, v]", "found"),
        ("!FindInMap [M, k, nope, {DefaultValue: dflt}]", "dflt"),
        ("!Join ['', [!Ref AWS::URLSuffix]]", "amazonaws.com"),
        ("!Select [0, !Ref AWS::NotificationARNs]", None),
        ("!And [!Equals [a, a], !Not [!Equals [a, b]]]", True),
    ],
)
def test_resolver_values(resolver: Resolver, text: str, expected: Any) -> None:
    if text.startswith("!Select [0, !Ref AWS::NotificationARNs]"):
        with pytest.raises(ResolveError, match="out of range"):
            resolve(resolver, text)
        return
    value = resolve(resolver, text)
    if isinstance(expected, str) and expected and not isinstance(value, bool):
        assert str(value).startswith(expected), value
    else:
        assert value == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!Ref [a]", "!Ref needs a name"),
        ("!If [Loop, a, b]", "refers to itself"),
        ("!If [NotBool, a, b]", "must be built from Fn::Equals"),
        ("!Cidr [x, 1, 2]", "Fn::Cidr is not supported"),
        ("!Join [',', notalist]", "Fn::Join values must be a list"),
        ("!Join [',', [[nested]]]", "Fn::Join value must be a string"),
        ("!Join [',']", "Fn::Join takes"),
        ("!Sub [a, b, c]", "Fn::Sub takes a string or"),
        ("!Sub [[a], {}]", "Fn::Sub needs a string"),
        ('!Sub "${List}"', "is a list parameter"),
        ("!GetAtt [a]", "Fn::GetAtt takes"),
        ("!GetAtt [[a], b]", "needs a resource name"),
        ("!If [IsOne, a]", "Fn::If takes"),
        ("!Select [1]", "Fn::Select takes"),
        ("!Select [x, [a]]", "out of range"),
        ("!Split [',']", "Fn::Split takes"),
        ("!Equals [a]", "Fn::Equals takes"),
        ("!And notalist", "Fn::And takes a list of conditions"),
        ("!Or [a, b]", "Fn::Or takes conditions"),
        ("!Not [!Equals [a, a], !Equals [a, a]]", "exactly one condition"),
        ("!FindInMap [M, k]", "Fn::FindInMap takes"),
        ("!FindInMap [M, k, nope]", "no entry M/k/nope"),
        ("!Condition Missing", "unknown condition 'Missing'"),
    ],
)
def test_resolver_errors(resolver: Resolver, text: str, message: str) -> None:
    with pytest.raises(ResolveError, match=message.replace("[", r"\[").replace("$", r"\$")) as info:
        resolve(resolver, text)
    if "itself" not in message:
        assert info.value.line == 1


def test_resolver_misc(resolver: Resolver) -> None:
    assert resolve(resolver, "[!Ref AWS::NoValue, a, !Base64 x, !ToJsonString [1]]") == ["a", "eA==", "[1]"]
    assert resolve(resolver, "!Sub '${AWS::Region}'") == "us-west-2"
    assert resolve(resolver, "!If [IsOne, true, false]") is True
    assert resolver._string(True, "x", None) == "true"
    assert repr(NO_VALUE) == "AWS::NoValue"
    assert len(resolve(resolver, "!GetAtt Api.RootResourceId")) == 10
    assert is_intrinsic({"Ref": "x"})
    assert not is_intrinsic({"Ref": "x", "Other": 1})
    assert not is_intrinsic({"Name": "x"})
    long_name = Resolver(
        parameters={},
        resources={"B" * 60: {"Type": "AWS::S3::Bucket"}},
        conditions={},
        mappings={},
        stack_name="s" * 30,
        region="cn-north-1",
    )
    bucket = long_name.physical_name("B" * 60)
    assert len(bucket) == 63
    assert bucket == bucket.lower()
    assert long_name.arn("B" * 60).startswith("arn:aws-cn:s3:::")
    assert long_name.ref("AWS::URLSuffix", None) == "amazonaws.com.cn"
