"""Replay of recordings (JSON Lines, SQS dumps, DLQ and destination records, EventBridge archives): reading
them as a stream, converting each item for its target, and feeding them to a simulation on the virtual clock."""
