"""``lambda_client.invoke`` through the simulation against the cheapest moto round trip."""

from __future__ import annotations

import io
import os
import time
import zipfile
from typing import Any

N = 2_000


def _best(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def run() -> dict[str, dict[str, Any]]:
    import boto3
    from moto import mock_aws

    from lambdachaos import Sim

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "testing")
    client = boto3.client("lambda", region_name="us-east-1")
    with Sim(seed=1) as sim:
        sim.function(lambda event, context: {"ok": True}, name="light")
        client.invoke(FunctionName="light", Payload=b"{}")

        def through_sim() -> None:
            for _ in range(N):
                client.invoke(FunctionName="light", Payload=b"{}")

        sim_s = _best(through_sim, repeat=2)
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="bench", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        client.create_function(FunctionName="light", Runtime="python3.12", Role=role, Handler="app.handler",
                               Code={"ZipFile": _zip()})
        client.get_function_configuration(FunctionName="light")

        def through_moto() -> None:
            for _ in range(N):
                client.get_function_configuration(FunctionName="light")

        moto_s = _best(through_moto, repeat=2)
    return {"boto3_invoke_overhead_ratio": {"value": sim_s / moto_s, "unit": "x moto GetFunctionConfiguration",
                                            "baseline": moto_s / N, "ratio": sim_s / moto_s}}
