"""AWS CodePipeline job events sent to a Lambda invoke action.

AWS pages: "Invoke an AWS Lambda function in a pipeline in CodePipeline" (CodePipeline User Guide) and "Using
AWS Lambda with CodePipeline" (Lambda Developer Guide). The whole event is one ``CodePipeline.job`` object:
``id`` (the job id, a UUID, to pass to ``PutJobSuccessResult``/``PutJobFailureResult``), ``accountId`` and
``data``. ``data.actionConfiguration.configuration`` holds ``FunctionName`` and, when the action sets them,
``UserParameters`` (an opaque string, often JSON). Each input and output artifact has a ``name``, a
``revision`` (the source revision, e.g. a commit id, for inputs; ``null`` for outputs) and an S3
``location`` in the pipeline's artifact bucket (``codepipeline-<region>-<12 digits>``, object key
``<pipeline[:20]>/<artifact[:10]>/<7 characters>``). ``artifactCredentials`` are temporary (``ASIA``) keys with
an epoch-**millisecond** ``expirationTime``. ``continuationToken`` appears only when the previous run of this
action returned one; ``encryptionKey`` only when the artifact store uses a customer managed KMS key.

Uniform API (shared by every non-batching source): :func:`event` and :func:`events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lambdachaos._errors import ConfigError

from . import _fake
from ._common import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_NOW,
    DEFAULT_REGION,
    LazyRng,
    Seed,
    b64,
    decimal_digits,
    dumps,
    hex_digits,
    iam_id,
    many,
    to_ms,
    token,
    uuid4,
)

SOURCE = "codepipeline"
BATCHING = False
VARIANTS = ("initial", "continuation")
"""A job's first run, or a re-run carrying the ``continuationToken`` the function returned."""
CREDENTIALS_TTL = 3600
"""Seconds the artifact credentials stay valid after ``now`` (temporary STS credentials)."""
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

__all__ = ["BATCHING", "CREDENTIALS_TTL", "SOURCE", "VARIANTS", "event", "events"]


def _artifact(rng: Any, name: str, pipeline: str, bucket: str, revision: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "revision": revision,
        "location": {
            "type": "S3",
            "s3Location": {"bucketName": bucket, "objectKey": f"{pipeline[:20]}/{name[:10]}/{token(rng, 7, _ALNUM)}"},
        },
    }


def event(
    *,
    seed: Seed = None,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT_ID,
    now: float = DEFAULT_NOW,
    variant: str = "initial",
    pipeline_name: str | None = None,
    function_name: str = "pipeline-smoke-test",
    user_parameters: str | None = None,
    input_artifacts: Sequence[str] = ("SourceArtifact",),
    output_artifacts: Sequence[str] = ("InvokeOutput",),
    revision: str | None = None,
    artifact_bucket: str | None = None,
    continuation_token: str | None = None,
    encryption_key_arn: str | None = None,
    job_id: str | None = None,
) -> dict[str, Any]:
    """One CodePipeline job; ``variant`` is ``initial`` or ``continuation`` (:data:`VARIANTS`).

    ``user_parameters`` is the action's ``UserParameters`` string (default a small JSON document; pass ``""``
    to leave the field out, as when the action sets none). ``input_artifacts``/``output_artifacts`` are the
    artifact names; inputs carry ``revision`` (default a 40-hex commit id). ``continuation_token`` (continuation
    only) defaults to a JSON progress marker. ``encryption_key_arn`` adds ``encryptionKey``. Credentials expire
    :data:`CREDENTIALS_TTL` seconds after ``now``. There is no body type: the job data is configuration.
    """
    if variant not in VARIANTS:
        raise ConfigError(f"variant={variant!r} is not a CodePipeline job run; use one of {VARIANTS}")
    if continuation_token is not None and variant != "continuation":
        raise ConfigError("continuation_token needs variant='continuation'; a job's first run never carries one")
    rng = LazyRng(seed, SOURCE)
    r = rng.get
    pipeline = pipeline_name or f"{_fake.word(r())}-service-pipeline"
    bucket = artifact_bucket or f"codepipeline-{region}-{decimal_digits(r(), 12)}"
    commit = revision or hex_digits(r(), 40)
    configuration = {"FunctionName": function_name}
    params = user_parameters if user_parameters is not None else dumps({"stage": "beta", "timeoutSeconds": 300})
    if params:
        configuration["UserParameters"] = params
    data: dict[str, Any] = {
        "actionConfiguration": {"configuration": configuration},
        "inputArtifacts": [_artifact(r(), name, pipeline, bucket, commit) for name in input_artifacts],
        "outputArtifacts": [_artifact(r(), name, pipeline, bucket, None) for name in output_artifacts],
        "artifactCredentials": {
            "accessKeyId": iam_id(r(), "ASIA", 16),
            "secretAccessKey": token(r(), 40),
            "sessionToken": b64(r().getrandbits(2304).to_bytes(288, "big")),
            "expirationTime": to_ms(now + CREDENTIALS_TTL),
        },
    }
    if variant == "continuation":
        data["continuationToken"] = continuation_token or dumps({"step": 2, "deploymentId": uuid4(r())})
    if encryption_key_arn is not None:
        data["encryptionKey"] = {"id": encryption_key_arn, "type": "KMS"}
    return {"CodePipeline.job": {"id": job_id or uuid4(r()), "accountId": account_id, "data": data}}


def events(n: int, *, seed: Seed = None, **kwargs: Any) -> list[dict[str, Any]]:
    """``n`` independent events, each as :func:`event` builds it."""
    return many(event, n, seed, kwargs)
