"""The template's Cognito user pools, app clients and groups, and its API Gateway API keys.

Each gets the id ``!Ref`` gives it (``<region>_<9 characters>`` for a pool, 26 characters for a client:
see :meth:`.stack.Stack.physical_name`), the one the local AWS creates it under, so a function's
``USER_POOL_CLIENT_ID: !Ref Client`` and a JWT authorizer's ``issuer: !Sub
https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}`` agree with the tokens it issues.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._base import ReaderBase, truthy
from .cfn_yaml import line_of
from .cognito_model import ApiKey, UserPool, UserPoolClient, UserPoolGroup
from .stack import suffix

__all__ = ["CognitoReader"]

# The CloudFormation properties of AWS::Cognito::UserPool and ::UserPoolClient that CreateUserPool and
# CreateUserPoolClient take under the same name (hosted UI, triggers, SMS... are not needed locally).
_POOL_REQUEST_KEYS = (
    "Policies", "UsernameAttributes", "AliasAttributes", "AutoVerifiedAttributes", "Schema",
    "AdminCreateUserConfig", "UsernameConfiguration", "MfaConfiguration", "AccountRecoverySetting",
)  # fmt: skip
_CLIENT_REQUEST_KEYS = (
    "ExplicitAuthFlows", "GenerateSecret", "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity",
    "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "AllowedOAuthFlows", "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient", "CallbackURLs", "LogoutURLs", "SupportedIdentityProviders",
)  # fmt: skip


class CognitoReader(ReaderBase):
    def _pool_of(self, value: Any, pools: Mapping[str, UserPool], at: str, line: int | None) -> str:
        resolved = self.resolve(value, resource=at, line=line)
        pool = next((logical for logical, pool in pools.items() if pool.pool_id == resolved), None)
        if pool is None:
            raise self.error(
                f"UserPoolId must !Ref an AWS::Cognito::UserPool of this template, got {resolved!r}",
                line=line,
                resource=at,
            )
        return pool

    def _cognito(
        self,
    ) -> tuple[dict[str, UserPool], dict[str, UserPoolClient], dict[str, UserPoolGroup], dict[str, ApiKey]]:
        """The template's pools, clients, groups and API keys (those whose Condition holds)."""
        pools: dict[str, UserPool] = {}
        clients: dict[str, UserPoolClient] = {}
        groups: dict[str, UserPoolGroup] = {}
        keys: dict[str, ApiKey] = {}
        by_type: dict[str, list[tuple[str, Mapping[str, Any], int | None]]] = {}
        for logical_id, resource in self.resources.items():
            line = line_of(self.resources, logical_id)
            if isinstance(resource, Mapping) and self._exists(logical_id, resource, line):
                by_type.setdefault(str(resource.get("Type")), []).append((logical_id, resource, line))
        for logical_id, resource, line in by_type.get("AWS::Cognito::UserPool", []):
            props = self.resolve(self._properties(logical_id, resource, line), resource=logical_id, line=line)
            pools[logical_id] = UserPool(
                logical_id=logical_id,
                pool_id=self.resolver.physical_name(logical_id),
                name=str(props.get("UserPoolName") or self.resolver.generated_name(logical_id)),
                arn=self.resolver.arn(logical_id),
                request={key: props[key] for key in _POOL_REQUEST_KEYS if key in props},
                line=line,
            )
        for logical_id, resource, line in by_type.get("AWS::Cognito::UserPoolClient", []):
            raw = self._properties(logical_id, resource, line)
            props = self.resolve(raw, resource=logical_id, line=line)
            clients[logical_id] = UserPoolClient(
                logical_id=logical_id,
                client_id=self.resolver.physical_name(logical_id),
                pool=self._pool_of(raw.get("UserPoolId"), pools, logical_id, line),
                name=str(props.get("ClientName") or logical_id),
                request={key: props[key] for key in _CLIENT_REQUEST_KEYS if key in props},
                line=line,
            )
        for logical_id, resource, line in by_type.get("AWS::Cognito::UserPoolGroup", []):
            raw = self._properties(logical_id, resource, line)
            props = self.resolve(raw, resource=logical_id, line=line)
            precedence = props.get("Precedence")
            groups[logical_id] = UserPoolGroup(
                logical_id=logical_id,
                name=self.resolver.physical_name(logical_id),
                pool=self._pool_of(raw.get("UserPoolId"), pools, logical_id, line),
                description=str(props.get("Description") or ""),
                precedence=int(precedence) if precedence is not None else None,
                line=line,
            )
        for logical_id, resource, line in by_type.get("AWS::ApiGateway::ApiKey", []):
            props = self.resolve(self._properties(logical_id, resource, line), resource=logical_id, line=line)
            value = props.get("Value")
            keys[logical_id] = ApiKey(
                logical_id=logical_id,
                key_id=self.resolver.physical_name(logical_id),
                # AWS generates 40 characters; locally a stable value derived from the stack and resource.
                value=str(value) if value else suffix(self.stack_name, logical_id, "apikey-value", length=40),
                enabled=props.get("Enabled") is None or truthy(props.get("Enabled")),
                generated=not value,
                line=line,
            )
        return pools, clients, groups, keys
