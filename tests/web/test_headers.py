"""Security headers on every response; nothing private is cached."""
import base64
import hashlib
from pathlib import Path
import re

from flask import Flask

from app import headers
from tests.web.test_sign_in import csrf_of, sign_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def assert_guarded(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert "Strict-Transport-Security" not in response.headers


def test_a_public_page_allows_no_inline_script_or_style_and_may_be_cached(client):
    page = client.get("/")
    assert page.status_code == 200
    assert_guarded(page)
    policy = directives(page)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert "Cache-Control" not in page.headers
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.get_data(as_text=True)).group(1)
    with client.get(stylesheet) as css:
        assert css.status_code == 200 and b"font-family" in css.data


def test_templates_have_no_inline_script_style_or_event_handler():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", text), template


def test_api_reads_are_cacheable_anonymously_and_private_when_signed_in(client, make_token):
    public = client.get("/api/v1/agencies")
    assert_guarded(public)
    assert "Cache-Control" not in public.headers
    private = client.get("/api/v1/me", headers=make_token("viewer"))
    assert_guarded(private)
    assert private.headers["Cache-Control"] == "no-store"


def test_token_creation_and_signed_in_pages_are_never_stored(client, make_token, make_user):
    created = client.post("/api/v1/tokens", json={"name": "x"}, headers=make_token("viewer"))
    assert created.status_code == 201
    assert_guarded(created)
    assert created.headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    sign_in(client, make_user("viewer").email)
    tokens = client.get("/account/tokens")
    assert tokens.headers["Cache-Control"] == "no-store"
    page = client.post("/account/tokens", data={"name": "y", "csrf_token": csrf_of(tokens)})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_the_api_docs_allow_only_their_own_inline_script(client):
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert_guarded(docs)
    script = re.search(rb"<script>(.*?)</script>", docs.data, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
    assert directives(docs)["script-src"] == ["'self'", f"'sha256-{digest}'"]
    assert directives(client.get("/"))["script-src"] == ["'self'"]


def test_hsts_is_sent_in_production_only():
    for env, expected in (("production", True), ("development", False)):
        bare = Flask(__name__)
        bare.config["FAIRRECRUIT_ENV"] = env
        bare.secret_key = "x" * 40
        headers.init_app(bare)
        bare.add_url_rule("/", "home", lambda: "ok")
        response = bare.test_client().get("/")
        assert ("Strict-Transport-Security" in response.headers) is expected
        if expected:
            assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
