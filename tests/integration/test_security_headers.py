"""Every response carries the security headers; pages allow no inline script or style."""

from __future__ import annotations

import pytest

STORY = "/stories/kazakhstan-2022"
API = "/api/v1/stories/kazakhstan-2022"


@pytest.mark.parametrize("path", [f"{STORY}/narrative?as_of=2022-01-09&lens=official",
                                  f"{API}/narrative?as_of=2022-01-09",
                                  "/api/v1/openapi.json", "/no/such/page", f"{API}/claims/no-such-claim"])
def test_every_response_has_the_security_headers(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_page_carries_inline_script(client):
    for path in [f"{STORY}/narrative?as_of=2022-01-09&lens=official", "/api/v1/docs"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html, path


def test_only_the_api_docs_page_allows_inline_styles(client):
    assert "style-src 'self' 'unsafe-inline'" in client.get("/api/v1/docs").headers["Content-Security-Policy"]
