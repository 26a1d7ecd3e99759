"""The SAM template model: globals, parameters, conditions, intrinsics, routes, tables, buckets, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lambda_micro.local.sam import TemplateError, load_template

FUNCTION_FILES = {"src/web/app.py": "def handler(event, context):\n    return {}\n", "src/api/app.py": ""}

BLOG = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Origins:
    Type: CommaDelimitedList
    Default: "a.example,b.example"
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition NotProd, !Or [!Equals [a, a], !Condition IsProd]]
Mappings:
  Sizes:
    dev: {Memory: 256}
    prod: {Memory: 1024}
Globals:
  Function:
    Runtime: python3.11
    Timeout: 10
    MemorySize: !FindInMap [Sizes, !Ref Stage, Memory]
    Environment:
      Variables:
        TABLE_NAME: !Ref PostsTable
        STAGE: !Ref Stage
        SHARED: from-globals
  Api:
    BinaryMediaTypes: ["image~1png", "application/octet-stream"]
Resources:
  WebFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/web
      Handler: app.handler
      Timeout: 30
      Environment:
        Variables:
          SHARED: overridden
          BUCKET: !Ref MediaBucket
          TABLE_ARN: !GetAtt PostsTable.Arn
          INDEX_ARN: !GetAtt [Other, Arn]
          REGION_TABLE: !Sub "${AWS::Region}/${PostsTable}/${!Literal}/${AWS::AccountId}"
          WITH_VARS: !Sub ["${Prefix}-${AWS::StackName}", {Prefix: !If [IsProd, live, test]}]
          JOINED: !Join [",", [a, !Select [1, !Split ["|", "x|y|z"]]]]
          FIRST_ORIGIN: !Select [0, !Ref Origins]
          ENCODED: !Base64 hi
          ZONE: !Select [0, !GetAZs ""]
          LONG_FORM:
            Fn::Sub: "${Stage}-long"
          DEBUG: false
          COUNT: 3
          MAYBE: !If [IsProd, yes-prod, !Ref "AWS::NoValue"]
          URL: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod"
      Events:
        Root:
          Type: Api
          Properties: {Path: /, Method: get}
        Proxy:
          Type: HttpApi
          Properties: {Path: "/{proxy+}", Method: ANY, PayloadFormatVersion: "1.0"}
        Default:
          Type: HttpApi
        Queue:
          Type: SQS
          Properties: {Queue: arn:aws:sqs:us-east-1:123456789012:q}
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./src/api/
      Handler: app.handler
      FunctionName: blog-api
      FunctionUrlConfig: {AuthType: NONE}
      Events:
        Post:
          Type: Api
          Properties:
            Path: /posts/{slug}
            Method: GET
            RestApiId: !Ref BlogApi
        HttpPost:
          Type: HttpApi
          Properties:
            Path: /v2/posts/{slug}
            Method: post
            ApiId: !Ref BlogHttpApi
  BlogApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
  BlogHttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: live
  PostsTable:
    Type: AWS::Serverless::SimpleTable
  NumberTable:
    Type: AWS::Serverless::SimpleTable
    Properties:
      TableName: !Sub "${Stage}-numbers"
      PrimaryKey: {Name: n, Type: Number}
      ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 3}
  Other:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: other
      BillingMode: PROVISIONED
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
        - {AttributeName: sk, KeyType: RANGE}
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: sk, AttributeType: S}
        - {AttributeName: g, AttributeType: S}
        - {AttributeName: l, AttributeType: N}
      GlobalSecondaryIndexes:
        - IndexName: byG
          KeySchema: [{AttributeName: g, KeyType: HASH}]
          Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [title]}
      LocalSecondaryIndexes:
        - IndexName: byL
          KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: l, KeyType: RANGE}]
          Projection: {ProjectionType: KEYS_ONLY}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  MediaBucket:
    Type: AWS::S3::Bucket
  NamedBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "media-${Stage}"
  ProdOnlyBucket:
    Type: AWS::S3::Bucket
    Condition: IsProd
Outputs:
  Url:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/"
"""

WriteProject = Callable[..., Path]


@pytest.fixture
def blog(write_project: WriteProject) -> Path:
    return write_project(BLOG, FUNCTION_FILES)


