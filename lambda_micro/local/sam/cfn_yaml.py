"""CloudFormation-flavoured YAML: short intrinsic tags, and line numbers kept for error messages.

``!Ref X`` becomes ``{"Ref": "X"}``, ``!GetAtt A.B`` becomes ``{"Fn::GetAtt": ["A", "B"]}``, and every
other short tag ``!Name`` becomes ``{"Fn::Name": value}`` — the same tree the long forms (``Fn::Sub: ...``)
produce, so the resolver only knows one shape. Every mapping is a :class:`CfnMap`, a ``dict`` that remembers
the line where it starts and the line of each of its keys.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["CfnLoader", "CfnMap", "YamlError", "line_of", "load_yaml"]


class YamlError(Exception):
    """The text is not valid (CloudFormation) YAML; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class CfnMap(dict[str, Any]):
    """A mapping from the template, with the 1-based line of its start and of each key."""

    line: int | None
    key_lines: dict[str, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = None
        self.key_lines = {}


def line_of(value: object, key: str | None = None) -> int | None:
    """The line of ``value`` (a mapping from the template), or of its ``key`` when that is known."""
    if isinstance(value, CfnMap):
        if key is not None and key in value.key_lines:
            return value.key_lines[key]
        return value.line
    return None


# Short tags whose long form is ``Fn::<Name>``; ``!Ref`` and ``!Condition`` are the two exceptions.
_FN_TAGS = (
    "Sub",
    "GetAtt",
    "If",
    "Join",
    "Select",
    "Split",
    "Equals",
    "Not",
    "And",
    "Or",
    "FindInMap",
    "ImportValue",
    "Base64",
    "GetAZs",
    "Cidr",
    "Length",
    "ToJsonString",
    "Transform",
)


class CfnLoader(yaml.SafeLoader):
    """A SafeLoader that understands CloudFormation's short tags and records line numbers."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # pragma: no cover - PyYAML only calls this for mappings
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping node, but found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)
        mapping = CfnMap()
        mapping.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                # CloudFormation keys are strings; YAML would happily give ints or bools (``on:``).
                key = str(key)
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping


def _construct_map(loader: CfnLoader, node: yaml.MappingNode) -> Any:
    # PyYAML builds mappings in two steps (yield an empty one, fill it later) so that recursive anchors work;
    # fill a CfnMap so the line numbers survive.
    data = CfnMap()
    data.line = node.start_mark.line + 1
    yield data
    value = loader.construct_mapping(node)
    data.update(value)
    if isinstance(value, CfnMap):
        data.key_lines = value.key_lines


def _tagged(loader: CfnLoader, node: yaml.Node, long_name: str) -> CfnMap:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if long_name == "Fn::GetAtt" and isinstance(value, str):
        # ``!GetAtt Resource.Attribute`` (the attribute itself may contain dots: ``Endpoint.Address``).
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    result = CfnMap({long_name: value})
    result.line = node.start_mark.line + 1
    result.key_lines[long_name] = result.line
    return result


def _register() -> None:
    def make(long_name: str) -> Any:
        def construct(loader: CfnLoader, node: yaml.Node) -> CfnMap:
            return _tagged(loader, node, long_name)

        return construct

    CfnLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    CfnLoader.add_constructor("!Ref", make("Ref"))
    CfnLoader.add_constructor("!Condition", make("Condition"))
    for name in _FN_TAGS:
        CfnLoader.add_constructor(f"!{name}", make(f"Fn::{name}"))


_register()


def load_yaml(text: str, *, path: Path | str = "<template>") -> Any:
    """Parse ``text``; a syntax error becomes :class:`YamlError` with the 1-based line."""
    try:
        return yaml.load(text, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YamlError(f"invalid YAML: {problem or exc}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", None) from exc
