"""Event source mappings: the poll-based sources (SQS, Kinesis, DynamoDB Streams) on one table of sources."""
