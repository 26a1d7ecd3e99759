"""The template reader's shared core: sections, value resolution, conditions and error messages."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .cfn_yaml import CfnMap, line_of
from .intrinsics import NO_VALUE, ResolveError, Resolver, is_intrinsic
from .model import IMPLICIT_HTTP_API, IMPLICIT_REST_API, TemplateError

FUNCTION_TYPES = ("AWS::Serverless::Function",)


def merge_globals(global_props: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's Globals rules: the resource wins for scalars, maps are merged, lists are concatenated."""
    merged: dict[str, Any] = copy.deepcopy(dict(global_props))
    for key, value in props.items():
        current = merged.get(key)
        if (
            isinstance(current, Mapping)
            and isinstance(value, Mapping)
            and not is_intrinsic(current)
            and not is_intrinsic(value)
        ):
            merged[key] = merge_globals(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            merged[key] = current + value
        else:
            merged[key] = value
    if isinstance(props, CfnMap):
        result = CfnMap(merged)
        result.line = props.line
        result.key_lines = {**getattr(global_props, "key_lines", {}), **props.key_lines}
        return result
    return merged


class ReaderBase:
    def __init__(
        self,
        path: Path,
        document: Mapping[str, Any],
        *,
        parameter_overrides: Mapping[str, str],
        stack_name: str,
        region: str,
    ) -> None:
        self.path = path
        self.document = document
        self.stack_name = stack_name
        self.region = region
        self.resources = self._section("Resources", required=True)
        self.globals = self._section("Globals")
        self.parameters, self.parameter_strings = self._parameters(parameter_overrides)
        implicit: dict[str, str] = {}
        for logical_id, resource in self.resources.items():
            if isinstance(resource, Mapping) and resource.get("Type") in FUNCTION_TYPES:
                implicit[f"{logical_id}Role"] = "AWS::IAM::Role"
                implicit[f"{logical_id}Url"] = "AWS::Lambda::Url"
        implicit[IMPLICIT_REST_API] = "AWS::Serverless::Api"
        implicit[IMPLICIT_HTTP_API] = "AWS::Serverless::HttpApi"
        self.resolver = Resolver(
            parameters=self.parameters,
            resources=self.resources,
            conditions=self._section("Conditions"),
            mappings=self._section("Mappings"),
            stack_name=stack_name,
            region=region,
            implicit_resources=implicit,
        )

    def error(self, message: str, *, line: int | None = None, resource: str | None = None) -> TemplateError:
        return TemplateError(message, path=self.path, line=line, resource=resource)

    def _section(self, name: str, *, required: bool = False) -> Mapping[str, Any]:
        value = self.document.get(name)
        if value is None:
            if required:
                raise self.error(f"the template has no {name} section", line=1)
            return {}
        if not isinstance(value, Mapping):
            raise self.error(f"{name} must be a mapping", line=line_of(self.document, name))
        return value

    def resolve(self, value: Any, *, resource: str | None, line: int | None = None) -> Any:
        try:
            return self.resolver.resolve(value)
        except ResolveError as exc:
            raise self.error(exc.message, line=exc.line or line, resource=resource) from None

    # -- parameters --------------------------------------------------------------------------------

    def _parameters(self, overrides: Mapping[str, str]) -> tuple[dict[str, str | list[str]], dict[str, str]]:
        declared = self._section("Parameters")
        unknown = sorted(set(overrides) - set(declared))
        if unknown:
            what = "parameter" if len(unknown) == 1 else "parameters"
            raise self.error(f"parameter override for undeclared {what}: {', '.join(unknown)}")
        values: dict[str, str | list[str]] = {}
        strings: dict[str, str] = {}
        for name, spec in declared.items():
            line = line_of(declared, name)
            if not isinstance(spec, Mapping):
                raise self.error(f"parameter {name} must be a mapping", line=line, resource=name)
            if name in overrides:
                raw: object = overrides[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                raise self.error(
                    f"parameter {name} has no Default and no override was given", line=line, resource=name
                )
            text = ",".join(str(item) for item in raw) if isinstance(raw, list) else cfn_string(raw)
            allowed = spec.get("AllowedValues")
            if isinstance(allowed, list) and text not in [cfn_string(item) for item in allowed]:
                raise self.error(
                    f"parameter {name} is {text!r}, not one of its AllowedValues {allowed!r}",
                    line=line,
                    resource=name,
                )
            ptype = str(spec.get("Type", "String"))
            is_list = ptype == "CommaDelimitedList" or (ptype.startswith("List<") and ptype.endswith(">"))
            values[name] = [item.strip() for item in text.split(",")] if is_list else text
            strings[name] = text
        return values, strings

    def _exists(self, logical_id: str, resource: Mapping[str, Any], line: int | None) -> bool:
        condition = resource.get("Condition")
        if condition is None:
            return True
        try:
            return self.resolver.condition(condition, line_of(resource, "Condition"))
        except ResolveError as exc:
            raise self.error(exc.message, line=exc.line or line, resource=logical_id) from None

    def _properties(
        self, logical_id: str, resource: Mapping[str, Any], line: int | None
    ) -> Mapping[str, Any]:
        props = resource.get("Properties", {})
        if props is None:
            return {}
        if not isinstance(props, Mapping):
            raise self.error("Properties must be a mapping", line=line, resource=logical_id)
        return props


def cfn_string(value: object) -> str:
    """How CloudFormation turns a scalar into a string property (``true``, ``3``, ``0.5``)."""
    if value is NO_VALUE:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")
