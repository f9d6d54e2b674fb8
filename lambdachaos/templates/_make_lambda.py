"""Makers for the Lambda resources of a template: layers, functions, versions, aliases, async settings, mappings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lambdachaos._arn import Arn
from lambdachaos.templates._build import Skip

if TYPE_CHECKING:
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.templates._build import Builder

_RECORDED_FUNCTION_SETTINGS = ("LoggingConfig", "TracingConfig", "VpcConfig", "KmsKeyArn", "FileSystemConfigs",
                               "SnapStart", "CodeSigningConfigArn", "RuntimeManagementConfig")


def _qualified(b: Builder, reference: Any, what: str) -> tuple[Function, str | None]:
    """The function and qualifier a ``FunctionName`` names (a name, an ARN, a qualified ARN or ``name:alias``)."""
    text = str(reference)
    fn = b.target(text, what) if text.startswith("arn:") else b.by_arn.get(text)
    if fn is None:
        name, _, given = text.partition(":")
        return b.target(name, what), given or None
    parsed = Arn.maybe(text)
    return fn, parsed.qualifier if parsed is not None else None


def make_layer(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Lambda::LayerVersion``: its content folder (the parent of ``python/``)."""
    folder = b.code_for(logical, props.get("Content"))
    arn = str(b.physical.ref(logical))
    b.layer_dirs[arn] = folder
    b.by_arn[arn] = folder
    return folder, f"layer folder {folder}"


