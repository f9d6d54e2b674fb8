"""Settings of the SQS event source mapping, checked on construction (docs/aws-behaviour.md §5.1, §5.2).

AWS pages: "Lambda parameters for Amazon SQS event source mappings", "Configuring scaling behavior for SQS
event source mappings".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, final

from lambdachaos.service.invoke._errors import InvalidParameterValueError
from lambdachaos.service.mappings._common import (
    BATCH_WINDOW_MAX_S,
    FilterCriteriaInput,
    check_range,
    check_response_types,
    compile_filters,
)

if TYPE_CHECKING:
    from lambdachaos.resources._patterns import EventPattern

BATCH_SIZE_DEFAULT: Final = 10
BATCH_SIZE_MAX_STANDARD: Final = 10_000
BATCH_SIZE_MAX_FIFO: Final = 10
BATCH_SIZE_NO_WINDOW_MAX: Final = 10
"""BatchSize above this needs a batching window of at least 1 s."""
MAXIMUM_CONCURRENCY_MIN: Final = 2
MAXIMUM_CONCURRENCY_MAX: Final = 1_000
INITIAL_CONCURRENCY: Final = 5
SCALE_UP_PER_MINUTE: Final = 300
MAX_CONCURRENCY_PER_MAPPING: Final = 1_250
"""Standard-queue scaling (docs/aws-behaviour.md §5.2, with the AWS page it comes from)."""
SCALE_DOWN_FLOOR: Final = INITIAL_CONCURRENCY
"""[DEC] Scale-down after function errors (docs/aws-behaviour.md §5.3; no AWS figures): each batch that fails with a
function error halves the concurrency the mapping may use, never below this floor, and growth resumes from there at
``SCALE_UP_PER_MINUTE``. Not applied when ``ReportBatchItemFailures`` is on."""
VISIBILITY_GUIDANCE_FACTOR: Final = 6


@final
@dataclass(frozen=True, kw_only=True, slots=True)
class SqsMappingConfig:
    """Settings of an SQS event source mapping, checked on construction (docs/aws-behaviour.md §5.1).

    ``batch_size`` 1–10,000 (FIFO 1–10), default 10; ``maximum_batching_window_in_seconds`` 0–300
    (not on FIFO queues), at least 1 when ``batch_size`` > 10; ``function_response_types`` ``()`` or
    ``("ReportBatchItemFailures",)``; ``filter_criteria`` per §10 (SQS filters on ``body``);
    ``maximum_concurrency`` is ``ScalingConfig.MaximumConcurrency`` (2–1,000, None = no cap).
    """

    fifo: bool = False
    batch_size: int = BATCH_SIZE_DEFAULT
    maximum_batching_window_in_seconds: int = 0
    function_response_types: tuple[str, ...] = ()
    filter_criteria: FilterCriteriaInput = None
    maximum_concurrency: int | None = None
    enabled: bool = True
    patterns: tuple[EventPattern, ...] = field(init=False, repr=False, compare=False, default=())

    def __post_init__(self) -> None:
        high = BATCH_SIZE_MAX_FIFO if self.fifo else BATCH_SIZE_MAX_STANDARD
        check_range("BatchSize", "batch_size", self.batch_size, 1, high,
                    what="a FIFO queue" if self.fifo else "a standard queue")
        window = self.maximum_batching_window_in_seconds
        if self.fifo and window not in (0, None):
            raise InvalidParameterValueError(
                f"maximum_batching_window_in_seconds={window!r}: Batching window is not supported for FIFO "
                "queues; remove MaximumBatchingWindowInSeconds"
            )
        check_range("MaximumBatchingWindowInSeconds", "maximum_batching_window_in_seconds", window, 0,
                    BATCH_WINDOW_MAX_S)
        if self.batch_size > BATCH_SIZE_NO_WINDOW_MAX and window < 1:
            raise InvalidParameterValueError(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
            )
        if self.maximum_concurrency is not None:
            check_range("ScalingConfig.MaximumConcurrency", "maximum_concurrency", self.maximum_concurrency,
                        MAXIMUM_CONCURRENCY_MIN, MAXIMUM_CONCURRENCY_MAX)
        object.__setattr__(self, "function_response_types", check_response_types(self.function_response_types))
        object.__setattr__(self, "patterns", compile_filters(self.filter_criteria))