def test_template_functions_merge_globals(blog: Path) -> None:
    template = load_template(blog)
    web = template.functions["WebFunction"]
    assert web.code_uri == blog.parent / "src" / "web"
    assert web.handler == "app.handler"
    assert (web.handler_module, web.handler_attribute) == ("app", "handler")
    assert web.runtime == "python3.11"
    assert web.timeout == 30
    assert web.memory_size == 256
    assert web.environment["SHARED"] == "overridden"
    assert web.environment["STAGE"] == "dev"
    api = template.functions["ApiFunction"]
    assert api.code_uri == blog.parent / "src" / "api"
    assert api.timeout == 10
    assert api.environment == {
        "TABLE_NAME": template.tables["PostsTable"].name,
        "STAGE": "dev",
        "SHARED": "from-globals",
    }
    assert api.function_name == "blog-api"
    assert api.function_url is not None
    assert api.function_url.auth_type == "NONE"
    assert web.function_url is None


def test_template_environment_resolves_intrinsics(blog: Path) -> None:
    template = load_template(blog)
    env = template.functions["WebFunction"].environment
    table = template.tables["PostsTable"]
    assert table.name.startswith("local-PostsTable-")
    assert env["TABLE_NAME"] == table.name
    assert env["TABLE_ARN"] == f"arn:aws:dynamodb:us-east-1:123456789012:table/{table.name}"
    assert env["INDEX_ARN"] == "arn:aws:dynamodb:us-east-1:123456789012:table/other"
    assert env["BUCKET"] == template.buckets["MediaBucket"].name
    assert env["REGION_TABLE"] == f"us-east-1/{table.name}/${{Literal}}/123456789012"
    assert env["WITH_VARS"] == "test-local"
    assert env["JOINED"] == "a,y"
    assert env["FIRST_ORIGIN"] == "a.example"
    assert env["ENCODED"] == "aGk="
    assert env["ZONE"] == "us-east-1a"
    assert env["LONG_FORM"] == "dev-long"
    assert env["DEBUG"] == "false"
    assert env["COUNT"] == "3"
    assert "MAYBE" not in env
    api_id = template.apis["ServerlessRestApi"].api_id
    assert env["URL"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/Prod"


def test_template_physical_names_are_deterministic_and_valid(blog: Path) -> None:
    first = load_template(blog)
    second = load_template(blog)
    assert first.tables["PostsTable"].name == second.tables["PostsTable"].name
    bucket = first.buckets["MediaBucket"].name
    assert bucket == bucket.lower()
    assert len(bucket) <= 63
    assert first.buckets["NamedBucket"].name == "media-dev"
    other_stack = load_template(blog, stack_name="blog")
    assert other_stack.tables["PostsTable"].name.startswith("blog-PostsTable-")
    assert other_stack.tables["PostsTable"].name != first.tables["PostsTable"].name


def test_template_parameter_overrides_and_conditions(blog: Path) -> None:
    template = load_template(blog, parameter_overrides={"Stage": "prod"}, region="eu-west-1")
    assert template.parameters == {"Stage": "prod", "Origins": "a.example,b.example"}
    assert template.conditions == {"IsProd": True, "NotProd": False, "Both": False}
    assert "ProdOnlyBucket" in template.buckets
    env = template.functions["WebFunction"].environment
    assert env["MAYBE"] == "yes-prod"
    assert env["WITH_VARS"] == "live-local"
    assert env["ZONE"] == "eu-west-1a"
    assert template.functions["WebFunction"].memory_size == 1024
    assert template.tables["NumberTable"].name == "prod-numbers"
    dev = load_template(blog)
    assert "ProdOnlyBucket" not in dev.buckets


def test_template_rejects_bad_parameter_values(blog: Path) -> None:
    with pytest.raises(TemplateError, match=r"parameter Stage is 'qa', not one of its AllowedValues") as info:
        load_template(blog, parameter_overrides={"Stage": "qa"})
    assert info.value.line == 4
    with pytest.raises(TemplateError, match="undeclared parameter"):
        load_template(blog, parameter_overrides={"Nope": "x"})


def test_template_routes(blog: Path) -> None:
    template = load_template(blog)
    routes = {(route.function_id, route.event_id): route for route in template.routes}
    assert len(routes) == 5  # the SQS event is not a route
    root = routes["WebFunction", "Root"]
    assert (root.method, root.path, root.api_kind, root.payload) == ("GET", "/", "rest", "1.0")
    assert (root.api_id, root.stage) == ("ServerlessRestApi", "Prod")
    assert root.binary_media_types == ("image/png", "application/octet-stream")
    proxy = routes["WebFunction", "Proxy"]
    assert (proxy.method, proxy.path, proxy.api_kind, proxy.payload) == ("ANY", "/{proxy+}", "http", "1.0")
    assert (proxy.api_id, proxy.stage, proxy.binary_media_types) == ("ServerlessHttpApi", "$default", ())
    assert proxy.route_key == "ANY /{proxy+}"
    assert proxy.path_parameter_names == ("proxy",)
    default = routes["WebFunction", "Default"]
    assert default.is_default_route
    assert default.route_key == "$default"
    assert default.payload == "2.0"
    post = routes["ApiFunction", "Post"]
    assert (post.api_id, post.stage, post.path) == ("BlogApi", "v1", "/posts/{slug}")
    assert post.binary_media_types == ("image/png", "application/octet-stream")
    http_post = routes["ApiFunction", "HttpPost"]
    assert (http_post.method, http_post.api_id, http_post.stage) == ("POST", "BlogHttpApi", "live")
    assert http_post.route_key == "POST /v2/posts/{slug}"
    assert root.line is not None
    assert blog.read_text().splitlines()[root.line - 1].strip() == "Root:"
    assert set(template.apis) == {"ServerlessRestApi", "ServerlessHttpApi", "BlogApi", "BlogHttpApi"}
    assert template.apis["BlogApi"].api_id != template.apis["ServerlessRestApi"].api_id
    assert template.functions["WebFunction"].routes == [
        r for r in template.routes if r.function_id == "WebFunction"
    ]


def test_template_tables(blog: Path) -> None:
    template = load_template(blog)
    posts = template.tables["PostsTable"]
    assert posts.key_schema == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert posts.attribute_definitions == [{"AttributeName": "id", "AttributeType": "S"}]
    assert posts.billing_mode == "PAY_PER_REQUEST"
    assert posts.provisioned_throughput is None
    assert (posts.hash_key, posts.range_key) == ("id", None)
    numbers = template.tables["NumberTable"]
    assert numbers.attribute_definitions == [{"AttributeName": "n", "AttributeType": "N"}]
    assert numbers.billing_mode == "PROVISIONED"
    assert numbers.provisioned_throughput == {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}
    other = template.tables["Other"]
    assert (other.name, other.hash_key, other.range_key) == ("other", "pk", "sk")
    assert other.billing_mode == "PROVISIONED"
    assert other.provisioned_throughput == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    (gsi,) = other.global_secondary_indexes
    assert gsi == {
        "IndexName": "byG",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["title"]},
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    }
    (lsi,) = other.local_secondary_indexes
    assert lsi["IndexName"] == "byL"
    assert lsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert other.time_to_live_attribute == "expires"
    assert other.stream_specification == {"StreamViewType": "NEW_IMAGE"}
    assert other.arn == "arn:aws:dynamodb:us-east-1:123456789012:table/other"


