"""Lambda layers: the template model (Layer, ExternalLayer, import paths), the loader, the gateway, reload."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from werkzeug.test import Client

from lambda_micro.local.events import build_event
from lambda_micro.local.gateway import LocalGateway, load_state
from lambda_micro.local.loader import FunctionLoadError, load_function
from lambda_micro.local.reload import FileWatcher
from lambda_micro.local.sam import ExternalLayer, Layer, TemplateError, load_template

WriteProject = Callable[..., Path]

# Indented like the templates below, which the ``write_project`` fixture dedents as a whole.
HEADER = """\
        AWSTemplateFormatVersion: "2010-09-09"
        Transform: AWS::Serverless-2016-10-31
"""

EXTERNAL_ARN = "arn:aws:lambda:us-east-1:999999999999:layer:insights-extension:7"


def _handler(module: str) -> str:
    return (
        f"import {module}\n\n"
        "def handler(event, context):\n"
        f"    return {{'statusCode': 200, 'body': {module}.VALUE}}\n"
    )


# -- the template model ------------------------------------------------------------------------------------


@pytest.fixture
def layered(write_project: WriteProject) -> Path:
    """Two python3.11-built layers in Globals and on a function, an ARN, and a function with only Globals."""
    return write_project(
        HEADER
        + f"""
        Globals:
          Function:
            Runtime: python3.11
            Handler: app.handler
            Layers:
              - !Ref CommonLayer
        Resources:
          CommonLayer:
            Type: AWS::Serverless::LayerVersion
            Properties:
              LayerName: common
              ContentUri: layers/common/
              CompatibleRuntimes: [python3.11]
            Metadata:
              BuildMethod: python3.11
          ExtraLayer:
            Type: AWS::Serverless::LayerVersion
            Properties:
              ContentUri: layers/extra/
            Metadata:
              BuildMethod: python3.11
          Rich:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: rich/
              Layers:
                - !Ref ExtraLayer
                - {EXTERNAL_ARN}
          Plain:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: plain/
        """,
        {
            "layers/common/common_words.py": "VALUE = 'common'\n",
            "layers/extra/extra_words.py": "VALUE = 'extra'\n",
            "rich/app.py": _handler("extra_words"),
            "plain/app.py": _handler("common_words"),
        },
    )


def test_template_layers_globals_first_then_the_functions_in_order(layered: Path) -> None:
    template = load_template(layered)
    rich, plain = template.functions["Rich"], template.functions["Plain"]

    assert [getattr(layer, "logical_id", None) for layer in rich.layers] == [
        "CommonLayer",
        "ExtraLayer",
        None,
    ]
    (external,) = rich.external_layers
    assert external == ExternalLayer(arn=EXTERNAL_ARN, line=external.line)
    assert [layer.logical_id for layer in plain.template_layers] == ["CommonLayer"]
    assert plain.external_layers == ()

    common = template.layers["CommonLayer"]
    assert isinstance(common, Layer)
    assert common.content_uri == layered.parent / "layers" / "common"
    assert common.build_method == "python3.11"
    assert common.layer_name == "common"
    assert common.arn == "arn:aws:lambda:us-east-1:123456789012:layer:common:1"
    assert common.compatible_runtimes == ("python3.11",)
    assert common.line is not None


def test_template_layer_build_methods_give_lambdas_import_roots(write_project: WriteProject) -> None:
    path = write_project(
        HEADER
        + """
        Resources:
          Built:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: built/}
            Metadata: {BuildMethod: python3.11}
          Prebuilt:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: prebuilt/}
          PrebuiltFlat:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: flat/}
          MadeWithPython:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: made/}
            Metadata: {BuildMethod: makefile}
          MadeElsewhere:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: makeonly/}
            Metadata: {BuildMethod: makefile}
          NodeLayer:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: node/}
            Metadata: {BuildMethod: nodejs20.x}
        """,
        {
            "built/pkg_built/__init__.py": "",
            "prebuilt/python/pkg_top.py": "",
            "prebuilt/python/lib/python3.11/site-packages/pkg_site/__init__.py": "",
            "flat/pkg_flat.py": "",
            "made/Makefile": "build-MadeWithPython:\n\ttrue\n",
            "made/python/pkg_made.py": "",
            "makeonly/Makefile": "build-MadeElsewhere:\n\ttrue\n",
            "node/index.js": "",
        },
    )
    layers = load_template(path).layers
    root = path.parent

    def layer(name: str) -> Layer:
        found = layers[name]
        assert isinstance(found, Layer)
        return found

    # BuildMethod python3.x: sam build puts the ContentUri under python/, so it is the import root itself.
    assert layer("Built").import_paths_for("python3.11") == (root / "built",)
    assert layer("Built").note is None
    # No BuildMethod: the folder is the layer as deployed (python/ and its site-packages).
    assert layer("Prebuilt").import_paths_for("python3.11") == (
        root / "prebuilt/python/lib/python3.11/site-packages",
        root / "prebuilt/python",
    )
    assert layer("Prebuilt").import_paths_for("python3.12") == (root / "prebuilt/python",)
    assert layer("Prebuilt").import_paths == (
        root / "prebuilt/python/lib/python3.11/site-packages",
        root / "prebuilt/python",
    )
    assert layer("PrebuiltFlat").import_paths == ()
    assert "no python/ folder" in (layer("PrebuiltFlat").note or "")
    # makefile: python/ when the developer keeps one, else nothing and a note saying who provides it.
    assert layer("MadeWithPython").import_paths_for("python3.11") == (root / "made/python",)
    assert layer("MadeElsewhere").import_paths_for("python3.11") == ()
    note = layer("MadeElsewhere").note or ""
    assert "BuildMethod: makefile" in note
    assert "Makefile" in note
    assert "local environment" in note
    assert layer("NodeLayer").import_paths == ()
    assert "nodejs20.x" in (layer("NodeLayer").note or "")


def test_template_later_layers_come_first_as_their_files_replace_earlier_ones(
    write_project: WriteProject,
) -> None:
    path = write_project(
        HEADER
        + """
        Resources:
          First:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: first/}
          Second:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: second/}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn/
              Handler: app.handler
              Runtime: python3.11
              Layers: [!Ref First, !Ref Second]
        """,
        {
            "fn/app.py": "",
            "first/python/lib/python3.11/site-packages/a/__init__.py": "",
            "first/python/a_mod.py": "",
            "second/python/b_mod.py": "",
        },
    )
    root = path.parent
    assert load_template(path).functions["Fn"].layer_import_paths() == [
        root / "first/python/lib/python3.11/site-packages",
        root / "second/python",
        root / "first/python",
    ]


def test_template_lambda_layerversion_content_and_layers_in_s3(write_project: WriteProject) -> None:
    path = write_project(
        HEADER
        + """
        Parameters:
          PowertoolsArn:
            Type: String
            Default: arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:79
          UseExtra:
            Type: String
            Default: "no"
        Conditions:
          WithExtra: !Equals [!Ref UseExtra, "yes"]
        Resources:
          Plain:
            Type: AWS::Lambda::LayerVersion
            Properties:
              Content: plain_layer/
          Remote:
            Type: AWS::Serverless::LayerVersion
            Properties:
              LayerName: remote
              ContentUri: {Bucket: my-bucket, Key: layer.zip}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn/
              Handler: app.handler
              Runtime: python3.11
              Layers:
                - !GetAtt Plain.LayerVersionArn
                - !Ref Remote
                - !Ref PowertoolsArn
                - !If [WithExtra, !Ref Plain, !Ref AWS::NoValue]
        """,
        {"fn/app.py": "", "plain_layer/python/plain_mod.py": ""},
    )
    template = load_template(path)
    plain, remote, powertools = template.functions["Fn"].layers
    assert isinstance(plain, Layer)
    assert plain.resource_type == "AWS::Lambda::LayerVersion"
    assert plain.import_paths_for("python3.11") == (path.parent / "plain_layer/python",)
    assert remote == ExternalLayer(
        arn="arn:aws:lambda:us-east-1:123456789012:layer:remote:1",
        logical_id="Remote",
        reason="its ContentUri is in S3",
        line=remote.line,
    )
    assert isinstance(powertools, ExternalLayer)
    assert powertools.arn.endswith(":layer:AWSLambdaPowertoolsPythonV2:79")
    assert powertools.logical_id is None


def test_template_layer_content_uri_must_exist(write_project: WriteProject) -> None:
    path = write_project(
        HEADER
        + """
        Resources:
          SharedLayer:
            Type: AWS::Serverless::LayerVersion
            Properties:
              Description: shared code
              ContentUri: layers/missing/
            Metadata:
              BuildMethod: python3.11
        """
    )
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    error = caught.value
    assert error.path == path
    assert error.resource == "SharedLayer"
    assert error.line == 9  # the ContentUri line
    assert "ContentUri 'layers/missing/' is not a folder" in str(error)
    assert "does not exist" in str(error)
    assert str(error).startswith(f"{path}:9: resource SharedLayer:")


@pytest.mark.parametrize(
    ("layers", "message"),
    [
        ("!Ref Table", "a Layers entry must be !Ref to a layer of this template or a layer version ARN"),
        ("arn:aws:lambda:us-east-1:123456789012:function:nope", "a Layers entry must be"),
        ("!Ref NoSuchLayer", "no parameter or resource named 'NoSuchLayer'"),
    ],
)
def test_template_rejects_layers_entries_that_are_not_layers(
    write_project: WriteProject, layers: str, message: str
) -> None:
    path = write_project(
        HEADER
        + f"""
        Resources:
          Table:
            Type: AWS::Serverless::SimpleTable
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn/
              Handler: app.handler
              Runtime: python3.11
              Layers:
                - {layers}
        """,
        {"fn/app.py": ""},
    )
    with pytest.raises(TemplateError, match=message) as caught:
        load_template(path)
    assert caught.value.resource is not None
    assert caught.value.resource.startswith("Fn")
    assert caught.value.line is not None


def test_template_layers_must_be_a_list(write_project: WriteProject) -> None:
    path = write_project(
        HEADER
        + """
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn/
              Handler: app.handler
              Runtime: python3.11
              Layers: arn:aws:lambda:us-east-1:123456789012:layer:one:1
        """,
        {"fn/app.py": ""},
    )
    with pytest.raises(TemplateError, match="Layers must be a list") as caught:
        load_template(path)
    assert caught.value.resource == "Fn"


# -- the loader --------------------------------------------------------------------------------------------


def test_load_function_imports_modules_only_its_layers_provide(write_project: WriteProject) -> None:
    path = write_project(
        HEADER
        + """
        Resources:
          WordsLayer:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/words/}
            Metadata: {BuildMethod: python3.11}
          SiteLayer:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/site/}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn/
              Handler: app.handler
              Runtime: python3.11
              Layers: [!Ref WordsLayer, !Ref SiteLayer]
        """,
        {
            "fn/app.py": """\
                import layer_words_pkg.greet as greet
                from layer_site_pkg import SITE

                def handler(event, context):
                    return {"greeting": greet.hello("lambda"), "site": SITE, "module": greet.__name__}
                """,
            "layers/words/layer_words_pkg/__init__.py": "",
            # A layer module importing its own sibling by absolute name, as it would from /opt/python.
            "layers/words/layer_words_pkg/greet.py": (
                "from layer_words_helpers import punctuate\n\n"
                "def hello(name):\n    return punctuate(f'hello {name}')\n"
            ),
            "layers/words/layer_words_helpers.py": "def punctuate(text):\n    return text + '!'\n",
            "layers/site/python/lib/python3.11/site-packages/layer_site_pkg/__init__.py": "SITE = 'site'\n",
        },
    )
    loaded = load_function(load_template(path).functions["Fn"])
    try:
        result = loaded.invoke({}, None)
        assert result["greeting"] == "hello lambda!"
        assert result["site"] == "site"
        # The layer's modules live in the function's private package, not in the process's namespace.
        assert result["module"] == f"{loaded.package}.layer_words_pkg.greet"
        for name in ("layer_words_pkg", "layer_words_helpers", "layer_site_pkg"):
            assert name not in sys.modules
            assert f"{loaded.package}.{name}" in sys.modules
    finally:
        loaded.unload()


@pytest.fixture
def two_layers(write_project: WriteProject) -> Path:
    """Two functions whose layers both provide ``layer_shared_mod`` (and a sibling), differently."""
    return write_project(
        HEADER
        + """
        Globals:
          Function:
            Runtime: python3.11
            Handler: app.handler
        Resources:
          LayerA:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layer_a/}
            Metadata: {BuildMethod: python3.11}
          LayerB:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layer_b/}
          A:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: fn_a/, Layers: [!Ref LayerA]}
          B:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: fn_b/, Layers: [!Ref LayerB]}
          Own:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: fn_own/, Layers: [!Ref LayerA]}
        """,
        {
            "layer_a/layer_shared_mod.py": "from layer_shared_sibling import WHO\nVALUE = 'a:' + WHO\n",
            "layer_a/layer_shared_sibling.py": "WHO = 'layer a'\n",
            "layer_b/python/layer_shared_mod.py": (
                "from layer_shared_sibling import WHO\nVALUE = 'b:' + WHO\n"
            ),
            "layer_b/python/layer_shared_sibling.py": "WHO = 'layer b'\n",
            "fn_a/app.py": _handler("layer_shared_mod"),
            "fn_b/app.py": _handler("layer_shared_mod"),
            # The function's own module of the same name wins over its layer's, as /var/task precedes /opt.
            "fn_own/app.py": _handler("layer_shared_mod"),
            "fn_own/layer_shared_mod.py": "VALUE = 'own'\n",
        },
    )


def test_load_function_keeps_same_named_layer_modules_of_two_functions_apart(two_layers: Path) -> None:
    functions = load_template(two_layers).functions
    a = load_function(functions["A"])
    b = load_function(functions["B"])
    own = load_function(functions["Own"])
    try:
        assert a.invoke({}, None)["body"] == "a:layer a"
        assert b.invoke({}, None)["body"] == "b:layer b"
        assert own.invoke({}, None)["body"] == "own"
        assert a.package != b.package
        assert (
            sys.modules[f"{a.package}.layer_shared_mod"] is not sys.modules[f"{b.package}.layer_shared_mod"]
        )
        assert "layer_shared_mod" not in sys.modules
    finally:
        for loaded in (a, b, own):
            loaded.unload()


def test_load_function_warns_once_about_an_external_layer_and_still_loads(
    write_project: WriteProject, caplog: pytest.LogCaptureFixture
) -> None:
    arn = "arn:aws:lambda:eu-west-1:111122223333:layer:warn-once-check:3"
    path = write_project(
        HEADER
        + f"""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn/
              Handler: app.handler
              Runtime: python3.11
              Layers: ["{arn}"]
        """,
        {"fn/app.py": "import json\n\ndef handler(event, context):\n    return json.dumps({'ok': True})\n"},
    )
    function = load_template(path).functions["Fn"]
    with caplog.at_level(logging.WARNING, logger="lambda_micro.local"):
        first = load_function(function)
        second = load_function(function)
    try:
        assert first.invoke({}, None) == '{"ok": true}'
        warnings = [record.getMessage() for record in caplog.records if arn in record.getMessage()]
        assert len(warnings) == 1
        assert "function Fn uses layer" in warnings[0]
        assert "cannot be fetched locally" in warnings[0]
    finally:
        first.unload()
        second.unload()


def test_load_function_missing_module_error_names_the_layer_folders(write_project: WriteProject) -> None:
    path = write_project(
        HEADER
        + """
        Resources:
          Lib:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: lib/}
            Metadata: {BuildMethod: python3.11}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: fn/
              Handler: missing_app.handler
              Runtime: python3.11
              Layers: [!Ref Lib]
        """,
        {"fn/app.py": "", "lib/lib_mod.py": ""},
    )
    with pytest.raises(FunctionLoadError) as caught:
        load_function(load_template(path).functions["Fn"])
    message = str(caught.value)
    assert "no module named 'missing_app'" in message
    assert f"or its layers ({path.parent / 'lib'})" in message


# -- the gateway and its reload watcher --------------------------------------------------------------------


@pytest.fixture
def served(write_project: WriteProject) -> Path:
    return write_project(
        HEADER
        + """
        Globals:
          Function:
            Runtime: python3.11
            Handler: app.handler
            Layers: [!Ref PagesLayer]
        Resources:
          PagesLayer:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: shared/}
            Metadata: {BuildMethod: python3.11}
          Hello:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: hello/
              Events:
                Get:
                  Type: HttpApi
                  Properties:
                    Path: /hello/{name}
                    Method: GET
        """,
        {
            "shared/layer_pages/__init__.py": "def page(name):\n    return f'<p>hello {name}</p>'\n",
            "hello/app.py": """\
                from layer_pages import page

                def handler(event, context):
                    name = event["pathParameters"]["name"]
                    return {"statusCode": 200, "headers": {"content-type": "text/html"}, "body": page(name)}
                """,
        },
    )


def test_gateway_serves_a_function_whose_code_comes_from_a_layer(served: Path) -> None:
    state = load_state(served)
    try:
        response = Client(LocalGateway(state)).get("/hello/world")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html"
        assert response.get_data(as_text=True) == "<p>hello world</p>"
        # ``lambda-micro invoke`` goes through the same loader.
        event = build_event("GET", "/hello/there", payload="2.0", path_parameters={"name": "there"})
        assert state.functions["Hello"].invoke(event, None)["body"] == "<p>hello there</p>"
    finally:
        for loaded in state.functions.values():
            loaded.unload()


def test_gateway_watches_layer_folders_and_reload_picks_up_their_changes(served: Path) -> None:
    state = load_state(served)
    layer_folder = served.parent / "shared"
    assert layer_folder in state.watch_paths
    assert served.parent / "hello" in state.watch_paths
    changes: list[list[Path]] = []
    watcher = FileWatcher(lambda: state.watch_paths, changes.append, interval=0.05)
    module = layer_folder / "layer_pages" / "__init__.py"
    module.write_text("def page(name):\n    return f'<h1>hi {name}</h1>'\n", encoding="utf-8")
    try:
        assert watcher.check() == [module]
        assert changes == [[module]]
        reloaded = load_state(served)
        try:
            response = Client(LocalGateway(reloaded)).get("/hello/again")
            assert response.get_data(as_text=True) == "<h1>hi again</h1>"
        finally:
            for loaded in reloaded.functions.values():
                loaded.unload()
    finally:
        watcher.stop()
        for loaded in state.functions.values():
            loaded.unload()


def test_load_function_layer_notes_once_and_data_folders_do_not_shadow_modules(
    write_project: WriteProject, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_project(
        HEADER
        + """
        Globals:
          Function:
            Runtime: python3.11
            Handler: app.handler
            Layers: [!Ref Framework, !Ref Data]
        Resources:
          Framework:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: framework/}
            Metadata: {BuildMethod: makefile}
          Data:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: data/}
            Metadata: {BuildMethod: python3.11}
          One:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: one/}
          Two:
            Type: AWS::Serverless::Function
            Properties: {CodeUri: two/}
        """,
        {
            "framework/Makefile": "build-Framework:\n\ttrue\n",
            # Folders without __init__.py named like real modules are data, not namespace packages.
            "data/json/schema.txt": "not a module\n",
            "data/pytest/notes.txt": "not a module\n",
            "data/layer_ns_only/portion.py": "VALUE = 'namespace'\n",
            "one/app.py": (
                "import json, pytest\nfrom layer_ns_only import portion\n\n"
                "def handler(event, context):\n"
                "    return [json.dumps(1), pytest.__name__, portion.VALUE]\n"
            ),
            "two/app.py": "def handler(event, context):\n    return 2\n",
        },
    )
    functions = load_template(path).functions
    with caplog.at_level(logging.DEBUG, logger="lambda_micro.local"):
        one = load_function(functions["One"])
        two = load_function(functions["Two"])
    try:
        assert one.invoke({}, None) == ["1", "pytest", "namespace"]
        notes = [record for record in caplog.records if "layer Framework" in record.getMessage()]
        assert len(notes) == 1
        assert notes[0].levelno == logging.DEBUG  # the usual case: no line on every command
        assert "local environment" in notes[0].getMessage()
    finally:
        one.unload()
        two.unload()
