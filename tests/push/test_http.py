"""HTTP front doors: docs/aws-behaviour.md §7 (error statuses) and §7.4 (event shapes and response mapping)."""

from __future__ import annotations

import base64
import json
import time

import pytest

from lambdachaos import ConfigError, Outcome


def _fn(sim, result, name="web", **config):
    def handler(event, context):
        return result(event) if callable(result) else result

    return sim.function(handler, name=name, **config)


def test_rest_event_is_payload_1_0_with_path_parameters_and_null_query(sim):
    door = sim.api_gateway_rest(_fn(sim, {"statusCode": 200, "body": "ok"}), resource="/orders/{id}")
    response = door.request("GET", "/orders/42")
    event = response.event
    assert "version" not in event
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/orders/{id}", "/orders/42", "GET")
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["body"] is None and event["isBase64Encoded"] is False
    assert event["requestContext"]["path"] == "/prod/orders/42"
    assert (response.status, response.text) == (200, "ok")


def test_rest_response_merges_headers_and_multi_value_headers(sim):
    result = {"statusCode": 201, "headers": {"X-One": "a", "X-Both": "single"},
              "multiValueHeaders": {"X-Both": ["m1", "m2"], "Set-Cookie": ["a=1", "b=2"]}, "body": "{}"}
    response = sim.api_gateway_rest(_fn(sim, result)).request("POST", "/anything", body="{}")
    assert response.status == 201
    assert response.multi_value_headers["X-Both"] == ["m1", "m2"]
    assert response.headers["X-One"] == "a"
    assert response.cookies == ("a=1", "b=2")


def test_rest_function_error_is_502_internal_server_error(sim):
    def handler(event, context):
        raise RuntimeError("boom")

    response = sim.api_gateway_rest(sim.function(handler, name="web")).request("GET", "/x")
    assert response.status == 502
    assert response.json() == {"message": "Internal server error"}
    assert response.outcome is Outcome.FUNCTION_ERROR


@pytest.mark.parametrize("result", [{"body": "no status"}, {"statusCode": 200, "body": {"not": "a string"}},
                                    {"statusCode": 200, "extra": 1}, "plain string"])
def test_rest_malformed_response_is_502(sim, result):
    response = sim.api_gateway_rest(_fn(sim, result)).request("GET", "/x")
    assert response.status == 502
    assert response.reason.startswith("malformed response")


def test_rest_throttle_is_500_and_no_retry(sim):
    fn = _fn(sim, {"statusCode": 200}, reserved_concurrency=0)
    response = sim.api_gateway_rest(fn).request("GET", "/x")
    assert (response.status, response.json()) == (500, {"message": "Internal server error"})
    assert [a.outcome for a in sim.ledger.attempts] == [Outcome.THROTTLED]


def test_rest_integration_timeout_is_504_while_the_invocation_runs_on(sim):
    def slow(event, context):
        time.sleep(40)  # virtual
        return {"statusCode": 200, "body": "late"}

    door = sim.api_gateway_rest(sim.function(slow, name="slow", timeout=60))
    response = door.request("GET", "/x")
    assert response.status == 504
    assert response.json() == {"message": "Endpoint request timed out"}
    assert sim.now == pytest.approx(29.0)
    attempt = sim.ledger.attempts[-1]
    assert attempt.outcome is Outcome.SUCCESS and attempt.end == pytest.approx(40.0, abs=0.1)


def test_rest_integration_timeout_is_validated():
    from lambdachaos import Sim

    with Sim() as sim, pytest.raises(ConfigError, match=r"^integration_timeout=45 is out of range"):
        sim.api_gateway_rest(_fn(sim, {}), integration_timeout=45)


def test_rest_unknown_resource_is_403_missing_authentication_token(sim):
    response = sim.api_gateway_rest(_fn(sim, {"statusCode": 200}), resource="/orders/{id}").request("GET", "/users")
    assert response.status == 403 and response.json() == {"message": "Missing Authentication Token"}
    assert len(sim.ledger.attempts) == 0


def test_push_attempt_source_is_the_execute_api_arn(sim):
    door = sim.api_gateway_rest(_fn(sim, {"statusCode": 200}), resource="/orders/{id}", stage="prod")
    door.request("GET", "/orders/1")
    assert sim.ledger.attempts[-1].source == sim.world.arn("execute-api", f"{door.api_id}/prod/GET/orders/{{id}}")


def test_http_api_v2_event_shape_and_cookies(sim):
    door = sim.http_api(_fn(sim, {"ok": True}), route_key="GET /orders/{id}")
    response = door.request("GET", "/orders/7", query=[("tag", "a"), ("tag", "b")], cookies=["s=1", "t=2"])
    event = response.event
    assert event["version"] == "2.0" and event["routeKey"] == "GET /orders/{id}"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/orders/7"
    assert event["cookies"] == ["s=1", "t=2"] and "cookie" not in event["headers"]
    assert event["queryStringParameters"] == {"tag": "a,b"} and event["rawQueryString"] == "tag=a&tag=b"
    assert event["pathParameters"] == {"id": "7"}
    assert "body" not in event


