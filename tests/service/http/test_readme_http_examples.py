"""The README's HTTP examples work as written once a key exists (QA 58 #3).

After ``acuplan keys create`` (which the README's security notes require before serving
beyond loopback) the README's curl example got a 401: it sent no key. Every curl example
now sends ``X-API-Key``, and the ``POST /v1/advice`` example's body (built by the README's
own Python snippet) is accepted and advises on Berlin's clock.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service import Settings, create_app
from service.http.security import new_key
from service.store import Store

README = Path(__file__).parents[3] / "README.md"
KEY_HEADER = '-H "X-API-Key: $ACUPLAN_API_KEY"'


def _http_blocks() -> list[str]:
    """The ``bash`` blocks of the README's HTTP API section, continuation lines joined."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## HTTP API") : text.index("### Running the service")]
    return [b.replace("\\\n", " ") for b in re.findall(r"```bash\n(.*?)```", section, re.S)]


@pytest.fixture
def keyed(settings: Settings, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """An app whose store holds one read-write key (so every /v1 call needs it); the client and key."""
    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'keys.db'}"}))
    with TestClient(app, raise_server_exceptions=False) as client:
        store: Store = app.state.runtime.store
        key = new_key()
        store.add_key(key.key_id, name="me", secret_sha256=key.secret_sha256, scopes=("read", "write"))
        yield client, key.token


def test_every_curl_example_sends_the_api_key() -> None:
    calls = [line for block in _http_blocks() for line in block.splitlines() if "curl " in line]

    assert len(calls) == 4, calls  # recommendations; advice: create, poll, result
    assert all(KEY_HEADER in call for call in calls), calls


def test_the_recommendation_example_needs_the_key_it_sends(keyed: tuple[TestClient, str]) -> None:
    client, token = keyed
    [block] = [b for b in _http_blocks() if "/v1/recommendations" in b]
    body = json.loads(re.search(r"-d '(\{.*\})'", block, re.S).group(1))  # type: ignore[union-attr]

    assert client.post("/v1/recommendations", json=body).status_code == 401
    r = client.post("/v1/recommendations", json=body, headers={"X-API-Key": token})
    assert r.status_code == 200, r.text


def _wait(client: TestClient, url: str, headers: dict[str, str]) -> Any:
    deadline = time.monotonic() + 120
    job: Any = None
    while time.monotonic() < deadline:
        job = client.get(url, headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {url} did not finish: {job}")


def test_the_advice_example_body_is_advised_on_berlin_time(keyed: tuple[TestClient, str]) -> None:
    client, token = keyed
    [block] = [b for b in _http_blocks() if "/v1/advice" in b]
    script = re.search(r"<<'END'\n(.*?)\nEND\n", block, re.S).group(1)  # type: ignore[union-attr]
    body = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout)
    headers = {"X-API-Key": token}

    assert client.post("/v1/advice", json=body).status_code == 401
    created = client.post("/v1/advice", json=body, headers=headers)
    assert created.status_code == 202, created.text
    job = _wait(client, f"/v1/advice/{created.json()['id']}", headers)
    assert job["status"] == "succeeded", job
    doc = client.get(job["result_url"], headers=headers).json()

    # the timetable's zone is options.schedule_timezone; cluster.timezone is the forecast's clock
    assert doc["schedule"]["timezone"] == "Europe/Berlin"
    # as the README says: one MinCapacity all day, a single modify-db-cluster
    [command] = doc["scheduler"]["commands"]
    assert command.startswith("aws rds modify-db-cluster --db-cluster-identifier orders-db ")
