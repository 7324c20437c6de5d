"""Audits in the score: reported findings count, overdue corrective actions are a fact and fail a default rule."""
from datetime import date

from app.registry import expiry
from app.scoring import facts
from tests.audits.helpers import FINDING, audit_in_fieldwork, reported_audit_with_action, step

# The action in the helpers is due on 2026-03-01.
BEFORE, DUE, AFTER = date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 11)


def headers_of(make_token, make_org):
    return make_token("auditor", organisation=make_org("certification_body"))


def test_an_open_action_is_overdue_from_the_day_after_its_deadline(client, session, make_token, make_org,
                                                                   make_agency):
    auditor, agency = headers_of(make_token, make_org), make_agency()
    reported_audit_with_action(client, auditor, agency.id)
    assert facts.assemble(session, agency.id, today=BEFORE)[0]["overdue_corrective_actions"] == []
    assert facts.assemble(session, agency.id, today=DUE)[0]["overdue_corrective_actions"] == []
    late = [{"principle": "D", "grade": "major", "days_overdue": 10}]
    assert facts.assemble(session, agency.id, today=AFTER)[0]["overdue_corrective_actions"] == late
    other = make_agency()
    batch = facts.assemble_many(session, [agency.id, other.id], today=AFTER)
    assert batch[agency.id][0]["overdue_corrective_actions"] == late
    assert "overdue_corrective_actions" not in batch[other.id][0]


def test_reporting_on_a_fixed_day_scores_the_overdue_action_as_a_failed_rule(client, make_token, make_org,
                                                                             make_agency, monkeypatch):
    auditor, agency = headers_of(make_token, make_org), make_agency()
    monkeypatch.setattr(expiry, "today", lambda: AFTER)
    _, _, action = reported_audit_with_action(client, auditor, agency.id)
    assert action["overdue"] is True
    score = client.get(f"/api/v1/entities/{agency.id}/score", headers=auditor).json
    late = next(o for o in score["outcomes"] if o["rule_id"] == "G-CORRECTIVE-ACTIONS-ON-TIME")
    assert (late["outcome"], late["severity"], late["principle"]) == ("fail", "major", "G")
    assert late["message"] == "1 corrective action(s) of audit findings are past their deadline."
    assert score["total"] < 100

    monkeypatch.setattr(expiry, "today", lambda: BEFORE)
    client.post(f"/api/v1/entities/{agency.id}/score", headers=make_token("admin", kind="platform"))
    on_time = client.get(f"/api/v1/entities/{agency.id}/score", headers=auditor).json
    assert next(o for o in on_time["outcomes"] if o["rule_id"] == "G-CORRECTIVE-ACTIONS-ON-TIME")["outcome"] == "pass"
    assert on_time["total"] > score["total"]


def test_a_clean_reported_audit_is_evidence_of_no_findings_and_a_draft_is_not(client, session, make_token, make_org,
                                                                              make_agency):
    auditor, agency = headers_of(make_token, make_org), make_agency()
    draft = audit_in_fieldwork(client, auditor, agency.id)
    client.post(f"/api/v1/audits/{draft['id']}/findings", headers=auditor, json=FINDING)
    assert "findings" not in facts.assemble(session, agency.id)[0]
    assert client.get(f"/api/v1/entities/{agency.id}/findings", headers=auditor).json == []
    step(client, auditor, draft, "reported", on="2026-01-15")
    assert [f["audit_id"] for f in client.get(f"/api/v1/entities/{agency.id}/findings", headers=auditor).json] == [
        draft["id"]]
    assert len(facts.assemble(session, agency.id)[0]["findings"]) == 1

    clean = make_agency()
    audit = audit_in_fieldwork(client, auditor, clean.id, reference="FH-CLEAN")
    assert "findings" not in facts.assemble(session, clean.id)[0]
    step(client, auditor, audit, "reported", on="2026-01-15")
    found = facts.assemble(session, clean.id)[0]
    assert found["findings"] == [] and found["overdue_corrective_actions"] == []


def test_findings_without_an_audit_still_count_as_before(client, session, make_token, make_agency):
    analyst, agency = make_token("analyst"), make_agency()
    assert client.post(f"/api/v1/entities/{agency.id}/findings", headers=analyst, json=FINDING).status_code == 201
    assert facts.assemble(session, agency.id)[0]["findings"] == [{"principle": "D", "grade": "major",
                                                                  "status": "open"}]
    assert client.get(f"/api/v1/entities/{agency.id}/findings", headers=analyst).json[0]["audit_id"] is None
