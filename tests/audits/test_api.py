"""Audits through the API: their states, findings and corrective actions, versions, bad input, and the score."""
import pytest

from app.scoring.models import Score
from tests.audits.helpers import ACTION, FINDING, PLAN, audit_in_fieldwork, reported_audit_with_action, step
from tests.conftest import count


@pytest.fixture
def certifier(make_org):
    return make_org("certification_body")


@pytest.fixture
def auditor(make_token, certifier):
    return make_token("auditor", organisation=certifier)


@pytest.fixture
def agency(make_agency):
    return make_agency()


def rule(client, headers, entity_id, rule_id):
    score = client.get(f"/api/v1/entities/{entity_id}/score", headers=headers).json
    return next(o for o in score["outcomes"] if o["rule_id"] == rule_id)


def test_an_audit_goes_from_plan_to_close_and_its_report_rescores_the_entity(client, session, auditor, certifier,
                                                                             agency):
    created = client.post(f"/api/v1/entities/{agency.id}/audits", headers=auditor, json=PLAN)
    assert created.status_code == 201, created.json
    audit = created.json
    assert (audit["state"], audit["scope"], audit["organisation_id"]) == ("planned", ["C", "D", "G"], certifier.id)
    assert audit["organisation_name"] == certifier.name and audit["worker_interviews"] == 24

    started = step(client, auditor, audit, "fieldwork", on="2026-01-12")
    assert started.status_code == 200, started.json
    audit = started.json
    assert (audit["state"], audit["fieldwork_started_on"]) == ("fieldwork", "2026-01-12")
    finding = client.post(f"/api/v1/audits/{audit['id']}/findings", headers=auditor, json=FINDING)
    assert finding.status_code == 201, finding.json
    finding = finding.json
    assert finding["audit_id"] == audit["id"] and finding["entity_id"] == agency.id
    assert finding["recorded_by_organisation_id"] == certifier.id and finding["corrective_actions"] == []
    # Fieldwork findings are the auditor's draft: not evidence yet.
    assert rule(client, auditor, agency.id, "B-OPEN-MAJOR-FINDINGS")["outcome"] == "unknown"
    action = client.post(f"/api/v1/findings/{finding['id']}/corrective-actions", headers=auditor, json=ACTION).json
    assert (action["state"], action["overdue"], action["deadline"]) == ("open", True, "2026-03-01")

    scores = count(session, Score)
    reported = step(client, auditor, audit, "reported", on="2026-01-20", fieldwork_ended_on="2026-01-14").json
    assert (reported["state"], reported["fieldwork_ended_on"], reported["reported_on"]) == (
        "reported", "2026-01-14", "2026-01-20")
    assert count(session, Score) == scores + 1
    open_major = rule(client, auditor, agency.id, "B-OPEN-MAJOR-FINDINGS")
    assert open_major["outcome"] == "fail" and open_major["facts"]["findings"] == [
        {"principle": "D", "grade": "major", "status": "open"}]
    late = rule(client, auditor, agency.id, "G-CORRECTIVE-ACTIONS-ON-TIME")
    assert late["outcome"] == "fail" and late["principle"] == "G"
    assert late["facts"]["overdue_corrective_actions"][0]["principle"] == "D"

    url = f"/api/v1/corrective-actions/{action['id']}"
    done = client.post(f"{url}/completion", headers=auditor, json={
        "version": action["version"], "evidence": "All 14 passports returned; signed log attached",
        "completed_on": "2026-02-20"})
    assert done.status_code == 200, done.json
    assert (done.json["state"], done.json["overdue"], done.json["completed_on"]) == ("completed", False, "2026-02-20")
    assert rule(client, auditor, agency.id, "G-CORRECTIVE-ACTIONS-ON-TIME")["outcome"] == "pass"
    verified = client.post(f"{url}/verification", headers=auditor, json={
        "version": done.json["version"], "outcome": "verified", "on": "2026-02-25", "note": "Log checked on site"})
    assert verified.status_code == 200, verified.json
    assert (verified.json["state"], verified.json["verified_on"]) == ("verified", "2026-02-25")
    findings = client.get(f"/api/v1/audits/{audit['id']}/findings", headers=auditor).json
    assert (findings[0]["status"], findings[0]["closed_on"]) == ("closed", "2026-02-25")
    assert findings[0]["corrective_actions"][0]["verification_note"] == "Log checked on site"
    assert rule(client, auditor, agency.id, "B-OPEN-MAJOR-FINDINGS")["outcome"] == "pass"

    scores = count(session, Score)
    closed = step(client, auditor, reported, "closed", on="2026-03-02")
    assert closed.status_code == 200, closed.json
    assert (closed.json["state"], closed.json["closed_on"]) == ("closed", "2026-03-02")
    assert count(session, Score) == scores + 1
    assert client.get(f"/api/v1/audits/{audit['id']}", headers=auditor).json["state"] == "closed"


