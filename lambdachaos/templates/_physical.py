"""Physical names, ``Ref`` values and ``Fn::GetAtt`` attributes of template resources, as AWS generates them.

A resource without an explicit name gets ``<stack>-<LogicalId>-<SUFFIX>`` (13 upper-case letters and
digits drawn from the seed, stack and logical id, so they are stable for a seed), cut to the service's
length limit like CloudFormation does.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from typing import Any, Final

from lambdachaos._arn import Arn

_NAME_PROPERTY: Final = {
    "AWS::Lambda::Function": "FunctionName", "AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName",
    "AWS::Kinesis::Stream": "Name", "AWS::DynamoDB::Table": "TableName", "AWS::S3::Bucket": "BucketName",
    "AWS::Events::Rule": "Name", "AWS::Events::EventBus": "Name", "AWS::Lambda::LayerVersion": "LayerName",
    "AWS::Lambda::Alias": "Name", "AWS::IAM::Role": "RoleName",
}
_NAME_LIMIT: Final = {"AWS::Lambda::Function": 64, "AWS::SQS::Queue": 80, "AWS::S3::Bucket": 63,
                      "AWS::Events::Rule": 64, "AWS::IAM::Role": 64}


class Physical:
    """Answers ``Ref`` and ``Fn::GetAtt`` for the resources of one stack."""

    def __init__(
        self, *, resources: Mapping[str, Any], stack: str, seed: int, region: str, account_id: str, partition: str,
        resolve_name: Callable[[str, Any], Any],
    ) -> None:
        self.resources = resources
        self.stack = stack
        self.seed = seed
        self.region = region
        self.account = account_id
        self.partition = partition
        self._resolve_name = resolve_name
        self._names: dict[str, str] = {}
        self._pending: set[str] = set()

    def kind(self, logical: str) -> str:
        """The resource's ``Type``."""
        return str(self.resources[logical].get("Type", ""))

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        """An ARN in this stack's partition, region and account."""
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:"
                f"{self.account if account else ''}:{resource}")

    def name(self, logical: str) -> str:
        """The resource's physical name: its name property, or one generated as CloudFormation does."""
        if logical in self._names:
            return self._names[logical]
        kind = self.kind(logical)
        given = (self.resources[logical].get("Properties") or {}).get(_NAME_PROPERTY.get(kind, ""))
        if given is not None:
            if logical in self._pending:
                raise KeyError(f"the name of {logical} refers to itself")
            self._pending.add(logical)
            try:
                name = str(self._resolve_name(logical, given))
            finally:
                self._pending.discard(logical)
        else:
            name = self._generated(logical, kind)
        self._names[logical] = name
        return name

    def _generated(self, logical: str, kind: str) -> str:
        rng = random.Random(f"{self.seed}:{self.stack}:{logical}")
        suffix = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(13))
        fifo = kind == "AWS::SQS::Queue" and _truthy((self.resources[logical].get("Properties") or {}).get("FifoQueue"))
        limit = _NAME_LIMIT.get(kind, 128) - len(suffix) - 2 - (5 if fifo else 0)
        head = f"{self.stack}-{logical}"[:limit]
        name = f"{head}-{suffix}"
        if kind == "AWS::S3::Bucket":
            name = name.lower()
        return name + (".fifo" if fifo else "")

    # ---- Ref and GetAtt -----------------------------------------------------------------------
    def ref(self, logical: str) -> Any:
        """What ``Ref`` returns for the resource (a name, URL or ARN depending on the type)."""
        kind = self.kind(logical)
        name = self.name(logical)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"
        if kind == "AWS::SNS::Topic":
            return self.arn("sns", name)
        if kind == "AWS::Lambda::Version":
            return self.get_att(logical, "Arn")
        if kind == "AWS::Lambda::Alias":
            props = self.resources[logical].get("Properties") or {}
            return f"{self.function_arn(props.get('FunctionName'), logical)}:{name}"
        if kind == "AWS::Lambda::LayerVersion":
            return self.arn("lambda", f"layer:{name}:1")
        return name

    def get_att(self, logical: str, attribute: str) -> Any:
        """``Fn::GetAtt`` of the resource; ``KeyError`` with the reason when the type has no such attribute."""
        kind = self.kind(logical)
        name = self.name(logical)
        simple: dict[str, Callable[[], Any]] = {}
        if kind == "AWS::Lambda::Function":
            simple = {"Arn": lambda: self.arn("lambda", f"function:{name}")}
        elif kind == "AWS::SQS::Queue":
            simple = {"Arn": lambda: self.arn("sqs", name), "QueueName": lambda: name,
                      "QueueUrl": lambda: self.ref(logical)}
        elif kind == "AWS::SNS::Topic":
            simple = {"TopicArn": lambda: self.arn("sns", name), "TopicName": lambda: name}
        elif kind == "AWS::Kinesis::Stream":
            simple = {"Arn": lambda: self.arn("kinesis", f"stream/{name}")}
        elif kind == "AWS::DynamoDB::Table":
            simple = {"Arn": lambda: self.arn("dynamodb", f"table/{name}")}
            if (self.resources[logical].get("Properties") or {}).get("StreamSpecification"):
                simple["StreamArn"] = lambda: self.arn("dynamodb", f"table/{name}/stream/2026-01-01T00:00:00.000")
            elif attribute == "StreamArn":
                raise KeyError("the table has no StreamSpecification, so it has no stream")
        elif kind == "AWS::S3::Bucket":
            simple = {"Arn": lambda: self.arn("s3", name, region=False, account=False),
                      "DomainName": lambda: f"{name}.s3.amazonaws.com"}
        elif kind in ("AWS::Events::Rule", "AWS::Events::EventBus"):
            resource = f"rule/{name}" if kind == "AWS::Events::Rule" else f"event-bus/{name}"
            simple = {"Arn": lambda: self.arn("events", resource), "Name": lambda: name}
        elif kind == "AWS::Lambda::Version":
            simple = {"Version": lambda: self.version_number(logical), "Arn": lambda: (
                f"{self.function_arn((self.resources[logical].get('Properties') or {}).get('FunctionName'), logical)}"
                f":{self.version_number(logical)}")}
        elif kind == "AWS::Lambda::Alias":
            simple = {"AliasArn": lambda: self.ref(logical)}
        elif kind == "AWS::IAM::Role":
            simple = {"Arn": lambda: self.arn("iam", f"role/{name}", region=False), "RoleId": lambda: name}
        else:  # recorded-only types: a stable placeholder keeps the rest of the template resolvable
            return f"{name}.{attribute}" if attribute != "Arn" else self.arn(kind.split("::")[1].lower(), name)
        if attribute not in simple:
            raise KeyError(f"{kind} has no attribute {attribute!r} in this simulation (known: {sorted(simple)})")
        return simple[attribute]()

    def function_arn(self, reference: Any, logical: str) -> str:
        """The unqualified ARN of the function a Version or Alias names (a Ref, an ARN or a name)."""
        value = str(self._resolve_name(logical, reference))
        if value.startswith("arn:"):
            return Arn.parse(value).unqualified()
        return self.arn("lambda", f"function:{value}")

    def version_number(self, logical: str) -> str:
        """The number CloudFormation's ``PublishVersion`` gives a Version: its place among the function's versions."""
        target = (self.resources[logical].get("Properties") or {}).get("FunctionName")
        same = [other for other, spec in self.resources.items()
                if spec.get("Type") == "AWS::Lambda::Version"
                and (spec.get("Properties") or {}).get("FunctionName") == target]
        return str(same.index(logical) + 1)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
