"""Dynamic references (``{{resolve:ssm:...}}``, ``{{resolve:secretsmanager:...}}``) and SSM parameter types.

A value comes from the ``ssm=`` map given to the load first, then from the simulation's own stores: the
SSM parameters and Secrets Manager secrets that a test put with boto3 inside the simulation (moto holds
them). ``ssm-secure`` references are refused as CloudFormation refuses them in every property this
simulation reads (docs/templates.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

SECURE_PROPERTIES: Final = "SSM Secure reference is not supported in"
"""The start of CloudFormation's refusal of an ``ssm-secure`` reference in a property that does not take one."""


class DynamicError(Exception):
    """A dynamic reference without a value; the message says why (the caller adds where it is)."""


class Stores:
    """Reads SSM parameters and secrets from the simulation's moto stores (never from AWS)."""

    def __init__(self, *, region: str, given: Mapping[str, str]) -> None:
        self.region = region
        self.given = dict(given)
        self._clients: dict[str, Any] = {}

    # ---- SSM -----------------------------------------------------------------------------------
    def ssm(self, reference: str) -> str:
        """The value of ``{{resolve:ssm:NAME}}`` or ``{{resolve:ssm:NAME:VERSION}}``."""
        name, _, version = reference.partition(":")
        for key in (reference, name):  # a map entry without a version answers every version
            if key in self.given:
                return str(self.given[key])
        if version and not version.isdigit():
            raise DynamicError(f"the version of {name!r} must be a whole number, got {version!r}")
        found = self._call("ssm", "get_parameter", Name=reference, WithDecryption=False)
        if found is None:
            raise DynamicError(f"no value for {name!r} (give it in ssm={{{name!r}: ...}}, or put the parameter "
                               "with boto3 inside the simulation before loading)")
        parameter = found["Parameter"]
        if parameter.get("Type") == "SecureString":
            raise DynamicError(f"{name!r} is a SecureString parameter: CloudFormation reads those only "
                               "through {{resolve:ssm-secure:...}}")
        return str(parameter["Value"])

    def parameter(self, name: str) -> str:
        """The value of an ``AWS::SSM::Parameter::Value<...>`` template parameter naming ``name``."""
        if name in self.given:
            return str(self.given[name])
        found = self._call("ssm", "get_parameter", Name=name, WithDecryption=False)
        if found is None:
            raise DynamicError(f"Parameters: [ssm:{name}] cannot be found.")
        return str(found["Parameter"]["Value"])

    # ---- Secrets Manager ------------------------------------------------------------------------
    def secret(self, reference: str) -> str:
        """The value of ``{{resolve:secretsmanager:ID[:SecretString[:KEY[:STAGE[:VERSION-ID]]]]}}``."""
        if reference in self.given:
            return str(self.given[reference])
        parts = reference.split(":")
        cut = 7 if reference.startswith("arn:") else 1  # a secret ARN holds six colons
        secret_id, rest = ":".join(parts[:cut]), [*parts[cut:], "", "", "", ""][:4]
        field, key, stage, version_id = rest
        if field not in ("", "SecretString"):
            raise DynamicError(f"the second segment must be SecretString, got {field!r}")
        if stage and version_id:
            raise DynamicError("give a version stage or a version id, not both")
        request: dict[str, Any] = {"SecretId": secret_id}
        if version_id:
            request["VersionId"] = version_id
        elif stage:
            request["VersionStage"] = stage
        found = self._call("secretsmanager", "get_secret_value", **request)
        if found is None:
            raise DynamicError(f"no secret {secret_id!r}" + (f" in version {version_id or stage!r}"
                                                              if version_id or stage else "") +
                               " (create it with boto3 inside the simulation before loading)")
        if "SecretString" not in found:
            raise DynamicError(f"secret {secret_id!r} holds a SecretBinary: only a SecretString can be referenced")
        text = str(found["SecretString"])
        if not key:
            return text
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not isinstance(document, dict) or key not in document:
            raise DynamicError(f"secret {secret_id!r} has no JSON key {key!r} in its SecretString")
        value = document[key]
        return value if isinstance(value, str) else json.dumps(value)

    # ---- the stores ------------------------------------------------------------------------------
    def _call(self, service: str, operation: str, **request: Any) -> dict[str, Any] | None:
        """moto's answer, or None when the item does not exist (or nothing was ever stored: moto not running)."""
        from lambdachaos.service.bridge._bridge import moto_active

        if not moto_active():
            return None
        client = self._clients.get(service)
        if client is None:
            import boto3

            client = self._clients[service] = boto3.client(service, region_name=self.region)  # type: ignore[call-overload]
        try:
            answer: dict[str, Any] = getattr(client, operation)(**request)
        except client.exceptions.ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("ParameterNotFound", "ResourceNotFoundException"):
                return None
            message = error.response.get("Error", {}).get("Message", "")
            raise DynamicError(f"{code}: {message}") from None
        return answer
