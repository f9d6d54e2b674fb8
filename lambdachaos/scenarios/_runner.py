"""Run a scenario on the simulator: build the account, schedule the traffic, apply the fault plan, run the
virtual clock until everything has settled, and evaluate the expectations.

>>> from lambdachaos.scenarios import bundled, load_scenario, run_scenario
>>> result = run_scenario(load_scenario(bundled("async-retries")))
>>> result.passed
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, final

from lambdachaos._errors import ConfigError, LambdaChaosError
from lambdachaos._sim import Sim
from lambdachaos.scenarios import _traffic
from lambdachaos.scenarios._coverage import fault_verdicts
from lambdachaos.scenarios._expect import Context, SentRecord, Verdict, evaluate
from lambdachaos.scenarios._model import Issue, Scenario, ScenarioError, TrafficSpec
from lambdachaos.service.invoke._errors import LambdaAPIError

_FIRST_CHUNK_S: Final = 1.0
_MAX_IDLE_CHUNKS: Final = 10_000


@final
@dataclass(frozen=True, slots=True)
class Progress:
    """A progress report: traffic sent so far out of the total, and the virtual time reached."""

    sent: int
    total: int
    now: float
    done: bool = False
    last_sent_at: float | None = None
    """Virtual time at which the latest record so far was sent (``None`` before the first)."""


@final
@dataclass(slots=True, kw_only=True)
class RunResult:
    """What a run produced: the simulation (closed, readable), what was sent and one verdict per expectation."""

    scenario: Scenario
    seed: int
    sim: Sim
    sent: list[SentRecord]
    verdicts: list[Verdict]
    replay_formats: dict[str, str] = field(default_factory=dict)
    wall_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return all(v.passed for v in self.verdicts)

    @property
    def exit_code(self) -> int:
        """0 when every expectation held, 1 otherwise (the ``lambdachaos run`` exit code)."""
        return 0 if self.passed else 1

    def summary(self) -> dict[str, Any]:
        """JSON-ready run summary: scenario, seed, counts and verdicts (no wall-clock figures)."""
        counts = self.sim.ledger.counts()
        return {"scenario": self.scenario.name, "seed": self.seed, "virtual_seconds": round(self.sim.now, 9),
                "sent": len(self.sent), "refused": sum(1 for s in self.sent if s.rejected),
                "attempts": counts["attempts"], "deliveries": counts["deliveries"], "faults": counts["faults"],
                "fates": counts["fates"], "passed": self.passed,
                "verdicts": [v.as_dict() for v in self.verdicts]}


class _World:
    """The resources a scenario built, by name."""

    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        self.queues: dict[str, Any] = {}
        self.topics: dict[str, Any] = {}
        self.buses: dict[str, Any] = {}
        self.streams: dict[str, Any] = {}
        self.tables: dict[str, Any] = {}
        self.sources: dict[str, Any] = {}
        """Resources of further source-table rows, by name."""
        self.functions: dict[str, Any] = {}
        self.children: dict[str, list[str]] = {}
        """Topic message id / bus event id → request ids of the asynchronous invocations it caused."""

    def resource(self, name: str) -> Any:
        for pool in (self.queues, self.topics, self.buses, self.functions, self.streams, self.tables, self.sources):
            if name in pool:
                return pool[name]
        raise ConfigError(f"{name!r} is not a resource of this scenario")


def _fail(scenario: Scenario, line: int, path: str, exc: Exception) -> ScenarioError:
    return ScenarioError([Issue(str(scenario.path or "scenario"), line, 1, path, str(exc))])


def build(scenario: Scenario, seed: int) -> tuple[Sim, _World]:
    """A :class:`Sim` with the scenario's resources, functions, subscriptions and mappings."""
    s = scenario.settings
    kwargs: dict[str, Any] = {"seed": seed}
    if "account_concurrency" in s:
        kwargs["account_concurrency"] = s["account_concurrency"]
    if "async_retry_delays" in s:
        kwargs["async_retry_delays"] = tuple(s["async_retry_delays"])
    if "region" in s:
        kwargs["region"] = s["region"]
    sim = Sim(**kwargs)
    w = _World(sim)
    if scenario.template is not None:  # its resources join the pools by logical id (docs/templates.md)
        from lambdachaos.templates._scenario import pools_of

        t = scenario.template
        load = sim.load_template(t.path, parameters=t.parameters, schedule_until=t.schedule_until)
        found = pools_of(load.resources, {lid: e.type for lid, e in load.entries.items()})
        for pool, kind in ((w.queues, "queue"), (w.topics, "topic"), (w.buses, "bus"), (w.functions, "function"),
                           (w.streams, "stream"), (w.tables, "table")):
            pool.update(found[kind])
    pending = dict(scenario.queues)
    while pending:  # a queue's dead-letter queue must exist first
        ready = [n for n, q in pending.items() if q.get("dead_letter_queue") in (None, *w.queues)]
        if not ready:
            raise _fail(scenario, 1, "resources.queues", ConfigError(f"redrive cycle among {sorted(pending)}"))
        for name in ready:
            q = dict(pending.pop(name))
            dlq = q.pop("dead_letter_queue", None)
            w.queues[name] = sim.sqs_queue(name, dead_letter_queue=w.queues.get(dlq) if dlq else None, **q)
    for name in scenario.topics:
        w.topics[name] = sim.sns_topic(name)
    for name in scenario.buses:
        w.buses[name] = sim.event_bus(name)
    for name, spec in scenario.streams.items():
        if not hasattr(sim, "kinesis_stream"):
            raise _fail(scenario, 1, f"resources.streams.{name}",
                        ConfigError("Kinesis streams are not available in this build of the simulator"))
        w.streams[name] = sim.kinesis_stream(name, **spec)
    for name, spec in scenario.tables.items():
        try:
            w.tables[name] = sim.dynamodb_table(name, **spec)
        except (LambdaChaosError, ValueError) as exc:
            raise _fail(scenario, 1, f"resources.tables.{name}", exc) from None
    _table_resources(scenario, w)
    _functions(scenario, w)
    _push(scenario, w)
    for i, m in enumerate(scenario.mappings):
        settings = dict(m.settings)
        if settings.pop("report_batch_item_failures", False):
            settings["function_response_types"] = ["ReportBatchItemFailures"]
        if "on_failure" in settings:
            settings["on_failure"] = w.resource(settings["on_failure"])
        try:
            sim.map(w.resource(m.source), w.functions[m.function], **settings)
        except (LambdaChaosError, ValueError, TypeError) as exc:
            raise _fail(scenario, m.line, f"mappings[{i}]", exc) from None
    return sim, w


