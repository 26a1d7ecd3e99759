"""``lambda-micro event`` for VPC Lattice (v1, v2) and Lambda@Edge (viewer and origin requests); their bad
options are among test_cli_options.py's."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import VpcLatticeModel, VpcLatticeV2Model

from lambda_micro.local.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else out, err


REQUEST = ("-X", "POST", "--path", "/orders/x?a=1&a=2", "-H", "Content-Type: application/json", "-H",
           "X-Two: b", "--body", '{"k": 1}', "--cookie", "s=1")  # fmt: skip


def test_cli_event_lattice_v1(capsys: pytest.CaptureFixture[str]) -> None:
    code, event, _ = run(capsys, "event", "lattice-1.0", *REQUEST)
    assert code == 0
    VpcLatticeModel.model_validate(event)
    assert event["raw_path"] == "/orders/x?a=1&a=2"
    assert event["query_string_parameters"] == {"a": "1,2"}
    assert event["headers"]["cookie"] == "s=1"
    assert event["body"] == '{"k": 1}'


def test_cli_event_lattice_v2(capsys: pytest.CaptureFixture[str]) -> None:
    code, event, _ = run(capsys, "event", "lattice-2.0", *REQUEST)
    assert code == 0
    assert event["queryStringParameters"] == {"a": ["1", "2"]}
    assert event["headers"]["x-two"] == ["b"]
    joined = {**event, "headers": {k: ",".join(v) for k, v in event["headers"].items()}}
    joined["queryStringParameters"] = {k: ",".join(v) for k, v in event["queryStringParameters"].items()}
    VpcLatticeV2Model.model_validate(joined)


def test_cli_event_edge_viewer_and_origin(capsys: pytest.CaptureFixture[str]) -> None:
    code, viewer, _ = run(capsys, "event", "edge", *REQUEST)
    assert code == 0
    cf = viewer["Records"][0]["cf"]
    assert cf["config"]["eventType"] == "viewer-request"
    assert cf["request"]["querystring"] == "a=1&a=2"
    assert base64.b64decode(cf["request"]["body"]["data"]) == b'{"k": 1}'
    assert "origin" not in cf["request"]
    code, origin, _ = run(capsys, "event", "edge", "--origin-request", "--no-include-body", *REQUEST)
    assert code == 0
    cf = origin["Records"][0]["cf"]
    assert cf["config"]["eventType"] == "origin-request"
    assert "body" not in cf["request"]
    assert cf["request"]["headers"]["via"][0]["value"].endswith("(CloudFront)")
