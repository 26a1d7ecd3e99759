"""Fixtures for the adapter tests; the helpers live in adapter_kit.py, registered here for import."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

if "adapter_kit" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("adapter_kit", Path(__file__).with_name("adapter_kit.py"))
    assert _spec is not None
    assert _spec.loader is not None
    _kit = importlib.util.module_from_spec(_spec)
    sys.modules["adapter_kit"] = _kit
    _spec.loader.exec_module(_kit)

from adapter_kit import RecordingApp


@pytest.fixture
def context() -> SimpleNamespace:
    """The attributes of Lambda's context object that the adapter and its log records use."""
    return SimpleNamespace(
        aws_request_id="8476a536-e9f4-11e8-9739-2dfe598c3fcd",
        function_name="blog-web",
        function_version="$LATEST",
        invoked_function_arn="arn:aws:lambda:eu-central-1:123456789012:function:blog-web",
        memory_limit_in_mb=512,
        log_group_name="/aws/lambda/blog-web",
        log_stream_name="2024/11/24/[$LATEST]0123456789abcdef0123456789abcdef",
        get_remaining_time_in_millis=lambda: 29_000,
    )


@pytest.fixture
def app() -> RecordingApp:
    return RecordingApp()
