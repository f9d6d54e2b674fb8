"""The simulator's Kinesis stream and DynamoDB table resources (docs/aws-behaviour.md §6.1, §11)."""

from __future__ import annotations

import hashlib

import pytest

from lambdachaos._errors import ConfigError


def test_partition_keys_route_by_md5_to_even_hash_ranges(sim):
    stream = sim.kinesis_stream("s", shards=4)
    assert [s.starting_hash_key for s in stream.shards] == [i * 2**126 for i in range(4)]
    assert stream.shards[-1].ending_hash_key == 2**128 - 1
    for key in ("a", "b", "order-17", "ü"):
        value = int(hashlib.md5(key.encode()).hexdigest(), 16)
        assert stream.put_record(b"x", key)["ShardId"] == f"shardId-{value // 2**126:012d}"


def test_sequence_numbers_have_56_digits_and_increase_per_shard(sim):
    stream = sim.kinesis_stream("s")
    seqs = [stream.put_record(b"x", "k")["SequenceNumber"] for _ in range(50)]
    assert all(len(s) == 56 and s.isdigit() for s in seqs)
    assert seqs == sorted(seqs) and len(set(seqs)) == 50


def test_get_records_reads_by_iterator_and_retention_trims(sim):
    stream = sim.kinesis_stream("s", retention_period_hours=24)
    stream.put_record(b"one", "k")
    sim.advance(3600)
    stream.put_record(b"two", "k")
    iterator = stream.get_shard_iterator("shardId-000000000000", "TRIM_HORIZON")
    got = stream.get_records(iterator, limit=1)
    assert [r["Data"] for r in got["Records"]] == [b"one"]
    assert [r["Data"] for r in stream.get_records(got["NextShardIterator"])["Records"]] == [b"two"]
    sim.advance(23 * 3600)
    iterator = stream.get_shard_iterator("shardId-000000000000", "TRIM_HORIZON")
    assert [r["Data"] for r in stream.get_records(iterator)["Records"]] == [b"two"]


def test_stream_settings_are_validated(sim):
    with pytest.raises(ConfigError, match=r"^retention_period_hours=23: RetentionPeriodHours must be between 24"):
        sim.kinesis_stream("s", retention_period_hours=23)
    with pytest.raises(ConfigError, match=r"^stream_view_type='ALL': StreamViewType must be one of"):
        sim.dynamodb_table("t", stream_view_type="ALL")
