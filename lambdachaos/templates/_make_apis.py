"""Makers for API Gateway REST and HTTP APIs whose definition ``Body`` routes to functions (Lambda proxy).

Each route of the OpenAPI/Swagger ``Body`` with an ``aws_proxy`` integration becomes a front door
(``sim.api_gateway_rest`` or ``sim.http_api``) on the API's stage; the API's object is a dict of
``"METHOD /path"`` → door. Other integrations are recorded, not simulated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from lambdachaos._arn import qualifier_of
from lambdachaos.templates._build import Record, Skip

if TYPE_CHECKING:
    from lambdachaos.templates._build import Builder

_ANY_METHOD: Final = "x-amazon-apigateway-any-method"
_STAGE_TYPES: Final = {"AWS::ApiGateway::Stage": "RestApiId", "AWS::ApiGatewayV2::Stage": "ApiId"}


def _stage(b: Builder, logical: str, default: str) -> str:
    """The stage name of the first Stage resource of this API (template order), else ``default``."""
    for other, spec in b.resources.items():
        key = _STAGE_TYPES.get(str(spec.get("Type")))
        props = spec.get("Properties") or {}
        if key is not None and props.get(key) == {"Ref": logical} and "StageName" in props:
            return str(b.resolver.resolve(props["StageName"], f"{b.where(other)}: Properties.StageName"))
    return default


def _routes(b: Builder, logical: str, props: dict[str, Any]) -> list[tuple[str, str, Any, str | None, dict[str, Any]]]:
    """(METHOD, path, function, qualifier, integration) for every Lambda proxy route of the API's Body."""
    body = props.get("Body")
    if not isinstance(body, dict):
        raise Record("no inline Body: an API defined by DefinitionUri or by separate Method resources is not read")
    routes = []
    for path, operations in (body.get("paths") or {}).items():
        for method, operation in (operations or {}).items():
            integration = (operation or {}).get("x-amazon-apigateway-integration") or {}
            uri = str(integration.get("uri", ""))
            if integration.get("type") != "aws_proxy" or "/functions/" not in uri:
                b.note(logical, f"{method.upper()} {path}: a non-Lambda-proxy integration is recorded, not simulated")
                continue
            arn = uri.split("/functions/", 1)[1].rsplit("/invocations", 1)[0]
            fn = b.target(arn, f"Body.paths.{path}.{method} integration")
            qualifier = qualifier_of(arn)
            verb = "ANY" if method == _ANY_METHOD else method.upper()
            routes.append((verb, str(path), fn, qualifier, integration))
    if not routes:
        raise Skip("no route with a Lambda proxy integration")
    return routes


def make_rest_api(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::ApiGateway::RestApi``: each Lambda proxy route becomes ``sim.api_gateway_rest(...)``."""
    stage = _stage(b, logical, "prod")
    doors = {}
    for verb, path, fn, qualifier, integration in _routes(b, logical, props):
        timeout = float(integration.get("timeoutInMillis", 29_000)) / 1000
        doors[f"{verb} {path}"] = b.sim.api_gateway_rest(fn, resource=path, stage=stage, method=verb,
                                                         qualifier=qualifier, integration_timeout=timeout)
    return doors, f"REST API stage {stage}: " + ", ".join(doors)


def make_http_api(b: Builder, logical: str, props: dict[str, Any]) -> tuple[Any, str]:
    """``AWS::ApiGatewayV2::Api`` (HTTP): each Lambda proxy route becomes ``sim.http_api(...)``."""
    if str(props.get("ProtocolType", "HTTP")) != "HTTP":
        raise Skip(f"ProtocolType {props.get('ProtocolType')}: only HTTP APIs are simulated")
    stage = _stage(b, logical, "$default")
    doors = {}
    for verb, path, fn, qualifier, integration in _routes(b, logical, props):
        route = f"{verb} {path}" if verb != "ANY" or path != "/$default" else "$default"
        timeout = float(integration.get("timeoutInMillis", 30_000)) / 1000
        doors[route] = b.sim.http_api(fn, route_key=route, stage=stage, qualifier=qualifier,
                                      payload_format_version=str(integration.get("payloadFormatVersion", "2.0")),
                                      integration_timeout=timeout)
    return doors, f"HTTP API stage {stage}: " + ", ".join(doors)
