"""CDK output: a ``cdk.out`` folder (or one ``<Stack>.template.json`` in it) and its file assets.

A synthesized function's ``Code`` is ``S3Bucket``/``S3Key: "<sha256>.zip"``; ``<Stack>.assets.json`` maps
that object key to the asset folder (``asset.<sha256>``) next to the template.
"""

from __future__ import annotations

import json
from pathlib import Path

from lambdachaos.templates._errors import TemplateError


def is_cdk_output(path: Path) -> bool:
    """True for a folder holding ``*.template.json`` files, or a ``*.template.json`` file."""
    if path.is_dir():
        return any(path.glob("*.template.json"))
    return path.name.endswith(".template.json")


def locate(path: Path, stack: str | None) -> Path:
    """The stack template in a ``cdk.out`` folder (``stack`` picks one when there are several)."""
    if not path.is_dir():
        return path
    found = sorted(path.glob("*.template.json"))
    names = [p.name.removesuffix(".template.json") for p in found]
    if stack is not None:
        if stack not in names:
            raise TemplateError(f"stack={stack!r}: {path} has no {stack}.template.json (stacks: {names})")
        return path / f"{stack}.template.json"
    if len(found) != 1:
        raise TemplateError(f"template={str(path)!r} holds {len(found)} stacks {names}: give stack=<name>")
    return found[0]


def asset_folders(template: Path) -> dict[str, Path]:
    """Each file asset's S3 object key → its folder, from ``<Stack>.assets.json`` beside the template."""
    manifest = template.with_name(template.name.removesuffix(".template.json") + ".assets.json")
    if not manifest.exists():
        return {}
    try:
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files") or {}
    except (OSError, ValueError) as exc:
        raise TemplateError(f"{manifest}: cannot read the CDK asset manifest ({exc})") from None
    folders: dict[str, Path] = {}
    for asset in files.values():
        source = (asset.get("source") or {}).get("path")
        if not source:
            continue
        for destination in (asset.get("destinations") or {}).values():
            key = destination.get("objectKey")
            if key:
                folders[str(key)] = (manifest.parent / source).resolve()
    return folders
