"""Template loading: the SAM example service (transform + resolve + create) and a 60-resource CloudFormation stack.

The one-time imports (aws-sam-translator, the handler modules) are paid by a warm-up load, not measured.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from lambdachaos import Sim

ROOT = Path(__file__).resolve().parent.parent
SAM_TEMPLATE = ROOT / "examples" / "sam_app" / "template.yaml"
ROUNDS = 15


def _cfn_template(folder: Path) -> Path:
    """10 functions, each with a queue, a DLQ, a mapping, a topic and a subscription: 60 resources."""
    (folder / "code").mkdir()
    (folder / "code" / "app.py").write_text("def handler(event, context):\n    return None\n")
    lines = ["Parameters:", "  Batch: {Type: Number, Default: 10}", "Resources:"]
    for i in range(10):
        lines += [
            f"  Dlq{i}: {{Type: AWS::SQS::Queue}}",
            f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:", "      VisibilityTimeout: 120",
            f"      RedrivePolicy: {{deadLetterTargetArn: !GetAtt Dlq{i}.Arn, maxReceiveCount: 3}}",
            f"  Fn{i}:", "    Type: AWS::Lambda::Function", "    Properties:",
            "      {Handler: app.handler, Runtime: python3.12, Code: code, Timeout: 10,"
            f" Environment: {{Variables: {{QUEUE: !Ref Queue{i}}}}}}}",
            f"  Map{i}:", "    Type: AWS::Lambda::EventSourceMapping", "    Properties:",
            f"      {{EventSourceArn: !GetAtt Queue{i}.Arn, FunctionName: !Ref Fn{i}, BatchSize: !Ref Batch}}",
            f"  Topic{i}: {{Type: AWS::SNS::Topic}}",
            f"  Sub{i}:", "    Type: AWS::SNS::Subscription", "    Properties:",
            f"      {{TopicArn: !Ref Topic{i}, Protocol: lambda, Endpoint: !GetAtt Fn{i}.Arn}}",
        ]
    path = folder / "template.yaml"
    path.write_text("\n".join(lines).replace("    Properties:\n      {", "    Properties: {") + "\n")
    return path


def _median_ms(path: Path, **options: Any) -> float:
    with Sim.from_template(path, **options):  # warm-up: imports
        pass
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        with Sim.from_template(path, **options):
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def run() -> dict[str, dict[str, Any]]:
    """``template_load_ms`` and ``template_load_cfn_ms`` (median of 15 loads each)."""
    with tempfile.TemporaryDirectory() as tmp:
        cfn = _cfn_template(Path(tmp))
        cfn_ms = _median_ms(cfn)
    return {
        "template_load_ms": {"value": round(_median_ms(SAM_TEMPLATE, schedule_until=86400), 2), "unit": "ms"},
        "template_load_cfn_ms": {"value": round(cfn_ms, 2), "unit": "ms"},
    }
