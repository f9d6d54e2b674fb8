"""Where a running LocalStack answers, and the boto3 clients that talk to it (built through localstack-client).

`localstack-client <https://github.com/localstack/localstack-python-client>`_ (the ``localstack`` extra)
builds boto3 clients for a LocalStack host: ``Session(localstack_host="127.0.0.1:PORT").client("sqs")``.
It reads ``AWS_ENDPOINT_URL`` and ``USE_SSL`` from the environment before the host it is given, so
:meth:`Connection.client` checks the endpoint the client got: when the environment points it anywhere but
this connection's endpoint (or localstack-client is not installed), the client is built with boto3
directly on :attr:`Connection.endpoint_url`. Either way every request goes to this LocalStack, on loopback.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

_READ_TIMEOUT = 70  # seconds: a synchronous invoke waits for the function (LocalStack's own limit is 60 s)
_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@dataclass(frozen=True, kw_only=True)
class Connection:
    """Where a running LocalStack answers, in the forms boto3 and localstack-client take."""

    endpoint_url: str
    """For boto3: ``boto3.client("sqs", endpoint_url=...)``."""
    region: str = "us-east-1"
    mode: str = "host"
    pid: int | None = None
    container_id: str | None = None
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def localstack_host(self) -> str:
        """``host:port`` as localstack-client's ``LOCALSTACK_HOST`` expects it."""
        return self.endpoint_url.split("://", 1)[-1]

    def environment(self) -> dict[str, str]:
        """Variables that point boto3 (``AWS_ENDPOINT_URL``) and localstack-client at this LocalStack."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url, "LOCALSTACK_HOST": self.localstack_host,
            "AWS_DEFAULT_REGION": self.region, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        }

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` on this LocalStack (test credentials, its region, two attempts)."""
        from botocore.config import Config

        config = Config(retries={"max_attempts": 2}, read_timeout=_READ_TIMEOUT)
        session = self.session()
        if session is not None:
            made: Any = session.client(service, config=config)
            if made.meta.endpoint_url == self.endpoint_url:
                return made
        import boto3

        make: Any = boto3.client
        return make(service, endpoint_url=self.endpoint_url, region_name=self.region, config=config, **_CREDENTIALS)

    def session(self) -> Any:
        """A ``localstack_client.session.Session`` on this LocalStack, or ``None`` when localstack-client is
        not installed (``pip install 'lambdachaos[localstack]'``)."""
        try:
            module = importlib.import_module("localstack_client.session")
        except ImportError:
            return None
        return module.Session(region_name=self.region, localstack_host=self.localstack_host, **_CREDENTIALS)
