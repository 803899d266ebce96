"""API keys (hashed, scoped, revocable), the loopback rule, body-size limits, no internals in errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service import Settings, create_app
from service.cli.main import main
from service.http.security import is_loopback, new_key
from service.store import Store


@pytest.fixture
def secured(settings: Settings, tmp_path: Any) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """An app with a read key and a write key; yields the client and the tokens."""
    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'keys.db'}"}))
    with TestClient(app, raise_server_exceptions=False) as client:
        store: Store = app.state.runtime.store
        tokens = {}
        for scope in ("read", "write"):
            key = new_key()
            store.add_key(key.key_id, name=scope, secret_sha256=key.secret_sha256, scopes=(scope,))
            tokens[scope] = key.token
        yield client, tokens


def test_without_a_key_requests_are_401_with_the_error_shape(secured: Any) -> None:
    client, _ = secured

    r = client.get("/v1/clusters")

    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["error"] == "unauthorized"
    assert r.json()["detail"][0]["field"] is None


@pytest.mark.parametrize(
    "token",
    ["acu_000000000000_" + "x" * 43, "not-a-key", "acu_zz_short"],
    ids=["unknown_id", "malformed", "short"],
)
def test_invalid_keys_are_401(secured: Any, token: str) -> None:
    client, _ = secured

    assert client.get("/v1/clusters", headers={"X-API-Key": token}).status_code == 401


def test_a_wrong_secret_for_a_real_id_is_401(secured: Any) -> None:
    client, tokens = secured
    forged = tokens["read"][:-4] + "AAAA"

    assert client.get("/v1/clusters", headers={"X-API-Key": forged}).status_code == 401


def test_scopes_are_enforced_per_key(secured: Any) -> None:
    client, tokens = secured
    read, write = {"X-API-Key": tokens["read"]}, {"Authorization": f"Bearer {tokens['write']}"}

    assert client.get("/v1/clusters", headers=read).status_code == 200
    denied = client.put("/v1/clusters/c1", json={}, headers=read)
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    assert client.put("/v1/clusters/c1", json={}, headers=write).status_code == 201
    assert client.get("/v1/clusters/c1", headers=write).status_code == 403  # write does not imply read


def test_two_credentials_that_disagree_are_401(secured: Any) -> None:
    """A valid X-API-Key with a bogus Bearer token was let through on the X-API-Key alone."""
    client, tokens = secured
    good = tokens["read"]

    mixed = client.get("/v1/clusters", headers={"X-API-Key": good, "Authorization": "Bearer foo"})
    same = client.get("/v1/clusters", headers={"X-API-Key": good, "Authorization": f"Bearer {good}"})

    assert mixed.status_code == 401
    assert "carry different keys" in mixed.json()["detail"][0]["message"]
    assert same.status_code == 200


def test_without_keys_disagreeing_credentials_are_anonymous_like_any(
    settings: Settings, tmp_path: Any
) -> None:
    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'open.db'}"}))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/v1/clusters", headers={"X-API-Key": "a", "Authorization": "Bearer b"})
    assert r.status_code == 200


def test_probes_need_no_key_but_metrics_need_read(secured: Any) -> None:
    client, tokens = secured

    for path in ("/healthz", "/livez", "/readyz"):
        assert client.get(path).status_code == 200, path
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"X-API-Key": tokens["read"]}).status_code == 200


def test_revoked_key_is_401_and_only_hashes_are_stored(secured: Any) -> None:
    client, tokens = secured
    store: Store = client.app.state.runtime.store  # type: ignore[attr-defined]
    key_id = tokens["read"].split("_")[1]

    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, secret_sha256 FROM api_keys")).all()
    assert store.revoke_key(key_id)

    assert all(tokens["read"].split("_", 2)[2] not in str(row) for row in rows)
    assert client.get("/v1/clusters", headers={"X-API-Key": tokens["read"]}).status_code == 401


def test_revoking_every_key_keeps_authentication_on(secured: Any) -> None:
    """Revoking the last active key turned authentication off: no key and the revoked key got 201."""
    client, tokens = secured
    store: Store = client.app.state.runtime.store  # type: ignore[attr-defined]
    for token in tokens.values():
        assert store.revoke_key(token.split("_")[1])
    revoked = {"X-API-Key": tokens["write"]}

    assert not store.has_active_keys() and store.has_keys()
    assert client.put("/v1/clusters/anon0", json={}, headers=revoked).status_code == 401
    assert client.put("/v1/clusters/anon1", json={}).status_code == 401
    assert client.delete("/v1/clusters/anon1").status_code == 401
    r = client.get("/v1/clusters")
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    key = new_key()  # a new key opens the API again, for its holder only
    store.add_key(key.key_id, name="new", secret_sha256=key.secret_sha256, scopes=("read",))
    assert client.get("/v1/clusters", headers={"X-API-Key": key.token}).status_code == 200
    assert client.get("/v1/clusters").status_code == 401


def test_serve_with_every_key_revoked_keeps_auth_on_and_warns(settings: Settings, tmp_path: Any) -> None:
    from service.cli.database import check_serve_database

    local = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'revoked.db'}"})
    with TestClient(create_app(local)) as client:
        store: Store = client.app.state.runtime.store  # type: ignore[attr-defined]
        key = new_key()
        store.add_key(key.key_id, name="only", secret_sha256=key.secret_sha256, scopes=("read", "write"))
        assert check_serve_database("0.0.0.0", local) is None
        store.revoke_key(key.key_id)

    warning = check_serve_database("0.0.0.0", local)  # authentication on: not exposed

    assert warning is not None and "every /v1 request gets 401" in warning


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/v1/clusters/k1", b"{bad"),
        ("POST", "/v1/advice?x=1", b"{bad"),
        ("POST", "/v1/recommendations", b"[]"),
        ("POST", "/v1/clusters/k1/metrics/csv", b"\xff\xfe"),
        ("GET", "/v1/nowhere", b""),
    ],
)
def test_a_request_without_a_key_is_401_before_its_body_is_read(
    secured: Any, method: str, path: str, body: bytes
) -> None:
    """The body was parsed first: {bad without a key got the JSON parser's 422."""
    client, tokens = secured

    anonymous = client.request(method, path, content=body, headers={"content-type": "application/json"})
    wrong = client.request(method, path, content=body, headers={"X-API-Key": "acu_000000000000_" + "x" * 43})

    for r in (anonymous, wrong):
        assert r.status_code == 401, r.text
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["error"] == "unauthorized" and r.json()["detail"][0]["field"] is None


def test_a_read_key_on_a_write_endpoint_is_403_before_its_body_is_read(secured: Any) -> None:
    client, tokens = secured

    headers = {"X-API-Key": tokens["read"], "content-type": "application/json"}
    r = client.put("/v1/clusters/k1", content=b"{bad", headers=headers)

    assert r.status_code == 403 and r.json()["error"] == "forbidden", r.text


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/clusters/"), ("POST", "/v1/recommendations/")])
def test_a_trailing_slash_is_404_after_the_key_check_never_a_redirect(
    secured: Any, method: str, path: str
) -> None:
    """Starlette answered 307 to http://<Host header>/v1/clusters, before the key check."""
    client, tokens = secured
    host = {"Host": "evil.example"}

    anonymous = client.request(method, path, json={}, headers=host, follow_redirects=False)
    key = {"X-API-Key": tokens["read" if method == "GET" else "write"]}
    keyed = client.request(method, path, json={}, headers=host | key, follow_redirects=False)

    assert anonymous.status_code == 401 and "location" not in anonymous.headers
    assert keyed.status_code == 404 and "location" not in keyed.headers
    assert keyed.json()["error"] == "not_found"


def test_without_keys_a_trailing_slash_is_404_too(settings: Settings, tmp_path: Any) -> None:
    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'slash.db'}"}))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/v1/clusters/", follow_redirects=False)
        plain = client.get("/v1/clusters")
    assert r.status_code == 404 and r.json()["error"] == "not_found" and "location" not in r.headers
    assert plain.status_code == 200


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("localhost", True), ("::1", True), ("[::1]", True)]
    + [("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("example.com", False)],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_serve_refuses_a_public_address_without_keys(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.settings import get_server_settings, get_settings

    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    get_settings.cache_clear()
    get_server_settings.cache_clear()
    try:
        code = main(["serve", "--host", "0.0.0.0", "--port", "8765"])
    finally:
        get_settings.cache_clear()
        get_server_settings.cache_clear()

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: refusing to listen on 0.0.0.0") and "acuplan keys create" in err


def test_keys_cli_creates_lists_and_revokes(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from service.settings import get_settings

    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    try:
        assert main(["keys", "create", "--name", "scheduler", "--scope", "read"]) == 0
        token = capsys.readouterr().out.strip()
        key_id = token.split("_")[1]
        assert main(["keys", "list"]) == 0
        listed = capsys.readouterr().out
        assert main(["keys", "revoke", key_id]) == 0
        revoked_err = capsys.readouterr().err
        assert main(["keys", "revoke", key_id]) == 2
    finally:
        get_settings.cache_clear()

    assert token.startswith("acu_") and len(token) > 50
    assert f"{key_id}  read" in listed and "active" in listed and token not in listed
    assert "no active key is left: every /v1 request gets 401" in revoked_err


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("evil\nffffffffffff  read,write  active   2026-01-01T00:00:00Z  admin", "U+000A (a line break)"),
        ("   ", "blank"),
        ("bell\x07", "U+0007 (a bell)"),
        ("x\x1b[31mred", "U+001B"),
        (" padded", "starts or ends with whitespace"),
    ],
)
def test_keys_create_refuses_names_that_would_forge_or_hide_list_rows(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, said: str
) -> None:
    from service.settings import get_settings

    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'names.db'}")
    get_settings.cache_clear()
    try:
        code = main(["keys", "create", "--name", name])
    finally:
        get_settings.cache_clear()

    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("error: --name: ") and said in err
    assert not (tmp_path / "names.db").exists()  # refused before the database is opened


def test_body_over_the_limit_is_413(settings: Settings, tmp_path: Any) -> None:
    small = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'l.db'}", "max_body_bytes": 2048}
    )
    big = b'{"points": [' + b'{"ts": "2024-05-06T00:00:00Z", "demand_acu": 1.0},' * 100 + b"]}"

    def chunks() -> Iterator[bytes]:
        yield big[:1500]
        yield big[1500:]

    with TestClient(create_app(small), raise_server_exceptions=False) as c:
        declared = c.post("/v1/clusters/x/metrics", content=big, headers={"content-type": "application/json"})
        streamed = c.post(
            "/v1/clusters/x/metrics", content=chunks(), headers={"content-type": "application/json"}
        )

    for r in (declared, streamed):
        assert r.status_code == 413, r.text
        assert r.json() == {
            "error": "request_too_large",
            "detail": [{"field": "body", "message": "the request body exceeds 2048 bytes"}],
        }
