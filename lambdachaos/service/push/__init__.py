"""Push sources: HTTP front doors, S3/SNS/EventBridge fan-out, schedules and the async retry rules they use."""