def make_function(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Lambda::Function``: handler, code folder, layers, settings, reserved concurrency and DLQ."""
    if props.get("PackageType") == "Image":
        raise Skip("PackageType Image: container images are not simulated (Python handlers from a folder are)")
    runtime = str(props.get("Runtime", ""))
    if not runtime.startswith("python"):
        raise Skip(f"Runtime {runtime or '(none)'}: only Python runtimes run in this simulation")
    handler = props.get("Handler")
    if not handler:
        raise Skip("no Handler")
    folder = b.code_for(logical, props.get("Code"))
    layers = []
    for arn in props.get("Layers") or []:
        if str(arn) not in b.layer_dirs:
            raise Skip(f"Layers: {arn} is not a layer of this template with a local folder")
        layers.append(b.layer_dirs[str(arn)])
    config: dict[str, Any] = {"runtime": runtime,
                              "environment": {str(k): str(v) for k, v in
                                              ((props.get("Environment") or {}).get("Variables") or {}).items()}}
    for aws, key in (("MemorySize", "memory_size"), ("Timeout", "timeout")):
        if aws in props:
            config[key] = b.number(logical, props, aws)
    if "EphemeralStorage" in props:
        config["ephemeral_storage"] = b.number(logical, props["EphemeralStorage"], "Size")
    if props.get("Architectures"):
        config["architecture"] = str(props["Architectures"][0])
    dlq = None
    target_arn = (props.get("DeadLetterConfig") or {}).get("TargetArn")
    if target_arn:
        dlq = b.target(target_arn, "DeadLetterConfig.TargetArn")
    for setting in _RECORDED_FUNCTION_SETTINGS:
        if setting in props:
            b.note(logical, f"{setting} is recorded, not simulated")
    name = b.physical.name(logical)
    fn = b.sim.function(str(handler), name=name, code_dir=folder, layers=layers, dead_letter_queue=dlq,
                        reserved_concurrency=b.number(logical, props, "ReservedConcurrentExecutions"), **config)
    b.register(logical, fn, fn.arn, name)
    return fn, f"{handler} in {folder}" + (f" (+{len(layers)} layer(s))" if layers else "")


def make_version(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Lambda::Version``: publishes ``$LATEST`` (numbers follow the template's order per function)."""
    fn, _ = _qualified(b, props.get("FunctionName"), "FunctionName")
    number = fn.publish_version()
    b.register(logical, fn, f"{fn.arn}:{number}")
    return fn.versions[number], f"{fn.name} version {number}"


def make_alias(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Lambda::Alias`` with its ``RoutingConfig`` weights."""
    fn, _ = _qualified(b, props.get("FunctionName"), "FunctionName")
    version = str(props.get("FunctionVersion", "$LATEST"))
    weights = {str(w["FunctionVersion"]): float(w["FunctionWeight"])
               for w in (props.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or []}
    name = str(props.get("Name"))
    alias = fn.create_alias(name, version, additional_version_weights=weights or None)
    b.register(logical, fn, f"{fn.arn}:{name}")
    return alias, f"{fn.name}:{name} -> version {version}" + (f" {weights}" if weights else "")


def make_invoke_config(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Lambda::EventInvokeConfig``: retries, event age and destinations of a function, version or alias."""
    fn, _ = _qualified(b, props.get("FunctionName"), "FunctionName")
    qualifier = str(props.get("Qualifier", "$LATEST"))
    settings: dict[str, Any] = {}
    for aws, key in (("MaximumRetryAttempts", "maximum_retry_attempts"),
                     ("MaximumEventAgeInSeconds", "maximum_event_age_in_seconds")):
        if aws in props:
            settings[key] = b.number(logical, props, aws)
    destinations = props.get("DestinationConfig") or {}
    for aws, key in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
        arn = (destinations.get(aws) or {}).get("Destination")
        if arn:
            settings[key] = b.target(arn, f"DestinationConfig.{aws}.Destination")
    config = fn.put_event_invoke_config(None if qualifier == "$LATEST" else qualifier, **settings)
    return config, f"{fn.name}:{qualifier}"


def make_mapping(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Lambda::EventSourceMapping`` with every setting (the function may be an alias or version)."""
    source = b.target(props.get("EventSourceArn"), "EventSourceArn")
    fn, qualifier = _qualified(b, props.get("FunctionName"), "FunctionName")
    settings: dict[str, Any] = {"qualifier": qualifier, "enabled": str(props.get("Enabled", True)).lower() == "true"}
    for aws, key in (("BatchSize", "batch_size"),
                     ("MaximumBatchingWindowInSeconds", "maximum_batching_window_in_seconds"),
                     ("ParallelizationFactor", "parallelization_factor"),
                     ("MaximumRetryAttempts", "maximum_retry_attempts"),
                     ("MaximumRecordAgeInSeconds", "maximum_record_age_in_seconds"),
                     ("TumblingWindowInSeconds", "tumbling_window_in_seconds")):
        if aws in props:
            settings[key] = b.number(logical, props, aws)
    if "BisectBatchOnFunctionError" in props:
        settings["bisect_batch_on_function_error"] = str(props["BisectBatchOnFunctionError"]).lower() == "true"
    if props.get("FunctionResponseTypes"):
        settings["function_response_types"] = [str(t) for t in props["FunctionResponseTypes"]]
    if props.get("FilterCriteria"):
        settings["filter_criteria"] = props["FilterCriteria"]
    if props.get("ScalingConfig"):
        settings["scaling_config"] = {k: int(v) for k, v in props["ScalingConfig"].items()}
    if "StartingPosition" in props:
        settings["starting_position"] = str(props["StartingPosition"])
    if "StartingPositionTimestamp" in props:
        settings["starting_position_timestamp"] = float(props["StartingPositionTimestamp"])
    on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if on_failure:
        settings["on_failure"] = b.target(on_failure, "DestinationConfig.OnFailure.Destination")
    mapping = b.sim.map(source, fn, **settings)
    target = fn.name + (f":{qualifier}" if qualifier else "")
    return mapping, f"{getattr(source, 'name', source)} -> {target}"


def make_url(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::Lambda::Url``: a function URL (synchronous)."""
    fn, qualifier = _qualified(b, props.get("TargetFunctionArn"), "TargetFunctionArn")
    qualifier = str(props.get("Qualifier")) if props.get("Qualifier") else qualifier
    url = b.sim.function_url(fn, auth_type=str(props.get("AuthType", "NONE")), qualifier=qualifier)
    return url, f"URL of {fn.name}" + (f":{qualifier}" if qualifier else "")