def _table_resources(scenario: Scenario, w: _World) -> None:
    """The resources of source-table rows beyond streams and tables, each made by its row."""
    from lambdachaos.service.mappings._sources import sources

    for row in sources().values():
        if row.scenario is None:
            continue
        for name, spec in scenario.sources.get(row.scenario.key, {}).items():
            try:
                w.sources[name] = row.scenario.create(w.sim, name, dict(spec))
            except (LambdaChaosError, ValueError) as exc:
                raise _fail(scenario, 1, f"resources.{row.scenario.key}.{name}", exc) from None


def _functions(scenario: Scenario, w: _World) -> None:
    for name, f in scenario.functions.items():
        try:
            w.functions[name] = w.sim.function(
                f.handler, name=name, code_dir=f.code_dir, isolate_environments=f.isolate_environments,
                layers=f.layers, reserved_concurrency=f.reserved_concurrency,
                dead_letter_queue=w.resource(f.dead_letter_queue) if f.dead_letter_queue else None, **f.config)
        except (LambdaChaosError, ValueError) as exc:
            raise _fail(scenario, f.line, f"functions.{name}", exc) from None
    for name, f in scenario.functions.items():  # destinations may name functions created above
        if f.async_config:
            cfg = {k: (w.resource(v) if k in ("on_success", "on_failure") else v) for k, v in f.async_config.items()}
            try:
                w.functions[name].put_event_invoke_config(**cfg)
            except (LambdaChaosError, ValueError) as exc:
                raise _fail(scenario, f.line, f"functions.{name}.async", exc) from None


