"""The template's Cognito user pools on the local AWS (moto), under the ids the template resolves to.

``!Ref UserPool`` and ``!Ref UserPoolClient`` resolve to stable ids (:mod:`lambda_micro.local.sam.stack`),
so a function's ``USER_POOL_CLIENT_ID`` and a JWT authorizer's ``issuer`` are known before anything runs;
moto draws random ids when it creates a pool or a client, so each is created through the Cognito API and
then filed under the template's id in moto's backend (moto's tokens name the pool by that id in ``iss``,
and the app client in ``aud``/``client_id``). This is the one place that reaches into moto's Cognito
internals; :func:`create_user_pools` fails with a clear message if a moto release changes them.

:class:`LocalCognito` manages users (created confirmed, with a permanent password, in groups) and signs them
in with ``AdminInitiateAuth``: the tokens are the ones moto's Cognito issues, RS256-signed with the key its
JWKS publishes.
"""

from __future__ import annotations

import contextlib
import secrets
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .sam import SamTemplate
from .sam.cognito_model import UserPool, UserPoolClient

__all__ = ["CognitoError", "LocalCognito", "LocalUser", "create_user_pools", "random_password"]


class CognitoError(Exception):
    """A user or pool operation the local Cognito refused (the message names the user and the pool)."""


def random_password(length: int = 20) -> str:
    """A password that meets Cognito's default policy (lower, upper, digit and symbol)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(length - 4))
    return body + secrets.choice(string.ascii_lowercase) + secrets.choice(string.ascii_uppercase) + "7!"


def _backend(region: str, account_id: str) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends  # noqa: PLC0415 - moto is heavy

    return cognitoidp_backends[account_id][region]


def _refile_pool(backend: Any, created_id: str, pool: UserPool) -> None:
    try:
        moto_pool = backend.user_pools.pop(created_id)
        moto_pool.id = pool.pool_id
        moto_pool.arn = pool.arn
        backend.user_pools[pool.pool_id] = moto_pool
    except (AttributeError, KeyError) as exc:  # pragma: no cover - only if moto's internals change
        raise CognitoError(
            f"cannot file user pool {pool.logical_id} under {pool.pool_id} in moto: {exc}"
        ) from exc


def _refile_client(backend: Any, created_id: str, pool_id: str, client: UserPoolClient) -> None:
    try:
        clients = backend.user_pools[pool_id].clients
        moto_client = clients.pop(created_id)
        moto_client.id = client.client_id
        clients[client.client_id] = moto_client
    except (AttributeError, KeyError) as exc:  # pragma: no cover - only if moto's internals change
        raise CognitoError(
            f"cannot file app client {client.logical_id} under {client.client_id}: {exc}"
        ) from exc


def create_user_pools(template: SamTemplate, *, client_kwargs: Mapping[str, Any] | None = None) -> list[str]:
    """Create the template's pools, app clients and groups (those that exist are kept); return pool ids."""
    if not template.user_pools:
        return []
    import boto3  # noqa: PLC0415 - dev-only dependency

    kwargs: dict[str, Any] = {"region_name": template.region, **dict(client_kwargs or {})}
    cognito = boto3.client("cognito-idp", **kwargs)
    backend = _backend(kwargs["region_name"], template.account_id)
    for pool in template.user_pools.values():
        if pool.pool_id in backend.user_pools:
            continue
        created = cognito.create_user_pool(PoolName=pool.name, **pool.request)["UserPool"]["Id"]
        _refile_pool(backend, created, pool)
    for client in template.user_pool_clients.values():
        pool_id = template.user_pools[client.pool].pool_id
        if client.client_id in backend.user_pools[pool_id].clients:
            continue
        created = cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName=client.name, **client.request
        )
        _refile_client(backend, created["UserPoolClient"]["ClientId"], pool_id, client)
    for group in template.user_pool_groups.values():
        pool_id = template.user_pools[group.pool].pool_id
        if group.name in backend.user_pools[pool_id].groups:
            continue
        request: dict[str, Any] = {"GroupName": group.name, "UserPoolId": pool_id}
        if group.description:
            request["Description"] = group.description
        if group.precedence is not None:
            request["Precedence"] = group.precedence
        cognito.create_group(**request)
    return [pool.pool_id for pool in template.user_pools.values()]


@dataclass(frozen=True)
class LocalUser:
    """A user of a local pool: the name it signs in with, its password, ``sub`` and groups."""

    pool: str  # the pool's logical id
    username: str
    password: str
    sub: str
    groups: tuple[str, ...] = ()


