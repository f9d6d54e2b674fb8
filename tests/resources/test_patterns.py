"""The event-pattern engine (docs/aws-behaviour.md §10 and EventBridge patterns)."""

from __future__ import annotations

import pytest

from lambdachaos.resources import compile_pattern
from lambdachaos.resources._errors import InvalidEventPatternException, InvalidParameterValueException


def m(pattern, event, dialect="lambda"):
    return compile_pattern(pattern, dialect=dialect).matches(event)


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"UserID": [None]}, {"UserID": None}, True),  # null
        ({"UserID": [None]}, {}, False),
        ({"LastName": [""]}, {"LastName": ""}, True),  # empty
        ({"Name": ["Alice"]}, {"Name": "Alice"}, True),  # equals
        ({"Name": ["Alice"]}, {"Name": "alice"}, False),
        ({"Name": [{"equals-ignore-case": "alice"}]}, {"Name": "ALICE"}, True),
        (
            {"Location": ["New York"], "Day": ["Monday"]},
            {"Location": "New York", "Day": "Monday"},
            True,
        ),  # and
        ({"Location": ["New York"], "Day": ["Monday"]}, {"Location": "New York", "Day": "Sunday"}, False),
        ({"PaymentType": ["Credit", "Debit"]}, {"PaymentType": "Debit"}, True),  # or (values)
        ({"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}, {"Day": "Monday"}, True),
        ({"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}, {"Day": "Friday"}, False),
        ({"Weather": [{"anything-but": ["Raining"]}]}, {"Weather": "Sunny"}, True),  # not
        ({"Weather": [{"anything-but": ["Raining"]}]}, {"Weather": "Raining"}, False),
        ({"Weather": [{"anything-but": "Raining"}]}, {}, False),
        ({"Price": [{"numeric": ["=", 100]}]}, {"Price": 100}, True),
        ({"Price": [{"numeric": [">", 10, "<=", 20]}]}, {"Price": 20}, True),
        ({"Price": [{"numeric": [">", 10, "<=", 20]}]}, {"Price": 10}, False),
        ({"Price": [{"numeric": [">", 10]}]}, {"Price": "11"}, False),
        ({"ProductName": [{"exists": True}]}, {"ProductName": "x"}, True),
        ({"ProductName": [{"exists": True}]}, {}, False),
        ({"ProductName": [{"exists": False}]}, {}, True),
        ({"ProductName": [{"exists": False}]}, {"ProductName": 1}, False),
        ({"a": [{"exists": True}]}, {"a": {"b": 1}}, False),  # exists never matches an intermediate object
        ({"Region": [{"prefix": "us-"}]}, {"Region": "us-east-1"}, True),
        ({"File": [{"suffix": ".png"}]}, {"File": "a.png"}, True),
        ({"File": [{"suffix": ".png"}]}, {"File": "a.jpg"}, False),
        ({"n": [300]}, {"n": 300}, True),  # numbers compare by their JSON text
        ({"n": [300]}, {"n": 300.0}, False),
        ({"n": [300]}, {"n": "300"}, False),
        ({"flag": [True]}, {"flag": True}, True),
        ({"flag": [True]}, {"flag": 1}, False),
        ({"tags": ["b"]}, {"tags": ["a", "b"]}, True),  # arrays: any element
        ({"tags": ["c"]}, {"tags": ["a", "b"]}, False),
        ({"body": {"order": {"state": ["paid"]}}}, {"body": {"order": {"state": "paid"}}}, True),  # nested
        ({"body": {"order": {"state": ["paid"]}}}, {"body": {"order": "paid"}}, False),
        ({"items": {"sku": ["x"]}}, {"items": [{"sku": "y"}, {"sku": "x"}]}, True),
        ({"body": {"gone": [{"exists": False}]}}, {}, True),
    ],
)
def test_section_10_operators(pattern, event, expected):
    assert m(pattern, event) is expected
    assert m(pattern, event, "eventbridge") is expected


def test_patterns_accept_json_text():
    assert compile_pattern('{"body": {"n": [{"numeric": [">=", 5]}]}}').matches({"body": {"n": 5}})


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"f": [{"wildcard": "*.png"}]}, {"f": "dir/a.png"}, True),
        ({"f": [{"wildcard": "a\\*b"}]}, {"f": "a*b"}, True),
        ({"f": [{"wildcard": "a\\*b"}]}, {"f": "axb"}, False),
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.7"}, True),
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.7"}, False),
        ({"s": [{"anything-but": {"prefix": "test-"}}]}, {"s": "prod-1"}, True),
        ({"s": [{"anything-but": {"prefix": "test-"}}]}, {"s": "test-1"}, False),
        ({"s": [{"anything-but": {"equals-ignore-case": ["A", "b"]}}]}, {"s": "B"}, False),
        ({"s": [{"prefix": {"equals-ignore-case": "AB"}}]}, {"s": "abc"}, True),
    ],
)
def test_eventbridge_only_operators(pattern, event, expected):
    assert m(pattern, event, "eventbridge") is expected


@pytest.mark.parametrize(
    "pattern",
    [
        {"f": [{"wildcard": "*.png"}]},
        {"ip": [{"cidr": "10.0.0.0/24"}]},
        {"s": [{"anything-but": {"prefix": "test-"}}]},
        {"s": [{"anything-but": {"suffix": "-x"}}]},
        {"s": [{"anything-but": {"equals-ignore-case": "x"}}]},
        {"s": [{"suffix": {"equals-ignore-case": "x"}}]},
    ],
)
def test_lambda_rejects_eventbridge_only_operators_section_10(pattern):
    with pytest.raises(
        InvalidParameterValueException,
        match=r"^Invalid filter pattern definition\. Reason: .*"
        r"EventBridge-only operator",
    ):
        compile_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ('{"a": ', r"Filter is not valid JSON"),
        ({"a": "x"}, r'"a" must be an object or an array'),
        ({"a": []}, r'Empty arrays are not allowed: "a"'),
        ({"a": [{"nope": 1}]}, r"Unrecognized match type nope"),
        ({"a": [{"numeric": ["!", 1]}]}, r'Unrecognized numeric range operator: "!"'),
        ({"a": [{"exists": "yes"}]}, r"exists match pattern must be either true or false\."),
        ({"$or": [{"a": ["x"]}]}, r"Value of \$or must be an array of at least 2 pattern objects"),
        ({"f": [{"wildcard": "a**"}]}, r"Consecutive wildcard characters at pos 2"),
        ([1], r"Filter is not an object"),
    ],
)
def test_invalid_patterns_name_the_reason(pattern, reason):
    with pytest.raises(
        InvalidEventPatternException, match=r"^Event pattern is not valid\. Reason: " + reason
    ):
        compile_pattern(pattern, dialect="eventbridge")
