"""The simulator's own AWS resources: SQS queues, SNS topics, EventBridge buses and event patterns.

They are modelled natively on the virtual clock (docs/aws-behaviour.md is the reference) and never import
the simulated Lambda service. Simulated AWS errors (``QueueDoesNotExist``, ``InvalidParameterValue`` ...)
subclass :class:`AWSError` and carry AWS's error code.
"""

from __future__ import annotations

from lambdachaos.resources._errors import AWSError
from lambdachaos.resources._events import EventBus, Rule
from lambdachaos.resources._patterns import EventPattern, compile_pattern
from lambdachaos.resources._sns import Notification, Subscription, Topic
from lambdachaos.resources._sqs import Queue
from lambdachaos.resources._sqs_config import QueueConfig, RedrivePolicy
from lambdachaos.resources._sqs_message import MessageState, QueueMessage, ReceivedMessage, SentMessage

__all__ = [
    "AWSError",
    "EventBus",
    "EventPattern",
    "MessageState",
    "Notification",
    "Queue",
    "QueueConfig",
    "QueueMessage",
    "ReceivedMessage",
    "RedrivePolicy",
    "Rule",
    "SentMessage",
    "Subscription",
    "Topic",
    "compile_pattern",
]
