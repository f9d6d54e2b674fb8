"""Functions, versions and aliases (AWS developer guide: "Lambda function versions", "Lambda
function aliases").

``$LATEST`` is mutable; published versions are immutable snapshots numbered 1, 2, 3 …; an alias
points at one version and may route a share of requests to one additional version. Function-level
settings (reserved concurrency, DLQ) and per-qualifier ones (event invoke config, provisioned
concurrency) live here too.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Unpack, final

from lambdachaos._errors import ConfigError
from lambdachaos.service.invoke._config import EventInvokeConfig, EventInvokeSettings, FunctionConfig, FunctionSettings
from lambdachaos.service.invoke._contract import CodeLocation, code_location
from lambdachaos.service.invoke._destinations import check_async_destinations
from lambdachaos.service.invoke._validation import check_event_invoke_settings, check_runtime

if TYPE_CHECKING:
    from lambdachaos.service.invoke._service import LambdaService

LATEST = "$LATEST"


@final
@dataclass(frozen=True, slots=True)
class Version:
    """One version of a function: its number and an immutable copy of its code and settings."""

    function_name: str
    number: str
    config: FunctionConfig
    handler: Callable[[Any, Any], Any] | str
    code_dir: str | None
    location: CodeLocation | None = None
    """The code folder and layers a string handler's modules come from (None: the process's sys.path)."""


@final
@dataclass(frozen=True, slots=True)
class Alias:
    """A named pointer to a version, optionally routing a weight to one additional version."""

    name: str
    function_version: str
    additional_version_weights: Mapping[str, float]


@final
class Function:
    """A simulated Lambda function. Create it with ``Sim.function``; configure it with its methods."""

    def __init__(
        self,
        service: LambdaService,
        name: str,
        *,
        handler: Callable[[Any, Any], Any] | str,
        code_dir: str | None,
        config: FunctionConfig,
        isolate_environments: bool,
        layers: tuple[str, ...] = (),
    ) -> None:
        self._service = service
        self.name = name
        self.arn = service.world.arn("lambda", f"function:{name}")
        self.isolate_environments = isolate_environments
        location = None
        if isinstance(handler, str) and code_dir is not None:
            location = code_location(code_dir, layers, config.runtime)
        elif layers:
            raise ConfigError(f"layers={list(layers)!r}: layers need a 'module.function' handler with a code_dir")
        self.versions: dict[str, Version] = {LATEST: Version(name, LATEST, config, handler, code_dir, location)}
        self.aliases: dict[str, Alias] = {}
        self.reserved_concurrency: int | None = None
        self.dead_letter_target: Any = None
        self.event_invoke_configs: dict[str, EventInvokeConfig] = {}
        self.provisioned: dict[str, int] = {}
        self.recursive_loop = "Terminate"
        self.sim: Any = None
        """The ``Sim`` that owns this function (set by ``Sim.function``)."""
        self._next_version = 1

    # ---- invoking -----------------------------------------------------------------------------
    def invoke(self, event: Any = None, *, qualifier: str | None = None, client_context: Any = None) -> Any:
        """Synchronous ``Invoke`` (RequestResponse); returns an ``InvokeResult``. See ``Sim.invoke``."""
        return self.sim.invoke(self, event, qualifier=qualifier, client_context=client_context)

    def invoke_async(self, event: Any = None, *, qualifier: str | None = None) -> str:
        """Asynchronous ``Invoke`` (Event): Lambda accepts the event (202); returns its request id."""
        request_id: str = self.sim.invoke(self, event, qualifier=qualifier, invocation_type="Event")
        return request_id

    # ---- configuration ----------------------------------------------------------------------
    @property
    def config(self) -> FunctionConfig:
        """The settings of ``$LATEST``."""
        return self.versions[LATEST].config

    def update_configuration(self, **changes: Unpack[FunctionSettings]) -> Function:
        """Change ``$LATEST``'s settings (UpdateFunctionConfiguration); published versions keep theirs."""
        if "runtime" in changes:
            check_runtime(changes["runtime"])
        latest = self.versions[LATEST]
        settings: dict[str, Any] = dict(changes)  # strings are accepted for the enum settings
        self.versions[LATEST] = dataclasses.replace(latest, config=dataclasses.replace(latest.config, **settings))
        self._service.retire(self, LATEST)  # later requests run in new environments with the new settings
        return self

    def publish_version(self) -> str:
        """Snapshot ``$LATEST`` as the next numbered version (PublishVersion); returns its number."""
        number = str(self._next_version)
        self._next_version += 1
        latest = self.versions[LATEST]
        self.versions[number] = dataclasses.replace(latest, number=number)
        return number

    def create_alias(
        self, name: str, function_version: str, *, additional_version_weights: Mapping[str, float] | None = None
    ) -> Alias:
        """Create or replace an alias (CreateAlias / UpdateAlias with ``RoutingConfig``)."""
        weights = dict(additional_version_weights or {})
        if function_version not in self.versions:
            raise ConfigError(
                f"function_version={function_version!r}: version does not exist on {self.name} "
                f"(published: {sorted(v for v in self.versions if v != LATEST)})"
            )
        if len(weights) > 1:
            raise ConfigError(
                f"additional_version_weights={weights!r}: an alias routes to at most one additional version"
            )
        for version, weight in weights.items():
            if version not in self.versions or version == LATEST:
                raise ConfigError(
                    f"additional_version_weights: version {version!r} must be a published version of {self.name}"
                )
            if not 0.0 <= weight <= 1.0:
                raise ConfigError(f"additional_version_weights[{version!r}]={weight}: weight must be 0.0 to 1.0")
            if function_version == LATEST:
                raise ConfigError(
                    "function_version='$LATEST': an alias with a weighted routing configuration must point "
                    "at a published version"
                )
        alias = Alias(name, function_version, weights)
        self.aliases[name] = alias
        return alias

    def put_event_invoke_config(
        self, qualifier: str | None = None, **settings: Unpack[EventInvokeSettings]
    ) -> EventInvokeConfig:
        """Set asynchronous invocation settings (PutFunctionEventInvokeConfig: omitted fields reset)."""
        self._check_qualifier(qualifier)
        check_event_invoke_settings(self.arn, settings, given=settings)
        cfg = EventInvokeConfig(**settings)
        check_async_destinations(cfg.on_success, cfg.on_failure)
        self.event_invoke_configs[qualifier or LATEST] = cfg
        return cfg

    def update_event_invoke_config(
        self, qualifier: str | None = None, **settings: Unpack[EventInvokeSettings]
    ) -> EventInvokeConfig:
        """Merge asynchronous invocation settings (UpdateFunctionEventInvokeConfig)."""
        self._check_qualifier(qualifier)
        check_event_invoke_settings(self.arn, settings, given=settings)
        current = self.event_invoke_configs.get(qualifier or LATEST, EventInvokeConfig())
        cfg = dataclasses.replace(current, **settings)
        check_async_destinations(cfg.on_success, cfg.on_failure)
        self.event_invoke_configs[qualifier or LATEST] = cfg
        return cfg

    def put_dead_letter_config(self, target: Any) -> None:
        """Set the function-level dead-letter queue (DeadLetterConfig.TargetArn): an SQS queue or SNS topic."""
        self._service.check_dlq_target(target)
        self.dead_letter_target = target

    def put_reserved_concurrency(self, value: int | None) -> None:
        """Set (or with ``None`` delete) reserved concurrency (PutFunctionConcurrency)."""
        self._service.concurrency.set_reserved(self, value)

    def put_provisioned_concurrency(self, qualifier: str, value: int) -> None:
        """Pre-initialise ``value`` environments for a published version or alias."""
        self._service.put_provisioned(self, qualifier, value)

    # ---- resolution ---------------------------------------------------------------------------
    def _check_qualifier(self, qualifier: str | None) -> None:
        if qualifier is None or qualifier == LATEST:
            return
        if qualifier not in self.versions and qualifier not in self.aliases:
            raise ConfigError(
                f"qualifier={qualifier!r}: {self.name} has no such version or alias "
                f"(versions: {sorted(self.versions)}, aliases: {sorted(self.aliases)})"
            )

    def resolve(self, qualifier: str | None, rng: random.Random) -> tuple[Version, str]:
        """The version an invocation runs and the ARN it was invoked with (weighted aliases draw ``rng``)."""
        if qualifier is None:
            return self.versions[LATEST], self.arn
        invoked = f"{self.arn}:{qualifier}"
        if qualifier in self.versions:
            return self.versions[qualifier], invoked
        alias = self.aliases.get(qualifier)
        if alias is None:
            self._check_qualifier(qualifier)
            raise AssertionError("unreachable")
        target = alias.function_version
        if alias.additional_version_weights:
            ((extra, weight),) = alias.additional_version_weights.items()
            if rng.random() < weight:
                target = extra
        return self.versions[target], invoked

    def event_invoke_config(self, qualifier: str | None) -> EventInvokeConfig:
        """The asynchronous settings that apply to an invocation of ``qualifier`` (default when unset)."""
        return self.event_invoke_configs.get(qualifier or LATEST) or EventInvokeConfig()

    def __repr__(self) -> str:
        return f"<Function {self.name} versions={sorted(self.versions)} aliases={sorted(self.aliases)}>"
