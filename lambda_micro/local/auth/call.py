"""One request as the authorization stage sees it: :class:`AuthCall`, made by the gateway for each request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lambda_micro.local import apigw
from lambda_micro.local.exchange import GatewayRequest
from lambda_micro.local.integration import request_event
from lambda_micro.local.invoke import Invocation, invoke
from lambda_micro.local.routing import Match
from lambda_micro.local.sam.stack import ACCOUNT_ID

if TYPE_CHECKING:
    from lambda_micro.local.gateway import GatewayState

__all__ = ["AuthCall", "auth_call"]


@dataclass(frozen=True)
class AuthCall:
    """One request at the authorization stage, with what the stage needs from the gateway.

    ``event(source)`` builds the request's event in a payload format (a REQUEST authorizer's input);
    ``invoke(function_id, event)`` runs an authorizer function (``KeyError`` when it is not loaded).
    """

    request: GatewayRequest
    match: Match
    region: str
    account_id: str
    event: Callable[[str], dict[str, Any]]
    invoke: Callable[[str, dict[str, Any]], Invocation]
    api_keys: Mapping[str, tuple[str, str]]


def auth_call(
    request: GatewayRequest,
    match: Match,
    request_id: str,
    state: GatewayState,
    *,
    inline: bool,
    propagate: bool,
) -> AuthCall:
    """The :class:`AuthCall` of ``request``: authorizer functions run like handlers (thread, Timeout, the
    API's integration limit); with ``propagate`` (the test client) an authorizer's exception is raised,
    but for ``Unauthorized``, which is an answer."""
    limit = apigw.INTEGRATION_TIMEOUT[match.route.api_kind]

    def run(function_id: str, event: dict[str, Any]) -> Invocation:
        target = state.functions[function_id]
        invocation = invoke(target, event, target.make_context(request_id), limit=limit, inline=inline)
        error = invocation.error
        if error is not None and propagate and str(error) != "Unauthorized":
            raise error
        return invocation

    def event(source: str) -> dict[str, Any]:
        return request_event(request, match, request_id, region=state.region, source=source)

    template = state.template
    return AuthCall(
        request=request,
        match=match,
        region=state.region,
        account_id=template.account_id if template is not None else ACCOUNT_ID,
        event=event,
        invoke=run,
        api_keys=state.api_keys,
    )
