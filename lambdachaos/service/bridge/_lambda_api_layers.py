"""Lambda layers through boto3: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn,
ListLayerVersions, ListLayers and DeleteLayerVersion, answered in AWS's response shapes.

A layer version's ``Content`` is given as CreateFunction's ``Code`` is: ``ZipFile`` (the zip's bytes,
unpacked into a folder the simulation owns) or ``S3Bucket="lambdachaos-local"`` with ``S3Key`` set to a
local folder. Functions created or updated with ``Layers=[<layer version ARN>, …]`` import from those
folders with ``/opt/python`` semantics (:func:`lambdachaos.service.invoke._contract.code_location`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos.service.bridge._paging import page
from lambdachaos.service.invoke._errors import InvalidParameterValue, ResourceNotFoundException

if TYPE_CHECKING:
    from lambdachaos.service.bridge._lambda_api import ControlPlane

OPERATIONS: Final = frozenset({
    "PublishLayerVersion", "GetLayerVersion", "GetLayerVersionByArn", "ListLayerVersions", "ListLayers",
    "DeleteLayerVersion",
})
"""The layer operations the simulation answers."""
_LAYER_ARN: Final = re.compile(r"arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:([a-zA-Z0-9-_]+)(?::(\d+))?")
NOT_FOUND: Final = "The resource you requested does not exist."


@final
@dataclass(frozen=True, slots=True)
class LayerVersion:
    """One published layer version: its folder and what PublishLayerVersion was given."""

    name: str
    version: int
    arn: str
    folder: str
    code_sha256: str
    code_size: int
    created: str
    description: str
    runtimes: tuple[str, ...]
    architectures: tuple[str, ...]
    license_info: str | None


class LayerPlane:
    """The layers of one simulation, by name and version number."""

    def __init__(self, plane: ControlPlane) -> None:
        self.plane = plane
        self.layers: dict[str, dict[int, LayerVersion]] = {}
        self._next: dict[str, int] = {}

    # ---- lookups --------------------------------------------------------------------------------
    def _name(self, value: object) -> str:
        text = str(value)
        found = _LAYER_ARN.fullmatch(text)
        return found.group(1) if found else text

    def folder_of(self, arn: object) -> str:
        """The folder of a layer version ARN given in a function's ``Layers`` (AWS's error when unknown)."""
        found = _LAYER_ARN.fullmatch(str(arn))
        version = self.layers.get(found.group(1), {}).get(int(found.group(2))) if found and found.group(2) else None
        if version is None or version.arn != arn:
            raise InvalidParameterValue(f"Layer version {arn} does not exist.")
        return version.folder

    def summary_of(self, arn: str) -> dict[str, Any]:
        """A function configuration's ``Layers`` entry."""
        found = _LAYER_ARN.fullmatch(arn)
        version = self.layers.get(found.group(1), {}).get(int(found.group(2) or 0)) if found else None
        return {"Arn": arn, "CodeSize": version.code_size if version is not None else 0}

    def _version(self, p: dict[str, Any]) -> LayerVersion:
        version = self.layers.get(self._name(p["LayerName"]), {}).get(int(p["VersionNumber"]))
        if version is None:
            raise ResourceNotFoundException(NOT_FOUND)
        return version

    # ---- shapes ---------------------------------------------------------------------------------
    def _shape(self, version: LayerVersion, *, content: bool) -> dict[str, Any]:
        world = self.plane.world
        out: dict[str, Any] = {}
        if content:
            out["Content"] = {
                "Location": f"https://awslambda-{world.region}-layers.s3.{world.region}.amazonaws.com/snapshots/"
                            f"{world.account_id}/{version.name}-{version.code_sha256[:8]}",
                "CodeSha256": version.code_sha256, "CodeSize": version.code_size,
            }
            out["LayerArn"] = version.arn.rsplit(":", 1)[0]
        out.update({"LayerVersionArn": version.arn, "Description": version.description,
                    "CreatedDate": version.created, "Version": version.version})
        if version.runtimes:
            out["CompatibleRuntimes"] = list(version.runtimes)
        if version.license_info is not None:
            out["LicenseInfo"] = version.license_info
        if version.architectures:
            out["CompatibleArchitectures"] = list(version.architectures)
        return out

    @staticmethod
    def _matches(version: LayerVersion, p: dict[str, Any]) -> bool:
        runtime, architecture = p.get("CompatibleRuntime"), p.get("CompatibleArchitecture")
        return (runtime is None or runtime in version.runtimes) and (
            architecture is None or architecture in version.architectures)

    # ---- operations -----------------------------------------------------------------------------
    def publish_layer_version(self, p: dict[str, Any]) -> dict[str, Any]:
        """PublishLayerVersion (201): the next version number of the layer, counting deleted ones."""
        name = self._name(p["LayerName"])
        folder, blob = self.plane.code_dir(f"layer-{name}", dict(p.get("Content") or {}))
        number = self._next.get(name, 1)
        self._next[name] = number + 1
        version = LayerVersion(
            name=name, version=number, arn=self.plane.world.arn("lambda", f"layer:{name}:{number}"), folder=folder,
            code_sha256=base64.b64encode(hashlib.sha256(blob).digest()).decode(), code_size=len(blob),
            created=self.plane.now(), description=str(p.get("Description", "")),
            runtimes=tuple(p.get("CompatibleRuntimes") or ()),
            architectures=tuple(p.get("CompatibleArchitectures") or ()),
            license_info=p.get("LicenseInfo"),
        )
        self.layers.setdefault(name, {})[number] = version
        return {**self._shape(version, content=True), "ResponseMetadata": {"HTTPStatusCode": 201}}

    def get_layer_version(self, p: dict[str, Any]) -> dict[str, Any]:
        """GetLayerVersion."""
        return self._shape(self._version(p), content=True)

    def get_layer_version_by_arn(self, p: dict[str, Any]) -> dict[str, Any]:
        """GetLayerVersionByArn."""
        found = _LAYER_ARN.fullmatch(str(p["Arn"]))
        if found is None or found.group(2) is None:
            raise InvalidParameterValue(f"Arn={p['Arn']!r} is not a layer version ARN "
                                        "(arn:aws:lambda:<region>:<account>:layer:<name>:<version>)")
        return self._shape(self._version({"LayerName": found.group(1), "VersionNumber": found.group(2)}),
                           content=True)

    def list_layer_versions(self, p: dict[str, Any]) -> dict[str, Any]:
        """ListLayerVersions: newest first."""
        versions = [v for _, v in sorted(self.layers.get(self._name(p["LayerName"]), {}).items(), reverse=True)
                    if self._matches(v, p)]
        return page("ListLayerVersions", p, versions, "LayerVersions", lambda v: self._shape(v, content=False))

    def list_layers(self, p: dict[str, Any]) -> dict[str, Any]:
        """ListLayers: each layer with its latest (matching) version, by name."""
        latest = []
        for name in sorted(self.layers):
            matching = [v for _, v in sorted(self.layers[name].items()) if self._matches(v, p)]
            if matching:
                latest.append(matching[-1])

        def render(version: LayerVersion) -> dict[str, Any]:
            return {"LayerName": version.name, "LayerArn": version.arn.rsplit(":", 1)[0],
                    "LatestMatchingVersion": self._shape(version, content=False)}

        return page("ListLayers", p, latest, "Layers", render)

    def delete_layer_version(self, p: dict[str, Any]) -> dict[str, Any]:
        """DeleteLayerVersion (204; deleting a missing version is not an error). Functions already using the
        version keep their copy, as on AWS."""
        self.layers.get(self._name(p["LayerName"]), {}).pop(int(p["VersionNumber"]), None)
        return {"ResponseMetadata": {"HTTPStatusCode": 204}}
