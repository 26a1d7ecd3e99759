"""The authorization stage of the gateway's one pipeline: what the route's authorizer decides for a request.

:class:`GatewayAuth` is called by :meth:`LocalGateway.handle <lambda_micro.local.gateway.LocalGateway.handle>`
after routing and before the integration event is built, for ``lambda-micro serve`` and the test client
alike. It returns :class:`Granted` (what the authorizer adds to the event) or :class:`Refused` (API
Gateway's own answer, :mod:`lambda_micro.local.apigw`, and a line for the log saying why):

- JWT (HTTP API): the token in the identity source, verified against its issuer's keys (:mod:`.keys`,
  :mod:`.tokens`), then the route's scopes (at least one);
- Cognito user pool (REST): the bare token in ``Identity.Header`` (optionally matching
  ``ValidationExpression``), signed by one of the pools; an id token, or an access token with one of the
  method's scopes when it has scopes;
- Lambda (REST TOKEN/REQUEST, HTTP API 1.0/2.0): identity sources present, then the template's function
  invoked with the authorizer event, its answer cached for the TTL and evaluated against this request's ARN
  (:mod:`.lambda_authorizer`, :mod:`.policy`, :mod:`.cache`);
- IAM: the request's SigV4 signature (:mod:`.sigv4`);
- then, on REST, the API key (``x-api-key``) when the route requires one.

``enforce=False`` (the test client's default) runs none of these; a test's ``authorizer=`` block or
``as_user(...)`` principal is then put in the event as given. With ``enforce``, a principal still meets the
route's scopes and API key.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lambda_micro.local.apigw import GatewayError, api_error
from lambda_micro.local.sam.auth_model import (
    CognitoAuthorizer,
    IamAuthorizer,
    JwtAuthorizer,
    LambdaAuthorizer,
    RouteAuth,
)

from .cache import AuthorizerCache
from .call import AuthCall
from .contexts import (
    InvalidContext,
    http_claims,
    http_scopes,
    iam_block,
    rest_claims,
    rest_lambda_context,
    token_scopes,
)
from .credentials import Credentials
from .keys import IssuerKeys, KeysUnavailable
from .lambda_authorizer import Answer, authorizer_event, identity_values, parse_answer
from .policy import Decision, PolicyError, evaluate, method_arn
from .principal import principal_authorizer
from .sigv4 import SignatureRejected, verify_sigv4
from .tokens import TokenRejected, bearer_token, check_claims, unverified_header, verify_signature

__all__ = ["GatewayAuth", "Granted", "Refused"]

logger = logging.getLogger("lambda_micro.local")


@dataclass(frozen=True)
class Granted:
    """The request goes on; ``authorizer``: ``(kind, value)`` for the event; ``api_key``: ``(value, id)``."""

    authorizer: tuple[str, Mapping[str, Any]] | None = None
    api_key: tuple[str, str] | None = None


@dataclass(frozen=True)
class Refused:
    """API Gateway's answer instead of the integration, and why (for the log)."""

    error: GatewayError
    reason: str


def _issuer_of(pool_id: str) -> str:
    return f"https://cognito-idp.{pool_id.split('_', 1)[0]}.amazonaws.com/{pool_id}"