def _push(scenario: Scenario, w: _World) -> None:
    """SNS subscriptions and EventBridge rules: Lambda targets are invoked asynchronously, as AWS does."""
    for tname, t in scenario.topics.items():
        topic = w.topics[tname]
        for sub in t.get("subscribers", []):
            if sub in w.queues:
                topic.subscribe_queue(w.queues[sub])
                continue
            fn = w.functions[sub]

            def deliver(note: Any, subscription: Any, fn: Any = fn) -> None:
                rid = fn.invoke_async(note.lambda_event(subscription.arn))
                w.children.setdefault(note.message_id, []).append(rid)

            topic.subscribe(deliver, protocol="lambda", endpoint=fn.arn)
    for bname, b in scenario.buses.items():
        bus = w.buses[bname]
        for rname, rule in b.get("rules", {}).items():
            targets: list[Any] = []
            for tgt in rule["targets"]:
                if tgt in w.queues:
                    targets.append(w.queues[tgt])
                    continue
                fn = w.functions[tgt]

                def invoke(event: dict[str, Any], _rule: Any, fn: Any = fn) -> None:
                    rid = fn.invoke_async(event)
                    w.children.setdefault(event["id"], []).append(rid)

                targets.append(invoke)
            bus.add_rule(rname, event_pattern=rule["pattern"], targets=targets)


class _Sender:
    """Delivers each :class:`~._traffic.Send` at its virtual time and records what it became."""

    def __init__(self, w: _World, specs: dict[str, TrafficSpec]) -> None:
        self.w = w
        self.specs = specs
        self.sent: list[SentRecord] = []
        """What each send became (the payloads themselves are not kept)."""

    def __call__(self, send: _traffic.Send) -> None:
        spec = self.specs[send.traffic]
        try:
            ids = self._deliver(spec, send)
            rejected = None
        except (LambdaAPIError, LambdaChaosError, ValueError) as exc:
            ids, rejected = [], f"{type(exc).__name__}: {str(exc)[:200]}"
        self.sent.append(SentRecord(send.traffic, send.index, send.at, tuple(ids), spec.target, send.key, send.poison,
                                    rejected))

    def _deliver(self, spec: TrafficSpec, send: _traffic.Send) -> list[str]:
        w, p = self.w, send.payload
        if spec.kind == "function":
            fn = w.functions[spec.target]
            if spec.invocation == "sync":
                return [fn.invoke(p).request_id]
            return [fn.invoke_async(p)]
        if spec.kind == "queue":
            q = w.queues[spec.target]
            extra: dict[str, Any] = {}
            if q.fifo:
                extra = {"message_group_id": send.key or "group-0",
                         "message_deduplication_id": f"{send.traffic}-{send.index}"}
            attrs = send.meta.get("message_attributes") or None
            return [q.send(p, message_attributes=attrs, **extra).message_id]
        if spec.kind == "topic":
            mid = w.topics[spec.target].publish(p)
            return w.children.get(mid, []) or [mid]
        if spec.kind == "bus":
            bus = w.buses.get(spec.target) or w.sim.event_bus(spec.target)
            eid = bus.put_event(source=p["source"], detail_type=p["detail_type"], detail=p["detail"],
                                resources=p.get("resources", ()))
            return w.children.get(eid, []) or [eid]
        if spec.kind == "table":
            return _write(w.tables[spec.target], spec.write, send)
        if spec.kind != "stream":  # a source-table row's own traffic
            from lambdachaos.service.mappings._sources import source_of

            resource = w.sources[spec.target]
            row = source_of(resource)
            assert row is not None and row.scenario is not None and row.scenario.send is not None
            return row.scenario.send(resource, p, send.key)
        stream = w.streams[spec.target]
        out = stream.put_record(p, partition_key=send.key or "pk-0")
        return [_record_id(out)]


def _write(table: Any, write: str, send: _traffic.Send) -> list[str]:
    """One PutItem / UpdateItem / DeleteItem on item ``send.key``; the ledger id is the stream record's
    ``eventID`` (none when the write changed nothing, e.g. deleting an absent item)."""
    names = table.key_schema
    key = {names[0]: send.key or f"item-{send.index}", **({names[1]: "0"} if len(names) > 1 else {})}
    attrs = {k: v for k, v in send.payload.items() if k not in key}
    if write == "put":
        record = table.put_item({**attrs, **key})
    elif write == "update":
        record = table.update_item(key, attrs)
    else:
        record = table.delete_item(key)
    return [] if record is None else [record.event_id]


def _record_id(value: dict[str, str]) -> str:
    """The ledger id of a Kinesis record (its Lambda ``eventID``: ``shardId-…:<sequence number>``)."""
    return f"{value['ShardId']}:{value['SequenceNumber']}"


