"""Security headers on every answer, cookie flags, and templates that a
Content-Security-Policy without inline script or style can serve."""

from __future__ import annotations

import re
from pathlib import Path

from portal import create_app

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("plugins/*/templates/**/*.html")]


def test_every_answer_carries_the_security_headers(client, world):
    for url in ("/", "/alpha/", "/masuk", "/tidak-ada", "/api/v1/openapi.json"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"  # ticket codes never leak to other sites


def test_templates_need_no_inline_script_or_style():
    assert len(TEMPLATES) > 40
    for path in TEMPLATES:
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"inline script in {path.relative_to(ROOT)}"
        assert "<style" not in text, f"inline <style> in {path.relative_to(ROOT)}"
        assert not re.search(r"\sstyle=", text), f"style attribute in {path.relative_to(ROOT)}"
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {path.relative_to(ROOT)}"


def _cookie(app) -> str:
    client = app.test_client()
    response = client.get("/masuk")
    return "; ".join(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))


def test_session_cookie_flags_in_production_and_development(tmp_path):
    base = {
        "SECRET_KEY": "a-long-random-production-key-0123456789",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite3",
        "RATELIMIT_ENABLED": False,
    }
    production = create_app({**base, "TESTING": False, "DEBUG": False})
    with production.app_context():
        from portal.extensions import db

        db.create_all()
    cookie = _cookie(production)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    hsts = production.test_client().get("/masuk").headers.get("Strict-Transport-Security", "")
    assert hsts.startswith("max-age=")

    plain_http = create_app({**base, "TESTING": False, "DEBUG": False, "PORTAL_SECURE_COOKIES": False})
    cookie = _cookie(plain_http)
    assert "HttpOnly" in cookie and "Secure" not in cookie