class LocalCognito:
    """Users and tokens of the template's pools on the local AWS (``client_kwargs``: the embedded server).

    Under a test's ``mock_aws``, leave ``client_kwargs`` out.
    """

    def __init__(self, template: SamTemplate, *, client_kwargs: Mapping[str, Any] | None = None) -> None:
        import boto3  # noqa: PLC0415 - dev-only dependency

        self.template = template
        self._client = boto3.client(
            "cognito-idp", **{"region_name": template.region, **dict(client_kwargs or {})}
        )

    def _pool(self, pool: str | None) -> UserPool:
        try:
            return self.template.user_pool(pool)
        except KeyError as exc:
            raise CognitoError(str(exc.args[0])) from None

    def _app_client(self, pool: UserPool, client: str | None) -> UserPoolClient:
        clients = [c for c in self.template.user_pool_clients.values() if c.pool == pool.logical_id]
        if client is not None:
            clients = [c for c in clients if client in (c.logical_id, c.name, c.client_id)]
        if not clients:
            raise CognitoError(
                f"user pool {pool.logical_id} has no app client"
                + (
                    f" named {client!r}"
                    if client
                    else " in the template (add an AWS::Cognito::UserPoolClient)"
                )
            )
        return clients[0]

    def add_user(
        self,
        username: str,
        *,
        pool: str | None = None,
        password: str | None = None,
        groups: Sequence[str] = (),
        attributes: Mapping[str, str] | None = None,
    ) -> LocalUser:
        """Create a confirmed user (an email username gets a verified ``email``), in ``groups``.

        An existing user gets the new password and groups. Groups the template does not declare are
        created. Raises :class:`CognitoError` for a name or password the pool refuses.
        """
        target = self._pool(pool)
        password = password or random_password()
        values = dict(attributes or {})
        if "@" in username:
            values.setdefault("email", username)
            values.setdefault("email_verified", "true")
        user_attributes = [{"Name": name, "Value": value} for name, value in values.items()]
        errors = self._client.exceptions
        try:
            with contextlib.suppress(errors.UsernameExistsException):  # then: a new password, groups
                self._client.admin_create_user(
                    UserPoolId=target.pool_id,
                    Username=username,
                    UserAttributes=user_attributes,
                    MessageAction="SUPPRESS",
                )
            self._client.admin_set_user_password(
                UserPoolId=target.pool_id, Username=username, Password=password, Permanent=True
            )
            existing = {g["GroupName"] for g in self._client.list_groups(UserPoolId=target.pool_id)["Groups"]}
            for group in groups:
                if group not in existing:
                    self._client.create_group(UserPoolId=target.pool_id, GroupName=group)
                self._client.admin_add_user_to_group(
                    UserPoolId=target.pool_id, Username=username, GroupName=group
                )
            found = self._client.admin_get_user(UserPoolId=target.pool_id, Username=username)
        except (errors.InvalidPasswordException, errors.InvalidParameterException) as exc:
            raise CognitoError(
                f"{username} in {target.logical_id}: {exc.response['Error']['Message']}"
            ) from None
        sub = next((a["Value"] for a in found.get("UserAttributes", []) if a["Name"] == "sub"), "")
        member_of = self._client.admin_list_groups_for_user(UserPoolId=target.pool_id, Username=username)
        return LocalUser(
            pool=target.logical_id,
            username=username,
            password=password,
            sub=sub,
            groups=tuple(g["GroupName"] for g in member_of["Groups"]),
        )

    def tokens(
        self, username: str, password: str, *, pool: str | None = None, client: str | None = None
    ) -> dict[str, Any]:
        """Sign ``username`` in (``AdminInitiateAuth``); Cognito's ``AuthenticationResult``.

        ``IdToken``, ``AccessToken``, ``RefreshToken``, ``ExpiresIn``: real tokens of the local pool.
        """
        target = self._pool(pool)
        app = self._app_client(target, client)
        errors = self._client.exceptions
        try:
            answer = self._client.admin_initiate_auth(
                UserPoolId=target.pool_id,
                ClientId=app.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except (errors.NotAuthorizedException, errors.UserNotFoundException) as exc:
            raise CognitoError(
                f"{username} in {target.logical_id}: {exc.response['Error']['Message']}"
            ) from None
        result = answer.get("AuthenticationResult")
        if not isinstance(result, dict):
            raise CognitoError(
                f"{username} in {target.logical_id}: Cognito asks for {answer.get('ChallengeName')}"
            )
        return result
