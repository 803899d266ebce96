"""Property-based fuzzing of every operation from the OpenAPI schema (schemathesis): no 5xx.

Bounded: ``ACUPLAN_FUZZ_MAX_EXAMPLES`` generated cases per operation (default 10),
derandomised so a CI failure reproduces locally. Marked ``slow``: the README's test
command (and so CI) runs it; ``-m "not slow"`` skips it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from service import Settings, create_app

MAX_EXAMPLES = int(os.environ.get("ACUPLAN_FUZZ_MAX_EXAMPLES", "10"))

_DB = Path(tempfile.mkdtemp(prefix="acuplan-fuzz-")) / "fuzz.db"
_APP = create_app(
    Settings(
        database_url=f"sqlite:///{_DB}",
        solver_time_limit_s=2.0,
        solver_num_workers=1,
        request_timeout_s=60.0,
        solver_pool_queue=64,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()

    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}\n"
        f"body: {str(case.body)[:500]}"
    )
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error", "detail"}, body