def test_an_audit_moves_only_to_its_next_state(client, auditor, agency):
    audit = client.post(f"/api/v1/entities/{agency.id}/audits", headers=auditor, json=PLAN).json
    skipped = step(client, auditor, audit, "reported")
    assert skipped.status_code == 409 and skipped.json["errors"] == {
        "state": ["planned -> reported is not a step audits take"]}
    assert "its next state is fieldwork" in skipped.json["message"]
    assert step(client, auditor, audit, "closed").status_code == 409
    back = step(client, auditor, audit, "planned")
    assert back.status_code == 422 and "state" in back.json["errors"]
    audit = step(client, auditor, audit, "fieldwork", on="2026-01-12").json
    assert step(client, auditor, audit, "fieldwork").status_code == 409
    audit = step(client, auditor, audit, "reported", on="2026-01-20").json
    audit = step(client, auditor, audit, "closed", on="2026-01-21").json
    final = step(client, auditor, audit, "closed")
    assert final.status_code == 409 and "a closed audit is final" in final.json["message"]
    patched = client.patch(f"/api/v1/audits/{audit['id']}", headers=auditor,
                           json={"version": audit["version"], "summary": "Later thoughts"})
    assert patched.status_code == 409


def test_state_days_must_follow_each_other_and_not_lie_ahead(client, auditor, agency):
    audit = client.post(f"/api/v1/entities/{agency.id}/audits", headers=auditor, json=PLAN).json
    ahead = step(client, auditor, audit, "fieldwork", on="2999-01-01")
    assert ahead.status_code == 422 and list(ahead.json["errors"]) == ["on"]
    early_end = step(client, auditor, audit, "fieldwork", on="2026-01-12", fieldwork_ended_on="2026-01-13")
    assert early_end.status_code == 422 and list(early_end.json["errors"]) == ["fieldwork_ended_on"]
    audit = step(client, auditor, audit, "fieldwork", on="2026-01-12").json
    before = step(client, auditor, audit, "reported", on="2026-01-10")
    assert before.status_code == 422 and list(before.json["errors"]) == ["on"]
    after_report = step(client, auditor, audit, "reported", on="2026-01-20", fieldwork_ended_on="2026-01-25")
    assert after_report.status_code == 422 and list(after_report.json["errors"]) == ["fieldwork_ended_on"]
    audit = step(client, auditor, audit, "reported", on="2026-01-20").json
    assert audit["fieldwork_ended_on"] == "2026-01-20"
    early_close = step(client, auditor, audit, "closed", on="2026-01-19")
    assert early_close.status_code == 422 and list(early_close.json["errors"]) == ["on"]


def test_a_stale_version_is_409_everywhere(client, auditor, agency):
    audit, finding, action = reported_audit_with_action(client, auditor, agency.id)
    patched = client.patch(f"/api/v1/audits/{audit['id']}", headers=auditor,
                           json={"version": audit["version"], "lead_auditor": "Omar Haddad"})
    assert patched.status_code == 200 and patched.json["version"] == audit["version"] + 1
    stale = client.patch(f"/api/v1/audits/{audit['id']}", headers=auditor,
                         json={"version": audit["version"], "summary": "Overwrites the auditor's change"})
    assert stale.status_code == 409 and stale.json["errors"] == {"version": ["stale"]}
    assert step(client, auditor, audit, "closed").status_code == 409
    url = f"/api/v1/corrective-actions/{action['id']}"
    replanned = client.patch(url, headers=auditor, json={"version": action["version"], "deadline": "2026-04-01"})
    assert replanned.status_code == 200 and replanned.json["deadline"] == "2026-04-01"
    for path, body in ((url, {"deadline": "2026-05-01"}),
                       (f"{url}/completion", {"evidence": "Returned"}),
                       (f"{url}/verification", {"outcome": "verified"})):
        method = client.patch if path == url else client.post
        answer = method(path, headers=auditor, json={"version": action["version"], **body})
        assert answer.status_code == 409, (path, answer.json)
    assert client.get(url, headers=auditor).json["deadline"] == "2026-04-01"


