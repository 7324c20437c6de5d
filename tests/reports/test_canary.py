"""The canary: reports carry unique markers in every personal field; every reports route and page (the report
form, the receipt page, the public lookup) is called as every kind of user and anonymously, exports and the audit
log are read, logs are captured and every table is dumped. The markers show up nowhere but in the case handlers'
own reads of the confidential part."""
import base64
import io
import logging
import re
import uuid

from sqlalchemy import select

from app.accounts import service as accounts, throttle
from app.accounts.auth import actor_for
from app.db import Base
from app.reports.models import Report, ReportAttachment
from tests.conftest import PASSWORD
from tests.reports.conftest import pdf_file, report_body

MARK = "CANARY" + uuid.uuid4().hex[:10].upper()
PDF = pdf_file(f"{MARK}-pdf-body".encode())
# Routes whose answers may carry markers, and to whom: the receiver's case handler, the referred regulator's.
READS = {("GET", "/confidential"): {"N case_handler"}, ("GET", "/attachments/"): {"N case_handler", "G case_handler"},
         ("GET", "/referrals/"): {"G case_handler"}}


def marked(field):
    return f"{MARK}-{field}"


def canary_body(receiver_id=None):
    return report_body(receiver_id, account=marked("account"), contact={
        "name": marked("name"), "phone": marked("phone"), "email": f"{marked('email')}@example.org",
        "other": marked("other")}, attachments=[{"name": marked("filename") + ".pdf",
                                                 "content": base64.b64encode(PDF).decode()}])


def canary_form(receiver_id, agency_id, csrf_token):
    """The report form filled in with markers in every personal field, a marked file name included."""
    return {"csrf_token": csrf_token, "receiver_id": str(receiver_id), "agency_id": str(agency_id),
            "documents_kept": "yes", "account": marked("form-account"), "consent_contact": "1",
            "contact_name": marked("form-name"), "contact_phone": marked("form-phone"),
            "contact_email": marked("form-email"), "contact_other": marked("form-other"),
            "attachments": [(io.BytesIO(PDF), marked("form-filename") + ".pdf")]}


def people(session, make_org, authority):
    """Headers per persona: every role, in every kind of organisation that matters here: the receiving NGO's case
    handler and admin, another NGO's case handler, the regulator's case handler and registrar, the platform's admin
    and analyst, a business's analyst and viewer, a certification body's auditor."""
    orgs = {"N": make_org("civil_society"), "N2": make_org("civil_society"),
            "G": make_org("government", authority_codes=[authority.code]), "P": make_org("platform"),
            "B": make_org("business"), "C": make_org("certification_body")}
    who = {"N case_handler": ("N", "case_handler"), "N admin": ("N", "admin"), "N2 case_handler": ("N2", "case_handler"),
           "G case_handler": ("G", "case_handler"), "G registrar": ("G", "registrar"), "P admin": ("P", "admin"),
           "P analyst": ("P", "analyst"), "B analyst": ("B", "analyst"), "B viewer": ("B", "viewer"),
           "C auditor": ("C", "auditor")}
    headers = {"anon": {}}
    for name, (org, role) in who.items():
        user = accounts.create_user(session, organisation_id=orgs[org].id, role=role, password=PASSWORD,
                                    email=f"{uuid.uuid4().hex[:8]}@example.org", name=name)
        session.commit()
        _, raw = accounts.create_token(session, actor_for(session, user), name="canary")
        headers[name] = {"Authorization": f"Bearer {raw}"}
    session.commit()
    return orgs, headers


