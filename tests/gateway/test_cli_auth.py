"""``lambda-micro users`` and ``lambda-micro token`` against a running ``serve``, and their errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambda_micro.local.auth.tokens import unverified_header
from lambda_micro.local.cli import main
from lambda_micro.local.devserver import DevServer

from .auth_project import call, write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path).template


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def served(project: Path) -> Iterator[DevServer]:
    dev = DevServer(project, port=0, reload=False, api_ports=False)
    dev.start()
    yield dev
    dev.stop()


def test_users_added_before_serve_are_created_at_start(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys, "users", "add", "ada@example.com", "--group", "editors", "-t", str(project)
    )
    assert (status, out) == (0, "")
    assert "added ada@example.com to Users" in err
    assert "password: " in err  # generated, shown once
    status, out, _ = run(capsys, "users", "list", "-t", str(project))
    assert out == "Users\tada@example.com (groups: editors)\n"
    dev = DevServer(project, port=0, reload=False, api_ports=False)
    dev.start()
    try:
        status, token, err = run(capsys, "token", "ada@example.com", "-t", str(project))
        assert status == 0, err
        claims = unverified_header(token.strip())[1]
        assert (claims["email"], claims["token_use"], claims["cognito:groups"]) == (
            "ada@example.com", "id", ["editors"],
        )  # fmt: skip
        answer = call(dev, "GET", "/jwt", {"Authorization": f"Bearer {token.strip()}"})
        assert answer.status == 200, answer.body
        _, access, _ = run(capsys, "token", "ada@example.com", "--access", "-t", str(project))
        assert unverified_header(access.strip())[1]["token_use"] == "access"
    finally:
        dev.stop()
    # serve is gone: tokens need it
    status, _, err = run(capsys, "token", "ada@example.com", "-t", str(project))
    assert status == 2
    assert "no `lambda-micro serve` is running" in err


def test_users_added_while_serving_are_usable_at_once(
    served: DevServer, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        capsys, "users", "add", "bob@example.com", "--password", "Str0ng!Passw0rd", "-t", str(project)
    )
    assert status == 0, err
    assert "in the running server" in err
    assert "password:" not in err
    status, token, err = run(capsys, "token", "bob@example.com", "-t", str(project))
    assert status == 0, err
    assert call(served, "GET", "/jwt", {"Authorization": token.strip()}).status == 200
    status, _, err = run(capsys, "token", "bob@example.com", "--password", "wrong", "-t", str(project))
    assert status == 2
    assert "bob@example.com in Users" in err


def test_token_errors_are_one_line(
    served: DevServer, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "token", "nobody@example.com", "-t", str(project))
    assert (status, err.count("\n")) == (2, 1)
    assert "users add nobody@example.com" in err
    assert run(capsys, "token", "-t", str(project))[0] == 2
    status, _, err = run(capsys, "token", "a@b.c", "--issuer", "https://x/", "-t", str(project))
    assert "not both" in err
    status, _, err = run(capsys, "users", "add", "a@b.c", "--pool", "Nope", "-t", str(project))
    assert status == 2
    assert "no user pool 'Nope'" in err
    status, _, err = run(capsys, "users", "add", "a@b.c", "--password", "short", "-t", str(project))
    assert status == 2
    assert "a@b.c in Users" in err


def test_dev_issuer_tokens_from_the_command_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, token, _ = run(
        capsys, "token", "--issuer", "https://auth.example.com/", "--sub", "svc", "--audience", "api",
        "--scope", "read", "--scope", "write", "--claim", "tier=2", "--claim", "team=core", "--claim",
        'roles=["a","b"]', "-t", str(project),
    )  # fmt: skip
    assert status == 0
    header, claims = unverified_header(token.strip())
    assert header["kid"] == "lambda-micro-dev"
    assert (claims["iss"], claims["sub"], claims["aud"], claims["scope"]) == (
        "https://auth.example.com/", "svc", "api", "read write",
    )  # fmt: skip
    assert (claims["tier"], claims["team"], claims["roles"]) == (2, "core", ["a", "b"])
    status, _, err = run(capsys, "token", "--issuer", "https://x/", "--claim", "nope", "-t", str(project))
    assert (status, "NAME=VALUE" in err) == (2, True)
    # serve --trust-dev-issuer accepts it (the key is the project's, shared by both commands)
    dev = DevServer(project, port=0, reload=False, api_ports=False, aws="real", trust_dev_issuer=True)
    dev.start()
    try:
        assert call(dev, "GET", "/external", {"Authorization": f"Bearer {token.strip()}"}).status == 200
    finally:
        dev.stop()


def test_a_broken_users_file_is_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    users = project.parent / ".lambda-micro" / "users.json"
    users.parent.mkdir()
    users.write_text(json.dumps({"users": [{"pool": "Users"}]}))
    status, _, err = run(capsys, "users", "list", "-t", str(project))
    assert status == 2
    assert "lacks" in err


def test_routes_and_banner_show_the_authorizers(
    served: DevServer, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lambda_micro.local.console import banner

    _, out, _ = run(capsys, "routes", "-t", str(project))
    auth = {" ".join(line.split()[:2]): " ".join(line.split()[7:]) for line in out.splitlines()[1:]}
    assert auth["GET /jwt"] == "Jwt (jwt)"
    assert auth["GET /cognito"] == "Cognito (cognito)"
    assert auth["ANY /token/{proxy+}"] == "Token (lambda)"
    assert auth["GET /iam"] == "AWS_IAM"
    assert auth["GET /key"] == "API key"
    assert auth["GET /open"] == "-"
    shown = banner(served)
    assert "user pool Users: us-east-1_" in shown
    assert "API key LocalKey (x-api-key): local-key-0123456789abcdef" in shown
    assert "lambda-micro token EMAIL" in shown