def test_rejected_evidence_reopens_the_action_and_closing_waits_for_verification(client, auditor, agency):
    audit, finding, action = reported_audit_with_action(client, auditor, agency.id, deadline="2026-02-01")
    url = f"/api/v1/corrective-actions/{action['id']}"
    refused = client.post(f"{url}/verification", headers=auditor, json={"version": action["version"],
                                                                       "outcome": "verified"})
    assert refused.status_code == 409 and "only completed actions" in refused.json["message"]
    done = client.post(f"{url}/completion", headers=auditor, json={
        "version": action["version"], "evidence": "Passports returned", "completed_on": "2026-01-30"}).json
    waiting = step(client, auditor, audit, "closed")
    assert waiting.status_code == 409 and waiting.json["errors"] == {
        "state": [f"corrective action {action['id']} is not verified"]}
    no_note = client.post(f"{url}/verification", headers=auditor, json={"version": done["version"],
                                                                       "outcome": "rejected"})
    assert no_note.status_code == 422 and list(no_note.json["errors"]) == ["note"]
    rejected = client.post(f"{url}/verification", headers=auditor, json={
        "version": done["version"], "outcome": "rejected", "note": "No signed log", "on": "2026-02-03"}).json
    assert (rejected["state"], rejected["rejected_on"], rejected["rejection_note"]) == ("open", "2026-02-03",
                                                                                       "No signed log")
    assert rejected["overdue"] is True
    assert rule(client, auditor, agency.id, "G-CORRECTIVE-ACTIONS-ON-TIME")["outcome"] == "fail"
    early = client.post(f"{url}/completion", headers=auditor, json={
        "version": rejected["version"], "evidence": "Signed log", "completed_on": "2026-01-01"})
    assert early.status_code == 422 and list(early.json["errors"]) == ["completed_on"]


def test_findings_are_recorded_during_fieldwork_within_scope(client, auditor, agency):
    planned = client.post(f"/api/v1/entities/{agency.id}/audits", headers=auditor, json=PLAN).json
    early = client.post(f"/api/v1/audits/{planned['id']}/findings", headers=auditor, json=FINDING)
    assert early.status_code == 409
    audit = audit_in_fieldwork(client, auditor, agency.id, reference="FH-2026-002")
    url = f"/api/v1/audits/{audit['id']}/findings"
    outside = client.post(url, headers=auditor, json={**FINDING, "principle": "E"})
    assert outside.status_code == 422 and outside.json["errors"] == {"principle": ["not in scope C, D, G"]}
    before = client.post(url, headers=auditor, json={**FINDING, "found_on": "2026-01-11"})
    assert before.status_code == 422 and list(before.json["errors"]) == ["found_on"]
    bad = client.post(url, headers=auditor, json={**FINDING, "principle": "Z", "grade": "huge", "description": ""})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"principle", "grade", "description"}
    client.post(url, headers=auditor, json=FINDING)
    narrowed = client.patch(f"/api/v1/audits/{audit['id']}", headers=auditor,
                            json={"version": audit["version"], "scope": ["C"]})
    assert narrowed.status_code == 422 and list(narrowed.json["errors"]) == ["scope"]


