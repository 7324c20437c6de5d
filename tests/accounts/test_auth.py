"""Tokens, roles and organisations: who may do what, and who sees what."""
import pytest
from sqlalchemy import select

from app.accounts import service as accounts
from app.accounts.auth import actor_for, actor_from_token
from app.accounts.models import ApiToken
from app.errors import Unauthorized
from app.registry.models import Authority
from tests.conftest import PASSWORD
from tests.registry.test_api import agency_body


def test_token_is_shown_once_and_stored_hashed(client, make_token, session):
    headers = make_token("viewer")
    created = client.post("/api/v1/tokens", json={"name": "script"}, headers=headers)
    assert created.status_code == 201
    raw = created.json["token"]
    assert raw.startswith("fr_")
    stored = session.scalar(select(ApiToken).where(ApiToken.id == created.json["id"]))
    assert stored.token_hash != raw and raw not in stored.token_hash
    listed = client.get("/api/v1/tokens", headers=headers).json
    assert all("token" not in t for t in listed)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json["role"] == "viewer"


def test_missing_or_revoked_token_is_401(client, make_token, authority):
    assert client.post("/api/v1/agencies", json=agency_body()).status_code == 401
    headers = make_token("analyst")
    token_id = client.get("/api/v1/tokens", headers=headers).json[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=headers).status_code == 204
    response = client.post("/api/v1/agencies", json=agency_body(), headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/v1/agencies", headers={"Authorization": "Bearer fr_made_up"}).status_code == 401
    assert client.get("/api/v1/agencies", headers={"Authorization": "Basic abc"}).status_code == 401


def test_a_token_acts_as_its_user_with_every_authority_until_the_user_moves(session, authority, make_org, make_user):
    other = Authority(code="PH-DMW", name="Department of Migrant Workers", country="PH")
    session.add(other)
    session.commit()
    regulator = make_org("government", authority_codes=["NP-DOFE", "PH-DMW"])
    user = make_user("registrar", organisation=regulator)
    _, raw = accounts.create_token(session, actor_for(session, user), name="test", read_only=True)
    session.commit()
    actor = actor_from_token(session, raw)
    assert actor.authority_ids == {authority.id, other.id} and actor.read_only
    assert (actor.user_id, actor.email, actor.role, actor.organisation_id, actor.organisation_kind) == \
        (user.id, user.email, "registrar", regulator.id, "government")
    user.organisation_id = make_org("business").id
    session.commit()
    with pytest.raises(Unauthorized, match="moved organisation"):
        actor_from_token(session, raw)


def test_role_not_allowed_is_403_and_writes_nothing(client, make_token, authority):
    viewer = make_token("viewer")
    response = client.post("/api/v1/agencies", json=agency_body(), headers=viewer)
    assert response.status_code == 403
    assert "viewer" in response.json["message"]
    assert client.get("/api/v1/agencies").json["meta"]["total"] == 0
    assert client.get("/api/v1/users", headers=make_token("analyst")).status_code == 403


def test_a_refusal_says_who_you_are_in_plain_english(client, make_token, authority):
    message = client.post("/api/v1/agencies", json=agency_body(), headers=make_token("analyst")).json["message"]
    assert "you are an analyst of a business organisation" in message
    message = client.post("/api/v1/agencies", json=agency_body(), headers=make_token("viewer")).json["message"]
    assert "you are a viewer of a business organisation" in message


def test_anonymous_is_refused_private_routes(client, make_agency):
    agency = make_agency()
    for path in ("/api/v1/me", "/api/v1/tokens", "/api/v1/portfolio", f"/api/v1/entities/{agency.id}/notes",
                 "/api/v1/audit-events", "/api/v1/registry/export", f"/api/v1/entities/{agency.id}/relationships"):
        assert client.get(path).status_code == 401, path


def test_private_notes_stay_inside_the_organisation(client, make_token, make_agency):
    agency = make_agency()
    ours, theirs = make_token("analyst"), make_token("analyst")
    note = client.post(f"/api/v1/entities/{agency.id}/notes", json={"body": "Fee receipts seen"}, headers=ours)
    assert note.status_code == 201
    assert client.get(f"/api/v1/notes/{note.json['id']}", headers=ours).json["body"] == "Fee receipts seen"
    hidden = client.get(f"/api/v1/notes/{note.json['id']}", headers=theirs)
    assert hidden.status_code == 404
    assert hidden.json["message"] == f"No note {note.json['id']}."
    assert client.get(f"/api/v1/notes/999999", headers=theirs).json["message"] == "No note 999999."
    assert client.get(f"/api/v1/entities/{agency.id}/notes", headers=theirs).json == []
    assert client.delete(f"/api/v1/notes/{note.json['id']}", headers=theirs).status_code == 404
    assert client.get(f"/api/v1/notes/{note.json['id']}", headers=ours).status_code == 200


def test_portfolio_and_evidence_are_private(client, make_token, make_agency):
    agency = make_agency()
    ours, theirs = make_token("analyst"), make_token("analyst")
    assert client.post("/api/v1/portfolio", json={"entity_id": agency.id, "label": "tier 1"},
                       headers=ours).status_code == 201
    assert client.post("/api/v1/portfolio", json={"entity_id": agency.id}, headers=ours).status_code == 409
    evidence = client.post(f"/api/v1/entities/{agency.id}/evidence", json={
        "title": "Audit report 2026", "kind": "audit_report", "dated": "2026-03-01"}, headers=ours)
    assert evidence.status_code == 201
    assert [e["entity_id"] for e in client.get("/api/v1/portfolio", headers=ours).json] == [agency.id]
    assert client.get("/api/v1/portfolio", headers=theirs).json == []
    assert client.get(f"/api/v1/evidence/{evidence.json['id']}", headers=theirs).status_code == 404


def test_only_a_registrar_of_the_issuing_authority_changes_licence_status(client, make_token, make_org,
                                                                          make_agency):
    licence = make_agency().licences[0]
    change = {"version": 1, "status": "suspended", "status_raw": "Suspended pending inquiry",
              "reason": "complaint 2026/14"}
    assert client.post(f"/api/v1/licences/{licence.id}/status", json=change,
                       headers=make_token("analyst")).status_code == 403
    other_regulator = make_org("government")
    assert client.post(f"/api/v1/licences/{licence.id}/status", json=change,
                       headers=make_token("registrar", organisation=other_regulator)).status_code == 403
    dofe = make_org("government", authority_codes=["NP-DOFE"])
    registrar = make_token("registrar", organisation=dofe)
    response = client.post(f"/api/v1/licences/{licence.id}/status", json=change, headers=registrar)
    assert response.status_code == 200
    assert [h["status"] for h in response.json["history"]] == ["valid", "suspended"]
    assert response.json["history"][1]["reason"] == "complaint 2026/14"
    stale = client.post(f"/api/v1/licences/{licence.id}/status", json={**change, "status": "valid"},
                        headers=registrar)
    assert stale.status_code == 409
    admin = make_token("admin", kind="platform")
    assert client.post(f"/api/v1/licences/{licence.id}/status", json={**change, "version": 2, "status": "revoked"},
                       headers=admin).status_code == 200


def test_audit_log_is_read_by_admins_and_the_organisation_concerned(client, make_token, make_org, make_user,
                                                                   make_agency):
    agency = make_agency()
    business = make_org("business")
    analyst = make_token("analyst", organisation=business)
    client.post(f"/api/v1/entities/{agency.id}/notes", json={"body": "private"}, headers=analyst)
    business_admin = make_token("admin", organisation=business)
    own = client.get("/api/v1/audit-events?object_type=notes", headers=business_admin).json
    assert own["meta"]["total"] == 1 and own["items"][0]["after"]["body"] == "private"
    other_admin = make_token("admin")
    assert client.get("/api/v1/audit-events?object_type=notes", headers=other_admin).json["meta"]["total"] == 0
    platform = make_token("admin", kind="platform")
    assert client.get("/api/v1/audit-events?object_type=notes", headers=platform).json["meta"]["total"] == 1
    assert client.get("/api/v1/audit-events", headers=analyst).status_code == 403


def test_audit_events_never_carry_password_or_token_hashes(client, make_token, session):
    platform = make_token("admin", kind="platform")
    events = client.get("/api/v1/audit-events?per_page=200", headers=platform).json["items"]
    assert events
    text = str(events)
    assert "password_hash" not in text and "token_hash" not in text and "argon2" not in text


def test_org_admin_adds_users_to_their_own_organisation_only(client, make_token, make_org):
    admin = make_token("admin")
    created = client.post("/api/v1/users", json={"email": "new@example.org", "name": "New", "role": "viewer",
                                                 "password": PASSWORD}, headers=admin)
    assert created.status_code == 201
    elsewhere = make_org("business")
    refused = client.post("/api/v1/users", json={"email": "x@example.org", "name": "X", "role": "admin",
                                                 "password": PASSWORD, "organisation_id": elsewhere.id},
                          headers=admin)
    assert refused.status_code == 403
    short = client.post("/api/v1/users", json={"email": "y@example.org", "name": "Y", "role": "viewer",
                                               "password": "short"}, headers=admin)
    assert short.status_code == 422 and "password" in short.json["errors"]
