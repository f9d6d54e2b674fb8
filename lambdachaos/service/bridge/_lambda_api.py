"""The Lambda control plane through boto3: functions, versions, aliases, concurrency and event invoke
configs answered by the simulation in AWS's response shapes (event source mappings:
:mod:`lambdachaos.service.bridge._lambda_api_esm`).

Each operation takes the boto3 parameters and returns the parsed response botocore would give;
validation is the Python API's own (``Sim.function``, ``Function.*``), so a rule never differs
between the two ways in. ``CreateFunction`` takes ``Code={"ZipFile": <zip bytes>}`` (unpacked into a
folder the simulation owns) or ``Code={"S3Bucket": LOCAL_CODE_BUCKET, "S3Key": "<local folder>"}``.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import os
import tempfile
import zipfile
from datetime import UTC, datetime
from typing import Any, Final

from lambdachaos._errors import ConfigError
from lambdachaos.resources._errors import AWSError
from lambdachaos.service.bridge._lambda_api_async import EventInvokeConfigs
from lambdachaos.service.bridge._lambda_api_layers import LayerPlane
from lambdachaos.service.bridge._paging import page
from lambdachaos.service.invoke._contract import code_location
from lambdachaos.service.invoke._errors import (
    InvalidParameterValue,
    ResourceConflictException,
    ResourceNotFoundException,
)
from lambdachaos.service.invoke._function import LATEST, Function, Version

LOCAL_CODE_BUCKET: Final = "lambdachaos-local"
"""``Code.S3Bucket`` naming a local folder: ``S3Key`` is the folder's path."""

_CONFIG_KEYS: Final = {"MemorySize": "memory_size", "Timeout": "timeout", "Runtime": "runtime"}


def as_api_error(error: ConfigError) -> AWSError:
    """A refused setting as the Lambda API error boto3 callers get (AWS's own code when it has one)."""
    if isinstance(error, AWSError):
        return error
    return InvalidParameterValue(str(error))


