"""The four HTTP front doors: API Gateway REST API, API Gateway HTTP API, Function URL, ALB target group.

Each renders its event with the matching generator (``lambdachaos.generators.apigateway``,
``apigateway_http``, ``function_url``, ``alb``) so event shapes live in one place, and maps the result as
its service does (docs/aws-behaviour.md §7.4). The base class :class:`._http.FrontDoor` holds the request,
the synchronous invoke and the error answers.
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any, Final, final

from lambdachaos._errors import ConfigError
from lambdachaos.generators import (  # type: ignore[import-not-found, unused-ignore]
    alb,
    apigateway,
    apigateway_http,
    function_url,
)
from lambdachaos.service.push._http import (
    ERROR_STYLES,
    HTTP_TIMEOUT_MAX_S,
    REST_TIMEOUT_MAX_S,
    FrontDoor,
    check_integration_timeout,
    match_route,
)
from lambdachaos.service.push._response import Mapped, map_alb, map_v1, map_v2

if TYPE_CHECKING:
    from lambdachaos.service.invoke._function import Function
    from lambdachaos.service.invoke._service import LambdaService

_LOWER_ALNUM: Final = "abcdefghijklmnopqrstuvwxyz0123456789"
HTTP_METHODS: Final = ("ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
_ROUTE_KEY: Final = re.compile(r"(?P<method>[A-Z]+) (?P<path>/\S*)")


def _token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_LOWER_ALNUM) for _ in range(n))


def _check_method(method: str, keyword: str) -> str:
    if method not in HTTP_METHODS:
        raise ConfigError(f"{keyword}={method!r} is not an API Gateway HTTP method; use one of {HTTP_METHODS}")
    return method


@final
class ApiGatewayRest(FrontDoor):
    """A REST API resource and method with a Lambda proxy integration (payload format 1.0)."""

    style = ERROR_STYLES["rest"]

    def __init__(self, service: LambdaService, function: Function, *, resource: str, stage: str, method: str,
                 qualifier: str | None, integration_timeout: float) -> None:
        if not resource.startswith("/"):
            raise ConfigError(f"resource={resource!r} must be a resource path starting with '/' ('/orders/{{id}}')")
        super().__init__(service, function, qualifier=qualifier, name=f"rest:{function.name}:{resource}",
                         integration_timeout=check_integration_timeout(integration_timeout, REST_TIMEOUT_MAX_S,
                                                                       "REST API"))
        world = service.world
        self.resource = resource
        """The resource template (``/orders/{id}``, ``/{proxy+}``)."""
        self.stage = stage
        """Stage name; ``requestContext.path`` starts with it."""
        self.method = _check_method(method.upper(), "method")
        """Integrated method, or ``ANY``."""
        self.api_id = _token(self._rng, 10)
        """The REST API id."""
        self.host = f"{self.api_id}.execute-api.{world.region}.amazonaws.com"
        self.url = f"https://{self.host}/{stage}"
        """The stage's invoke URL."""

    def _route(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        if self.method not in ("ANY", method):
            return None
        params = match_route(self.resource, path)
        return None if params is None else (self.resource, params)

    def _render(self, seed: random.Random, now: float, http: dict[str, Any]) -> dict[str, Any]:
        world = self.service.world
        event: dict[str, Any] = apigateway.event(seed=seed, region=world.region, account_id=world.account_id,
                                                 now=now, stage=self.stage, api_id=self.api_id, **http)
        return event

    def _no_body(self, event: dict[str, Any]) -> None:
        event["body"] = None

    def _map(self, result: Any) -> Mapped:
        return map_v1(result)

    def _source(self, method: str, route: str) -> str:
        return self.service.world.arn("execute-api", f"{self.api_id}/{self.stage}/{method}{route}")


@final
class HttpApi(FrontDoor):
    """An HTTP API route with a Lambda integration, payload format ``2.0`` (default) or ``1.0``."""

    style = ERROR_STYLES["http"]

    def __init__(self, service: LambdaService, function: Function, *, route_key: str, payload_format_version: str,
                 stage: str, qualifier: str | None, integration_timeout: float) -> None:
        if payload_format_version not in ("1.0", "2.0"):
            raise ConfigError(
                f"payload_format_version={payload_format_version!r}: HTTP API Lambda integrations support "
                "payload format version '1.0' or '2.0'"
            )
        if route_key != "$default":
            found = _ROUTE_KEY.fullmatch(route_key)
            if found is None:
                raise ConfigError(
                    f"route_key={route_key!r} is not a route key: use '$default' or 'METHOD /path' "
                    "such as 'GET /orders/{id}'"
                )
            _check_method(found["method"], "route_key method")
        super().__init__(service, function, qualifier=qualifier, name=f"http:{function.name}:{route_key}",
                         integration_timeout=check_integration_timeout(integration_timeout, HTTP_TIMEOUT_MAX_S,
                                                                       "HTTP API"))
        world = service.world
        self.route_key = route_key
        """``$default`` or ``METHOD /path``."""
        self.payload_format_version = payload_format_version
        """``2.0`` or ``1.0``."""
        self.stage = stage
        """Stage name (``$default`` serves at the root)."""
        self.api_id = _token(self._rng, 10)
        """The HTTP API id."""
        self.host = f"{self.api_id}.execute-api.{world.region}.amazonaws.com"
        self.url = f"https://{self.host}" + ("" if stage == "$default" else f"/{stage}")
        """The stage's invoke URL."""

    def _route(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        if self.route_key == "$default":
            return path, {}
        want, template = self.route_key.split(" ", 1)
        if want not in ("ANY", method):
            return None
        params = match_route(template, path)
        return None if params is None else (template, params)

    def _render(self, seed: random.Random, now: float, http: dict[str, Any]) -> dict[str, Any]:
        world = self.service.world
        if self.payload_format_version == "1.0":
            rendered: dict[str, Any] = apigateway.event(
                seed=seed, region=world.region, account_id=world.account_id, now=now, stage=self.stage,
                api_id=self.api_id, **http)
            rendered["requestContext"]["routeKey"] = self.route_key
            if self.stage == "$default":
                rendered["requestContext"]["path"] = http["path"]
            return {"version": "1.0", **rendered}
        event: dict[str, Any] = apigateway_http.event(
            seed=seed, region=world.region, account_id=world.account_id, now=now, stage=self.stage,
            api_id=self.api_id, variant="default_route" if self.route_key == "$default" else "route", **http)
        event["routeKey"] = event["requestContext"]["routeKey"] = self.route_key
        return event

    def _no_body(self, event: dict[str, Any]) -> None:
        if self.payload_format_version == "1.0":
            event["body"] = None
        else:
            event.pop("body", None)

    def _map(self, result: Any) -> Mapped:
        return map_v1(result, strict_keys=False) if self.payload_format_version == "1.0" else map_v2(result)

    def _source(self, method: str, route: str) -> str:
        tail = "$default" if self.route_key == "$default" else f"{method}{route}"
        return self.service.world.arn("execute-api", f"{self.api_id}/{self.stage}/{tail}")


@final
class FunctionUrl(FrontDoor):
    """A Lambda function URL (``InvokeMode`` BUFFERED): payload format 2.0, ``routeKey``/``stage`` ``$default``.

    With ``auth_type="AWS_IAM"`` every request is treated as signed by an IAM user of the account (the event
    carries ``requestContext.authorizer.iam``); signatures are not checked.
    """

    style = ERROR_STYLES["url"]

    def __init__(self, service: LambdaService, function: Function, *, auth_type: str,
                 qualifier: str | None) -> None:
        if auth_type not in ("NONE", "AWS_IAM"):
            raise ConfigError(f"auth_type={auth_type!r}: a function URL's AuthType is 'NONE' or 'AWS_IAM'")
        super().__init__(service, function, qualifier=qualifier, name=f"url:{function.name}:{qualifier}",
                         integration_timeout=None)
        self.auth_type = auth_type
        """``NONE`` or ``AWS_IAM``."""
        self.url_id = _token(self._rng, 32)
        """The URL id (the host's first label)."""
        self.host = f"{self.url_id}.lambda-url.{service.world.region}.on.aws"
        self.url = f"https://{self.host}/"
        """The function URL."""

    def _render(self, seed: random.Random, now: float, http: dict[str, Any]) -> dict[str, Any]:
        world = self.service.world
        event: dict[str, Any] = function_url.event(seed=seed, region=world.region, account_id=world.account_id,
                                                   now=now, auth_type=self.auth_type, url_id=self.url_id, **http)
        return event

    def _map(self, result: Any) -> Mapped:
        return map_v2(result)

    def _source(self, method: str, route: str) -> str:
        return self.url


@final
class AlbTargetGroup(FrontDoor):
    """An ALB target group with the function as its target.

    ``multi_value_headers`` is the target group attribute ``lambda.multi_value_headers.enabled``: it decides
    both the event's header/query style and which response header field the ALB reads.
    """

    style = ERROR_STYLES["alb"]

    def __init__(self, service: LambdaService, function: Function, *, multi_value_headers: bool, name: str,
                 qualifier: str | None) -> None:
        super().__init__(service, function, qualifier=qualifier, name=f"alb:{name}", integration_timeout=None)
        world = service.world
        self.multi_value_headers = multi_value_headers
        """``lambda.multi_value_headers.enabled``."""
        self.arn = world.arn("elasticloadbalancing", f"targetgroup/{name}/{self._rng.getrandbits(64):016x}")
        """The target group ARN (``requestContext.elb.targetGroupArn``)."""
        self.host = f"{name}-{self._rng.randrange(10**9, 10**10)}.{world.region}.elb.amazonaws.com"

    def _render(self, seed: random.Random, now: float, http: dict[str, Any]) -> dict[str, Any]:
        world = self.service.world
        event: dict[str, Any] = alb.event(seed=seed, region=world.region, account_id=world.account_id, now=now,
                                          multi_value_headers=self.multi_value_headers,
                                          target_group_arn=self.arn, **http)
        return event

    def _no_body(self, event: dict[str, Any]) -> None:
        event["body"] = ""

    def _map(self, result: Any) -> Mapped:
        return map_alb(result, multi_value_headers=self.multi_value_headers)

    def _source(self, method: str, route: str) -> str:
        return self.arn
