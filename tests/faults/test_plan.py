from __future__ import annotations

import json
import re

import pytest

from lambdachaos import LambdaChaosError
from lambdachaos import faults as F
from lambdachaos.faults import FaultPlan, FaultRule, FieldMatch, InvocationPoint, Target, When


def full_plan() -> FaultPlan:
    return FaultPlan(
        rules=(
            FaultRule(
                fault=F.InvocationError(prevent_execution=False, error_type="ValueError"),
                target=Target(
                    function_name="orders-*",
                    qualifier="live",
                    records=(FieldMatch(path="body.order.id", prefix="poison-"),),
                ),
                when=When(attempts=(1, 2), start_seconds=10, end_seconds=20, invocation_percentage=50),
            ),
            FaultRule(
                fault=F.InvocationDelay(startup_delay_milliseconds=1500), when=When(every_nth=2, first=3)
            ),
            FaultRule(
                fault=F.EgressLoss(mode="connection-reset", gateway_endpoints=["s3"], blocked_hosts=["x:1"])
            ),
            FaultRule(
                id="ddb-throttle",
                fault=F.DownstreamError(error_code="ProvisionedThroughputExceededException", failures=2),
                target=Target(outbound_service="dynamodb", outbound_operation="PutItem"),
            ),
            FaultRule(fault=F.ReservedConcurrencyChange(at_seconds=30, reserved_concurrent_executions=0)),
            FaultRule(fault=F.DuplicateDelivery(copies=2)),
        )
    )


def test_every_catalogue_entry_round_trips_through_json():
    for kind, cls in F.FAULT_KINDS.items():
        plan = FaultPlan.of(cls())
        again = FaultPlan.from_json(plan.to_json())
        assert again == plan, kind
    assert len(F.FAULT_KINDS) == 20


def test_a_full_plan_round_trips_through_json_and_yaml():
    plan = full_plan()
    assert FaultPlan.from_json(plan.to_json()) == plan
    assert FaultPlan.from_yaml(plan.to_yaml()) == plan
    data = json.loads(plan.to_json())
    assert data["rules"][1]["fault"] == {"kind": "invocation-add-delay", "startupDelayMilliseconds": 1500}
    assert data["rules"][0]["when"]["invocationPercentage"] == 50


def test_plans_compose_and_renumber_automatic_ids():
    a = FaultPlan.of(F.InvocationError())
    b = FaultPlan.of(F.InvocationError(), F.TmpFull())
    both = a + b
    assert [r.id for r in both.rules] == ["invocation-error-1", "invocation-error-2", "tmp-full-1"]
    assert FaultPlan.compose([a, b]) == both


def test_duplicate_chosen_ids_are_refused():
    rule = FaultRule(id="x", fault=F.InvocationError())
    with pytest.raises(F.FaultPlanError, match=r"^id='x' is invalid: rule ids must be unique"):
        FaultPlan(rules=(rule, rule))


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (
            lambda: F.InvocationDelay(startup_delay_milliseconds=900_001),
            r"^startup_delay_milliseconds=900001 is invalid: FIS startupDelayMilliseconds accepts an integer "
            r"from 0 to 900000\. Pick startup_delay_milliseconds in 0\.\.900000\.$",
        ),
        (
            lambda: When(invocation_percentage=101),
            r"^invocation_percentage=101 is invalid: FIS invocationPercentage",
        ),
        (lambda: When(start_seconds=5, end_seconds=5), r"^end_seconds=5 is invalid: the window"),
        (
            lambda: F.EgressLoss(gateway_endpoints=("sqs",)),
            r"^gateway_endpoints=\('sqs',\) is invalid: AWS offers",
        ),
        (lambda: F.EgressLoss(mode="slow"), r"^mode='slow' is invalid: valid modes are dns-failure"),
        (lambda: FieldMatch(path="a"), r"^FieldMatch=\[\] is invalid: exactly one of equals, prefix, regex"),
    ],
)
def test_invalid_settings_name_the_setting_value_and_range(build, pattern):
    with pytest.raises(F.FaultPlanError, match=pattern) as info:
        build()
    assert isinstance(info.value, ValueError) and isinstance(info.value, LambdaChaosError)