class GatewayAuth:
    """Decide each request's authorization; see the module docstring."""

    def __init__(
        self,
        *,
        enforce: bool = True,
        keys: IssuerKeys | None = None,
        credentials: Credentials | None = None,
        cache: AuthorizerCache | None = None,
    ) -> None:
        self.enforce = enforce
        self.keys = keys or IssuerKeys()
        self.credentials = credentials or Credentials()
        self.cache = cache or AuthorizerCache()

    def decide(self, call: AuthCall) -> Granted | Refused:
        """Run the route's authorizer (and API key check) for ``call``."""
        request, route = call.request, call.match.route
        auth: RouteAuth | None = getattr(route, "auth", None)
        if request.authorizer is not None:
            return Granted()  # the test's own block, as given (the event builder reads it)
        if request.principal is not None:
            return self._principal(call, auth)
        if auth is None or not self.enforce:
            return Granted()
        decision: Granted | Refused = Granted()
        authorizer = auth.authorizer
        if isinstance(authorizer, JwtAuthorizer):
            decision = self._jwt(call, authorizer, auth)
        elif isinstance(authorizer, CognitoAuthorizer):
            decision = self._cognito(call, authorizer, auth)
        elif isinstance(authorizer, LambdaAuthorizer):
            decision = self._lambda(call, authorizer)
        elif isinstance(authorizer, IamAuthorizer):
            decision = self._iam(call)
        if isinstance(decision, Granted) and auth.api_key_required:
            return self._api_key(call, decision)
        return decision

    # -- the test kit's principal ---------------------------------------------------------------------

    def _principal(self, call: AuthCall, auth: RouteAuth | None) -> Granted | Refused:
        principal = call.request.principal
        assert principal is not None
        block = principal_authorizer(principal, auth, call.match.route.source, region=call.region)
        granted = Granted(authorizer=block)
        if not self.enforce or auth is None:
            return granted
        scoped = isinstance(auth.authorizer, JwtAuthorizer | CognitoAuthorizer) and auth.scopes
        if scoped and not set(auth.scopes) & set(principal.scopes):
            reason = f"the user has none of the route's scopes {list(auth.scopes)}"
            if isinstance(auth.authorizer, CognitoAuthorizer):
                return self._refuse(call, "unauthorized", reason)
            return self._insufficient_scope(call, auth, reason)
        return self._api_key(call, granted) if auth.api_key_required else granted

    # -- refusals ---------------------------------------------------------------------------------------

    def _refuse(self, call: AuthCall, what: str, reason: str) -> Refused:
        return Refused(api_error(call.match.route.api_kind, what), reason)

    def _invalid_token(self, call: AuthCall, auth: RouteAuth, description: str | None) -> Refused:
        error = api_error("http", "unauthorized")
        if description is None:
            return Refused(error.with_headers(("www-authenticate", "Bearer")), "no token")
        # The shape AWS documents (HTTP API JWT troubleshooting): Bearer scope="" error="" error_description=
        challenge = (
            f'Bearer scope="{" ".join(auth.scopes)}" error="invalid_token" error_description="{description}"'
        )
        return Refused(error.with_headers(("www-authenticate", challenge)), description)

    def _insufficient_scope(self, call: AuthCall, auth: RouteAuth, reason: str) -> Refused:
        challenge = f'Bearer scope="{" ".join(auth.scopes)}" error="insufficient_scope"'
        return Refused(
            api_error("http", "access_denied").with_headers(("www-authenticate", challenge)), reason
        )

    # -- authorizers ----------------------------------------------------------------------------------------

    def _jwt(self, call: AuthCall, authorizer: JwtAuthorizer, auth: RouteAuth) -> Granted | Refused:
        token = bearer_token(call.request.header(authorizer.header))
        if token is None:
            return self._invalid_token(call, auth, None)
        try:
            claims = verify_signature(token, self.keys.key_set(authorizer.issuer))
            check_claims(claims, issuers={authorizer.issuer}, audience=authorizer.audience or None)
        except KeysUnavailable as exc:
            challenge = ("www-authenticate", "Bearer")
            return Refused(api_error("http", "unauthorized").with_headers(challenge), str(exc))
        except TokenRejected as exc:
            return self._invalid_token(call, auth, exc.description)
        if auth.scopes and not set(auth.scopes) & set(token_scopes(claims) or ()):
            return self._insufficient_scope(
                call, auth, f"the token has none of the route's scopes {list(auth.scopes)}"
            )
        return Granted(authorizer=("jwt", {"claims": http_claims(claims), "scopes": http_scopes(claims)}))

    def _cognito(self, call: AuthCall, authorizer: CognitoAuthorizer, auth: RouteAuth) -> Granted | Refused:
        value = call.request.header(authorizer.header)
        if not value:
            return self._refuse(call, "unauthorized", f"no token in the {authorizer.header} header")
        expression = authorizer.validation_expression
        if expression and re.fullmatch(expression, value) is None:
            return self._refuse(
                call, "unauthorized", f"the {authorizer.header} header does not match {expression!r}"
            )
        token = value.strip()
        if token[:7].lower() == "bearer ":
            return self._refuse(
                call, "unauthorized", "a REST Cognito authorizer takes the bare token, without 'Bearer '"
            )
        issuers = {_issuer_of(pool_id) for pool_id in authorizer.user_pool_ids}
        try:
            issuer = unverified_header(token)[1].get("iss")
            if issuer not in issuers:
                raise TokenRejected(f"the token's issuer {issuer!r} is none of the authorizer's user pools")
            claims = verify_signature(token, self.keys.key_set(str(issuer)))
            check_claims(claims, issuers=issuers, audience=None)
        except KeysUnavailable as exc:
            return self._refuse(call, "unauthorized", str(exc))
        except TokenRejected as exc:
            return self._refuse(call, "token_expired" if exc.expired else "unauthorized", exc.description)
        use = claims.get("token_use")
        if auth.scopes:
            if use != "access" or not set(auth.scopes) & set(token_scopes(claims) or ()):
                return self._refuse(
                    call, "unauthorized", f"the method needs an access token with one of {list(auth.scopes)}"
                )
        elif use != "id":
            return self._refuse(call, "unauthorized", f"the method needs an id token (this is {use!r})")
        return Granted(authorizer=("claims", rest_claims(claims)))

    def _iam(self, call: AuthCall) -> Granted | Refused:
        kind = call.match.route.api_kind
        try:
            caller = verify_sigv4(call.request, region=call.region, credentials=self.credentials)
        except SignatureRejected as exc:
            if exc.unsigned:
                return Refused(api_error(kind, "unsigned"), "the request is not signed (SigV4)")
            return Refused(
                api_error(kind, "bad_signature").with_message(exc.message, exc.error_type), exc.message
            )
        block = iam_block(
            access_key=caller.access_key,
            account_id=caller.account_id,
            caller_id=caller.user_id,
            user_arn=caller.user_arn,
        )
        return Granted(authorizer=("iam", block))

    def _lambda(self, call: AuthCall, authorizer: LambdaAuthorizer) -> Granted | Refused:
        route = call.match.route
        if authorizer.function_id is None:
            return self._refuse(
                call,
                "authorizer_error",
                f"authorizer {authorizer.name}: {authorizer.function_arn} is not a function of this template",
            )
        if route.api_kind == "rest":
            source = "rest"
        else:
            source = "http-2.0" if authorizer.payload_format_version == "2.0" else "http-1.0"
        integration_event = call.event(source)
        values = identity_values(authorizer, call.request, integration_event)
        expression = authorizer.validation_expression if authorizer.payload == "TOKEN" else None
        if expression and values and values[0] and re.fullmatch(expression, values[0]) is None:
            return self._refuse(call, "unauthorized", f"the token does not match {expression!r}")
        if any(value is None for value in values):
            return self._refuse(
                call, "unauthorized", f"authorizer {authorizer.name}: an identity source is missing"
            )
        present = [str(value) for value in values]
        arn = method_arn(
            region=call.region,
            account_id=call.account_id,
            api_id=getattr(route, "physical_api_id", None) or "a1b2c3d4e5",
            stage=route.stage,
            method=call.request.method,
            path=unquote(call.match.path),
        )
        cacheable = authorizer.ttl > 0 and not authorizer.identity.empty
        key = (route.api_id, authorizer.name, tuple(present))
        answer: Answer | None = self.cache.get(key) if cacheable else None
        latency = 0
        if answer is None:
            outcome = self._run(
                call, authorizer, authorizer_event(authorizer, integration_event, present, arn)
            )
            if isinstance(outcome, Refused):
                return outcome
            answer, latency = outcome
            if cacheable:
                self.cache.put(key, answer, authorizer.ttl)
        return self._verdict(call, authorizer, answer, arn, latency)

    def _run(
        self, call: AuthCall, authorizer: LambdaAuthorizer, event: dict[str, Any]
    ) -> tuple[Answer, int] | Refused:
        assert authorizer.function_id is not None
        try:
            invocation = call.invoke(authorizer.function_id, event)
        except KeyError:
            return self._refuse(
                call, "authorizer_error", f"authorizer function {authorizer.function_id} is not loaded"
            )
        if invocation.timed_out or invocation.integration_timed_out:
            return self._refuse(call, "authorizer_error", f"authorizer {authorizer.name} timed out")
        if invocation.error is not None:
            error = invocation.error
            if str(error) == "Unauthorized" and call.match.route.api_kind == "rest":
                return self._refuse(
                    call, "unauthorized", f"authorizer {authorizer.name} answered Unauthorized"
                )
            return self._refuse(
                call,
                "authorizer_error",
                f"authorizer {authorizer.name} raised {type(error).__name__}: {error}",
            )
        try:
            return parse_answer(authorizer, invocation.result), round(invocation.duration_ms)
        except PolicyError as exc:
            return self._refuse(call, "authorizer_error", f"authorizer {authorizer.name}: {exc}")

    def _verdict(
        self, call: AuthCall, authorizer: LambdaAuthorizer, answer: Answer, arn: str, latency: int
    ) -> Granted | Refused:
        if answer.authorized is not None:
            if not answer.authorized:
                return self._refuse(
                    call, "access_denied", f"authorizer {authorizer.name}: isAuthorized false"
                )
        else:
            try:
                verdict = evaluate(answer.policy, arn)
            except PolicyError as exc:
                return self._refuse(call, "authorizer_error", f"authorizer {authorizer.name}: {exc}")
            if verdict is Decision.EXPLICIT_DENY:
                return self._refuse(
                    call, "explicit_deny", f"authorizer {authorizer.name}: a Deny covers {arn}"
                )
            if verdict is Decision.IMPLICIT_DENY:
                return self._refuse(
                    call, "access_denied", f"authorizer {authorizer.name}: no Allow covers {arn}"
                )
        if authorizer.api_kind == "rest":
            try:
                block = rest_lambda_context(answer.principal_id or "", answer.context, latency)
            except InvalidContext as exc:
                return self._refuse(call, "authorizer_error", f"authorizer {authorizer.name}: {exc}")
            return Granted(authorizer=("lambda", block))
        return Granted(authorizer=("lambda", dict(answer.context)))

    def _api_key(self, call: AuthCall, granted: Granted) -> Granted | Refused:
        value = call.request.header("x-api-key")
        key = call.api_keys.get(value) if value else None
        if key is None:
            reason = (
                "no x-api-key header" if not value else "the x-api-key is none of the template's API keys"
            )
            return self._refuse(call, "api_key", reason)
        return Granted(authorizer=granted.authorizer, api_key=key)
