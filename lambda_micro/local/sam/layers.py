"""Reading the template's layers and each function's ``Layers`` list."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._base import ReaderBase
from .cfn_yaml import line_of
from .intrinsics import NO_VALUE, ResolveError
from .model import ExternalLayer, Layer

#: Layer resource types and the property naming their content.
LAYER_TYPES = {"AWS::Serverless::LayerVersion": "ContentUri", "AWS::Lambda::LayerVersion": "Content"}
_LAYER_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$")


class LayerReader(ReaderBase):
    def _layers(self) -> dict[str, Layer | ExternalLayer]:
        layers: dict[str, Layer | ExternalLayer] = {}
        for logical_id, resource in self.resources.items():
            if not isinstance(resource, Mapping) or resource.get("Type") not in LAYER_TYPES:
                continue
            line = line_of(self.resources, logical_id)
            if not self._exists(logical_id, resource, line):
                continue
            rtype = str(resource["Type"])
            content_key = LAYER_TYPES[rtype]
            props = self._properties(logical_id, resource, line)
            content_line = line_of(props, content_key) or line
            content = self.resolve(props.get(content_key), resource=logical_id, line=content_line)
            name = self.resolve(props.get("LayerName"), resource=logical_id, line=line)
            layer_name = str(name) if isinstance(name, str | int) and name != "" else logical_id
            arn = (
                f"arn:{self.resolver.partition}:lambda:{self.region}:{self.resolver.account_id}:"
                f"layer:{layer_name}:1"
            )
            if content is None:
                raise self.error(f"the layer has no {content_key}", line=line, resource=logical_id)
            if isinstance(content, Mapping) or (isinstance(content, str) and content.startswith("s3://")):
                layers[logical_id] = ExternalLayer(
                    arn=arn, logical_id=logical_id, reason=f"its {content_key} is in S3", line=line
                )
                continue
            if not isinstance(content, str) or not content:
                raise self.error(
                    f"{content_key} must be a local folder or an S3 location, got {content!r}",
                    line=content_line,
                    resource=logical_id,
                )
            folder = (self.path.parent / content).resolve()
            if not folder.is_dir():
                what = "is a file, not a folder" if folder.exists() else "does not exist"
                raise self.error(
                    f"{content_key} {content!r} is not a folder ({folder} {what})",
                    line=content_line,
                    resource=logical_id,
                )
            metadata = resource.get("Metadata")
            build_method = metadata.get("BuildMethod") if isinstance(metadata, Mapping) else None
            if build_method is not None and not isinstance(build_method, str):
                raise self.error(
                    f"Metadata BuildMethod must be a runtime (python3.11) or makefile, got {build_method!r}",
                    line=line_of(metadata, "BuildMethod") or line,
                    resource=logical_id,
                )
            runtimes = self.resolve(props.get("CompatibleRuntimes") or [], resource=logical_id, line=line)
            layers[logical_id] = Layer(
                logical_id=logical_id,
                content_uri=folder,
                build_method=build_method.strip().lower() if build_method else None,
                layer_name=layer_name,
                arn=arn,
                compatible_runtimes=tuple(str(r) for r in runtimes) if isinstance(runtimes, list) else (),
                resource_type=rtype,
                line=line,
            )
        return layers

    def _function_layers(
        self,
        logical_id: str,
        raw: Mapping[str, Any],
        layers: Mapping[str, Layer | ExternalLayer],
        line: int | None,
    ) -> tuple[Layer | ExternalLayer, ...]:
        entries = raw.get("Layers")
        if entries is None:
            return ()
        entries_line = line_of(raw, "Layers") or line
        if not isinstance(entries, list):
            raise self.error("Layers must be a list", line=entries_line, resource=logical_id)
        if len(entries) > 5:
            raise self.error(
                f"a function can have at most 5 layers, got {len(entries)}",
                line=entries_line,
                resource=logical_id,
            )
        result: list[Layer | ExternalLayer] = []
        for index, entry in enumerate(entries):
            found = self._layer_entry(
                entry, layers, f"{logical_id}.Layers[{index}]", line_of(entry) or entries_line
            )
            if found is not None:
                result.append(found)
        return tuple(result)

    def _layer_entry(
        self, entry: Any, layers: Mapping[str, Layer | ExternalLayer], where: str, line: int | None
    ) -> Layer | ExternalLayer | None:
        """One ``Layers`` item: ``!Ref``/``!GetAtt`` of a layer, an ARN, or ``!If``; None for NoValue."""
        if isinstance(entry, Mapping) and len(entry) == 1:
            ((key, argument),) = entry.items()
            target: object = None
            if key == "Ref":
                target = argument
            elif key == "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                target = parts[0] if isinstance(parts, list) and parts else None
            elif key == "Fn::If":
                if not isinstance(argument, list) or len(argument) != 3:
                    raise self.error(
                        "!If needs [condition, value if true, value if false]", line=line, resource=where
                    )
                try:
                    chosen = argument[1] if self.resolver.condition(argument[0], line) else argument[2]
                except ResolveError as exc:
                    raise self.error(exc.message, line=exc.line or line, resource=where) from None
                return self._layer_entry(chosen, layers, where, line_of(chosen) or line)
            if isinstance(target, str) and self.resolver.resource_type(target) in LAYER_TYPES:
                layer = layers.get(target)
                if layer is None:
                    raise self.error(
                        f"layer {target} is not created (its Condition is false)", line=line, resource=where
                    )
                return layer
        value = self.resolve(entry, resource=where, line=line)
        if value is NO_VALUE:
            return None
        if isinstance(value, str) and _LAYER_ARN.match(value):
            for layer in layers.values():
                if layer.arn == value:
                    return layer
            return ExternalLayer(arn=value, line=line)
        raise self.error(
            f"a Layers entry must be !Ref to a layer of this template or a layer version ARN "
            f"(arn:aws:lambda:<region>:<account>:layer:<name>:<version>), got {value!r}",
            line=line,
            resource=where,
        )