def test_unknown_keys_and_kinds_are_refused_with_the_valid_ones():
    with pytest.raises(F.FaultPlanError, match=r"^fault kind='nope' is unknown; valid kinds are "):
        FaultPlan.from_dict([{"fault": {"kind": "nope"}}])
    with pytest.raises(F.FaultPlanError, match=r"^fault 'invocation-add-delay': unknown key 'delay'"):
        FaultPlan.from_dict([{"fault": {"kind": "invocation-add-delay", "delay": 1}}])
    with pytest.raises(F.FaultPlanError, match=r"^when: use invocationPercentage"):
        FaultPlan.from_dict([{"fault": {"kind": "timeout"}, "when": {"probability": 0.5}}])


def test_yaml_without_pyyaml_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "yaml", None)
    with pytest.raises(ImportError, match=re.escape("a dependency of lambdachaos missing here: "
                                                    "pip install 'pyyaml>=6'")):
        FaultPlan().to_yaml()


def test_public_names_equal_all():
    public = {n for n in dir(F) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(getattr(F, n)).__name__ == "module"}
    assert sorted(public - modules) == sorted(F.__all__)


def sqs_event(*bodies: str) -> dict:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "body": b,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:111111111111:orders",
            }
            for i, b in enumerate(bodies)
        ]
    }


def test_record_match_fires_only_for_matching_records_and_names_them():
    plan = FaultPlan.of(
        F.InvocationError(),
        target=Target(event_source="orders", records=(FieldMatch(path="body.order.id", prefix="poison-"),)),
    )
    runner = plan.runner()
    point = InvocationPoint(
        function_name="f",
        event_source="arn:aws:sqs:us-east-1:111111111111:orders",
        event=sqs_event('{"order": {"id": "ok-1"}}', '{"order": {"id": "poison-7"}}'),
    )
    out = runner.decide(point, lambda k: 0.0)
    assert out.prevent_execution is not None and not out.handler_runs
    assert out.firings[0].records == ("m1",)
    clean = InvocationPoint(
        function_name="f",
        event_source="arn:aws:sqs:us-east-1:111111111111:orders",
        event=sqs_event('{"order": {"id": "ok-1"}}'),
    )
    assert not runner.decide(clean, lambda k: 0.0).active


def test_when_attempts_window_every_nth_and_first():
    plan = FaultPlan.of(F.InvocationTimeout(), when=When(attempts=(2, 3), start_seconds=100, end_seconds=200))
    r = plan.runner()
    assert not r.decide(InvocationPoint(function_name="f", attempt=1, time=150), lambda k: 0).active
    assert not r.decide(InvocationPoint(function_name="f", attempt=2, time=200), lambda k: 0).active
    assert r.decide(InvocationPoint(function_name="f", attempt=2, time=199.9), lambda k: 0).force_timeout
    r2 = FaultPlan.of(F.HandlerLatency(milliseconds=5), when=When(every_nth=2, first=2)).runner()
    fired = [r2.decide(InvocationPoint(function_name="f"), lambda k: 0).active for _ in range(8)]
    assert fired == [False, True, False, True, False, False, False, False]
    assert r2.fired_count("handler-latency-1") == 2


def test_cold_start_rules_decide_whether_init_faults_apply():
    plan = FaultPlan.of(F.InitError(), F.InitLatency(milliseconds=800))
    warm = plan.runner().decide(InvocationPoint(function_name="f", cold_start=False), lambda k: 0)
    assert not warm.active and warm.handler_runs
    forced = (
        (FaultPlan.of(F.ColdStart()) + plan).runner().decide(InvocationPoint(function_name="f"), lambda k: 0)
    )
    assert forced.force_cold_start and forced.cold_start and forced.init_delay_ms == 800
    assert forced.init_error is not None and not forced.handler_runs


def test_every_invocation_fault_maps_to_its_field():
    plan = FaultPlan.of(
        F.InvocationError(prevent_execution=False),
        F.InvocationDelay(startup_delay_milliseconds=10),
        F.OutOfMemory(),
        F.TmpFull(free_bytes=5),
        F.MalformedBatchResponse(shape="not-json"),
        F.HttpIntegrationResponse(status_code=502, prevent_execution=False),
    )
    out = plan.runner().decide(InvocationPoint(function_name="f", attempt=3, time=7.5), lambda k: 0)
    assert out.error_after_handler and out.error_after_handler.error_type == "Exception"
    assert out.startup_delay_ms == 10 and out.tmp_full_free_bytes == 5 and out.handler_runs
    assert out.out_of_memory is not None and out.out_of_memory.error_payload("r1") == {
        "errorType": "Runtime.ExitError",
        "errorMessage": "RequestId: r1 Error: Runtime exited with error: signal: killed",
    }
    assert out.http_response == {
        "statusCode": 502,
        "headers": {"Content-Type": "application/json"},
        "body": "",
    }
    assert out.malformed_batch_response == "not-json"
    first = out.firings[0].to_dict()
    assert list(first) == [
        "rule_id",
        "kind",
        "function_name",
        "qualifier",
        "event_source",
        "attempt",
        "time",
        "records",
        "effect",
        "detail",
    ]
    assert first["attempt"] == 3 and first["time"] == 7.5
    exc = out.error_after_handler.exception()
    assert type(exc).__name__ == "Exception" or str(exc) == "Injected invocation error"