def test_template_buckets(blog: Path) -> None:
    template = load_template(blog)
    assert set(template.buckets) == {"MediaBucket", "NamedBucket"}
    assert template.buckets["NamedBucket"].arn == "arn:aws:s3:::media-dev"


def test_template_function_lookup_names_known_functions(blog: Path) -> None:
    template = load_template(blog)
    assert template.function("WebFunction").logical_id == "WebFunction"
    with pytest.raises(KeyError, match="ApiFunction, WebFunction"):
        template.function("Nope")


ENV_PREFIX = (
    "CodeUri: src/web\nHandler: app.handler\nRuntime: python3.11\nEnvironment:\n  Variables:\n    T: "
)

MINIMAL = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
{properties}
"""


def _minimal(properties: str) -> str:
    lines = properties.strip("\n").splitlines()
    return MINIMAL.format(properties="\n".join("      " + line for line in lines))


@pytest.mark.parametrize(
    ("properties", "message", "line"),
    [
        ("Handler: app.handler\nRuntime: python3.11", "has no CodeUri", 3),
        ("CodeUri: src/web\nRuntime: python3.11", "has no Handler", 3),
        ("CodeUri: src/web\nHandler: app\nRuntime: python3.11", "must be 'module.function'", 7),
        (
            "CodeUri: src/missing\nHandler: app.handler\nRuntime: python3.11",
            "CodeUri 'src/missing' is not a folder",
            6,
        ),
        ("CodeUri: src/web\nHandler: app.handler", "has no Runtime", 3),
        (
            "CodeUri: {Bucket: b, Key: k}\nHandler: app.handler\nRuntime: python3.11",
            "must be a local folder",
            6,
        ),
        (
            "CodeUri: src/web\nHandler: app.handler\nRuntime: python3.11\nTimeout: 0",
            "Timeout must be 1..900",
            3,
        ),
        (
            "CodeUri: src/web\nHandler: app.handler\nRuntime: python3.11\nMemorySize: many",
            "MemorySize must be",
            3,
        ),
        (
            ENV_PREFIX + "!Ref Nope",
            "!Ref Nope: no parameter or resource named 'Nope'",
            11,
        ),
        (
            ENV_PREFIX + "!GetAtt X.Arn",
            "!GetAtt X.Arn: no resource named 'X'",
            11,
        ),
        (
            ENV_PREFIX + "!If [C, a, b]",
            "unknown condition 'C'",
            11,
        ),
        (
            ENV_PREFIX + "[a]",
            "environment variable T must be a string",
            11,
        ),
        ("PackageType: Image\nImageUri: x", "PackageType Image", 3),
    ],
)
def test_template_function_errors_name_file_line_and_resource(
    write_project: WriteProject, properties: str, message: str, line: int
) -> None:
    path = write_project(_minimal(properties), FUNCTION_FILES)
    with pytest.raises(TemplateError) as info:
        load_template(path)
    error = info.value
    assert message in str(error)
    assert error.resource == "Fn"
    assert error.line == line
    assert str(error).startswith(f"{path}:{line}: resource Fn: ")


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            "E:\n  Type: Api\n  Properties: {Path: /x, Method: GET, RestApiId: !Ref Missing}",
            "refers to 'Missing'",
        ),
        ("E:\n  Type: Api\n  Properties: {Path: x, Method: GET}", "Path must be a string starting with '/'"),
        ("E:\n  Type: Api\n  Properties: {Path: /x, Method: FETCH}", "Method must be an HTTP method or ANY"),
        (
            "E:\n  Type: HttpApi\n  Properties: {Path: /x, Method: GET, PayloadFormatVersion: '3.0'}",
            "PayloadFormat",
        ),
    ],
)
def test_template_event_errors(write_project: WriteProject, events: str, message: str) -> None:
    properties = "CodeUri: src/web\nHandler: app.handler\nRuntime: python3.11\nEvents:\n" + "\n".join(
        "  " + line for line in events.splitlines()
    )
    path = write_project(_minimal(properties), FUNCTION_FILES)
    with pytest.raises(TemplateError, match=message) as info:
        load_template(path)
    assert info.value.resource == "Fn.Events.E"
    assert info.value.line == 10


def test_template_invalid_yaml_names_the_line(write_project: WriteProject) -> None:
    path = write_project("Resources:\n  Fn:\n    Type: [unclosed\n  Other: 1\n")
    with pytest.raises(TemplateError, match="invalid YAML") as info:
        load_template(path)
    assert info.value.line is not None
    assert info.value.line >= 3
    assert str(info.value).startswith(str(path))


def test_template_duplicate_keys_are_errors(write_project: WriteProject) -> None:
    path = write_project("Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::S3::Bucket\n")
    with pytest.raises(TemplateError, match="duplicate key 'A'") as info:
        load_template(path)
    assert info.value.line == 4


def test_template_missing_file_and_sections(tmp_path: Path, write_project: WriteProject) -> None:
    with pytest.raises(TemplateError, match="does not exist"):
        load_template(tmp_path / "nope.yaml")
    with pytest.raises(TemplateError, match="no Resources section"):
        load_template(write_project("Transform: AWS::Serverless-2016-10-31\n"))
    with pytest.raises(TemplateError, match="must be a YAML mapping"):
        load_template(write_project("- a\n- b\n"))
    with pytest.raises(TemplateError, match="no Default and no override") as info:
        load_template(write_project("Parameters:\n  P: {Type: String}\nResources: {}\n"))
    assert info.value.resource == "P"


def test_template_table_errors(write_project: WriteProject) -> None:
    table = """\
    Resources:
      T:
        Type: AWS::DynamoDB::Table
        Properties:
          KeySchema: [{AttributeName: pk, KeyType: HASH}]
          AttributeDefinitions: [{AttributeName: other, AttributeType: S}]
    """
    with pytest.raises(TemplateError, match="key attribute 'pk' is not in AttributeDefinitions") as info:
        load_template(write_project(table))
    assert info.value.resource == "T"
    assert info.value.line == 6
    bad_keys = table.replace("KeyType: HASH", "KeyType: RANGE")
    with pytest.raises(TemplateError, match="HASH key"):
        load_template(write_project(bad_keys))
    simple = (
        "Resources:\n  T:\n    Type: AWS::Serverless::SimpleTable\n"
        "    Properties:\n      PrimaryKey: {Name: k, Type: Bool}\n"
    )
    with pytest.raises(TemplateError, match="String, Number or Binary"):
        load_template(write_project(simple))


def test_template_long_form_intrinsics(write_project: WriteProject) -> None:
    template = """\
    Transform: AWS::Serverless-2016-10-31
    Conditions:
      Always: {"Fn::Equals": [1, "1"]}
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/web
          Handler: pkg/module.handler
          Runtime: python3.12
          Environment:
            Variables:
              A: {"Fn::Join": ["-", [{"Ref": "AWS::Region"}, {"Fn::GetAtt": ["Q", "QueueName"]}]]}
              B: {"Fn::If": ["Always", {"Fn::GetAtt": "Q.Arn"}, "no"]}
              C: {"Fn::ImportValue": "shared-table"}
              D: !GetAtt Q.QueueUrl
              E: !Ref Topic
              F: !ToJsonString {a: 1}
              G: !Ref AWS::Partition
      Q:
        Type: AWS::SQS::Queue
        Properties: {QueueName: jobs}
      Topic:
        Type: AWS::SNS::Topic
    """
    loaded = load_template(write_project(template, FUNCTION_FILES))
    fn = loaded.functions["Fn"]
    assert fn.handler_module == "pkg.module"
    env = fn.environment
    assert env["A"] == "us-east-1-jobs"
    assert env["B"] == "arn:aws:sqs:us-east-1:123456789012:jobs"
    assert env["C"] == "shared-table"
    assert env["D"] == "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    assert env["E"].startswith("arn:aws:sns:us-east-1:123456789012:local-Topic-")
    assert env["F"] == '{"a":1}'
    assert env["G"] == "aws"


FN = (
    "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
    "      CodeUri: src/web\n      Handler: app.handler\n"
)
TABLE = (
    "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
    "      KeySchema: [{AttributeName: a, KeyType: HASH}]\n"
)
DEFINED = "      AttributeDefinitions: [{AttributeName: a, AttributeType: S}]\n"
RUNTIME = "      Runtime: python3.11\n"


@pytest.mark.parametrize(
    ("text", "message", "resource"),
    [
        ("Resources: []\n", "Resources must be a mapping", None),
        ("Parameters:\n  P: 1\nResources: {}\n", "parameter P must be a mapping", "P"),
        ("Resources:\n  A: 1\n", "a resource must be a mapping", "A"),
        ("Resources:\n  A: {Properties: {}}\n", "the resource has no Type", "A"),
        ("Resources:\n  A: {Type: AWS::S3::Bucket, Condition: Nope}\n", "unknown condition 'Nope'", "A"),
        ("Conditions:\n  C: !Equals [!Ref Nope, 1]\nResources: {}\n", "!Ref Nope", "Conditions.C"),
        (
            "Resources:\n" + FN + RUNTIME + "  Api:\n    Type: AWS::Serverless::Api\n",
            "needs a StageName",
            "Api",
        ),
        (
            "Globals:\n  Api:\n    BinaryMediaTypes: image/png\nResources: {}\n",
            "BinaryMediaTypes must be a list",
            "Globals.Api",
        ),
        (
            "Resources:\n" + FN + RUNTIME + "      Environment: {Variables: [a]}\n",
            "Variables must be a mapping",
            "Fn",
        ),
        ("Resources:\n" + FN + RUNTIME + "      MemorySize: 64\n", "MemorySize must be 128..10240", "Fn"),
        ("Resources:\n" + FN + RUNTIME + "      Events: [a]\n", "Events must be a mapping", "Fn"),
        (
            "Resources:\n" + FN + RUNTIME + "      Events: {E: 1}\n",
            "an event must be a mapping",
            "Fn.Events.E",
        ),
        (
            "Resources:\n" + FN + RUNTIME + "      Events: {E: {Type: Api, Properties: 1}}\n",
            "Properties must be",
            "Fn.Events.E",
        ),
        (
            "Resources:\n"
            + FN
            + RUNTIME
            + "      Events: {E: {Type: Api, Properties: {Path: /, Method: GET, "
            "RestApiId: [x]}}}\n",
            "RestApiId must !Ref an API",
            "Fn.Events.E",
        ),
        ("Resources:\n  A: {Type: AWS::S3::Bucket, Properties: 3}\n", None, None),
        (
            "Resources:\n  T:\n    Type: AWS::Serverless::SimpleTable\n"
            "    Properties: {PrimaryKey: {Type: String}}\n",
            "PrimaryKey must have a Name",
            "T",
        ),
        (
            TABLE + "      AttributeDefinitions: [a]\n",
            "AttributeDefinitions must be a list",
            "T",
        ),
        (
            TABLE + DEFINED + "      ProvisionedThroughput: {ReadCapacityUnits: x}\n",
            "ProvisionedThroughput needs integer",
            "T",
        ),
        (
            TABLE + DEFINED + "      GlobalSecondaryIndexes: [{KeySchema: []}]\n",
            "needs an IndexName",
            "T",
        ),
        (
            TABLE
            + DEFINED
            + "      GlobalSecondaryIndexes: [{IndexName: i, KeySchema: [{AttributeName: a, KeyType: HASH}], "
            "Projection: ALL}]\n",
            "Projection must be a mapping",
            "T (GlobalSecondaryIndexes i)",
        ),
    ],
)
def test_template_structure_errors(
    write_project: WriteProject, text: str, message: str | None, resource: str | None
) -> None:
    path = write_project(text, FUNCTION_FILES)
    if message is None:
        with pytest.raises(TemplateError, match="Properties must be a mapping"):
            load_template(path)
        return
    with pytest.raises(TemplateError) as info:
        load_template(path)
    assert message in str(info.value)
    assert info.value.resource == resource


def test_template_globals_lists_are_concatenated(write_project: WriteProject) -> None:
    text = (
        "Globals:\n  Function:\n    Runtime: python3.11\n    Architectures: [arm64]\n"
        "    Environment: {Variables: {A: '1'}}\n"
        "Resources:\n"
        + FN
        + "      Architectures: [x86_64]\n"
        + "      Environment: !If [Never, {Variables: {B: '2'}}, !Ref AWS::NoValue]\n"
    )
    text = text.replace("Resources:\n", "Conditions:\n  Never: !Equals [a, b]\nResources:\n")
    template = load_template(write_project(text, FUNCTION_FILES))
    fn = template.functions["Fn"]
    assert fn.architectures == ("arm64", "x86_64")
    # An intrinsic replaces the Globals map instead of merging into it (here: no Environment at all).
    assert fn.environment == {}


def test_template_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(TemplateError, match="cannot read the template"):
        load_template(path)


@pytest.mark.parametrize(
    ("text", "message", "resource", "line"),
    [
        (
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n"
            "        deadLetterTargetArn: !GetAtt DLQ.Arn\n",
            "!GetAtt DLQ.Arn: no resource named 'DLQ'",
            "Q",
            6,
        ),
        (
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\nOutputs:\n  Url:\n"
            '    Value: !Sub "https://${ServerlessRestApi}.example/${Typo}"\n',
            "!Sub ${Typo}: no parameter or resource named 'Typo'",
            "Outputs.Url",
            6,
        ),
        (
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\nOutputs:\n  Arn:\n    Value: !GetAtt [Nope, Arn]\n",
            "!GetAtt Nope.Arn: no resource named 'Nope'",
            "Outputs.Arn",
            6,
        ),
    ],
)
def test_template_references_are_checked_everywhere(
    write_project: WriteProject, text: str, message: str, resource: str, line: int
) -> None:
    with pytest.raises(TemplateError) as info:
        load_template(write_project(text))
    assert info.value.message == message
    assert info.value.resource == resource
    assert info.value.line == line


def test_template_sub_variables_and_implicit_names_are_known(write_project: WriteProject) -> None:
    text = (
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        '      Tags: [{Key: k, Value: !Sub ["${Local}-${B.Arn}-${AWS::Region}-${!Escaped}", {Local: x}]}]\n'
        "Outputs:\n  Api:\n    Value: !Sub https://${ServerlessHttpApi}.example/\n"
    )
    assert load_template(write_project(text)).buckets["B"].name
