"""Reading DynamoDB tables (``AWS::Serverless::SimpleTable``, ``AWS::DynamoDB::Table``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._base import ReaderBase, merge_globals, truthy
from .cfn_yaml import line_of
from .model import Table

TABLE_TYPES = ("AWS::Serverless::SimpleTable", "AWS::DynamoDB::Table")


class TableReader(ReaderBase):
    def _table(self, logical_id: str, rtype: str, resource: Mapping[str, Any], line: int | None) -> Table:
        props = self.resolve(self._properties(logical_id, resource, line), resource=logical_id, line=line)
        if rtype == "AWS::Serverless::SimpleTable":
            props = merge_globals(
                self.resolve(self.globals.get("SimpleTable") or {}, resource=logical_id), props
            )
            primary = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
            if not isinstance(primary, Mapping) or not isinstance(primary.get("Name"), str):
                raise self.error("PrimaryKey must have a Name", line=line, resource=logical_id)
            ptype = str(primary.get("Type", "String"))
            attribute_type = {"String": "S", "Number": "N", "Binary": "B"}.get(ptype)
            if attribute_type is None:
                raise self.error(
                    f"PrimaryKey Type must be String, Number or Binary, got {ptype!r}",
                    line=line,
                    resource=logical_id,
                )
            throughput = props.get("ProvisionedThroughput")
            return Table(
                logical_id=logical_id,
                name=self.resolver.physical_name(logical_id),
                key_schema=[{"AttributeName": primary["Name"], "KeyType": "HASH"}],
                attribute_definitions=[{"AttributeName": primary["Name"], "AttributeType": attribute_type}],
                billing_mode="PROVISIONED" if throughput else "PAY_PER_REQUEST",
                provisioned_throughput=self._throughput(throughput, logical_id, line) if throughput else None,
                resource_type=rtype,
                arn=self.resolver.arn(logical_id),
                line=line,
            )

        key_schema = self._key_schema(props.get("KeySchema"), logical_id, line)
        definitions = props.get("AttributeDefinitions")
        if not isinstance(definitions, list) or not all(
            isinstance(item, Mapping) and "AttributeName" in item and "AttributeType" in item
            for item in definitions
        ):
            raise self.error(
                "AttributeDefinitions must be a list of {AttributeName, AttributeType}",
                line=line_of(props, "AttributeDefinitions") or line,
                resource=logical_id,
            )
        attribute_definitions = [
            {"AttributeName": str(item["AttributeName"]), "AttributeType": str(item["AttributeType"])}
            for item in definitions
        ]
        defined = {item["AttributeName"] for item in attribute_definitions}
        throughput = props.get("ProvisionedThroughput")
        billing_mode = str(props.get("BillingMode") or ("PROVISIONED" if throughput else "PAY_PER_REQUEST"))
        gsis = [
            self._index(index, logical_id, line, "GlobalSecondaryIndexes", billing_mode)
            for index in props.get("GlobalSecondaryIndexes") or []
        ]
        lsis = [
            self._index(index, logical_id, line, "LocalSecondaryIndexes", None)
            for index in props.get("LocalSecondaryIndexes") or []
        ]
        for keys in [key_schema] + [index["KeySchema"] for index in gsis + lsis]:
            for key in keys:
                if key["AttributeName"] not in defined:
                    raise self.error(
                        f"key attribute {key['AttributeName']!r} is not in AttributeDefinitions",
                        line=line_of(props, "AttributeDefinitions") or line,
                        resource=logical_id,
                    )
        ttl = props.get("TimeToLiveSpecification")
        ttl_attribute = None
        if (
            isinstance(ttl, Mapping)
            and truthy(ttl.get("Enabled"))
            and isinstance(ttl.get("AttributeName"), str)
        ):
            ttl_attribute = ttl["AttributeName"]
        stream = props.get("StreamSpecification")
        return Table(
            logical_id=logical_id,
            name=self.resolver.physical_name(logical_id),
            key_schema=key_schema,
            attribute_definitions=attribute_definitions,
            global_secondary_indexes=gsis,
            local_secondary_indexes=lsis,
            billing_mode=billing_mode,
            provisioned_throughput=self._throughput(throughput, logical_id, line)
            if billing_mode == "PROVISIONED"
            else None,
            stream_specification=dict(stream) if isinstance(stream, Mapping) else None,
            time_to_live_attribute=ttl_attribute,
            resource_type=rtype,
            arn=self.resolver.arn(logical_id),
            line=line,
        )

    def _key_schema(self, value: Any, resource: str, line: int | None) -> list[dict[str, str]]:
        if (
            not isinstance(value, list)
            or not value
            or not all(
                isinstance(item, Mapping) and "AttributeName" in item and "KeyType" in item for item in value
            )
        ):
            raise self.error(
                "KeySchema must be a list of {AttributeName, KeyType}", line=line, resource=resource
            )
        schema = [
            {"AttributeName": str(item["AttributeName"]), "KeyType": str(item["KeyType"])} for item in value
        ]
        if [key["KeyType"] for key in schema] not in (["HASH"], ["HASH", "RANGE"]):
            raise self.error(
                "KeySchema must be a HASH key, optionally followed by a RANGE key",
                line=line,
                resource=resource,
            )
        return schema

    def _throughput(self, value: Any, resource: str, line: int | None) -> dict[str, int]:
        if value is None:
            # CloudFormation requires it for PROVISIONED tables; locally a small default keeps moto happy.
            return {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        try:
            return {
                "ReadCapacityUnits": int(value["ReadCapacityUnits"]),
                "WriteCapacityUnits": int(value["WriteCapacityUnits"]),
            }
        except (KeyError, TypeError, ValueError):
            raise self.error(
                "ProvisionedThroughput needs integer ReadCapacityUnits and WriteCapacityUnits",
                line=line,
                resource=resource,
            ) from None

    def _index(
        self, index: Any, resource: str, line: int | None, section: str, billing_mode: str | None
    ) -> dict[str, Any]:
        if not isinstance(index, Mapping) or not isinstance(index.get("IndexName"), str):
            raise self.error(
                f"each of {section} needs an IndexName", line=line_of(index) or line, resource=resource
            )
        where = f"{resource} ({section} {index['IndexName']})"
        projection = index.get("Projection") or {"ProjectionType": "ALL"}
        if not isinstance(projection, Mapping):
            raise self.error("Projection must be a mapping", line=line_of(index) or line, resource=where)
        result: dict[str, Any] = {
            "IndexName": index["IndexName"],
            "KeySchema": self._key_schema(index.get("KeySchema"), where, line_of(index) or line),
            "Projection": {
                key: (list(value) if isinstance(value, list) else value) for key, value in projection.items()
            },
        }
        if billing_mode == "PROVISIONED":
            result["ProvisionedThroughput"] = self._throughput(
                index.get("ProvisionedThroughput"), where, line_of(index) or line
            )
        return result