def test_bad_audits_and_actions_are_refused_naming_the_field(client, auditor, agency, make_org):
    url = f"/api/v1/entities/{agency.id}/audits"
    bad = client.post(url, headers=auditor, json={**PLAN, "scope": [], "kind": "surprise", "worker_interviews": -1,
                                                  "planned_on": "soon"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"scope", "kind", "worker_interviews", "planned_on"}
    assert client.post(url, headers=auditor, json={**PLAN, "scope": ["H"]}).json["errors"] == {
        "scope[0]": ["Must be one of: A, B, C, D, E, F, G; got 'H'."]}
    assert client.post(url, headers=auditor, json=PLAN).status_code == 201
    again = client.post(url, headers=auditor, json=PLAN)
    assert again.status_code == 409 and list(again.json["errors"]) == ["reference"]
    elsewhere = client.post(url, headers=auditor, json={**PLAN, "organisation_id": make_org("certification_body").id})
    assert elsewhere.status_code == 403
    assert client.post("/api/v1/entities/999999/audits", headers=auditor, json=PLAN).status_code == 404

    _, finding, _ = reported_audit_with_action(client, auditor, agency.id, plan={"reference": "FH-2026-009"})
    actions = f"/api/v1/findings/{finding['id']}/corrective-actions"
    ownerless = client.post(actions, headers=auditor, json={**ACTION, "owner": None})
    assert ownerless.status_code == 422 and list(ownerless.json["errors"]) == ["owner"]
    nobody = client.post(actions, headers=auditor, json={**ACTION, "owner": None, "owner_entity_id": 999999})
    assert nobody.status_code == 422 and list(nobody.json["errors"]) == ["owner_entity_id"]
    early = client.post(actions, headers=auditor, json={**ACTION, "deadline": "2026-01-01"})
    assert early.status_code == 422 and list(early.json["errors"]) == ["deadline"]
    owned = client.post(actions, headers=auditor, json={**ACTION, "owner": None, "owner_entity_id": agency.id})
    assert owned.status_code == 201 and owned.json["owner_entity_id"] == agency.id


def test_a_platform_admin_records_an_audit_for_a_certification_body(client, make_token, certifier, agency,
                                                                     make_org):
    admin = make_token("admin", kind="platform")
    audit = client.post(f"/api/v1/entities/{agency.id}/audits", headers=admin,
                        json={**PLAN, "organisation_id": certifier.id})
    assert audit.status_code == 201 and audit.json["organisation_id"] == certifier.id
    government = client.post(f"/api/v1/entities/{agency.id}/audits", headers=admin,
                             json={**PLAN, "organisation_id": make_org("government").id})
    assert government.status_code == 422 and list(government.json["errors"]) == ["organisation_id"]


def test_a_finding_outside_any_audit_gets_actions_from_the_organisation_that_recorded_it(client, make_token,
                                                                                         make_org, agency):
    brand = make_org("business")
    auditor, analyst = make_token("auditor", organisation=brand), make_token("analyst", organisation=brand)
    finding = client.post(f"/api/v1/entities/{agency.id}/findings", headers=analyst, json=FINDING).json
    assert finding["audit_id"] is None
    url = f"/api/v1/findings/{finding['id']}/corrective-actions"
    assert client.post(url, headers=analyst, json=ACTION).status_code == 403
    action = client.post(url, headers=auditor, json=ACTION).json
    done = client.post(f"/api/v1/corrective-actions/{action['id']}/completion", headers=analyst, json={
        "version": action["version"], "evidence": "Passports returned"})
    assert done.status_code == 200 and done.json["completed_by_user_id"]
    other = make_token("auditor", kind="business")
    assert client.get(url, headers=other).status_code == 404
    assert client.get(url, headers=analyst).json[0]["state"] == "completed"


def test_findings_the_operator_recorded_are_followed_up_by_the_platform(client, session, make_token, agency):
    from datetime import date
    from app.scoring.models import AuditFinding
    finding = AuditFinding(entity_id=agency.id, source="audit", principle="C", grade="minor",
                           description="Receipts missing", found_on=date(2026, 1, 5))
    session.add(finding)
    session.commit()
    admin, analyst = make_token("admin", kind="platform"), make_token("analyst", kind="platform")
    url = f"/api/v1/findings/{finding.id}/corrective-actions"
    assert client.post(url, headers=make_token("auditor", kind="certification_body"), json=ACTION).status_code == 404
    action = client.post(url, headers=admin, json=ACTION).json
    done = client.post(f"/api/v1/corrective-actions/{action['id']}/completion", headers=analyst,
                       json={"version": action["version"], "evidence": "Receipt book"}).json
    verified = client.post(f"/api/v1/corrective-actions/{action['id']}/verification", headers=admin,
                           json={"version": done["version"], "outcome": "verified"})
    assert verified.status_code == 200
    session.expire_all()
    assert session.get(AuditFinding, finding.id).status == "closed"
