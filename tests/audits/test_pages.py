"""The printable audit summary page through the test client: what it shows, and to whom."""
from datetime import date

from app.registry import expiry
from tests.audits.helpers import reported_audit_with_action
from tests.conftest import PASSWORD
from tests.web.test_sign_in import sign_in


def test_the_summary_shows_the_audit_its_findings_and_overdue_actions(client, session, make_user, make_token,
                                                                       make_org, make_agency, monkeypatch):
    certifier = make_org("certification_body", name="Fair Hire Test Certification")
    auditor = make_user("auditor", organisation=certifier, name="Elena Rossi")
    agency = make_agency(legal_name="Gorkha Test Placement Pvt. Ltd.")
    headers = make_token("auditor", organisation=certifier)
    audit, finding, action = reported_audit_with_action(client, headers, agency.id)
    second, _, completed = reported_audit_with_action(client, headers, agency.id, plan={"reference": "FH-2026-002"},
                                                      description="Train branch staff on document rules",
                                                      deadline="2026-02-01")
    client.post(f"/api/v1/corrective-actions/{completed['id']}/completion", headers=headers, json={
        "version": completed["version"], "evidence": "Training register signed by 12 staff",
        "completed_on": "2026-01-25"})
    monkeypatch.setattr(expiry, "today", lambda: date(2026, 3, 11))

    sign_in(client, auditor.email, PASSWORD)
    page = client.get(f"/audits/{audit['id']}/summary")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Audit of Gorkha Test Placement Pvt. Ltd." in html and "Fair Hire Test Certification" in html
    assert "lead auditor Elena Rossi" in html and "FH-2026-001" in html and "Announced" in html
    assert "<li>C: Prohibition of recruitment fees" in html and "<li>G: Access to remedy</li>" in html
    assert "management interviews: 2" in html and "worker interviews: 24" in html
    assert "Fieldwork from 2026-01-12 to 2026-01-14" in html and "Reported on 2026-01-20" in html
    assert "Major non-conformity, principle D: Respect for freedom of movement" in html
    assert "Return every passport and log each return" in html and "Branch manager" in html
    assert "overdue by 10 days" in html
    assert "<script" not in html and "audit.css" in html

    other = client.get(f"/audits/{second['id']}/summary").get_data(as_text=True)
    assert "Completed on 2026-01-25, waiting for the auditor's verification" in other
    assert "Training register signed by 12 staff" in other and "overdue" not in other


def test_the_summary_is_for_those_who_may_read_the_audit(client, session, make_user, make_token, make_org,
                                                          make_agency):
    certifier = make_org("certification_body")
    agency = make_agency()
    audit = reported_audit_with_action(client, make_token("auditor", organisation=certifier), agency.id)[0]
    url = f"/audits/{audit['id']}/summary"
    assert client.get(url).status_code == 401
    sign_in(client, make_user("analyst", kind="business").email, PASSWORD)
    hidden = client.get(url)
    assert hidden.status_code == 404 and hidden.mimetype == "text/html"
    client.post("/logout", data={})
    regulator = make_org("government", authority_codes=["NP-DOFE"])
    with client.session_transaction() as cookie:
        cookie.clear()
    sign_in(client, make_user("viewer", organisation=regulator).email, PASSWORD)
    assert client.get(url).status_code == 200


def test_the_print_stylesheet_hides_the_site_around_the_audit(client):
    with client.get("/static/audit.css") as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css and "header, form { display: none; }" in css
