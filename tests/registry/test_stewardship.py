"""Stewardship of shared records: who edits a profile, a licence, a certification; withdrawal and restore;
change requests; hits decided within jurisdiction; what anonymous readers see of a licence's history."""
from datetime import date

import pytest

from app.registry.models import Authority
from tests.screening.test_screen_api import RAM, decide, hit_of, load


@pytest.fixture
def philippines(session):
    authority = Authority(code="PH-DMW", name="Department of Migrant Workers", country="PH")
    session.add(authority)
    session.commit()
    return authority


@pytest.fixture
def nepal_registrar(registrar):
    return registrar


@pytest.fixture
def ph_registrar(make_token, make_org, philippines):
    return make_token("registrar", organisation=make_org("government", authority_codes=["PH-DMW"]))


def register(client, headers, name="Himal Shikhar Overseas", country="NP", **extra):
    body = {"legal_name": name, "country": country, "sectors": ["construction"], **extra}
    response = client.post("/api/v1/agencies", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def ph_licence(number="DMW-001", until="2030-01-01"):
    return [{"authority": "PH-DMW", "number": number, "status": "valid", "valid_until": until}]


def test_the_registering_organisation_edits_its_record_and_another_brand_may_not(client, make_token, make_org):
    brand = make_org("business")
    ours, colleague, theirs = make_token("analyst", organisation=brand), make_token("admin", organisation=brand), \
        make_token("analyst")
    agency = register(client, ours)
    assert client.patch(f"/api/v1/agencies/{agency['id']}", json={"version": 1, "website": "https://a.example"},
                        headers=colleague).status_code == 200
    refused = client.patch(f"/api/v1/agencies/{agency['id']}", json={"version": 2, "website": "https://x.example"},
                           headers=theirs)
    assert refused.status_code == 403
    assert f"/entities/{agency['id']}/change-requests" in refused.json["message"]
    assert client.get(f"/api/v1/agencies/{agency['id']}").json["website"] == "https://a.example"


def test_regulators_edit_what_they_license_and_nothing_else(client, make_token, nepal_registrar, ph_registrar):
    admin = make_token("admin", kind="platform")
    manila = register(client, admin, "Manila Star Manpower", "PH", licences=ph_licence())
    kathmandu = register(client, nepal_registrar, "Kathmandu Manpower", licences=[
        {"authority": "NP-DOFE", "number": "12/080", "status": "valid", "valid_until": "2030-01-01"}])
    assert client.patch(f"/api/v1/agencies/{manila['id']}", json={"version": 1, "website": "https://n.example"},
                        headers=nepal_registrar).status_code == 403
    assert client.delete(f"/api/v1/agencies/{manila['id']}", headers=nepal_registrar).status_code == 403
    assert client.patch(f"/api/v1/agencies/{manila['id']}", json={"version": 1, "website": "https://p.example"},
                        headers=ph_registrar).status_code == 200
    assert client.patch(f"/api/v1/agencies/{kathmandu['id']}", json={"version": 1, "website": "https://k.example"},
                        headers=nepal_registrar).status_code == 200


def test_only_the_issuing_authority_changes_any_field_of_a_licence(client, make_token, nepal_registrar,
                                                                   ph_registrar):
    admin = make_token("admin", kind="platform")
    manila = register(client, admin, "Manila Star Manpower", "PH", licences=ph_licence())
    licence = manila["licences"][0]
    moved = client.patch(f"/api/v1/licences/{licence['id']}", json={"version": 1, "valid_until": "2031-01-01"},
                         headers=nepal_registrar)
    assert moved.status_code == 403 and "PH-DMW" in moved.json["message"]
    assert client.post(f"/api/v1/licences/{licence['id']}/status", headers=make_token("analyst"),
                       json={"version": 1, "status": "revoked"}).status_code == 403
    assert client.patch(f"/api/v1/licences/{licence['id']}", json={"version": 1, "valid_until": "2031-01-01"},
                        headers=ph_registrar).json["valid_until"] == "2031-01-01"
    brand = make_token("analyst")
    agency = register(client, brand, "Brand Registered Overseas")
    added = client.post(f"/api/v1/entities/{agency['id']}/licences", headers=brand,
                        json={"authority": "NP-DOFE", "number": "55/080", "status": "valid"})
    assert added.status_code == 403
    with_licence = client.post("/api/v1/agencies", headers=brand, json={
        "legal_name": "Claims A Licence", "country": "NP",
        "licences": [{"authority": "NP-DOFE", "number": "56/080", "status": "valid"}]})
    assert with_licence.status_code == 403
    assert client.get("/api/v1/agencies?q=Claims").json["meta"]["total"] == 0


def test_certification_is_set_by_the_certifying_body_and_the_platform(client, make_token, make_org):
    brand = make_token("analyst")
    agency = register(client, brand)
    assert client.patch(f"/api/v1/agencies/{agency['id']}", headers=brand,
                        json={"version": 1, "certification_status": "certified"}).status_code == 403
    certifier = make_token("auditor", organisation=make_org("certification_body"))
    granted = client.patch(f"/api/v1/agencies/{agency['id']}", headers=certifier,
                           json={"version": 1, "certification_status": "certified"})
    assert granted.status_code == 200 and granted.json["certification_status"] == "certified"
    rival = make_token("auditor", organisation=make_org("certification_body"))
    assert client.patch(f"/api/v1/agencies/{agency['id']}", headers=rival,
                        json={"version": 2, "certification_status": "withdrawn"}).status_code == 403
    assert client.patch(f"/api/v1/agencies/{agency['id']}", headers=certifier,
                        json={"version": 2, "website": "https://c.example"}).status_code == 403
    platform = make_token("analyst", kind="platform")
    assert client.patch(f"/api/v1/agencies/{agency['id']}", headers=platform,
                        json={"version": 2, "certification_status": "suspended"}).status_code == 200


def test_withdrawal_hides_the_record_keeps_its_history_and_the_platform_restores_it(client, make_token,
                                                                                   nepal_registrar, session):
    agency = register(client, nepal_registrar, licences=[
        {"authority": "NP-DOFE", "number": "9/080", "status": "valid", "valid_until": "2030-01-01"}])
    assert client.delete(f"/api/v1/agencies/{agency['id']}", headers=make_token("analyst")).status_code == 403
    withdrawn = client.delete(f"/api/v1/agencies/{agency['id']}?version=1&reason=duplicate%20of%2012",
                              headers=nepal_registrar)
    assert withdrawn.status_code == 204
    assert client.get(f"/api/v1/agencies/{agency['id']}").status_code == 404
    assert client.get("/api/v1/agencies?q=Himal").json["meta"]["total"] == 0
    assert client.get(f"/api/v1/licences/{agency['licences'][0]['id']}").status_code == 404
    assert client.post(f"/api/v1/entities/{agency['id']}/restore", headers=nepal_registrar).status_code == 403
    admin = make_token("admin", kind="platform")
    events = client.get(f"/api/v1/audit-events?object_type=entities&object_id={agency['id']}", headers=admin).json
    assert events["items"][0]["after"]["withdrawn_reason"] == "duplicate of 12"
    restored = client.post(f"/api/v1/entities/{agency['id']}/restore", headers=admin)
    assert restored.status_code == 200 and restored.json["legal_name"] == "Himal Shikhar Overseas"
    assert client.get("/api/v1/agencies?q=Himal").json["meta"]["total"] == 1
    assert client.post(f"/api/v1/entities/{agency['id']}/restore", headers=admin).status_code == 409


def test_a_proposed_correction_is_accepted_by_a_steward_and_the_proposer_sees_it(client, make_token, make_org):
    brand = make_org("business")
    registrant, viewer = make_token("analyst", organisation=brand), make_token("viewer", organisation=brand)
    agency = register(client, registrant)
    proposer_org = make_org("certification_body")
    proposer = make_token("auditor", organisation=proposer_org)
    proposed = client.post(f"/api/v1/entities/{agency['id']}/change-requests", headers=proposer, json={
        "fields": {"website": "https://himal.example", "aliases": [{"name": "HSO", "kind": "trading"}]},
        "reason": "Seen on the licence certificate during the audit"})
    assert proposed.status_code == 201, proposed.json
    change = proposed.json
    assert change["state"] == "open" and change["entity_version"] == 1
    outsider = make_token("analyst")
    assert client.get(f"/api/v1/change-requests/{change['id']}", headers=outsider).status_code == 404
    assert client.post(f"/api/v1/change-requests/{change['id']}/decision", headers=outsider,
                       json={"decision": "accepted", "version": 1}).status_code == 404
    queue = client.get("/api/v1/change-requests?state=open", headers=registrant).json
    assert [c["id"] for c in queue["items"]] == [change["id"]]
    # A viewer of the registering organisation is no steward: the queue and the request are not theirs.
    assert client.get("/api/v1/change-requests", headers=viewer).json["meta"]["total"] == 0
    assert client.get(f"/api/v1/change-requests/{change['id']}", headers=viewer).status_code == 404
    assert client.post(f"/api/v1/change-requests/{change['id']}/decision", headers=registrant,
                       json={"decision": "accepted", "version": 7}).status_code == 409
    accepted = client.post(f"/api/v1/change-requests/{change['id']}/decision", headers=registrant,
                           json={"decision": "accepted", "version": 1})
    assert accepted.status_code == 200 and accepted.json["state"] == "accepted"
    record = client.get(f"/api/v1/agencies/{agency['id']}", headers=registrant).json
    assert record["website"] == "https://himal.example" and record["version"] == 2
    assert [a["name"] for a in record["aliases"]] == ["HSO"]
    seen = client.get(f"/api/v1/change-requests/{change['id']}", headers=proposer).json
    assert seen["state"] == "accepted" and seen["decided_at"]
    assert client.post(f"/api/v1/change-requests/{change['id']}/decision", headers=registrant,
                       json={"decision": "rejected", "reason": "late"}).status_code == 409


def test_a_rejection_needs_a_reason_and_bad_proposals_are_refused(client, make_token, make_org):
    registrant = make_token("analyst", organisation=make_org("business"))
    agency = register(client, registrant)
    proposer = make_token("analyst")
    bad = client.post(f"/api/v1/entities/{agency['id']}/change-requests", headers=proposer,
                      json={"fields": {"country": "XX", "certification_status": "certified"}, "reason": "x"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"country", "certification_status"}
    assert client.post(f"/api/v1/entities/{agency['id']}/change-requests", headers=make_token("viewer"),
                       json={"fields": {"website": "https://v.example"}, "reason": "x"}).status_code == 403
    change = client.post(f"/api/v1/entities/{agency['id']}/change-requests", headers=proposer,
                         json={"fields": {"website": "https://wrong.example"}, "reason": "Their new site"}).json
    unexplained = client.post(f"/api/v1/change-requests/{change['id']}/decision", headers=registrant,
                              json={"decision": "rejected"})
    assert unexplained.status_code == 422 and "reason" in unexplained.json["errors"]
    rejected = client.post(f"/api/v1/change-requests/{change['id']}/decision", headers=registrant,
                           json={"decision": "rejected", "reason": "That site belongs to another agency"})
    assert rejected.json["state"] == "rejected"
    seen = client.get("/api/v1/change-requests?state=rejected", headers=proposer).json["items"]
    assert seen[0]["decision_reason"] == "That site belongs to another agency"
    assert client.get(f"/api/v1/agencies/{agency['id']}").json["website"] is None


def test_the_change_request_queue_from_the_command_line(client, runner, make_token, make_org):
    agency = register(client, make_token("analyst", organisation=make_org("business")))
    proposer = make_token("analyst")
    for website in ("https://one.example", "https://two.example"):
        client.post(f"/api/v1/entities/{agency['id']}/change-requests", headers=proposer,
                    json={"fields": {"website": website}, "reason": "seen on their letterhead"})
    listed = runner.invoke(args=["change-requests", "list"])
    assert listed.exit_code == 0 and listed.output.count("seen on their letterhead") == 2
    first, second = [int(line.split("\t")[0]) for line in listed.output.splitlines() if "\t" in line]
    assert runner.invoke(args=["change-requests", "decide", str(first), "accept"]).exit_code == 0
    refused = runner.invoke(args=["change-requests", "decide", str(second), "reject"])
    assert refused.exit_code == 1 and "reason" in refused.output
    assert runner.invoke(args=["change-requests", "decide", str(second), "reject", "--reason",
                               "superseded"]).exit_code == 0
    assert client.get(f"/api/v1/agencies/{agency['id']}").json["website"] == "https://one.example"
    assert "0 open" in runner.invoke(args=["change-requests", "list"]).output


def test_regulators_decide_hits_only_on_agencies_they_license(client, session, make_token, make_agency,
                                                              nepal_registrar, ph_registrar):
    nepali = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.", people=[RAM])
    # Registered in Nepal but licensed only in the Philippines: outside the Nepal registrar's jurisdiction.
    manila = make_agency(legal_name="Gulf Dream Overseas", licences=ph_licence(until=date(2030, 1, 1)))
    load(session, "np-banned", "hits/banned_v1.csv")
    platform = make_token("analyst", kind="platform")
    outside = hit_of(client, platform, manila.id, "B-1")
    inside = hit_of(client, platform, nepali.id, "B-1")
    refused = decide(client, nepal_registrar, outside, state="confirmed")
    assert refused.status_code == 403 and "license the entity" in refused.json["message"]
    assert decide(client, nepal_registrar, inside, state="confirmed").status_code == 200
    many = client.post("/api/v1/hits/decisions", headers=ph_registrar, json={"decisions": [
        {"id": outside["id"], "version": outside["version"], "state": "escalated"},
        {"id": inside["id"], "version": inside["version"] + 1, "state": "open"}]})
    assert many.status_code == 403 and str(inside["id"]) in many.json["message"]
    assert client.get(f"/api/v1/hits/{outside['id']}", headers=platform).json["state"] == "open"


def test_followers_see_a_possible_match_under_review_and_confirmed_hits(client, session, make_token, make_agency):
    agency = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.", people=[RAM])
    load(session, "np-banned", "hits/banned_v1.csv")
    brand = make_token("analyst")
    assert client.get(f"/api/v1/entities/{agency.id}/hits", headers=brand).status_code == 404
    client.post("/api/v1/portfolio", json={"entity_id": agency.id}, headers=brand)
    seen = client.get(f"/api/v1/entities/{agency.id}/hits", headers=brand).json
    assert seen and {h["status"] for h in seen} == {"possible match under review"}
    assert all("explanation" not in h and "note" not in h for h in seen)
    platform = make_token("analyst", kind="platform")
    hit = hit_of(client, platform, agency.id, "B-1")
    decide(client, platform, hit, state="confirmed")
    statuses = {h["name"]: h["status"] for h in client.get(f"/api/v1/entities/{agency.id}/hits", headers=brand).json}
    assert statuses[hit["entry"]["name"]] == "confirmed"
    decide(client, platform, {**hit, "version": hit["version"] + 1}, state="dismissed", reason="different_entity")
    names = [h["name"] for h in client.get(f"/api/v1/entities/{agency.id}/hits", headers=brand).json]
    assert hit["entry"]["name"] not in names


def test_anonymous_readers_see_no_users_and_only_public_reasons_in_licence_history(client, nepal_registrar):
    agency = register(client, nepal_registrar, licences=[
        {"authority": "NP-DOFE", "number": "8/080", "status": "valid", "valid_until": "2030-01-01"}])
    licence = agency["licences"][0]
    client.post(f"/api/v1/licences/{licence['id']}/status", headers=nepal_registrar,
                json={"version": 1, "status": "suspended", "reason": "complaint 2026/14 by a named worker"})
    client.post(f"/api/v1/licences/{licence['id']}/status", headers=nepal_registrar,
                json={"version": 2, "status": "revoked", "reason": "Revoked by order 2026/3", "reason_public": True})
    public = client.get(f"/api/v1/licences/{licence['id']}").json["history"]
    assert [h["reason"] for h in public] == [None, None, "Revoked by order 2026/3"]
    assert all("recorded_by_user_id" not in h for h in public)
    signed_in = client.get(f"/api/v1/licences/{licence['id']}", headers=nepal_registrar).json["history"]
    assert signed_in[1]["reason"] == "complaint 2026/14 by a named worker"
    assert signed_in[1]["recorded_by_user_id"] is not None


def test_a_finding_is_closed_by_the_organisation_that_recorded_it(client, make_token, make_org, make_agency):
    agency = make_agency()
    certifier = make_token("auditor", organisation=make_org("certification_body"))
    finding = client.post(f"/api/v1/entities/{agency.id}/findings", headers=certifier, json={
        "principle": "D", "grade": "major", "description": "Passports in the office safe", "found_on": "2026-11-02"})
    assert finding.status_code == 201, finding.json
    closing = {"version": finding.json["version"], "status": "closed", "closed_on": "2026-11-20"}
    refused = client.patch(f"/api/v1/findings/{finding.json['id']}", headers=make_token("analyst"), json=closing)
    assert refused.status_code == 403
    closed = client.patch(f"/api/v1/findings/{finding.json['id']}", headers=certifier, json=closing)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
