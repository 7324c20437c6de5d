"""Evidence in, scores out: re-scoring on evidence, history, differences, what-if, and bad evidence."""
import pytest

from app.scoring import activation
from app.scoring.models import FeeLine, Score
from tests.conftest import count
from tests.registry.test_api import agency_body

FEE = {"source": "worker_interviews", "category": "recruitment_fee", "amount": 1200, "currency": "usd",
       "paid_by": "worker", "stage": "before_departure", "repaid": False, "observed_on": "2026-10-01"}
CLEAN_PRACTICES = {"source": "audit", "assessed_on": "2026-11-01", "fee_survey_done": True,
                   "written_contract": True, "contract_in_worker_language": True,
                   "contract_days_before_departure": 14, "contract_substitution_found": False,
                   "documents_retained": False, "grievance_mechanism": True, "grievance_channels": 2,
                   "data_protection_policy": True, "minimum_age_checked": True, "uses_subagents": False,
                   "deposits_demanded": False}


@pytest.fixture
def headers(make_token, authority):
    return make_token("admin", kind="platform")


@pytest.fixture
def agency(client, headers):
    return client.post("/api/v1/agencies", json=agency_body(), headers=headers).json


def test_a_fee_amount_is_a_json_number_and_an_open_finding_has_no_closing_date(client, headers, agency):
    url = f"/api/v1/entities/{agency['id']}"
    fee = client.post(f"{url}/fee-lines", json={**FEE, "amount": 1200.5}, headers=headers)
    assert fee.status_code == 201 and fee.json["amount"] == 1200.5
    assert client.get(f"{url}/fee-lines", headers=headers).json[0]["amount"] == 1200.5
    finding = client.post(f"{url}/findings", headers=headers, json={
        "principle": "D", "grade": "major", "description": "Passports kept", "found_on": "2026-11-02"})
    assert finding.status_code == 201 and finding.json["closed_on"] is None


def test_evidence_rescores_and_the_score_explains_itself(client, headers, agency):
    url = f"/api/v1/entities/{agency['id']}"
    practices = client.post(f"{url}/practices", json=CLEAN_PRACTICES, headers=headers)
    assert practices.status_code == 201, practices.json
    clean = client.get(f"{url}/score", headers=headers).json
    assert clean["tier"] == "low" and clean["ruleset_id"] == "default" and len(clean["ruleset_hash"]) == 64
    watchlist = next(o for o in clean["outcomes"] if o["rule_id"] == "A-WATCHLIST")
    assert watchlist["outcome"] == "unknown" and watchlist["message"] == "Not screened against the watchlists yet."

    fee = client.post(f"{url}/fee-lines", json=FEE, headers=headers)
    assert fee.status_code == 201 and fee.json["currency"] == "USD"
    scored = client.get(f"{url}/score", headers=headers).json
    assert scored["tier"] == "critical" and scored["reason"] == "fee_lines added"
    fee_rule = next(o for o in scored["outcomes"] if o["rule_id"] == "C-NO-RECRUITMENT-FEE")
    assert fee_rule["outcome"] == "fail" and fee_rule["principle"] == "C"
    assert fee_rule["facts"]["fee_lines"][0]["amount"] == 1200.0 and fee_rule["remediation"]

    # A new process has loaded no rule set yet: the stored verdicts are explained from the rules again.
    activation.LOADED.clear(), activation.TRIED.clear()
    again = client.get(f"{url}/score", headers=headers).json
    assert again["outcomes"] == scored["outcomes"]

    history = client.get(f"{url}/scores", headers=headers).json
    assert [(s["tier"], s["reason"]) for s in history["items"]] == [
        ("critical", "fee_lines added"), ("low", "practice_assessments added"), ("high", "registry facts changed")]
    diff = client.get(f"{url}/scores/diff", headers=headers).json
    assert diff["tier"] == ["low", "critical"]
    assert [(r["rule_id"], r["from"], r["to"]) for r in diff["rules"]] == [("C-NO-RECRUITMENT-FEE", "pass", "fail")]


def test_closing_a_finding_rescores_and_a_stale_version_is_409(client, headers, agency):
    url = f"/api/v1/entities/{agency['id']}"
    client.post(f"{url}/practices", json=CLEAN_PRACTICES, headers=headers)
    finding = client.post(f"{url}/findings", headers=headers, json={
        "principle": "D", "grade": "major", "description": "Passports kept in the office safe", "found_on": "2026-11-02"}).json
    def findings_rule():
        score = client.get(f"{url}/score", headers=headers).json
        return next(o["outcome"] for o in score["outcomes"] if o["rule_id"] == "B-OPEN-MAJOR-FINDINGS"), score["total"]
    assert findings_rule()[0] == "fail" and findings_rule()[1] < 100
    closed = client.patch(f"/api/v1/findings/{finding['id']}", headers=headers,
                          json={"version": finding["version"], "status": "closed", "closed_on": "2026-11-20"})
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert findings_rule() == ("pass", 100.0)
    stale = client.patch(f"/api/v1/findings/{finding['id']}", headers=headers,
                         json={"version": finding["version"], "status": "open"})
    assert stale.status_code == 409


