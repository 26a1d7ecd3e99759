"""Powertools' ALBResolver (ALB events)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import ALBResolver

from ._powertools_app import register

app = ALBResolver()
register(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
