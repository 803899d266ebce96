"""Text rules every metric parser shares: JSON, epoch seconds, timestamps and numbers."""

from __future__ import annotations

import json

import pytest

from traces.formats import parse_any
from traces.jsontext import JsonTextError, load_json


def test_json_nested_too_deeply_is_a_json_text_error() -> None:
    with pytest.raises(JsonTextError, match="nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000)


def test_a_huge_integer_is_a_json_text_error() -> None:
    with pytest.raises(JsonTextError, match="not readable as JSON"):
        load_json("[" + "9" * 5000 + "]")


@pytest.mark.parametrize("t", [1e300, 10**23, 100_000_000_000])
def test_prometheus_timestamps_get_the_epoch_rule_of_every_parser(t: float) -> None:
    series = {"metric": {"__name__": "ServerlessDatabaseCapacity"}, "values": [[t, "1"]]}
    body = {"status": "success", "data": {"resultType": "matrix", "result": [series]}}

    upload = parse_any(json.dumps(body).encode(), name="p.json", format="prometheus")

    assert [p.field for p in upload.problems] == ["values.0"]
    assert upload.problems[0].reason.startswith(f"{t!r} is not epoch seconds (after the year 5000)")
