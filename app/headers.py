"""Security headers on every response, and no caching of anything private."""
import base64
import hashlib
import re

from flask import g, request, session as web_session

# Our pages load scripts and styles from our own origin only; nothing inline, no framing.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI (flask-smorest's page) starts itself with one inline script: that script alone is allowed, by its
# hash (its styles come from its own stylesheet and the CSSOM, which CSP does not block).
DOCS_POLICY = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
DOCS_PATH = "/api/docs"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
HSTS = "max-age=31536000; includeSubDomains"
# Static files are linked with their content's hash (?v=, app/web/__init__.py): a versioned URL never changes
# content, so browsers keep it a year without asking again; an unversioned one is checked after an hour.
VERSIONED_STATIC = "public, max-age=31536000, immutable"
STATIC = "public, max-age=3600"


def script_hashes(html):
    """CSP source expressions for the inline scripts of a page."""
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
                    for script in INLINE_SCRIPT.findall(html))


def is_private():
    """Whether the response may carry someone's data or a secret: anything signed in, sent with credentials,
    changing something, or tied to a cookie session (a form's CSRF token)."""
    return (g.get("actor") is not None or "Authorization" in request.headers or request.method not in SAFE_METHODS
            or len(web_session) > 0)


def init_app(app):
    """Add the headers to every response (HSTS only in production, which is served over HTTPS)."""
    production = app.config["FAIRRECRUIT_ENV"] == "production"

    @app.after_request
    def secure(response):
        headers = response.headers
        if request.path == DOCS_PATH and not response.direct_passthrough:
            headers["Content-Security-Policy"] = DOCS_POLICY.format(hashes=script_hashes(response.get_data()))
        else:
            headers["Content-Security-Policy"] = POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        if production:
            headers["Strict-Transport-Security"] = HSTS
        if request.endpoint == "static":
            # Our own CSS and images: public whoever asks.
            headers["Cache-Control"] = VERSIONED_STATIC if request.args.get("v") else STATIC
        elif is_private():
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
