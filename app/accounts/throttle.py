"""Rate limits on sign-in and token creation, per account and per client address, with growing waits."""
import logging
import math
import time

from flask import g, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

from app import db
from app.accounts import service
from app.errors import render

log = logging.getLogger(__name__)

# Several windows, so a client that keeps failing waits a minute, then an hour, then a day.
ACCOUNT_LIMITS = "5 per minute; 20 per hour; 50 per day"
# One address may be a whole office behind one router: a little more room than one account.
ADDRESS_LIMITS = "20 per minute; 100 per hour; 300 per day"
TOKEN_LIMITS = "10 per minute; 50 per hour; 200 per day"


def client_address():
    """The address the request came from (behind proxies, set PROXY_HOPS so this is the client's)."""
    return request.remote_addr or "unknown"


def account():
    """The account an attempt is about: the signed-in user's, else the e-mail the form or JSON body names."""
    if g.get("actor"):
        return g.actor.email
    if request.form:
        email = request.form.get("email")
    else:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return (email if isinstance(email, str) else "").strip().lower()[:254] or "-"


def via():
    """Where an attempt came in: the web sign-in page or the API."""
    return "api" if request.path.startswith("/api/") else "web"


def failed(response):
    return response.status_code == 401


def signed_in():
    return g.get("actor") is not None


def record_breach(limit):
    """Put the refused attempt in the audit log (with the e-mail and address, never a password)."""
    session = db.Session()
    email = account()
    service.record_sign_in(session, "rate_limited", email=email, address=client_address(), via=via(),
                           user=service.user_by_email(session, email))
    session.commit()
    log.warning("sign_in.rate_limited via=%s limit=%s", via(), limit.limit)


# One limiter for every limit of the service (worker reports' intake adds its limits in app/reports/api.py).
limiter = Limiter(key_func=client_address)

# Only failed attempts count, so people who type their password right are never slowed down.
SIGN_IN = (
    limiter.shared_limit(ACCOUNT_LIMITS, "sign-in-account", key_func=account, methods=["POST"], deduct_when=failed,
                         exempt_when=signed_in, on_breach=record_breach),
    limiter.shared_limit(ADDRESS_LIMITS, "sign-in-address", methods=["POST"], deduct_when=failed,
                         exempt_when=signed_in, on_breach=record_breach),
)
# Every token made counts, whoever asks; revoking one does not.
TOKENS = (
    limiter.shared_limit(TOKEN_LIMITS, "tokens-account", key_func=account, methods=["POST"],
                         exempt_when=lambda: bool(request.form.get("revoke")), on_breach=record_breach),
    limiter.shared_limit(TOKEN_LIMITS, "tokens-address", methods=["POST"],
                         exempt_when=lambda: bool(request.form.get("revoke")), on_breach=record_breach),
)


def limited(*limits):
    """Decorate a view with these limits."""
    def decorator(view):
        for limit in reversed(limits):
            view = limit(view)
        return view
    return decorator


def too_many(err):
    """429 in the client's error shape, with Retry-After in seconds."""
    body, status = render(429, "too_many_requests",
                          f"Too many attempts ({err.description}); wait before trying again.")
    breached = limiter.current_limit
    wait = math.ceil(breached.window.reset_time - time.time()) if breached else 60
    return body, status, {"Retry-After": str(max(wait, 1))}


def init_app(app):
    """Count attempts in RATELIMIT_STORAGE_URI (memory by default; redis:// to share between processes)."""
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, too_many)


def reset():
    """Forget every counted attempt (tests start each from nothing)."""
    limiter.reset()
