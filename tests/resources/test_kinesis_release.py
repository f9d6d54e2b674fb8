"""Outside a full ledger a Kinesis shard releases the records retention trimmed once every reader passed them;
a full ledger, or a reader that does not report its position, keeps them (docs/scale.md, "Stream retention")."""

from __future__ import annotations

from pathlib import Path

from lambdachaos import Sim
from lambdachaos.resources._kinesis import RELEASED, KinesisStream, Shard

DAY = 24 * 3600


def put_then_age(sim: Sim, stream: KinesisStream) -> None:
    stream.put([f"old-{i}" for i in range(5)])
    sim.advance(DAY - 10)
    stream.put([f"new-{i}" for i in range(3)])
    sim.advance(20)  # the first five are past the 24 h retention period, the last three are not
    stream.trim()


def test_records_past_retention_are_released_when_nobody_reads_the_stream() -> None:
    with Sim(seed=1, ledger="summary") as sim:
        stream = sim.kinesis_stream("clicks")
        put_then_age(sim, stream)
        shard = stream.shards[0]
        assert (shard.trimmed, shard.released, len(shard.records)) == (5, 5, 8)
        assert shard.records[:5] == [RELEASED] * 5
        assert [r.data for r in shard.records[5:]] == [b"new-0", b"new-1", b"new-2"]
        it = stream.get_shard_iterator(shard.shard_id, "TRIM_HORIZON")
        assert [r["Data"] for r in stream.get_records(it)["Records"]] == [b"new-0", b"new-1", b"new-2"]
        assert repr(stream) == "<KinesisStream clicks shards=1 records=3>"


def test_a_full_ledger_keeps_every_record() -> None:
    with Sim(seed=1) as sim:
        stream = sim.kinesis_stream("clicks")
        put_then_age(sim, stream)
        shard = stream.shards[0]
        assert (shard.trimmed, shard.released) == (5, 0)
        assert [r.data for r in shard.records] == [f"old-{i}".encode() for i in range(5)] + [
            f"new-{i}".encode() for i in range(3)]


def test_a_reader_keeps_what_it_has_not_passed_and_a_silent_listener_keeps_everything(tmp_path: Path) -> None:
    with Sim(seed=1, ledger="stream", ledger_path=str(tmp_path / "ledger.jsonl")) as sim:
        stream = sim.kinesis_stream("clicks")
        at = {"pos": 2}

        def position(shard: Shard) -> int:
            return at["pos"]

        stop = stream.on_records(lambda s: None, position=position)
        put_then_age(sim, stream)
        shard = stream.shards[0]
        assert (shard.trimmed, shard.released) == (5, 2)  # the reader still needs records 2, 3 and 4
        assert shard.records[2].data == b"old-2"
        at["pos"] = 8
        stream.trim()
        assert shard.released == 5  # never past the trim horizon
        stop_silent = stream.on_records(lambda s: None)
        stream.put(["later"])
        sim.advance(DAY)
        stream.trim()
        assert (shard.trimmed, shard.released) == (9, 5)  # a listener without a position keeps everything
        stop_silent()
        stop()
        stream.trim()
        assert shard.released == 9


def test_a_mapped_stream_releases_what_its_mapping_has_read_and_retention_trimmed() -> None:
    with Sim(seed=1, ledger="summary") as sim:
        stream = sim.kinesis_stream("clicks")
        fn = sim.function(lambda event, context: None, name="reader")
        sim.map(stream, fn, batch_size=10)
        put_then_age(sim, stream)
        sim.run()
        shard = stream.shards[0]
        assert (shard.trimmed, shard.released) == (5, 5)
        assert sim.ledger.counts()["fates"] == {"succeeded": 8}
