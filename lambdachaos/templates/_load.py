"""``load_template``: read a CloudFormation, SAM or CDK template and create its resources in a simulation."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from lambdachaos.templates import _make_apis as api
from lambdachaos.templates import _make_lambda as lam
from lambdachaos.templates import _make_sources as src
from lambdachaos.templates._build import Builder, Skip
from lambdachaos.templates._cdk import asset_folders, is_cdk_output, locate
from lambdachaos.templates._dynamic import Stores
from lambdachaos.templates._errors import TemplateError
from lambdachaos.templates._intrinsics import Resolver, parameter_values
from lambdachaos.templates._physical import Physical
from lambdachaos.templates._read import read_template, resource_lines
from lambdachaos.templates._report import TemplateLoad
from lambdachaos.templates._sam import is_sam, transform

if TYPE_CHECKING:
    from lambdachaos._sim import Sim

MAKERS: Final = {
    "AWS::SQS::Queue": src.make_queue, "AWS::SNS::Topic": src.make_topic, "AWS::Kinesis::Stream": src.make_stream,
    "AWS::DynamoDB::Table": src.make_table, "AWS::Events::EventBus": src.make_bus,
    "AWS::Lambda::LayerVersion": lam.make_layer, "AWS::Lambda::Function": lam.make_function,
    "AWS::Lambda::Version": lam.make_version, "AWS::Lambda::Alias": lam.make_alias,
    "AWS::Lambda::EventInvokeConfig": lam.make_invoke_config, "AWS::Lambda::EventSourceMapping": lam.make_mapping,
    "AWS::Lambda::Url": lam.make_url, "AWS::SNS::Subscription": src.subscribe, "AWS::Events::Rule": src.make_rule,
    "AWS::S3::Bucket": src.make_bucket, "AWS::ApiGateway::RestApi": api.make_rest_api,
    "AWS::ApiGatewayV2::Api": api.make_http_api, "AWS::Scheduler::Schedule": src.make_scheduler_schedule,
}
"""The simulated resource types and their makers; every other type is recorded only."""
ORDER: Final = list(MAKERS)
"""Creation order by type (a type's dependencies come before it)."""


def load_template(
    sim: Sim, path: str | os.PathLike[str], *, parameters: Mapping[str, Any] | None = None,
    code_root: str | os.PathLike[str] | None = None, imports: Mapping[str, Any] | None = None,
    ssm: Mapping[str, str] | None = None, stack_name: str | None = None, stack: str | None = None,
    schedule_until: float | None = None,
) -> TemplateLoad:
    """Create the resources of the template at ``path`` in ``sim``; see docs/templates.md."""
    file = Path(path)
    kind = "cloudformation"
    assets: dict[str, Path] = {}
    if is_cdk_output(file):
        kind = "cdk"
        file = locate(file, stack)
        assets = asset_folders(file)
    document, text = read_template(file)
    given = dict(parameters or {})
    region, account = sim.world.region, sim.world.account_id
    if is_sam(document):
        kind = "sam"
        document, folders = transform(document, region=region, parameters=given, base_dir=file.parent,
                                      source=str(file))
        assets.update(folders)
    stem = file.name.split(".")[0]
    name = stack_name or (file.parent.resolve().name if stem == "template" else stem).replace("_", "-")
    load = TemplateLoad(path=str(file), stack_name=name, kind=kind)
    declared = {k: v for k, v in (document.get("Parameters") or {}).items()}
    values = parameter_values(declared, given)
    stores = Stores(region=region, given=ssm or {})
    pseudo = {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws", "AWS::StackName": name,
              "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/{name}/{_stack_uuid(sim.seed, name)}",
              "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": []}
    physical_ref: list[Physical] = []
    resolver = Resolver(
        template=document, parameters=values, pseudo=pseudo, ref=lambda lid: physical_ref[0].ref(lid),
        get_att=lambda lid, att: physical_ref[0].get_att(lid, att), imports=dict(imports or {}), ssm=dict(ssm or {}),
        region=region, stores=stores,
    )
    lines = resource_lines(text, list(document["Resources"]))
    physical = Physical(resources=document["Resources"], stack=name, seed=sim.seed, region=region, account_id=account,
                        partition="aws",
                        resolve_name=lambda lid, value: resolver.resolve(value, f"{load.path}: {lid}"))
    physical_ref.append(physical)
    root = None if code_root is None else Path(code_root)

    def code_for(logical: str, code: Any) -> str:
        return str(_code_folder(logical, code, base=file.parent, assets=assets, root=root, where=load.path))

    builder = Builder(sim, template=document, resolver=resolver, physical=physical, load=load, lines=lines,
                      base_dir=file.parent, code_for=code_for, schedule_until=schedule_until)
    builder.build(dict(MAKERS), ORDER)
    for key, output in (document.get("Outputs") or {}).items():
        try:
            load.outputs[key] = resolver.resolve((output or {}).get("Value"), f"{load.path}: Outputs.{key}")
        except TemplateError:
            continue
    loads = sim.registry.all("templates")
    sim.registry.add("templates", str(len(loads)), load)
    return load


def _stack_uuid(seed: int, name: str) -> str:
    return str(uuid.UUID(int=random.Random(f"{seed}:stack:{name}").getrandbits(128), version=4))


def _code_folder(logical: str, code: Any, *, base: Path, assets: Mapping[str, Path], root: Path | None,
                 where: str) -> Path:
    """The local folder of a function's or layer's code (docs/templates.md, "Where the code is")."""
    if isinstance(code, str) and not code.startswith("s3://"):
        folder = (base / code).resolve()
    elif isinstance(code, dict) and str(code.get("S3Key")) in assets:
        folder = assets[str(code["S3Key"])]
    elif isinstance(code, str) and code.rsplit("/", 1)[-1] in assets:
        folder = assets[code.rsplit("/", 1)[-1]]
    elif isinstance(code, dict) and "ZipFile" in code:
        raise Skip("inline ZipFile code is not simulated: put the code in a folder and give Code a local path")
    elif root is not None:
        folder = root / logical if (root / logical).is_dir() else root
    else:
        raise Skip(f"Code {code!r} is not a local folder: give code_root= (a folder, or one sub-folder per "
                   "logical id)")
    if not folder.is_dir():
        raise TemplateError(f"{where}: {logical}: code folder {folder} does not exist")
    return folder