class ControlPlane(EventInvokeConfigs):
    """Answers Lambda API calls on one simulation (``sim``: a :class:`lambdachaos.Sim`)."""

    def __init__(self, sim: Any) -> None:
        self.sim = sim
        self.service = sim.service
        self.world = sim.world
        self._meta: dict[tuple[str, str], dict[str, Any]] = {}
        self._code_root: tempfile.TemporaryDirectory[str] | None = None
        self.layers = LayerPlane(self)

    # ---- helpers ------------------------------------------------------------------------------
    def function(self, name_or_arn: str) -> Function:
        """The sim function (``ResourceNotFoundException`` otherwise)."""
        fn: Function = self.service.get(name_or_arn)
        return fn

    def _split(self, p: dict[str, Any]) -> tuple[Function, str | None]:
        ref = str(p["FunctionName"])
        fn = self.function(ref)
        qualifier = p.get("Qualifier")
        if qualifier is None and ref.count(":") in (1, 7):
            qualifier = ref.rsplit(":", 1)[-1]
        return fn, qualifier

    def meta(self, fn: Function, version: str) -> dict[str, Any]:
        """CodeSha256, CodeSize, Role, Description, LastModified, RevisionId of one version."""
        key = (fn.name, version)
        meta = self._meta.get(key)
        if meta is None:
            latest = self._meta.get((fn.name, LATEST))
            meta = dict(latest) if latest is not None else {
                "Role": f"arn:aws:iam::{self.world.account_id}:role/lambda-{fn.name}-role", "Description": "",
                "CodeSha256": base64.b64encode(hashlib.sha256(repr(fn.versions[LATEST].handler).encode())
                                               .digest()).decode(),
                "CodeSize": 0, "LastModified": self.now(),
            }
            meta["RevisionId"] = self.world.uuid("lambda-revisions")
            self._meta[key] = meta
        return meta

    def now(self) -> str:
        """``LastModified``: ``2026-01-01T00:00:00.000+0000``."""
        at = datetime.fromtimestamp(self.world.wall_ns() / 1e9, tz=UTC)
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}+0000"

    def _touch(self, fn: Function, version: str = LATEST, **changes: Any) -> None:
        meta = self.meta(fn, version)
        meta.update(changes, LastModified=self.now(), RevisionId=self.world.uuid("lambda-revisions"))

    def configuration(self, fn: Function, version: Version) -> dict[str, Any]:
        """FunctionConfiguration in AWS's key order."""
        cfg = version.config
        meta = self.meta(fn, version.number)
        arn = fn.arn if version.number == LATEST else f"{fn.arn}:{version.number}"
        handler = version.handler if isinstance(version.handler, str) else \
            f"{getattr(version.handler, '__module__', 'handler')}.{getattr(version.handler, '__name__', 'handler')}"
        out: dict[str, Any] = {
            "FunctionName": fn.name, "FunctionArn": arn, "Runtime": cfg.runtime, "Role": meta["Role"],
            "Handler": handler, "CodeSize": meta["CodeSize"], "Description": meta["Description"],
            "Timeout": int(cfg.timeout), "MemorySize": cfg.memory_size, "LastModified": meta["LastModified"],
            "CodeSha256": meta["CodeSha256"], "Version": version.number,
        }
        if cfg.environment:
            out["Environment"] = {"Variables": dict(cfg.environment)}
        out["TracingConfig"] = {"Mode": "PassThrough"}
        if fn.dead_letter_target is not None:
            target = fn.dead_letter_target
            out["DeadLetterConfig"] = {"TargetArn": target if isinstance(target, str) else target.arn}
        out.update({
            "RevisionId": meta["RevisionId"],
        })
        if meta.get("Layers"):
            out["Layers"] = [self.layers.summary_of(arn) for arn in meta["Layers"]]
        out.update({
            "State": "Active", "LastUpdateStatus": "Successful",
            "PackageType": "Zip", "Architectures": [str(cfg.architecture)],
            "EphemeralStorage": {"Size": cfg.ephemeral_storage},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fn.name}"},
        })
        return out

    def code_dir(self, name: str, code: dict[str, Any]) -> tuple[str, bytes]:
        """The folder of uploaded code (a zip unpacked, or a local folder) and the bytes it came from."""
        if code.get("S3Bucket") == LOCAL_CODE_BUCKET:
            folder = str(code.get("S3Key", ""))
            if not os.path.isdir(folder):
                raise InvalidParameterValue(
                    f"Code.S3Key={folder!r}: with Code.S3Bucket={LOCAL_CODE_BUCKET!r} the key is a local folder "
                    "holding the function's code, and this one does not exist"
                )
            return os.path.abspath(folder), folder.encode()
        blob = code.get("ZipFile")
        if not isinstance(blob, (bytes, bytearray)):
            raise InvalidParameterValue(
                f"Code={sorted(code)!r}: give Code.ZipFile (the zip file's bytes) or Code.S3Bucket="
                f"{LOCAL_CODE_BUCKET!r} with Code.S3Key set to a local folder; S3 objects and images are not "
                "simulated"
            )
        if self._code_root is None:
            self._code_root = tempfile.TemporaryDirectory(prefix="lambdachaos-code-")
        folder = os.path.join(self._code_root.name, f"{name}-{self.world.hex(4, 'lambda-code')}")
        try:
            with zipfile.ZipFile(io.BytesIO(bytes(blob))) as archive:
                archive.extractall(folder)
        except zipfile.BadZipFile:
            raise InvalidParameterValue("Could not unzip uploaded file. Please check your file, then try to "
                                        "upload again.") from None
        return folder, bytes(blob)

    # ---- functions ----------------------------------------------------------------------------
    def create_function(self, p: dict[str, Any]) -> dict[str, Any]:
        """CreateFunction (201)."""
        name = str(p["FunctionName"])
        if name in self.service.functions:
            raise ResourceConflictException(f"Function already exist: {name}")
        settings = _settings(p)
        code_dir, blob = self.code_dir(name, dict(p.get("Code") or {}))
        dlq = (p.get("DeadLetterConfig") or {}).get("TargetArn")
        layer_arns = [str(arn) for arn in p.get("Layers") or ()]
        fn = self.sim.function(str(p["Handler"]), name=name, code_dir=code_dir, dead_letter_queue=dlq or None,
                               layers=[self.layers.folder_of(arn) for arn in layer_arns], **settings)
        self._meta[(name, LATEST)] = {
            "Role": p.get("Role", ""), "Description": p.get("Description", ""),
            "CodeSha256": base64.b64encode(hashlib.sha256(blob).digest()).decode(), "CodeSize": len(blob),
            "LastModified": self.now(), "RevisionId": self.world.uuid("lambda-revisions"), "Layers": layer_arns,
        }
        if p.get("Publish"):
            self.publish_version({"FunctionName": name})
        return {**self.configuration(fn, fn.versions[LATEST]), "ResponseMetadata": {"HTTPStatusCode": 201}}

    def get_function(self, p: dict[str, Any]) -> dict[str, Any]:
        """GetFunction: Configuration, Code and Concurrency."""
        fn, _ = self._split(p)
        out: dict[str, Any] = {
            "Configuration": self.get_function_configuration(p),
            "Code": {"RepositoryType": "S3", "Location": f"https://awslambda-{self.world.region}-tasks.s3."
                     f"{self.world.region}.amazonaws.com/snapshots/{self.world.account_id}/{fn.name}"},
        }
        if fn.reserved_concurrency is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": fn.reserved_concurrency}
        return out

    def get_function_configuration(self, p: dict[str, Any]) -> dict[str, Any]:
        """GetFunctionConfiguration (of ``$LATEST``, a version or an alias's version)."""
        fn, qualifier = self._split(p)
        return self.configuration(fn, self._version(fn, qualifier))

    def _version(self, fn: Function, qualifier: str | None) -> Version:
        if qualifier is None or qualifier == LATEST:
            return fn.versions[LATEST]
        if qualifier in fn.versions:
            return fn.versions[qualifier]
        alias = fn.aliases.get(qualifier)
        if alias is None:
            raise ResourceNotFoundException(f"Function not found: {fn.arn}:{qualifier}")
        return fn.versions[alias.function_version]

    def update_function_configuration(self, p: dict[str, Any]) -> dict[str, Any]:
        """UpdateFunctionConfiguration: only the given settings change."""
        fn = self.function(str(p["FunctionName"]))
        settings = _settings(p)
        settings.pop("name", None)
        if "Layers" in p:
            self._set_layers(fn, [str(arn) for arn in p["Layers"] or ()])
        if settings:
            fn.update_configuration(**settings)
        if "DeadLetterConfig" in p:
            target = (p.get("DeadLetterConfig") or {}).get("TargetArn")
            if target:
                fn.put_dead_letter_config(target)
            else:
                fn.dead_letter_target = None
        changes = {k: p[k] for k in ("Role", "Description") if k in p}
        self._touch(fn, **changes)
        return self.configuration(fn, fn.versions[LATEST])

    def _set_layers(self, fn: Function, arns: list[str]) -> None:
        latest = fn.versions[LATEST]
        if latest.location is None:
            raise InvalidParameterValue(f"{fn.name} runs a Python callable; Layers need a function created from a "
                                        "'module.function' handler and its code")
        folders = [self.layers.folder_of(arn) for arn in arns]
        location = code_location(latest.location.root, folders, latest.config.runtime)
        fn.versions[LATEST] = dataclasses.replace(latest, location=location, config=dataclasses.replace(latest.config))
        self.service.retire(fn, LATEST)
        self.meta(fn, LATEST)["Layers"] = arns

    def update_function_code(self, p: dict[str, Any]) -> dict[str, Any]:
        """UpdateFunctionCode: new code for ``$LATEST`` (a new module namespace on the next cold start)."""
        fn = self.function(str(p["FunctionName"]))
        code_dir, blob = self.code_dir(fn.name, {k: p[k] for k in ("ZipFile", "S3Bucket", "S3Key") if k in p})
        latest = fn.versions[LATEST]
        if not isinstance(latest.handler, str):
            raise InvalidParameterValue(f"{fn.name} runs a Python callable; UpdateFunctionCode needs a function "
                                        "created from a 'module.function' handler")
        location = code_location(code_dir, latest.location.layers if latest.location else (), latest.config.runtime)
        fn.versions[LATEST] = dataclasses.replace(latest, code_dir=code_dir, location=location,
                                                  config=dataclasses.replace(latest.config))
        self.service.retire(fn, LATEST)  # later requests start environments with the new code
        self._touch(fn, CodeSha256=base64.b64encode(hashlib.sha256(blob).digest()).decode(), CodeSize=len(blob))
        if p.get("Publish"):
            self.publish_version({"FunctionName": fn.name})
        return self.configuration(fn, fn.versions[LATEST])

    def delete_function(self, p: dict[str, Any]) -> dict[str, Any]:
        """DeleteFunction (204): the function, or one of its versions with ``Qualifier``."""
        fn, qualifier = self._split(p)
        if qualifier is not None and qualifier != LATEST:
            if qualifier not in fn.versions:
                raise ResourceNotFoundException(f"Function not found: {fn.arn}:{qualifier}")
            del fn.versions[qualifier]
        else:
            del self.service.functions[fn.name]
        return {"ResponseMetadata": {"HTTPStatusCode": 204}}

    def list_functions(self, p: dict[str, Any]) -> dict[str, Any]:
        """ListFunctions (``$LATEST`` of every function, by name; 50 per page at most)."""
        functions = [fn for _, fn in sorted(self.service.functions.items())]
        return page("ListFunctions", p, functions, "Functions", lambda fn: self.configuration(fn, fn.versions[LATEST]))

    # ---- versions and aliases -----------------------------------------------------------------
    def publish_version(self, p: dict[str, Any]) -> dict[str, Any]:
        """PublishVersion (201)."""
        fn = self.function(str(p["FunctionName"]))
        number = fn.publish_version()
        meta = self.meta(fn, number)
        if "Description" in p:
            meta["Description"] = p["Description"]
        return {**self.configuration(fn, fn.versions[number]), "ResponseMetadata": {"HTTPStatusCode": 201}}

    def list_versions_by_function(self, p: dict[str, Any]) -> dict[str, Any]:
        """ListVersionsByFunction: ``$LATEST`` then 1, 2, 3 …"""
        fn = self.function(str(p["FunctionName"]))
        order = sorted(fn.versions, key=lambda v: (v != LATEST, int(v) if v.isdigit() else 0))
        return page("ListVersionsByFunction", p, order, "Versions", lambda v: self.configuration(fn, fn.versions[v]))

    def _alias(self, fn: Function, name: str) -> dict[str, Any]:
        alias = fn.aliases.get(name)
        if alias is None:
            raise ResourceNotFoundException(f"Cannot find alias arn: {fn.arn}:{name}")
        out: dict[str, Any] = {"AliasArn": f"{fn.arn}:{name}", "Name": name, "FunctionVersion": alias.function_version,
                               "Description": self._meta.get((fn.name, f"alias:{name}"), {}).get("Description", "")}
        if alias.additional_version_weights:
            out["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.additional_version_weights)}
        out["RevisionId"] = self.meta(fn, f"alias:{name}")["RevisionId"]
        return out

    def create_alias(self, p: dict[str, Any]) -> dict[str, Any]:
        """CreateAlias (201)."""
        fn = self.function(str(p["FunctionName"]))
        name = str(p["Name"])
        if name in fn.aliases:
            raise ResourceConflictException(f"Alias already exists: {fn.arn}:{name}")
        return {**self._put_alias(fn, name, p, p["FunctionVersion"]), "ResponseMetadata": {"HTTPStatusCode": 201}}

    def _put_alias(self, fn: Function, name: str, p: dict[str, Any], version: str) -> dict[str, Any]:
        weights = (p.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
        fn.create_alias(name, str(version), additional_version_weights=weights)
        key = (fn.name, f"alias:{name}")
        self._meta.setdefault(key, {"RevisionId": ""})
        self._meta[key].update(RevisionId=self.world.uuid("lambda-revisions"))
        if "Description" in p:
            self._meta[key]["Description"] = p["Description"]
        return self._alias(fn, name)

    def update_alias(self, p: dict[str, Any]) -> dict[str, Any]:
        """UpdateAlias: version, description and routing (a given RoutingConfig replaces the old one)."""
        fn = self.function(str(p["FunctionName"]))
        name = str(p["Name"])
        current = fn.aliases.get(name)
        if current is None:
            raise ResourceNotFoundException(f"Cannot find alias arn: {fn.arn}:{name}")
        if "RoutingConfig" not in p:
            p = {**p, "RoutingConfig": {"AdditionalVersionWeights": dict(current.additional_version_weights)}}
        return self._put_alias(fn, name, p, p.get("FunctionVersion", current.function_version))

    def get_alias(self, p: dict[str, Any]) -> dict[str, Any]:
        """GetAlias."""
        return self._alias(self.function(str(p["FunctionName"])), str(p["Name"]))

    def list_aliases(self, p: dict[str, Any]) -> dict[str, Any]:
        """ListAliases (by name; only those routing to ``FunctionVersion`` when given)."""
        fn = self.function(str(p["FunctionName"]))
        version = p.get("FunctionVersion")
        names = [name for name, alias in sorted(fn.aliases.items())
                 if version is None or alias.function_version == version or version in alias.additional_version_weights]
        return page("ListAliases", p, names, "Aliases", lambda name: self._alias(fn, name))

    def delete_alias(self, p: dict[str, Any]) -> dict[str, Any]:
        """DeleteAlias (204)."""
        fn = self.function(str(p["FunctionName"]))
        fn.aliases.pop(str(p["Name"]), None)
        return {"ResponseMetadata": {"HTTPStatusCode": 204}}

    # ---- concurrency --------------------------------------------------------------------------
    def put_function_concurrency(self, p: dict[str, Any]) -> dict[str, Any]:
        """PutFunctionConcurrency."""
        fn = self.function(str(p["FunctionName"]))
        fn.put_reserved_concurrency(p["ReservedConcurrentExecutions"])
        return {"ReservedConcurrentExecutions": fn.reserved_concurrency}

    def get_function_concurrency(self, p: dict[str, Any]) -> dict[str, Any]:
        """GetFunctionConcurrency (empty when none is reserved)."""
        fn = self.function(str(p["FunctionName"]))
        return {} if fn.reserved_concurrency is None else {"ReservedConcurrentExecutions": fn.reserved_concurrency}

    def delete_function_concurrency(self, p: dict[str, Any]) -> dict[str, Any]:
        """DeleteFunctionConcurrency (204)."""
        self.function(str(p["FunctionName"])).put_reserved_concurrency(None)
        return {"ResponseMetadata": {"HTTPStatusCode": 204}}

    def put_provisioned_concurrency_config(self, p: dict[str, Any]) -> dict[str, Any]:
        """PutProvisionedConcurrencyConfig (202; environments are ready at once)."""
        fn = self.function(str(p["FunctionName"]))
        value = p["ProvisionedConcurrentExecutions"]
        fn.put_provisioned_concurrency(str(p["Qualifier"]), value)
        return {"RequestedProvisionedConcurrentExecutions": value, "AvailableProvisionedConcurrentExecutions": value,
                "AllocatedProvisionedConcurrentExecutions": value, "Status": "READY", "LastModified": self.now(),
                "ResponseMetadata": {"HTTPStatusCode": 202}}


def _settings(p: dict[str, Any]) -> dict[str, Any]:
    """``Sim.function`` keywords from CreateFunction / UpdateFunctionConfiguration parameters."""
    out: dict[str, Any] = {api: p[key] for key, api in _CONFIG_KEYS.items() if key in p}
    if "Environment" in p:
        out["environment"] = dict((p["Environment"] or {}).get("Variables") or {})
    if "EphemeralStorage" in p:
        out["ephemeral_storage"] = p["EphemeralStorage"]["Size"]
    if p.get("Architectures"):
        out["architecture"] = p["Architectures"][0]
    return out
