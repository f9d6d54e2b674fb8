"""SAM templates: the official transform (``aws-sam-translator``, the ``templates`` extra), run offline.

Local ``CodeUri``/``ContentUri`` folders are swapped for placeholder S3 locations before the transform
(as ``sam validate`` does) and mapped back afterwards by their S3 key.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any, Final

from lambdachaos.templates._errors import TemplateError

SAM_TRANSFORM: Final = "AWS::Serverless-2016-10-31"
PLACEHOLDER_BUCKET: Final = "lambdachaos-local-code"
_CODE_PROPERTY: Final = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}


def is_sam(document: dict[str, Any]) -> bool:
    """True when the template declares the SAM transform."""
    transform = document.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in transforms


def _translator() -> Any:
    try:
        import boto3
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.translator import Translator as SamTranslator
    except ImportError:
        raise TemplateError(
            "loading a SAM template needs aws-sam-translator: pip install 'lambdachaos[templates]'"
        ) from None
    for name in ("samtranslator", "samtranslator.translator", "samtranslator.model"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return SamTranslator, Parser, boto3


_SESSIONS: dict[str, Any] = {}


def _session(boto3: Any, region: str) -> Any:
    """One boto3 session per region, reused: the transform reads only its region and partition (a new session
    costs more than the rest of a small template's transform)."""
    if region not in _SESSIONS:
        _SESSIONS[region] = boto3.Session(region_name=region)
    return _SESSIONS[region]


def transform(
    document: dict[str, Any], *, region: str, parameters: dict[str, Any], base_dir: Path, source: str,
) -> tuple[dict[str, Any], dict[str, Path]]:
    """The CloudFormation template SAM makes of ``document``, and each placeholder S3 key's local folder."""
    sam_translator, parser, boto3 = _translator()
    document = copy.deepcopy(document)
    folders: dict[str, Path] = {}
    global_uri = ((document.get("Globals") or {}).get("Function") or {}).get("CodeUri")
    for logical, spec in document["Resources"].items():
        prop = _CODE_PROPERTY.get(str(spec.get("Type")))
        if prop is None:
            continue
        props = spec.setdefault("Properties", {})
        uri = props.get(prop, global_uri if prop == "CodeUri" else None)
        if prop == "CodeUri" and uri is None and "InlineCode" in props:
            continue
        if uri is None:
            uri = "."
        if isinstance(uri, str) and not uri.startswith("s3://"):
            key = f"{logical}.zip"
            folders[key] = (base_dir / uri).resolve()
            props[prop] = f"s3://{PLACEHOLDER_BUCKET}/{key}"
    from samtranslator.model.exceptions import InvalidDocumentException

    try:
        translated = sam_translator(
            managed_policy_map=None, sam_parser=parser(), boto_session=_session(boto3, region),
        ).translate(document, parameter_values=dict(parameters), get_managed_policy_map=lambda: {})
    except InvalidDocumentException as exc:
        causes = "; ".join(str(getattr(cause, "message", cause)) for cause in exc.causes)
        raise TemplateError(f"{source}: the SAM transform refused the template: {causes}") from None
    return translated, folders