def test_bad_evidence_is_refused_with_field_paths_and_nothing_is_written(client, headers, agency, session):
    url = f"/api/v1/entities/{agency['id']}/fee-lines"
    scores = count(session, Score)
    bad = client.post(url, headers=headers, json={**FEE, "amount": -5, "currency": "XYZ", "category": "visa"})
    assert bad.status_code == 422
    errors = bad.json["errors"]
    assert "0 or more" in errors["amount"][0] and "'XYZ' is not an ISO 4217" in errors["currency"][0]
    assert "recruitment_fee" in errors["category"][0] and "administrative" in errors["category"][0]
    practices = client.post(f"/api/v1/entities/{agency['id']}/practices", headers=headers,
                            json={**CLEAN_PRACTICES, "grievance_channels": -1, "written_contract": "maybe"})
    assert set(practices.json["errors"]) == {"grievance_channels", "written_contract"}
    assert count(session, FeeLine) == 0 and count(session, Score) == scores


def test_what_if_scores_without_saving_and_names_unknown_facts(client, headers, session):
    scores = count(session, Score)
    result = client.post("/api/v1/score/what-if", headers=headers, json={
        "kind": "agency", "country": "NP", "facts": {"licence_status": "valid", "documents_retained": True}})
    assert result.status_code == 200 and result.json["tier"] == "critical" and count(session, Score) == scores
    bad = client.post("/api/v1/score/what-if", headers=headers, json={
        "country": "NP", "facts": {"document_retained": True, "licence_status": "vaild", "grievance_channels": "2"}})
    assert bad.status_code == 422
    assert "did you mean documents_retained" in bad.json["errors"]["facts.document_retained"][0]
    assert "must be one of" in bad.json["errors"]["facts.licence_status"][0]
    assert bad.json["errors"]["facts.grievance_channels"] == ["must be int"]


def test_scores_need_a_sign_in_and_evidence_a_writer(client, agency, make_token):
    assert client.get(f"/api/v1/entities/{agency['id']}/score").status_code == 401
    viewer = make_token("viewer")
    assert client.post(f"/api/v1/entities/{agency['id']}/fee-lines", json=FEE, headers=viewer).status_code == 403
    first = client.get(f"/api/v1/entities/{agency['id']}/score", headers=viewer)
    assert first.status_code == 200 and first.json["reason"] == "registry facts changed"


def test_a_licence_suspension_rescores_the_agency(client, agency, make_token):
    admin = make_token("admin", kind="platform")
    client.post(f"/api/v1/entities/{agency['id']}/practices", json=CLEAN_PRACTICES, headers=admin)
    licence = agency["licences"][0]
    changed = client.post(f"/api/v1/licences/{licence['id']}/status", headers=admin,
                          json={"version": licence["version"], "status": "suspended", "reason": "complaint 2026/14"})
    assert changed.status_code == 200
    score = client.get(f"/api/v1/entities/{agency['id']}/score", headers=admin).json
    assert (score["tier"], score["reason"]) == ("critical", "registry facts changed")
    licence_rule = next(o for o in score["outcomes"] if o["rule_id"] == "A-LICENCE-VALID")
    assert licence_rule["message"] == "The licence status is suspended: the agency may not recruit."


def test_rescore_command_scores_imported_agencies(runner, client, make_token, session):
    from tests.registry.test_import import csv_bytes, upload
    headers = make_token("admin", kind="platform")
    rows = [{"legal_name": f"Bulk Overseas {n}", "country": "NP", "licence_authority": "NP-DOFE",
             "licence_number": f"BULK-{n}", "licence_status": "valid"} for n in range(3)]
    client.post("/api/v1/authorities", json={"code": "NP-DOFE", "name": "DoFE", "country": "NP"},
                headers=make_token("admin", kind="platform"))
    assert upload(client, headers, csv_bytes(rows), "agencies.csv").status_code == 200
    before = count(session, Score)
    result = runner.invoke(args=["rules", "rescore", "--kind", "agency"])
    assert result.exit_code == 0 and "3 agency entities scored" in result.output
    assert count(session, Score) == before + 3


def test_a_new_source_of_facts_plugs_in_without_touching_the_evaluator(client, headers, agency, monkeypatch):
    from app.scoring import facts as fact_source
    # What the screening capability will do: provide confirmed hits as facts.
    monkeypatch.setattr(fact_source, "PROVIDERS", [])
    fact_source.provide(lambda session, ids: {i: {"confirmed_hits": [{"list_kind": "banned_agency"}]} for i in ids})
    score = client.post(f"/api/v1/entities/{agency['id']}/score", headers=headers).json
    hits = next(o for o in score["outcomes"] if o["rule_id"] == "A-WATCHLIST")
    assert hits["outcome"] == "fail" and hits["message"] == "1 confirmed watchlist hit(s)."
    assert score["tier"] == "critical"
