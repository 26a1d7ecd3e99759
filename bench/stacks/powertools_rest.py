"""Powertools' APIGatewayRestResolver (REST API payload 1.0)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from ._powertools_app import register

app = APIGatewayRestResolver()
register(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
