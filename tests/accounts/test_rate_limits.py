"""Sign-in and token creation are rate limited per account and per client address."""
from flask import Flask
from sqlalchemy import select

from app.accounts import throttle
from app.accounts.models import AuditEvent
from tests.conftest import PASSWORD
from tests.web.test_sign_in import sign_in

ALLOWED_FAILURES = 5  # per account and minute: app.accounts.throttle.ACCOUNT_LIMITS


def from_address(app, address):
    """A browser on another machine."""
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return other


def test_repeated_failed_sign_ins_lock_the_account_even_for_the_right_password(app, client, make_user, session):
    user = make_user("analyst")
    for _ in range(ALLOWED_FAILURES):
        assert sign_in(client, user.email, "wrong password guess").status_code == 401
    refused = sign_in(client, user.email, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Too many attempts" in refused.get_data(as_text=True)
    elsewhere = from_address(app, "203.0.113.9")
    assert sign_in(elsewhere, user.email, PASSWORD).status_code == 429
    other = make_user("viewer")
    assert sign_in(from_address(app, "203.0.113.10"), other.email).status_code == 302
    events = session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(user.id),
                                                      AuditEvent.action.in_(["sign_in_failed", "rate_limited"]))
                             ).all()
    assert [e.action for e in events].count("sign_in_failed") == ALLOWED_FAILURES
    assert "rate_limited" in [e.action for e in events]
    recorded = str([(e.before, e.after, e.note) for e in events])
    assert "wrong password guess" not in recorded and PASSWORD not in recorded


def test_the_token_endpoint_answers_429_in_the_api_error_shape(client, make_user):
    user = make_user("analyst")
    for _ in range(ALLOWED_FAILURES):
        assert client.post("/api/v1/tokens", json={"email": user.email, "password": "nope", "name": "x"}
                           ).status_code == 401
    refused = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD, "name": "x"})
    assert refused.status_code == 429
    assert refused.json["code"] == "too_many_requests" and refused.json["status"] == 429
    assert refused.json["errors"] == {} and refused.json["message"].startswith("Too many attempts")
    assert int(refused.headers["Retry-After"]) > 0


def test_failures_on_the_page_and_the_api_count_together(client, make_user):
    user = make_user("analyst")
    for _ in range(3):
        sign_in(client, user.email, "wrong password guess")
    for _ in range(2):
        client.post("/api/v1/tokens", json={"email": user.email, "password": "nope", "name": "x"})
    assert sign_in(client, user.email).status_code == 429


def test_one_address_trying_many_accounts_is_limited_too(app, make_user, client):
    attacker = from_address(app, "198.51.100.7")
    statuses = [sign_in(attacker, f"victim{n}@example.org", "password123456").status_code for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    assert sign_in(from_address(app, "198.51.100.8"), make_user("viewer").email).status_code == 302


def test_successful_sign_ins_are_not_counted(client, make_user):
    user = make_user("viewer")
    for _ in range(ALLOWED_FAILURES + 2):
        assert sign_in(client, user.email).status_code == 302


def test_token_creation_is_limited_per_account(client, make_token):
    headers = make_token("viewer")
    statuses = [client.post("/api/v1/tokens", json={"name": f"t{n}"}, headers=headers).status_code
                for n in range(11)]
    assert statuses == [201] * 10 + [429]


def test_behind_a_proxy_the_forwarded_client_address_is_limited_not_the_proxy():
    seen = []
    for hops in (0, 1):
        bare = Flask(__name__)
        bare.config.update(PROXY_HOPS=hops, RATELIMIT_STORAGE_URI="memory://")
        throttle.init_app(bare)
        bare.add_url_rule("/", "where", lambda: throttle.client_address())
        seen.append(bare.test_client().get("/", headers={"X-Forwarded-For": "192.0.2.44"}).get_data(as_text=True))
    assert seen == ["127.0.0.1", "192.0.2.44"]