def test_markers_appear_only_in_case_handlers_reads(app, client, session, make_org, authority, make_agency,
                                                     caplog):
    caplog.set_level(logging.DEBUG)
    agency = make_agency()
    orgs, headers = people(session, make_org, authority)
    n, g = headers["N case_handler"], headers["G case_handler"]
    # A worker's report through the public intake, and one a partner filed; both with markers everywhere.
    public = client.post("/api/v1/reports/intake", json=canary_body(orgs["N"].id))
    assert public.status_code == 201
    filed = client.post("/api/v1/reports", headers=n, json={**canary_body(), "reporter_ref": marked("ref"),
                                                            "agency": {"entity_id": agency.id}})
    assert filed.status_code == 201
    report_id, receipt = filed.json["id"], public.json["receipt"]
    version = client.get(f"/api/v1/reports/{report_id}", headers=n).json["version"]
    version = client.post(f"/api/v1/reports/{report_id}/state", headers=n,
                          json={"version": version, "state": "triaged"}).json["version"]
    assert client.post(f"/api/v1/reports/{report_id}/referrals", headers=n,
                       json={"regulator_id": orgs["G"].id}).status_code == 201
    assert client.post(f"/api/v1/reports/{report_id}/notes", headers=n, json={"text": marked("note")}).status_code == 201
    assert client.post("/api/v1/reports/receipt/additions", json={"receipt": receipt,
                                                                  "account": marked("addition")}).status_code == 200
    version = client.get(f"/api/v1/reports/{report_id}", headers=n).json["version"]
    client.post(f"/api/v1/reports/{report_id}/verification", headers=n,
                json={"version": version, "categories": ["documents_kept"]})
    attachment_id = session.scalar(select(ReportAttachment.id).where(ReportAttachment.report_id == report_id))
    # The case handlers' reads do show the markers (the canary is alive), and are logged.
    assert marked("account") in client.get(f"/api/v1/reports/{report_id}/confidential", headers=n).get_data(as_text=True)
    assert MARK.encode() in client.get(f"/api/v1/reports/{report_id}/attachments/{attachment_id}", headers=g).data
    assert marked("phone") in client.get(f"/api/v1/referrals/{report_id}", headers=g).get_data(as_text=True)
    # A worker's report through the web form, with markers everywhere: its receipt page shows none of them.
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/report").get_data(as_text=True)).group(1)
    sent = client.post("/report", data=canary_form(orgs["N"].id, agency.id, token), content_type="multipart/form-data")
    assert sent.status_code == 201 and MARK not in sent.get_data(as_text=True)
    form_id = session.scalar(select(Report.id).where(Report.channel == "public").order_by(Report.id.desc()))
    form_read = client.get(f"/api/v1/reports/{form_id}/confidential", headers=n).get_data(as_text=True)
    assert marked("form-phone") in form_read and marked("form-filename") in form_read
    public_id = session.scalar(select(Report.id).where(Report.channel == "public"))
    calls = [
        ("GET", "/api/v1/reports/receivers", None), ("GET", "/api/v1/reports/figures", None),
        ("POST", "/api/v1/reports/receipt/status", {"receipt": receipt}),
        ("POST", "/api/v1/reports/receipt/additions", {"receipt": receipt, "account": marked("addition2")}),
        ("POST", "/api/v1/reports/receipt/additions", {"receipt": receipt, "account": marked("x") * 3000}),
        ("POST", "/api/v1/reports/intake", {**canary_body(orgs["N"].id), "contact": {"phone": marked("long") * 9}}),
        ("POST", "/api/v1/reports", {**canary_body(), "reporter_ref": marked("ref") * 30}),
        ("GET", "/api/v1/reports", None), ("GET", f"/api/v1/reports?agency_entity_id={agency.id}", None),
        ("GET", f"/api/v1/reports/{report_id}", None), ("GET", f"/api/v1/reports/{public_id}", None),
        ("PATCH", f"/api/v1/reports/{report_id}", {"version": 1, "agency_entity_id": agency.id}),
        ("POST", f"/api/v1/reports/{report_id}/state", {"version": 1, "state": "closed"}),
        ("POST", f"/api/v1/reports/{report_id}/notes", {"text": marked("note2")}),
        ("GET", f"/api/v1/reports/{report_id}/confidential", None),
        ("GET", f"/api/v1/reports/{report_id}/attachments/{attachment_id}", None),
        ("GET", "/api/v1/referrals", None), ("GET", f"/api/v1/referrals/{report_id}", None),
        ("GET", f"/api/v1/entities/{agency.id}/score", None), ("GET", f"/api/v1/agencies?q={MARK}", None),
        ("GET", "/api/v1/registry/export?format=csv", None), ("GET", "/api/v1/registry/export?format=json", None),
        ("GET", "/api/v1/audit-events?per_page=200", None), ("GET", "/api/openapi.json", None),
        ("POST", "/api/v1/reports/receipt/withdrawal", {"receipt": receipt}),
    ]
    # The pages (a form's problems show only what that very request typed, so none here types a marker twice).
    pages = [
        ("GET", "/", None), ("GET", f"/search?q={marked('account')}", None), ("GET", f"/agencies/{agency.id}", None),
        ("GET", f"/a/{agency.id}", None), ("GET", f"/report?agency={agency.id}", None), ("GET", "/report", None),
        ("GET", "/report/receipt", None), ("POST", "/report/receipt", {"receipt": receipt}),
        ("POST", "/report/receipt", {"receipt": receipt, "action": "add", "account": marked("page-addition")}),
        ("POST", "/report/receipt", {"receipt": receipt, "action": "add", "account": marked("x") * 3000}),
        ("POST", "/report/receipt", {"receipt": receipt, "action": "add",
                                     "attachments": [(io.BytesIO(b"GIF89a" + MARK.encode()), marked("gif") + ".gif")]}),
        ("POST", "/report/receipt", {"receipt": receipt, "action": "withdraw"}),
        ("POST", "/report", canary_form(orgs["N"].id, agency.id, token)),
        ("POST", "/report", {**canary_form(orgs["N"].id, agency.id, token), "account": "", "contact_name": "",
                             "contact_phone": "", "contact_email": "", "contact_other": "", "attachments": [
                                 (io.BytesIO(b"GIF89a" + MARK.encode()), marked("gif") + ".gif")]}),
        ("POST", "/report/receipt", {"receipt": receipt, "action": "withdraw", "confirm": "1"}),
    ]
    leaks = []
    conn = session.bind
    for name, persona in headers.items():
        for method, path, body in calls:
            throttle.reset()
            savepoint = conn.begin_nested()
            try:
                answer = client.open(path, method=method, json=body, headers=persona, buffered=True)
            finally:
                savepoint.rollback()
            text = answer.get_data().decode("utf-8", "replace")
            allowed = any(method == m and part in path and name in who for (m, part), who in READS.items())
            if MARK in text and not allowed:
                leaks.append(f"{method} {path} as {name}: {answer.status_code}")
        for method, path, form in pages:
            throttle.reset()
            savepoint = conn.begin_nested()
            try:
                if form is not None:
                    form = {**form, "csrf_token": token, "attachments": [
                        (io.BytesIO(file.getvalue()), name) for file, name in form.get("attachments", [])]}
                answer = client.open(path, method=method, data=form, headers=persona, buffered=True,
                                     content_type="multipart/form-data" if form is not None else None)
            finally:
                savepoint.rollback()
            shown = answer.get_data().decode("utf-8", "replace")
            if "?q=" in path:
                shown = shown.replace(path.split("?q=")[1], "")   # the search box shows what was searched for
            if answer.status_code >= 500 or MARK in shown:
                leaks.append(f"page {method} {path} as {name}: {answer.status_code}")
    assert not leaks, leaks
    # The audit log holds every read and change, and never a marker.
    events = client.get("/api/v1/audit-events?per_page=200", headers=headers["P admin"]).json["items"]
    reads = [e for e in events if e["object_type"] == "report_reads"]
    assert {e["after"]["what"] for e in reads} >= {"confidential", "referral", f"attachment:{attachment_id}"}
    assert MARK not in str(events)
    assert MARK not in caplog.text
    # Every table, dumped: no marker in any column, text or bytes (sealed columns are ciphertext).
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        assert MARK.encode() not in bytes(value), table.name
                    else:
                        assert MARK not in str(value), table.name
