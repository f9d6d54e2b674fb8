"""Order handling for the shop: an SQS order processor, a Kinesis order-event consumer, an S3 thumbnailer."""
