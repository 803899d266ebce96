"""``/docs`` and ``/redoc`` work without internet: every script, stylesheet and icon they load is
served by the app itself (from the installed ``fastapi-offline`` package), none from a CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

_URL_ATTRIBUTES = {("script", "src"), ("link", "href"), ("img", "src"), ("redoc", "spec-url")}


class _Urls(HTMLParser):
    """Collects the URLs a page loads: script/img sources, stylesheets and icons, the spec."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in _URL_ATTRIBUTES and value:
                self.urls.append((tag, value))


def _loaded_urls(html: str) -> list[tuple[str, str]]:
    parser = _Urls()
    parser.feed(html)
    # Swagger UI's configuration names the spec in a script: url: '/openapi.json'
    parser.urls += [("config", u) for u in re.findall(r"\burl: '([^']+)'", html)]
    return parser.urls


@pytest.mark.parametrize(
    ("page", "kinds"),
    [
        pytest.param("/docs", {"script", "link", "config"}, id="swagger-ui"),
        pytest.param("/redoc", {"script", "link", "redoc"}, id="redoc"),
    ],
)
def test_docs_pages_load_everything_from_the_app_itself(
    client: TestClient, page: str, kinds: set[str]
) -> None:
    r = client.get(page)
    html = r.text
    urls = _loaded_urls(html)

    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert {kind for kind, _ in urls} == kinds, urls
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []  # no absolute URL anywhere in the page
    for kind, url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), (kind, url)
        asset = client.get(urljoin(f"http://testserver{page}", url))
        assert asset.status_code == 200, (kind, url, asset.status_code)
        assert len(asset.content) > 0, url
        if kind == "script":
            assert "javascript" in asset.headers["content-type"], url
            assert len(asset.content) > 100_000, url  # the bundle itself, not a loader stub
        if url.endswith(".css"):
            assert asset.headers["content-type"].startswith("text/css"), url


def test_swagger_ui_does_not_call_the_online_validator(client: TestClient) -> None:
    html = client.get("/docs").text

    assert '"validatorUrl": null' in html


def test_docs_assets_are_not_in_the_api_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert not [p for p in paths if "docs" in p or "redoc" in p or "static" in p]
