"""Settings of an Amazon MSK or self-managed Apache Kafka event source mapping, checked as AWS checks them.

AWS pages: "All Amazon MSK event source configuration parameters" (msk-esm-parameters), "Configuring
error handling controls for Kafka event sources" (kafka-retry-configurations), "Apache Kafka event
poller scaling modes in Lambda" (kafka-scaling-modes), "Using a Kafka topic as an on-failure
destination" (kafka-on-failure-destination), "Filtering events from Amazon MSK and self-managed Apache
Kafka event sources" (kafka-filtering); docs/aws-behaviour.md, "Kafka, Amazon MQ and DocumentDB event
sources", for the decisions taken where AWS is silent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._arn import Arn
from lambdachaos._errors import ConfigError
from lambdachaos.service.mappings._common import (
    BATCH_WINDOW_MAX_S,
    FilterCriteriaInput,
    check_range,
    check_response_types,
    compile_filters,
)
from lambdachaos.service.mappings._stream_config import (  # the same limits as the stream sources
    BATCH_SIZE_DEFAULT,
    BATCH_SIZE_MAX,
    RECORD_AGE_MAX,
    RECORD_AGE_MIN,
    RETRY_MAX,
)

if TYPE_CHECKING:
    from lambdachaos.resources._patterns import EventPattern

WINDOW_DEFAULT_S: Final = 0.5
"""``MaximumBatchingWindowInSeconds`` default for Kafka: 500 ms (only a new mapping restores it once changed)."""
DESTINATION_RETRY_CAP: Final = 10
"""Infinite retries together with an on-failure destination are capped at 10 retries (kafka-retry-configurations)."""
MIN_POLLERS: Final = (1, 200)
MAX_POLLERS: Final = (1, 2_000)
STARTING_POSITIONS: Final = ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")
PROVISIONED: Final = "ProvisionedPollerConfig"
_GROUP_ID: Final = re.compile(r"[a-zA-Z0-9\-/*:_+=.@]{1,200}")
_POLLER_GROUP: Final = re.compile(r"[a-zA-Z0-9\-_]{0,128}")
_KAFKA_DEST: Final = re.compile(r"kafka://([^.][a-zA-Z0-9\-_.]{0,248})")
_PROVISIONED_ONLY: Final = {
    "maximum_retry_attempts": -1, "maximum_record_age_in_seconds": -1, "bisect_batch_on_function_error": False,
    "function_response_types": (), "on_failure": None,
}


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class PollerConfig:
    """``ProvisionedPollerConfig``: ``MinimumPollers`` 1–200 (default 1), ``MaximumPollers`` 1–2,000
    (default 200), ``PollerGroupName`` (0–128 of ``[a-zA-Z0-9-_]``)."""

    minimum_pollers: int = 1
    maximum_pollers: int = 200
    poller_group_name: str | None = None

    @classmethod
    def parse(cls, value: Mapping[str, Any]) -> PollerConfig:
        """From the API shape ``{"MinimumPollers": n, "MaximumPollers": n, "PollerGroupName": s}``."""
        unknown = set(value) - {"MinimumPollers", "MaximumPollers", "PollerGroupName"}
        if unknown:
            raise ConfigError(f"provisioned_poller_config={dict(value)!r}: {PROVISIONED} has no {sorted(unknown)}; "
                              "it takes MinimumPollers, MaximumPollers and PollerGroupName")
        low = check_range("ProvisionedPollerConfig.MinimumPollers", "provisioned_poller_config",
                          value.get("MinimumPollers", 1), *MIN_POLLERS)
        high = check_range("ProvisionedPollerConfig.MaximumPollers", "provisioned_poller_config",
                           value.get("MaximumPollers", 200), *MAX_POLLERS)
        if low > high:
            raise ConfigError(f"provisioned_poller_config={dict(value)!r}: MinimumPollers ({low}) must not be "
                              f"greater than MaximumPollers ({high})")
        group = value.get("PollerGroupName")
        if group is not None and (not isinstance(group, str) or not _POLLER_GROUP.fullmatch(group)):
            raise ConfigError(f"provisioned_poller_config: PollerGroupName={group!r} must be 0 to 128 of "
                              "[a-zA-Z0-9-_]")
        return cls(minimum_pollers=low, maximum_pollers=high, poller_group_name=group)


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class KafkaMappingConfig:
    """Settings of a Kafka event source mapping, checked on construction.

    ``batch_size`` 1–10,000 (default 100); ``maximum_batching_window_in_seconds`` 0–300 whole seconds
    or None for the 500 ms default; ``starting_position`` TRIM_HORIZON (the default when none is given,
    as recorded for self-managed Kafka and decided for MSK), LATEST or AT_TIMESTAMP with
    ``starting_position_timestamp`` (virtual seconds, not in the future); ``consumer_group_id`` (default:
    the mapping's UUID); ``filter_criteria`` on ``value`` only; ``provisioned_poller_config`` switches
    to provisioned mode, which the error-handling controls (``maximum_retry_attempts`` −1 or 0–10,000,
    ``maximum_record_age_in_seconds`` −1 or 60–604,800, ``bisect_batch_on_function_error``,
    ``function_response_types``, ``on_failure``: an SQS queue, SNS topic, S3 bucket or ``kafka://<topic>``)
    need.
    """

    batch_size: int = BATCH_SIZE_DEFAULT
    maximum_batching_window_in_seconds: int | None = None
    starting_position: str | None = None
    starting_position_timestamp: float | None = None
    consumer_group_id: str | None = None
    filter_criteria: FilterCriteriaInput = None
    provisioned_poller_config: Mapping[str, Any] | None = None
    maximum_retry_attempts: int = -1
    maximum_record_age_in_seconds: int = -1
    bisect_batch_on_function_error: bool = False
    function_response_types: tuple[str, ...] = ()
    on_failure: Any = None
    enabled: bool = True
    pollers: PollerConfig | None = field(init=False, repr=False, compare=False, default=None)
    patterns: tuple[EventPattern, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        check_batching(self.batch_size, self.maximum_batching_window_in_seconds)
        check_position(self.starting_position, self.starting_position_timestamp)
        group = self.consumer_group_id
        if group is not None and (not isinstance(group, str) or not _GROUP_ID.fullmatch(group)):
            raise ConfigError(f"consumer_group_id={group!r}: ConsumerGroupId must be 1 to 200 characters of "
                              r"[a-zA-Z0-9-\/*:_+=.@-]")
        if self.provisioned_poller_config is not None:
            object.__setattr__(self, "pollers", PollerConfig.parse(self.provisioned_poller_config))
        else:
            for keyword, default in _PROVISIONED_ONLY.items():
                value = getattr(self, keyword)
                if value != default and not (keyword == "function_response_types" and not tuple(value)):
                    raise ConfigError(
                        f"{keyword}={value!r} needs provisioned mode: Kafka error handling controls and on-failure "
                        f"destinations apply only with {PROVISIONED}; pass provisioned_poller_config="
                        "{'MinimumPollers': 1, 'MaximumPollers': 200} (docs/aws-behaviour.md, Kafka decisions)")
        check_range("MaximumRetryAttempts", "maximum_retry_attempts", self.maximum_retry_attempts, 0, RETRY_MAX,
                    also=(-1,))
        check_range("MaximumRecordAgeInSeconds", "maximum_record_age_in_seconds",
                    self.maximum_record_age_in_seconds, RECORD_AGE_MIN, RECORD_AGE_MAX, also=(-1,))
        if not isinstance(self.bisect_batch_on_function_error, bool):
            raise ConfigError(f"bisect_batch_on_function_error={self.bisect_batch_on_function_error!r} must be a bool")
        if self.on_failure is not None:
            check_destination(self.on_failure)
        object.__setattr__(self, "function_response_types", check_response_types(self.function_response_types))
        check_value_only(self.filter_criteria)
        object.__setattr__(self, "patterns", compile_filters(self.filter_criteria))

    @property
    def window_ns(self) -> int:
        """The batching window in virtual nanoseconds (500 ms unless set)."""
        seconds = WINDOW_DEFAULT_S if self.maximum_batching_window_in_seconds is None \
            else self.maximum_batching_window_in_seconds
        return round(seconds * 1_000_000_000)

    @property
    def retry_limit(self) -> int:
        """``MaximumRetryAttempts`` in force: −1 (until the records leave retention), or the 10-retry cap that
        applies when retries are infinite and an on-failure destination is set."""
        if self.maximum_retry_attempts == -1 and self.on_failure is not None:
            return DESTINATION_RETRY_CAP
        return self.maximum_retry_attempts


def check_batching(batch_size: object, window: object) -> None:
    """``BatchSize`` 1–10,000 and ``MaximumBatchingWindowInSeconds`` 0–300 (None: the 500 ms default)."""
    check_range("BatchSize", "batch_size", batch_size, 1, BATCH_SIZE_MAX)
    if window is not None:
        check_range("MaximumBatchingWindowInSeconds", "maximum_batching_window_in_seconds", window, 0,
                    BATCH_WINDOW_MAX_S)


def check_position(position: str | None, timestamp: float | None) -> None:
    """``StartingPosition`` LATEST, TRIM_HORIZON or AT_TIMESTAMP (with ``StartingPositionTimestamp`` only)."""
    if position is not None and position not in STARTING_POSITIONS:
        raise ConfigError(
            f"starting_position={position!r}: 1 validation error detected: Value '{position}' at "
            f"'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: "
            "[LATEST, AT_TIMESTAMP, TRIM_HORIZON]")
    if position == "AT_TIMESTAMP" and timestamp is None:  # AWS's recorded wording
        raise ConfigError("starting_position='AT_TIMESTAMP', starting_position_timestamp=None: "
                          "Need to specify a timestamp")
    if position != "AT_TIMESTAMP" and timestamp is not None:
        raise ConfigError(f"starting_position={position!r}, starting_position_timestamp={timestamp!r}: "
                          "StartingPositionTimestamp goes with AT_TIMESTAMP only")


def check_created(*, timestamp: float | None, now_s: float, destination: object = None, topic: str = "") -> None:
    """What a mapping checks against the world when it is created: ``StartingPositionTimestamp`` cannot be in the
    future; a ``kafka://`` destination must not be the source topic (kafka-on-failure-destination)."""
    if timestamp is not None and timestamp > now_s:
        raise ConfigError(f"starting_position_timestamp={timestamp!r}: StartingPositionTimestamp cannot be in the "
                          f"future (now is {now_s:g} virtual seconds)")
    if topic and kafka_destination(destination) == topic:
        raise ConfigError(f"on_failure={destination!r}: the destination topic must not be the source topic "
                          f"{topic!r}; use another topic of the same cluster")


def kafka_destination(target: object) -> str | None:
    """The topic name of a ``kafka://<topic>`` destination, else None."""
    if isinstance(target, str):
        found = _KAFKA_DEST.fullmatch(target)
        if found:
            return found.group(1)
    return None


def check_destination(target: object) -> None:
    """``DestinationConfig.OnFailure`` for Kafka: an SQS queue, SNS topic, S3 bucket or ``kafka://<topic>``."""
    if kafka_destination(target) is not None:
        return
    arn = target if isinstance(target, str) else getattr(target, "arn", "")
    service = getattr(Arn.maybe(arn), "service", "")
    if service not in ("sqs", "sns", "s3") or str(arn).endswith(".fifo"):
        raise ConfigError(
            f"on_failure={arn or target!r}: DestinationConfig.OnFailure for Kafka must be a standard SQS queue, a "
            "standard SNS topic, an S3 bucket or kafka://<topic> (a topic of the same cluster)")


def check_value_only(criteria: FilterCriteriaInput) -> None:
    """Kafka filters match the ``value`` key only (kafka-filtering): a pattern on another key is refused."""
    if criteria is None:
        return
    items: list[Any]
    if isinstance(criteria, Mapping):
        filters = criteria.get("Filters")
        items = [f.get("Pattern") if isinstance(f, Mapping) else f for f in filters] if isinstance(filters, list) \
            else []
    else:
        items = list(criteria)
    for item in items:
        try:
            pattern = json.loads(item) if isinstance(item, str) else item
        except ValueError:
            continue  # compile_filters reports the syntax error
        if isinstance(pattern, Mapping) and set(pattern) - {"value"}:
            raise ConfigError(
                f"filter_criteria pattern {item!r}: Amazon MSK and self-managed Apache Kafka support filtering on "
                "the 'value' key only; write the pattern under {'value': ...}")


POLLER_GROUP_MAPPINGS_MAX: Final = 100
"""Event source mappings one ``PollerGroupName`` holds at most."""
POLLER_GROUP_POLLERS_MAX: Final = 2_000
"""The most ``MaximumPollers`` the mappings of one poller group may sum to."""


def check_poller_group(config: KafkaMappingConfig, existing: Iterable[Any]) -> None:
    """Refuse a mapping that would take its ``PollerGroupName`` past 100 mappings or 2,000 pollers in all."""
    pollers = getattr(config, "pollers", None)
    group = None if pollers is None else pollers.poller_group_name
    if not group:
        return
    members = [m for m in existing if getattr(getattr(getattr(m, "config", None), "pollers", None),
                                              "poller_group_name", None) == group]
    if len(members) + 1 > POLLER_GROUP_MAPPINGS_MAX:
        raise ConfigError(f"provisioned_poller_config: PollerGroupName={group!r} already holds "
                          f"{len(members)} event source mappings; a poller group holds at most "
                          f"{POLLER_GROUP_MAPPINGS_MAX}")
    total = sum(m.config.pollers.maximum_pollers for m in members) + pollers.maximum_pollers  # type: ignore[union-attr]
    if total > POLLER_GROUP_POLLERS_MAX:
        raise ConfigError(f"provisioned_poller_config: MaximumPollers={pollers.maximum_pollers} takes "  # type: ignore[union-attr]
                          f"PollerGroupName={group!r} to {total} pollers; the MaximumPollers of a poller group's "
                          f"mappings add up to at most {POLLER_GROUP_POLLERS_MAX}")
