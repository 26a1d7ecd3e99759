"""``lambda-micro users`` and ``lambda-micro token``: local users of the template's Cognito, and tokens.

::

    lambda-micro users add EMAIL [--pool NAME] [--group G]... [--password P]
    lambda-micro users list
    lambda-micro token EMAIL [--pool NAME] [--client NAME] [--access]      (the running serve's Cognito)
    lambda-micro token --issuer URL [--sub S] [--audience A]... [--scope S]... [--claim K=V]...

``users add`` records the user in ``.lambda-micro/users.json`` (``serve`` creates it at every start) and,
when ``serve`` is running, creates it there at once. ``token EMAIL`` signs the user in to the running
server's Cognito and prints the id token (``--access``: the access token) alone on stdout, for
``curl -H "Authorization: Bearer $(lambda-micro token ada@example.com)"``. ``token --issuer`` prints a token
of the dev issuer (see :mod:`lambda_micro.local.auth.dev_issuer`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from .auth.dev_issuer import DevIssuer
from .cli_invoke import CliError
from .cognito import CognitoError, LocalCognito, random_password
from .console import PROG
from .embedded_aws import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY
from .sam import SamTemplate
from .workdir import ServeRecord, StoredUser, Users, project_dir, read_serve

__all__ = ["add_parsers", "run_token", "run_users"]


def add_parsers(commands: Any, add_template_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``users`` and ``token`` to the ``lambda-micro`` parser."""
    users = commands.add_parser(
        "users",
        help="manage local users of the template's Cognito user pools",
        description="Add or list users of the template's user pools, kept in .lambda-micro/users.json and "
        "created in the local Cognito whenever `serve` starts (at once when it is running).",
    )
    actions = users.add_subparsers(dest="users_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a user (or set its password and groups)")
    add.add_argument("username", metavar="EMAIL", help="the user's name: an email for email-username pools")
    add.add_argument("--pool", help="the user pool (logical id or name; default: the template's only pool)")
    add.add_argument(
        "--group", action="append", default=[], metavar="G", help="a group to put it in (repeatable)"
    )
    add.add_argument("--password", help="its password (default: a random one, printed)")
    add_template_options(add)
    listing = actions.add_parser("list", help="list the recorded users")
    add_template_options(listing)

    token = commands.add_parser(
        "token",
        help="print a token: a local Cognito user's, or the dev issuer's",
        description="Print a JWT on stdout: EMAIL's id token from the running `serve`'s Cognito (--access: "
        "its access token), or with --issuer a token the dev issuer signs (trusted by `serve` when the "
        "authorizer's issuer is the dev issuer, or with --trust-dev-issuer).",
    )
    token.add_argument("username", nargs="?", metavar="EMAIL", help="a user added with `users add`")
    token.add_argument("--pool", help="the user pool (default: the template's only pool)")
    token.add_argument("--client", help="the app client (default: the pool's first in the template)")
    token.add_argument("--access", action="store_true", help="print the access token, not the id token")
    token.add_argument("--password", help="the user's password (default: the one users add recorded)")
    token.add_argument("--issuer", help="sign a dev-issuer token for this issuer instead")
    token.add_argument("--sub", default="dev-user", help="the dev token's subject (default: dev-user)")
    token.add_argument(
        "--audience", action="append", default=[], metavar="A", help="an aud value (repeatable)"
    )
    token.add_argument("--scope", action="append", default=[], metavar="S", help="a scope (repeatable)")
    token.add_argument(
        "--claim",
        action="append",
        default=[],
        metavar="K=V",
        help="a claim; V is JSON if it parses, else text",
    )
    token.add_argument(
        "--expires-in", type=int, default=3600, metavar="SECONDS", help="lifetime (default: 3600)"
    )
    add_template_options(token)


def _running(template: SamTemplate) -> ServeRecord | None:
    return read_serve(template.path)


def _cognito(record: ServeRecord, template: SamTemplate) -> LocalCognito:
    return LocalCognito(
        template,
        client_kwargs={
            "endpoint_url": record.aws_endpoint,
            "region_name": record.region,
            "aws_access_key_id": DUMMY_ACCESS_KEY_ID,
            "aws_secret_access_key": DUMMY_SECRET_ACCESS_KEY,
        },
    )


def _pool_name(template: SamTemplate, pool: str | None) -> str:
    try:
        return template.user_pool(pool).logical_id
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None


def run_users(args: argparse.Namespace, template: SamTemplate) -> int:
    """``users add`` / ``users list``."""
    users = Users(template.path)
    try:
        if args.users_action == "list":
            for user in users.all():
                groups = f" (groups: {', '.join(user.groups)})" if user.groups else ""
                print(f"{user.pool}\t{user.username}{groups}")
            return 0
        pool = _pool_name(template, args.pool)
        password = args.password or random_password()
        record = _running(template)
        if record is not None:
            _cognito(record, template).add_user(
                args.username, pool=pool, password=password, groups=args.group
            )
        users.put(StoredUser(pool, args.username, password, list(args.group)))
    except (ValueError, CognitoError) as exc:
        raise CliError(str(exc)) from None
    where = "in the running server and " if record is not None else ""
    print(f"{PROG}: added {args.username} to {pool} ({where}in {users.path})", file=sys.stderr)
    if not args.password:
        print(f"{PROG}: password: {password}", file=sys.stderr)
    return 0


def _claims(values: list[str]) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    for item in values:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise CliError(f"--claim: expected NAME=VALUE, got {item!r}")
        try:
            claims[name] = json.loads(text)
        except ValueError:
            claims[name] = text
    return claims


def run_token(args: argparse.Namespace, template: SamTemplate) -> int:
    """``token EMAIL`` or ``token --issuer URL``: print the token alone on stdout."""
    if args.issuer:
        if args.username:
            raise CliError("token: give EMAIL (a Cognito user) or --issuer (a dev token), not both")
        issuer = DevIssuer(project_dir(template.path) / "dev-issuer.json")
        audience = args.audience[0] if len(args.audience) == 1 else (args.audience or None)
        print(
            issuer.token(
                issuer=args.issuer, subject=args.sub, audience=audience, scopes=args.scope,
                claims=_claims(args.claim), expires_in=args.expires_in,
            )
        )  # fmt: skip
        return 0
    if not args.username:
        raise CliError("token: give EMAIL (a user added with `users add`) or --issuer URL")
    pool = _pool_name(template, args.pool)
    record = _running(template)
    if record is None:
        raise CliError(
            f"no `{PROG} serve` is running for {template.path}: start it first (tokens come from its Cognito)"
        )
    password = args.password
    if password is None:
        try:
            stored = Users(template.path).find(args.username, pool)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        if stored is None:
            raise CliError(f"no user {args.username} in {pool}: `{PROG} users add {args.username}` first")
        password = stored.password
    try:
        result = _cognito(record, template).tokens(args.username, password, pool=pool, client=args.client)
    except CognitoError as exc:
        raise CliError(str(exc)) from None
    print(result["AccessToken" if args.access else "IdToken"])
    return 0
