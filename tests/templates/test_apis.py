"""SAM Api and HttpApi events: the transform's API definitions become front doors that invoke the alias."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdachaos import Sim

TEMPLATE = Path(__file__).parent / "sam_api" / "template.yaml"


@pytest.fixture
def sim():
    with Sim.from_template(TEMPLATE, seed=2) as loaded:
        yield loaded


def test_rest_api_routes_reach_the_alias_on_the_prod_stage(sim):
    doors = sim.resources["ServerlessRestApi"]
    assert list(doors) == ["GET /orders/{id}"]
    response = doors["GET /orders/{id}"].request("GET", "/orders/7")
    assert (response.status, response.text) == (200, "/orders/7")
    assert response.event["requestContext"]["stage"] == "Prod"
    assert response.event["pathParameters"] == {"id": "7"}
    assert [(a.qualifier, a.executed_version) for a in sim.ledger.attempts] == [("live", "1")]
    assert doors["GET /orders/{id}"].request("GET", "/other").status == 403


def test_http_api_routes_use_payload_format_2(sim):
    doors = sim.resources["ServerlessHttpApi"]
    response = doors["POST /orders"].request("POST", "/orders", body="{}")
    assert (response.status, response.text) == (200, "/orders")
    assert response.event["version"] == "2.0" and response.event["routeKey"] == "POST /orders"


def test_stages_and_deployments_are_recorded_as_parts_of_their_api(sim):
    recorded = sim.templates[0].recorded
    assert recorded["ServerlessRestApiProdStage"] == "part of its REST API"
    assert recorded["ServerlessHttpApiApiGatewayDefaultStage"] == "part of its HTTP API"


def test_an_api_without_an_inline_body_is_recorded_with_the_reason(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: x}\n")
    with Sim.from_template(template) as loaded:
        assert loaded.templates[0].recorded == {"Api": "no inline Body: an API defined by DefinitionUri or by "
                                                       "separate Method resources is not read"}