def run_probabilistic(seed: int) -> list[bool]:
    import hashlib

    plan = FaultPlan.of(F.InvocationError(), when=When(invocation_percentage=30))
    r = plan.runner()
    out = []
    for i in range(200):

        def draw(key: str, i=i) -> float:
            h = hashlib.sha256(f"{seed}/m{i}/1/{key}".encode()).digest()
            return int.from_bytes(h[:8], "big") / 2**64

        out.append(r.decide(InvocationPoint(function_name="f", event={"messageId": f"m{i}"}), draw).active)
    return out


def test_probabilistic_plans_replay_exactly_from_the_seed():
    a, b, c = run_probabilistic(1), run_probabilistic(1), run_probabilistic(2)
    assert a == b and a != c
    assert 40 <= sum(a) <= 80  # about 30 % of 200


def test_draw_is_called_only_with_the_rule_id():
    keys: list[str] = []
    plan = FaultPlan.of(
        F.InvocationError(), F.Reorder(max_delay_seconds=10), when=When(invocation_percentage=100)
    )
    r = plan.runner()
    r.decide(InvocationPoint(function_name="f"), lambda k: keys.append(k) or 0.5)
    d = r.decide_delivery(F.DeliveryPoint(event_source="q", message_id="m1"), lambda k: keys.append(k) or 0.5)
    assert keys == ["invocation-error-1", "reorder-1", "reorder-1:delay"]
    assert d.delay_seconds == 5.0 and d.firings[0].records == ("m1",)


def test_delivery_faults_duplicate_and_inject_poison():
    plan = FaultPlan.of(
        F.DuplicateDelivery(copies=2, delay_seconds=1),
        F.PoisonInjection(poison="truncated_json"),
        target=Target(event_source="orders"),
    )
    d = plan.runner().decide_delivery(
        F.DeliveryPoint(event_source="arn:aws:sqs:us-east-1:1:orders", message_id="m1"), lambda k: 0
    )
    assert (d.duplicates, d.duplicate_delay_seconds, d.poison) == (2, 1, (("truncated_json", 1),))
    other = plan.runner().decide_delivery(F.DeliveryPoint(event_source="other", message_id="m"), lambda k: 0)
    assert not other.firings


def test_throttle_schedule_reads_at_any_time():
    plan = FaultPlan.of(
        F.ReservedConcurrencyChange(at_seconds=10, reserved_concurrent_executions=0, until_seconds=20),
        F.AccountConcurrencyExhausted(start_seconds=5, end_seconds=8, available_concurrency=1),
        F.BurstLimit(burst=3, refill_per_second=0.5, start_seconds=0),
    )
    s = plan.runner().throttle_schedule("f")
    assert s.reserved_concurrency_at(9.9, 50) == 50
    assert s.reserved_concurrency_at(10, 50) == 0 and s.reserved_concurrency_at(20, None) is None
    assert s.account_available_at(6) == 1 and s.account_available_at(8) is None
    assert s.burst_at(100) == (3, 0.5)
    w = s.window_at("reserved-concurrency", 12)
    assert w is not None
    firing = s.firing(w, time=12, reason="ReservedFunctionConcurrentInvocationLimitExceeded").to_dict()
    assert firing["rule_id"] == "reserved-concurrency-1" and "TooManyRequestsException" in firing["effect"]


@pytest.mark.parametrize("shape", F.BATCH_RESPONSE_SHAPES)
def test_malformed_batch_responses(shape):
    out = F.malform_batch_response(shape, {"batchItemFailures": []}, ["m1", "m2"])
    if shape == "not-json":
        with pytest.raises(ValueError):
            json.loads(out)
    elif shape == "dict-without-key":
        assert "batchItemFailures" not in out
    else:
        item = out["batchItemFailures"][0]
        assert item.get("itemIdentifier") not in ("m1", "m2")