@pytest.mark.parametrize(("result", "body"), [({"ok": True}, '{"ok": true}'), ("hello", "hello"), (42, "42")])
def test_http_api_v2_infers_200_json_for_any_value_without_status_code(sim, result, body):
    response = sim.http_api(_fn(sim, result)).request("GET", "/")
    assert (response.status, response.text) == (200, body)
    assert response.headers == {"content-type": "application/json"}


def test_http_api_v2_explicit_format_cookies_become_set_cookie(sim):
    result = {"statusCode": 302, "headers": {"location": "/x"}, "cookies": ["a=1; Secure", "b=2"]}
    response = sim.http_api(_fn(sim, result)).request("GET", "/")
    assert response.status == 302
    assert response.cookies == ("a=1; Secure", "b=2")
    assert response.multi_value_headers["set-cookie"] == ["a=1; Secure", "b=2"]


def test_http_api_base64_bodies_both_ways(sim):
    def handler(event, context):
        data = base64.b64decode(event["body"])
        return {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(data[::-1]).decode()}

    response = sim.http_api(sim.function(handler, name="bin")).request("POST", "/", body=b"\x00\x01\x02")
    assert response.event["isBase64Encoded"] is True
    assert response.body == b"\x02\x01\x00"


def test_http_api_payload_1_0_and_unknown_route_404(sim):
    door = sim.http_api(_fn(sim, {"statusCode": 204}), route_key="POST /orders", payload_format_version="1.0")
    response = door.request("POST", "/orders", body="{}")
    assert response.event["version"] == "1.0" and response.event["requestContext"]["routeKey"] == "POST /orders"
    assert response.status == 204
    assert door.request("GET", "/orders").status == 404


def test_http_api_function_error_502_and_route_key_validation(sim):
    def handler(event, context):
        raise ValueError("x")

    assert sim.http_api(sim.function(handler, name="e")).request("GET", "/").status == 502
    with pytest.raises(ConfigError, match=r"^route_key='orders' is not a route key"):
        sim.http_api(_fn(sim, {}, name="other"), route_key="orders")


def test_function_url_shape_inference_and_errors(sim):
    door = sim.function_url(_fn(sim, "hi"), auth_type="NONE")
    response = door.request("GET", "/a/b", query={"q": "1"})
    context = response.event["requestContext"]
    assert response.event["routeKey"] == "$default" and context["stage"] == "$default"
    assert context["domainName"] == f"{door.url_id}.lambda-url.us-east-1.on.aws"
    assert context["accountId"] == "anonymous"
    assert (response.status, response.text) == (200, "hi")
    assert sim.ledger.attempts[-1].source == door.url
    iam = sim.function_url(_fn(sim, None, name="iam"), auth_type="AWS_IAM").request("GET", "/")
    assert "iam" in iam.event["requestContext"]["authorizer"]
    throttled = sim.function_url(_fn(sim, "x", name="zero", reserved_concurrency=0)).request("GET", "/")
    assert throttled.status == 429


@pytest.mark.parametrize("multi", [False, True])
def test_alb_uses_one_header_style_never_both(sim, multi):
    def handler(event, context):
        key = "multiValueHeaders" if multi else "headers"
        value = ["1", "2"] if multi else "1"
        return {"statusCode": 200, "statusDescription": "200 OK", key: {"x-v": value}, "body": "ok"}

    door = sim.alb_target_group(sim.function(handler, name="alb"), multi_value_headers=multi)
    response = door.request("GET", "/p", query={"a": "b c"})
    event = response.event
    assert ("multiValueHeaders" in event) is multi and ("headers" in event) is not multi
    query = event["multiValueQueryStringParameters"] if multi else event["queryStringParameters"]
    assert query == ({"a": ["b%20c"]} if multi else {"a": "b%20c"})
    assert event["body"] == "" and event["requestContext"]["elb"]["targetGroupArn"] == door.arn
    assert response.status_description == "200 OK"
    assert response.multi_value_headers["x-v"] == (["1", "2"] if multi else ["1"])


def test_alb_errors_502_and_throttle_503(sim):
    assert sim.alb_target_group(_fn(sim, {"body": "no status"})).request("GET", "/").status == 502
    fn = _fn(sim, {"statusCode": 200}, name="zero", reserved_concurrency=0)
    assert sim.alb_target_group(fn, name="zero-tg").request("GET", "/").status == 503


def test_http_requests_are_deterministic_per_seed():
    from lambdachaos import Sim

    def run():
        with Sim(seed=5) as sim:
            return json.dumps(sim.http_api(_fn(sim, {})).request("GET", "/").event, sort_keys=True)

    assert run() == run()
