"""API tokens: for API-only users by e-mail and password, with an expiry, and read-only."""
from datetime import datetime, timedelta, timezone
import re

from sqlalchemy import select

from app.accounts.models import ApiToken, AuditEvent
from tests.conftest import PASSWORD
from tests.registry.test_api import agency_body
from tests.web.test_sign_in import csrf_of, sign_in

REFUSED = "That e-mail and password do not match an active account."


def later(**delta):
    return (datetime.now(timezone.utc) + timedelta(**delta)).isoformat()


def test_an_api_only_user_gets_a_token_with_their_email_and_password(client, make_user, session):
    user = make_user("analyst")
    created = client.post("/api/v1/tokens", json={"email": user.email.upper(), "password": PASSWORD,
                                                  "name": "nightly sync"})
    assert created.status_code == 201
    headers = {"Authorization": f"Bearer {created.json['token']}"}
    assert client.get("/api/v1/me", headers=headers).json["email"] == user.email
    assert "password" not in created.json and "email" not in created.json
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in",
                                                      AuditEvent.object_id == str(user.id))).all()
    assert [e.after["via"] for e in events] == ["api"]


def test_wrong_credentials_get_the_same_401_whether_or_not_the_account_exists(client, make_user, session):
    user = make_user("analyst")
    wrong = client.post("/api/v1/tokens", json={"email": user.email, "password": "guess number one",
                                                "name": "x"})
    unknown = client.post("/api/v1/tokens", json={"email": "nobody@example.org", "password": PASSWORD,
                                                  "name": "x"})
    missing = client.post("/api/v1/tokens", json={"name": "x"})
    for response in (wrong, unknown, missing):
        assert response.status_code == 401
        assert response.json["message"] == REFUSED
    assert wrong.json == unknown.json
    failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")).all()
    assert {e.after["email"] for e in failed} >= {user.email, "nobody@example.org"}
    assert "guess number one" not in str([(e.before, e.after, e.note) for e in failed])
    assert session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None


def test_a_signed_in_client_still_creates_tokens_with_its_own_token(client, make_token):
    headers = make_token("viewer")
    created = client.post("/api/v1/tokens", json={"name": "second"}, headers=headers)
    assert created.status_code == 201 and created.json["read_only"] is False


def test_a_read_only_token_reads_but_may_not_change_anything(client, make_user, authority):
    user = make_user("analyst")
    created = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD, "name": "dashboard",
                                                  "read_only": True})
    assert created.status_code == 201 and created.json["read_only"] is True
    headers = {"Authorization": f"Bearer {created.json['token']}"}
    assert client.get("/api/v1/me", headers=headers).json["read_only"] is True
    assert client.get("/api/v1/agencies", headers=headers).status_code == 200
    refused = client.post("/api/v1/agencies", json=agency_body(), headers=headers)
    assert refused.status_code == 403
    assert "read-only" in refused.json["message"] and "POST" in refused.json["message"]
    assert client.post("/api/v1/tokens", json={"name": "escape"}, headers=headers).status_code == 403
    assert client.delete(f"/api/v1/tokens/{created.json['id']}", headers=headers).status_code == 403
    assert client.get("/api/v1/agencies").json["meta"]["total"] == 0


def test_a_token_expiry_must_be_in_the_future_and_an_expired_token_is_refused(client, make_token, session):
    headers = make_token("viewer")
    past = client.post("/api/v1/tokens", json={"name": "old", "expires_at": later(minutes=-1)}, headers=headers)
    assert past.status_code == 422 and "expires_at" in past.json["errors"]
    created = client.post("/api/v1/tokens", json={"name": "soon", "expires_at": later(days=1)}, headers=headers)
    assert created.status_code == 201 and created.json["expires_at"]
    expiring = {"Authorization": f"Bearer {created.json['token']}"}
    assert client.get("/api/v1/me", headers=expiring).status_code == 200
    token = session.get(ApiToken, created.json["id"])
    token.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    session.commit()
    refused = client.get("/api/v1/me", headers=expiring)
    assert refused.status_code == 401 and "expired" in refused.json["message"]


def test_the_token_page_sets_an_expiry_and_read_only(client, make_user):
    user = make_user("viewer")
    sign_in(client, user.email)
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    page = client.post("/account/tokens", data={"name": "report", "expires_on": tomorrow, "read_only": "1",
                                                "csrf_token": csrf_of(client.get("/account/tokens"))})
    raw = re.search(r'id="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json
    assert me["read_only"] is True
    listed = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {raw}"}).json
    assert listed[0]["expires_at"].startswith(tomorrow)
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
    refused = client.post("/account/tokens", data={"name": "late", "expires_on": yesterday,
                                                   "csrf_token": csrf_of(client.get("/account/tokens"))})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'href="#expires_on"' in text and 'value="late"' in text and 'id="new-token"' not in text