def run_scenario(
    scenario: Scenario,
    *,
    seed: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    speed: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunResult:
    """Run ``scenario`` on the simulator (seed: the file's unless given) and evaluate its expectations.

    ``progress`` is called as traffic is sent and virtual time passes. ``speed`` paces the run against the
    wall clock (``speed=60``: one virtual minute per second); by default it runs as fast as possible.
    """
    started = time.perf_counter()
    seed = scenario.seed if seed is None else seed
    sim, w = build(scenario, seed)
    formats: dict[str, str] = {}
    sends: list[_traffic.Send] = []
    feeds: list[_traffic.ReplayFeed] = []
    epoch_s = sim.world.epoch_ns / 1e9
    for spec in scenario.traffic:
        if spec.replay is not None:
            feed = _traffic.ReplayFeed(spec, seed=seed, region=sim.world.region, target_kind=spec.kind)
            formats[spec.name] = feed.format
            feeds.append(feed)
        else:
            sends += _traffic.generated(spec, seed=seed, epoch_s=epoch_s, region=sim.world.region,
                                        target_kind=spec.kind)
    sends.sort(key=lambda s: s.at)  # stable: spec order breaks ties
    sender = _Sender(w, {t.name: t for t in scenario.traffic})
    with sim:
        for send in sends:
            sim.clock.call_at(round(send.at * 1e9), sender, send)
        for feed in feeds:  # read while the clock runs; at one instant they go after the generated sends
            feed.start(sim.clock.call_at, sender)
        if len(scenario.faults):
            sim.apply_faults(scenario.faults)
        _drive(sim, sender, sends, feeds, scenario.settings.get("horizon_seconds"), progress, speed, sleep, started)
    sent = sender.sent
    ctx = Context(ledger=sim.ledger, sent=sent,
                  arns={**{n: q.arn for n, q in w.queues.items()}, **{n: t.arn for n, t in w.topics.items()}},
                  messages={n: q.history for n, q in w.queues.items()})
    verdicts = evaluate(ctx, scenario.expectations) + fault_verdicts(scenario, sim.ledger)
    return RunResult(scenario=scenario, seed=seed, sim=sim, sent=sent, verdicts=verdicts, replay_formats=formats,
                     wall_seconds=time.perf_counter() - started)


def _reached(sim: Sim, target: float) -> Callable[[], bool]:
    return lambda: sim.now >= target


def _drive(sim: Sim, sender: _Sender, sends: list[_traffic.Send], feeds: list[_traffic.ReplayFeed],
           horizon: float | None, progress: Callable[[Progress], None] | None, speed: float | None,
           sleep: Callable[[float], None], started: float) -> None:
    """Run the clock in chunks while traffic is sent (replayed traffic: until its file is read), then until idle.

    The total of a replay is known once its file is read: until then the progress total counts what was sent.
    """
    def tick(done: bool = False) -> None:
        if speed:
            lag = sim.now / speed - (time.perf_counter() - started)
            if lag > 0:
                sleep(lag)
        if progress is not None:
            last = sender.sent[-1].at if sender.sent else None
            total = len(sends) + sum(f.sends for f in feeds)
            progress(Progress(len(sender.sent), total, sim.now, done, last))

    generated_end = sends[-1].at if sends else 0.0
    t = 0.0
    while True:
        reading = any(not f.done for f in feeds)
        end = max([generated_end, *(f.next_at for f in feeds)])
        if not reading and t >= end:
            break
        chunk = max(end / 100, t / 100 if feeds else 0.0, _FIRST_CHUNK_S)
        t = t + chunk if reading else min(t + chunk, end)
        if horizon is not None:
            t = min(t, horizon)
        sim.run(until=t)
        tick()
        if horizon is not None and t >= horizon:
            break
    step = _FIRST_CHUNK_S
    for _ in range(_MAX_IDLE_CHUNKS):
        if sim.clock.pending == 0 or (horizon is not None and sim.now >= horizon):
            break
        if horizon is None:
            sim.run(until=_reached(sim, sim.now + step))  # stops at an event: ``now`` never overshoots idle
        else:
            sim.run(until=min(sim.now + step, horizon))
        step = min(step * 2, 3600.0)
        tick()
    tick(done=True)
