"""Every ``Ref``/``GetAtt``/``${...}`` of the template names something real (checked before reading)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._base import ReaderBase
from .cfn_yaml import line_of


class ReferenceChecks(ReaderBase):
    def check_references(self) -> None:
        """Every ``Ref``/``GetAtt``/``${...}`` in Resources, Conditions and Outputs names something real.

        Resources are only evaluated where the local tools need values; this catches a typo anywhere, with
        its line, as CloudFormation would at deploy time.
        """
        for section in ("Resources", "Conditions", "Outputs"):
            entries = self.document.get(section)
            if not isinstance(entries, Mapping):
                continue
            for name, value in entries.items():
                where = name if section == "Resources" else f"{section}.{name}"
                self._walk_references(value, where, line_of(entries, name))

    def _known(self, name: str) -> bool:
        return (
            name.startswith("AWS::")
            or name in self.parameters
            or self.resolver.resource_type(name) is not None
        )

    def _walk_references(self, value: Any, where: str, line: int | None) -> None:
        if isinstance(value, Mapping):
            line = line_of(value) or line
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key == "Ref" and isinstance(argument, str) and not self._known(argument):
                    raise self.error(
                        f"!Ref {argument}: no parameter or resource named {argument!r}",
                        line=line,
                        resource=where,
                    )
                if key == "Fn::GetAtt":
                    parts = argument.split(".", 1) if isinstance(argument, str) else argument
                    target = parts[0] if isinstance(parts, list) and parts else None
                    if isinstance(target, str) and self.resolver.resource_type(target) is None:
                        shown = ".".join(str(part) for part in parts)
                        raise self.error(
                            f"!GetAtt {shown}: no resource named {target!r}", line=line, resource=where
                        )
                if key == "Fn::Sub":
                    template, variables = (
                        (argument, {})
                        if not isinstance(argument, list)
                        else (
                            argument[0] if argument else "",
                            argument[1] if len(argument) > 1 and isinstance(argument[1], Mapping) else {},
                        )
                    )
                    if isinstance(template, str):
                        for match in re.finditer(r"\$\{([^}!][^}]*)\}", template):
                            name = match.group(1).strip()
                            head = name.partition(".")[0] if name not in self.parameters else name
                            if name not in variables and head not in variables and not self._known(head):
                                raise self.error(
                                    f"!Sub ${{{name}}}: no parameter or resource named {head!r}",
                                    line=line,
                                    resource=where,
                                )
                    self._walk_references(variables, where, line)
                    return
            for key, item in value.items():
                if key in ("RestApiId", "ApiId"):
                    continue  # the event reader names the event and the expected API type
                self._walk_references(item, where, line)
        elif isinstance(value, list):
            for item in value:
                self._walk_references(item, where, line)
