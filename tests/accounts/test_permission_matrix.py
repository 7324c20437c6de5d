"""Every route and page, for anonymous and each role of each kind of organisation, against the README's
permission table: one world (a record registered and followed by business B, licensed by regulator G,
certified by body C, a change proposed by business B2), each request rolled back after it ran."""
from dataclasses import dataclass
from datetime import date
import io
from pathlib import Path
import re
import uuid

import pytest

from app.accounts import service as accounts, throttle
from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.audits import actions as audit_actions, service as audits
from app.audits.tasks_models import ReviewTask
from app.audits import calendar, subscriptions
from app.audits.outbox_models import Delivery, OutboxEvent
from app.db import utcnow
from app.registry import change_requests, listing, private, service as registry
from app.registry.models import Authority
from app.reports import intake, keys, service as reports
from app.reports.models import ReportAttachment
from app.reports.schemas import ReportSchema
from app.screening import indexes
from app.screening.screen import import_and_screen
from app.scoring import service as scoring
from app.scoring.models import AuditFinding
from tests.conftest import PASSWORD
from tests.reports.conftest import encoded, picture, report_body
from tests.scoring.test_api import CLEAN_PRACTICES, FEE

ROOT = Path(__file__).resolve().parent.parent.parent
BANNED = ROOT / "tests" / "data" / "screening" / "hits" / "banned_v1.csv"
# Flask's own static folder and Swagger UI's files are public files, not routes of ours.
FILES = {"static", "swagger_static"}


def permission_table():
    """The README's table: {row key: {persona: "yes" | "no"}}."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- permission-table -->")[1].split("<!-- /permission-table -->")[0]
    lines = [line for line in block.strip().splitlines() if line.startswith("|")]
    personas = [cell.strip() for cell in lines[0].strip("|").split("|")][1:]
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        table[cells[0].split(" (")[0]] = dict(zip(personas, cells[1:]))
    return personas, table


PERSONAS, TABLE = permission_table()
# persona -> (organisation key, role)
WHO = {"P admin": ("P", "admin"), "P analyst": ("P", "analyst"), "P viewer": ("P", "viewer"),
       "B admin": ("B", "admin"), "B analyst": ("B", "analyst"), "B viewer": ("B", "viewer"),
       "B2 analyst": ("B2", "analyst"), "G registrar": ("G", "registrar"), "G analyst": ("G", "analyst"),
       "G2 registrar": ("G2", "registrar"), "C auditor": ("C", "auditor"), "C2 auditor": ("C2", "auditor"),
       "N case_handler": ("N", "case_handler"), "N2 case_handler": ("N2", "case_handler"),
       "G case_handler": ("G", "case_handler")}


@dataclass
class Persona:
    name: str
    headers: dict
    browser: object
    token_id: int | None = None
    email: str | None = None


def csrf_of(browser):
    page = browser.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def world(app, session, authority):
    """The records every request is made about, and a signed-in client and token per persona."""
    philippines = Authority(code="PH-DMW", name="Department of Migrant Workers", country="PH")
    session.add(philippines)
    session.flush()
    kinds = {"P": "platform", "B": "business", "B2": "business", "G": "government", "G2": "government",
             "C": "certification_body", "C2": "certification_body", "N": "civil_society", "N2": "civil_society"}
    orgs = {key: accounts.create_organisation(
        session, name=f"{key}-{uuid.uuid4().hex[:6]}", kind=kind,
        authority_ids={"G": [authority.id], "G2": [philippines.id]}.get(key, []))
        for key, kind in kinds.items()}
    users = {}
    for persona, (org, role) in WHO.items():
        users[persona] = accounts.create_user(session, organisation_id=orgs[org].id, role=role, password=PASSWORD,
                                              email=f"{persona.replace(' ', '.').lower()}@{uuid.uuid4().hex[:6]}.example",
                                              name=persona)
    spare = accounts.create_user(session, organisation_id=orgs["B"].id, role="viewer", password=PASSWORD,
                                 email=f"spare-{uuid.uuid4().hex[:6]}@example.org", name="Spare")
    session.commit()
    actors = {persona: actor_for(session, user) for persona, user in users.items()}
    agency = registry.create_entity(session, OPERATOR, "agency", {
        "legal_name": "Gulf Dream Manpower Pvt. Ltd.", "country": "NP", "sectors": ["construction"],
        "people": [{"name": "Ram Bahadur Thapa", "role": "owner", "nationality": "NP"}],
        "licences": [{"authority": "NP-DOFE", "number": "4411/080", "status": "valid", "type": "full",
                      "valid_until": date(2030, 1, 1), "destinations": ["QA"], "sectors": []}]})
    agency.registered_by_organisation_id = orgs["B"].id
    # Read now: the sign-ins below end the session the agency was loaded in.
    licence = agency.licences[0]
    agency.certification_status, agency.certified_by_organisation_id = "certified", orgs["C"].id
    employer = registry.create_entity(session, OPERATOR, "employer", {"legal_name": "Doha Towers W.L.L.",
                                                                      "country": "QA", "sectors": ["construction"]})
    withdrawn = registry.create_entity(session, OPERATOR, "agency", {"legal_name": "Gone Overseas", "country": "NP"})
    registry.withdraw_entity(session, OPERATOR, withdrawn.id, reason="duplicate")
    session.commit()
    b = actors["B analyst"]
    follow = private.add_to_portfolio(session, b, agency.id)
    note = private.add_note(session, b, agency.id, "Receipts for fees seen")
    document = private.add_evidence(session, b, agency.id, {"title": "Audit report", "kind": "audit_report"})
    change = change_requests.propose(session, actors["B2 analyst"], agency.id,
                                     {"website": "https://gulf-dream.example"}, "On their licence certificate")
    finding = AuditFinding(entity_id=agency.id, principle="D", grade="major", description="Passports kept",
                           source="audit", recorded_by_organisation_id=orgs["C"].id, found_on=date(2026, 11, 2))
    session.add(finding)
    session.flush()
    scoring.score_entity(session, agency.id, reason="matrix")
    scoring.score_entity(session, agency.id, reason="matrix again")
    session.commit()
    c = actors["C auditor"]
    audit = audits.create_audit(session, c, agency.id, {"kind": "announced", "scope": "CD",
                                                        "planned_on": date(2026, 1, 10)})
    audits.change_state(session, c, audit.id, {"version": audit.version, "state": "fieldwork",
                                               "on": date(2026, 1, 12)})
    audit_finding = audits.add_finding(session, c, audit.id, {"source": "audit", "principle": "D", "grade": "major",
                                                              "description": "Passports kept",
                                                              "found_on": date(2026, 1, 13)})
    open_action, done_action = (audit_actions.plan_action(session, c, audit_finding.id, {
        "description": what, "owner": "Branch manager", "deadline": date(2026, 3, 1)})
        for what in ("Return the passports", "Train the staff"))
    audit_actions.complete_action(session, c, done_action.id, {"version": done_action.version,
                                                               "evidence": "Training register",
                                                               "completed_on": date(2026, 2, 1)})
    session.commit()
    import_and_screen(session, "np-banned", "generic-csv", [BANNED], actor=OPERATOR, kind="banned_agency",
                      threshold=0.8)
    session.commit()
    from app.screening.models import Hit
    hit = session.query(Hit).filter_by(entity_id=agency.id, subject="entity").first()
    task = ReviewTask(entity_id=agency.id, reason="licence_expiring", organisation_id=orgs["B"].id,
                      trigger_key="licence:1:2030-01-01", due_on=date(2029, 12, 31),
                      explanation={"message": "licence_expiring", "params": {"licence": "NP-DOFE 4411/080",
                                                                             "valid_until": "2030-01-01"}})
    session.add(task)
    subscription, _ = subscriptions.create_subscription(session, actors["B admin"], {
        "channel": "webhook", "events": ["task_due"], "url": "https://hooks.example.org/fairrecruit"}, development=True)
    event = OutboxEvent(kind="task_due", organisation_id=orgs["B"].id, entity_id=agency.id,
                        payload={"message": "notify.task_due", "params": {}})
    session.add(event)
    session.flush()
    dead = Delivery(event_id=event.id, subscription_id=subscription.id, organisation_id=orgs["B"].id,
                    channel="webhook", state="dead", attempts=8, next_attempt_at=utcnow(),
                    idempotency_key=uuid.uuid4().hex)
    session.add(dead)
    feed, feed_token = calendar.create_token(session, actors["B admin"], "matrix")
    session.commit()
    # A worker's report received by the NGO N, with a picture, referred to the regulator G.
    keyring = keys.parse(app.config["REPORTS_KEYRING"], "test")
    n = actors["N case_handler"]
    report, receipt = intake.submit(session, keyring, ReportSchema().load(report_body(
        agency={"entity_id": agency.id}, attachments=[{"name": "receipt.png", "content": encoded(picture("PNG"))}])),
        receiver_id=orgs["N"].id, channel="partner", limits=(10**6, 5), actor=n)
    reports.change_state(session, n, report.id, {"version": report.version, "state": "triaged"})
    reports.refer(session, n, report.id, orgs["G"].id)
    session.commit()
    attachment = session.query(ReportAttachment).filter_by(report_id=report.id).one()
    personas = {"anon": Persona("anon", {}, app.test_client())}
    for persona, user in users.items():
        token, raw = accounts.create_token(session, actors[persona], name="matrix")
        session.commit()  # the sign-in request below ends the thread's session
        browser = app.test_client()
        browser.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_of(browser)})
        personas[persona] = Persona(persona, {"Authorization": f"Bearer {raw}"}, browser, token.id, user.email)
    session.commit()
    return {"agency": agency, "employer": employer, "withdrawn": withdrawn, "licence": licence,
            "follow": follow, "note": note, "document": document, "change": change, "finding": finding,
            "hit": hit, "task": task, "spare": spare, "b_viewer": users["B viewer"], "personas": personas, "audit": audit,
            "audit_finding": audit_finding, "open_action": open_action, "done_action": done_action,
            "subscription": subscription, "dead": dead, "feed": feed, "feed_token": feed_token,
            "report": report, "receipt": receipt, "attachment": attachment, "n": orgs["N"], "g2": orgs["G2"]}


def csv_file(text, name="file.csv"):
    return {"file": (io.BytesIO(text.encode()), name)}


def unique():
    return uuid.uuid4().hex[:8]


# (method, route rule, table row, request builder: (world, persona) -> keyword arguments of the request).
# Pages are requested with the persona's signed-in browser; API routes with its bearer token.
ROUTES = [
    ("GET", "/", "public", lambda w, p: {"path": "/"}),
    ("GET", "/search", "public", lambda w, p: {"path": "/search?q=gulf+dream"}),
    ("GET", "/agencies/<int:entity_id>", "public", lambda w, p: {"path": f"/agencies/{w['agency'].id}"}),
    ("GET", "/a/<int:entity_id>", "public", lambda w, p: {"path": f"/a/{w['agency'].id}"}),
    ("GET", "/console", "signed-in reads", lambda w, p: {"path": "/console", "page": True}),
    ("GET", "/console/export", "console.portfolio", lambda w, p: {"path": "/console/export?format=xlsx", "page": True}),
    ("GET", "/a/<int:entity_id>/qr.svg", "public", lambda w, p: {"path": f"/a/{w['agency'].id}/qr.svg"}),
    ("GET", "/login", "public", lambda w, p: {"path": "/login"}),
    ("POST", "/login", "public", lambda w, p: {"path": "/login", "fresh": True, "data": {
        "email": w["spare"].email, "password": PASSWORD}}),
    ("GET", "/healthz", "public", lambda w, p: {"path": "/healthz"}),
    ("GET", "/readyz", "public", lambda w, p: {"path": "/readyz"}),
    ("GET", "/api/openapi.json", "public", lambda w, p: {"path": "/api/openapi.json"}),
    ("GET", "/api/docs", "public", lambda w, p: {"path": "/api/docs"}),
    ("GET", "/api/v1/agencies", "public", lambda w, p: {"path": "/api/v1/agencies?q=gulf"}),
    ("GET", "/api/v1/agencies/<int:entity_id>", "public", lambda w, p: {"path": f"/api/v1/agencies/{w['agency'].id}"}),
    ("GET", "/api/v1/employers", "public", lambda w, p: {"path": "/api/v1/employers"}),
    ("GET", "/api/v1/employers/<int:entity_id>", "public",
     lambda w, p: {"path": f"/api/v1/employers/{w['employer'].id}"}),
    ("GET", "/api/v1/licences/<int:licence_id>", "public", lambda w, p: {"path": f"/api/v1/licences/{w['licence'].id}"}),
    ("GET", "/api/v1/authorities", "public", lambda w, p: {"path": "/api/v1/authorities"}),
    ("GET", "/calendar/<token>.ics", "public", lambda w, p: {"path": f"/calendar/{w['feed_token']}.ics"}),
    ("GET", "/api/v1/me", "signed-in reads", lambda w, p: {"path": "/api/v1/me"}),
    ("GET", "/api/v1/tokens", "signed-in reads", lambda w, p: {"path": "/api/v1/tokens"}),
    ("POST", "/api/v1/tokens", "signed-in reads", lambda w, p: {"path": "/api/v1/tokens", "json": {"name": "more"}}),
    ("DELETE", "/api/v1/tokens/<int:token_id>", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/tokens/{p.token_id or 1}"}),
    ("POST", "/api/v1/me/password", "signed-in reads", lambda w, p: {"path": "/api/v1/me/password", "json": {
        "current_password": PASSWORD, "new_password": "another horse battery"}}),
    ("GET", "/account/password", "signed-in reads", lambda w, p: {"path": "/account/password", "page": True}),
    # A browser of its own: the new password's session would outlive the rolled-back change in the persona's.
    ("POST", "/account/password", "signed-in reads", lambda w, p: {"path": "/account/password", "own": True, "data": {
        "current_password": PASSWORD, "new_password": "another horse battery",
        "confirm_password": "another horse battery"}}),
    ("GET", "/account/tokens", "signed-in reads", lambda w, p: {"path": "/account/tokens", "page": True}),
    ("POST", "/account/tokens", "signed-in reads", lambda w, p: {"path": "/account/tokens", "page": True,
                                                                 "data": {"name": "from the page"}}),
    ("GET", "/api/v1/registry/export", "signed-in reads", lambda w, p: {"path": "/api/v1/registry/export?format=csv"}),
    ("GET", "/api/v1/entities/<int:entity_id>/relationships", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/relationships"}),
    ("GET", "/api/v1/entities/<int:entity_id>/fee-lines", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/fee-lines"}),
    ("GET", "/api/v1/entities/<int:entity_id>/practices", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/practices"}),
    ("GET", "/api/v1/entities/<int:entity_id>/findings", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/findings"}),
    ("GET", "/api/v1/entities/<int:entity_id>/score", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/score"}),
    ("GET", "/entities/<int:entity_id>/score", "signed-in reads",
     lambda w, p: {"path": f"/entities/{w['agency'].id}/score", "page": True}),
    ("GET", "/entities/<int:entity_id>", "signed-in reads",
     lambda w, p: {"path": f"/entities/{w['agency'].id}", "page": True}),
    ("GET", "/api/v1/entities/<int:entity_id>/scores", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/scores"}),
    ("GET", "/api/v1/entities/<int:entity_id>/scores/diff", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/scores/diff"}),
    ("POST", "/api/v1/score/what-if", "signed-in reads", lambda w, p: {"path": "/api/v1/score/what-if", "json": {
        "kind": "agency", "country": "NP", "facts": {"licence_status": "valid"}}}),
    ("GET", "/api/v1/watchlists", "signed-in reads", lambda w, p: {"path": "/api/v1/watchlists"}),
    ("GET", "/api/v1/watchlists/<name>", "signed-in reads", lambda w, p: {"path": "/api/v1/watchlists/np-banned"}),
    ("GET", "/api/v1/watchlists/<name>/versions", "signed-in reads",
     lambda w, p: {"path": "/api/v1/watchlists/np-banned/versions"}),
    ("GET", "/api/v1/watchlists/<name>/versions/<int:number>/changes", "signed-in reads",
     lambda w, p: {"path": "/api/v1/watchlists/np-banned/versions/1/changes"}),
    ("GET", "/api/v1/watchlists/<name>/entries", "signed-in reads",
     lambda w, p: {"path": "/api/v1/watchlists/np-banned/entries"}),
    ("POST", "/api/v1/screen", "signed-in reads", lambda w, p: {"path": "/api/v1/screen", "json": {"name": "Gulf Dream"}}),
    ("GET", "/api/v1/change-requests", "signed-in reads", lambda w, p: {"path": "/api/v1/change-requests"}),
    ("GET", "/api/v1/portfolio", "signed-in reads", lambda w, p: {"path": "/api/v1/portfolio"}),
    ("GET", "/api/v1/entities/<int:entity_id>/notes", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/notes"}),
    ("GET", "/api/v1/entities/<int:entity_id>/evidence", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/evidence"}),
    ("POST", "/api/v1/agencies", "entity.register", lambda w, p: {"path": "/api/v1/agencies", "json": {
        "legal_name": f"New Overseas {unique()}", "country": "NP"}}),
    ("POST", "/api/v1/employers", "entity.register", lambda w, p: {"path": "/api/v1/employers", "json": {
        "legal_name": f"New Employer {unique()}", "country": "QA"}}),
    ("POST", "/api/v1/registry/import", "entity.register", lambda w, p: {
        "path": "/api/v1/registry/import", "data": csv_file(f"legal_name,country\nImported {unique()},NP\n")}),
    ("PATCH", "/api/v1/agencies/<int:entity_id>", "entity.edit", lambda w, p: {
        "path": f"/api/v1/agencies/{w['agency'].id}", "json": {"version": w["agency"].version,
                                                                "website": "https://edited.example"}}),
    ("PATCH", "/api/v1/employers/<int:entity_id>", "entity.edit", None),
    ("PATCH", "/api/v1/agencies/<int:entity_id>", "entity.certify", lambda w, p: {
        "path": f"/api/v1/agencies/{w['agency'].id}", "json": {"version": w["agency"].version,
                                                                "certification_status": "suspended"}}),
    ("DELETE", "/api/v1/agencies/<int:entity_id>", "entity.withdraw", lambda w, p: {
        "path": f"/api/v1/agencies/{w['agency'].id}?version={w['agency'].version}&reason=duplicate"}),
    ("DELETE", "/api/v1/employers/<int:entity_id>", "entity.withdraw", None),
    ("POST", "/api/v1/entities/<int:entity_id>/restore", "entity.restore",
     lambda w, p: {"path": f"/api/v1/entities/{w['withdrawn'].id}/restore"}),
    ("POST", "/api/v1/entities/<int:entity_id>/change-requests", "change.propose", lambda w, p: {
        "path": f"/api/v1/entities/{w['agency'].id}/change-requests",
        "json": {"fields": {"website": "https://proposed.example"}, "reason": "Seen on their letterhead"}}),
    ("POST", "/entities/<int:entity_id>/corrections", "change.propose", lambda w, p: {
        "path": f"/entities/{w['agency'].id}/corrections", "page": True,
        "data": {"field": "website", "value": "https://proposed.example", "reason": "Seen on their letterhead"}}),
    ("GET", "/api/v1/change-requests/<int:change_id>", "change.read",
     lambda w, p: {"path": f"/api/v1/change-requests/{w['change'].id}"}),
    ("POST", "/api/v1/change-requests/<int:change_id>/decision", "change.decide", lambda w, p: {
        "path": f"/api/v1/change-requests/{w['change'].id}/decision",
        "json": {"decision": "rejected", "reason": "Another agency's site"}}),
    ("POST", "/api/v1/entities/<int:entity_id>/licences", "licence.record", lambda w, p: {
        "path": f"/api/v1/entities/{w['agency'].id}/licences",
        "json": {"authority": "NP-DOFE", "number": f"N-{unique()}", "status": "valid", "valid_until": "2031-01-01"}}),
    ("PATCH", "/api/v1/licences/<int:licence_id>", "licence.record", lambda w, p: {
        "path": f"/api/v1/licences/{w['licence'].id}", "json": {"version": w["licence"].version,
                                                                 "conditions": "construction only"}}),
    ("POST", "/api/v1/licences/<int:licence_id>/status", "licence.record", lambda w, p: {
        "path": f"/api/v1/licences/{w['licence'].id}/status",
        "json": {"version": w["licence"].version, "status": "suspended", "reason": "complaint"}}),
    ("POST", "/licences/<int:licence_id>/status", "licence.record", lambda w, p: {
        "path": f"/licences/{w['licence'].id}/status", "page": True,
        "data": {"version": w["licence"].version, "status": "suspended", "reason": "complaint"}}),
    ("POST", "/api/v1/authorities", "authority.create", lambda w, p: {
        "path": "/api/v1/authorities", "json": {"code": f"X-{unique().upper()}", "name": "New office", "country": "NP"}}),
    ("POST", "/api/v1/relationships", "relationship.create", lambda w, p: {"path": "/api/v1/relationships", "json": {
        "kind": "employer_uses_agency", "client_id": w["employer"].id, "provider_id": w["agency"].id,
        "origin_country": "NP", "destination_country": "QA"}}),
    ("POST", "/api/v1/entities/<int:entity_id>/fee-lines", "evidence.record",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/fee-lines", "json": FEE}),
    ("POST", "/api/v1/entities/<int:entity_id>/practices", "evidence.record",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/practices", "json": CLEAN_PRACTICES}),
    ("POST", "/api/v1/entities/<int:entity_id>/findings", "evidence.record", lambda w, p: {
        "path": f"/api/v1/entities/{w['agency'].id}/findings",
        "json": {"principle": "C", "grade": "minor", "description": "Fee receipts missing", "found_on": "2026-11-03"}}),
    ("POST", "/entities/<int:entity_id>/fee-lines", "evidence.record", lambda w, p: {
        "path": f"/entities/{w['agency'].id}/fee-lines", "page": True, "data": {
            "source": "worker_interviews", "category": "medical", "amount": "80", "currency": "USD",
            "paid_by": "worker", "stage": "before_departure"}}),
    ("POST", "/entities/<int:entity_id>/practices", "evidence.record", lambda w, p: {
        "path": f"/entities/{w['agency'].id}/practices", "page": True,
        "data": {"source": "audit", "assessed_on": "2026-11-01", "documents_retained": "false"}}),
    ("PATCH", "/api/v1/findings/<int:finding_id>", "finding.close", lambda w, p: {
        "path": f"/api/v1/findings/{w['finding'].id}",
        "json": {"version": w["finding"].version, "status": "closed", "closed_on": "2026-11-20"}}),
    ("POST", "/api/v1/evidence/import", "evidence.record", lambda w, p: {
        "path": "/api/v1/evidence/import?type=fee-lines", "data": csv_file(
            "entity_id,source,category,amount,currency,paid_by,stage,repaid,observed_on\n"
            f"{w['agency'].id},worker_interviews,recruitment_fee,100,USD,worker,before_departure,false,2026-10-01\n")}),
    ("POST", "/api/v1/entities/<int:entity_id>/score", "score.compute",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/score"}),
    ("POST", "/api/v1/portfolio", "private.add",
     lambda w, p: {"path": "/api/v1/portfolio", "json": {"entity_id": w["employer"].id}}),
    ("POST", "/api/v1/entities/<int:entity_id>/notes", "private.add",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/notes", "json": {"body": "Called them"}}),
    ("POST", "/api/v1/entities/<int:entity_id>/evidence", "private.add", lambda w, p: {
        "path": f"/api/v1/entities/{w['agency'].id}/evidence", "json": {"title": "Contract", "kind": "contract"}}),
    ("POST", "/entities/<int:entity_id>/follow", "private.add",
     lambda w, p: {"path": f"/entities/{w['employer'].id}/follow", "page": True, "data": {"label": "supplier"}}),
    ("POST", "/entities/<int:entity_id>/notes", "private.add", lambda w, p: {
        "path": f"/entities/{w['agency'].id}/notes", "page": True, "data": {"body": "Called them"}}),
    ("GET", "/api/v1/notes/<int:note_id>", "private.read", lambda w, p: {"path": f"/api/v1/notes/{w['note'].id}"}),
    ("GET", "/api/v1/evidence/<int:evidence_id>", "private.read",
     lambda w, p: {"path": f"/api/v1/evidence/{w['document'].id}"}),
    ("DELETE", "/api/v1/notes/<int:note_id>", "private.write", lambda w, p: {"path": f"/api/v1/notes/{w['note'].id}"}),
    ("DELETE", "/api/v1/portfolio/<int:entry_id>", "private.write",
     lambda w, p: {"path": f"/api/v1/portfolio/{w['follow'].id}"}),
    ("POST", "/entities/<int:entity_id>/unfollow", "private.write",
     lambda w, p: {"path": f"/entities/{w['agency'].id}/unfollow", "page": True}),
    ("POST", "/api/v1/watchlists/<name>/versions", "watchlist.import", lambda w, p: {
        "path": "/api/v1/watchlists/np-banned/versions", "data": {
            "format": "generic-csv", "file": (io.BytesIO(BANNED.read_bytes()), "banned.csv")}}),
    ("POST", "/api/v1/entities/<int:entity_id>/screen", "screen.entity",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/screen"}),
    ("GET", "/api/v1/hits", "hit.read", lambda w, p: {"path": "/api/v1/hits"}),
    ("GET", "/api/v1/hits/<int:hit_id>", "hit.read", lambda w, p: {"path": f"/api/v1/hits/{w['hit'].id}"}),
    ("GET", "/api/v1/entities/<int:entity_id>/screening", "hit.read",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/screening"}),
    ("GET", "/hits", "hit.read", lambda w, p: {"path": "/hits", "page": True}),
    ("GET", "/hits/<int:hit_id>", "hit.read", lambda w, p: {"path": f"/hits/{w['hit'].id}", "page": True}),
    ("GET", "/api/v1/entities/<int:entity_id>/hits", "hit.follow",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/hits"}),
    ("POST", "/api/v1/hits/<int:hit_id>/decision", "hit.decide", lambda w, p: {
        "path": f"/api/v1/hits/{w['hit'].id}/decision", "json": {"state": "escalated", "version": w["hit"].version}}),
    ("POST", "/api/v1/hits/decisions", "hit.decide", lambda w, p: {"path": "/api/v1/hits/decisions", "json": {
        "decisions": [{"id": w["hit"].id, "state": "escalated", "version": w["hit"].version}]}}),
    ("POST", "/hits/<int:hit_id>", "hit.decide", lambda w, p: {
        "path": f"/hits/{w['hit'].id}", "page": True, "data": {"state": "escalated", "version": w["hit"].version}}),
    ("GET", "/api/v1/tasks", "signed-in reads", lambda w, p: {"path": "/api/v1/tasks?reason=licence_expiring"}),
    ("GET", "/tasks", "signed-in reads", lambda w, p: {"path": "/tasks", "page": True}),
    ("GET", "/api/v1/tasks/<int:task_id>", "task.read", lambda w, p: {"path": f"/api/v1/tasks/{w['task'].id}"}),
    ("POST", "/api/v1/tasks/<int:task_id>/state", "task.work", lambda w, p: {
        "path": f"/api/v1/tasks/{w['task'].id}/state", "json": {"state": "claimed", "version": w["task"].version}}),
    ("POST", "/tasks/<int:task_id>/state", "task.work", lambda w, p: {
        "path": f"/tasks/{w['task'].id}/state", "page": True, "data": {"state": "claimed", "version": w["task"].version}}),
    ("GET", "/api/v1/users", "user.manage", lambda w, p: {"path": "/api/v1/users"}),
    ("POST", "/api/v1/users", "user.manage", lambda w, p: {"path": "/api/v1/users", "json": {
        "email": f"new-{unique()}@example.org", "name": "New", "role": "viewer", "password": "a long password 1"}}),
    ("PATCH", "/api/v1/users/<int:user_id>", "user.manage", lambda w, p: {
        "path": f"/api/v1/users/{w['b_viewer'].id}", "json": {"version": w["b_viewer"].version, "name": "Renamed"}}),
    ("POST", "/api/v1/organisations", "organisation.create", lambda w, p: {
        "path": "/api/v1/organisations", "json": {"name": f"New org {unique()}", "kind": "business"}}),
    ("GET", "/api/v1/audit-events", "audit.read", lambda w, p: {"path": "/api/v1/audit-events"}),
    ("GET", "/api/v1/audits", "signed-in reads", lambda w, p: {"path": "/api/v1/audits"}),
    ("GET", "/api/v1/entities/<int:entity_id>/audits", "signed-in reads",
     lambda w, p: {"path": f"/api/v1/entities/{w['agency'].id}/audits"}),
    ("POST", "/api/v1/entities/<int:entity_id>/audits", "auditing.record", lambda w, p: {
        "path": f"/api/v1/entities/{w['agency'].id}/audits",
        "json": {"kind": "unannounced", "scope": ["A", "D"], "worker_interviews": 12, "planned_on": "2026-12-01"}}),
    ("GET", "/api/v1/audits/<int:audit_id>", "auditing.read", lambda w, p: {"path": f"/api/v1/audits/{w['audit'].id}"}),
    ("GET", "/api/v1/audits/<int:audit_id>/findings", "auditing.read",
     lambda w, p: {"path": f"/api/v1/audits/{w['audit'].id}/findings"}),
    ("GET", "/api/v1/findings/<int:finding_id>/corrective-actions", "auditing.read",
     lambda w, p: {"path": f"/api/v1/findings/{w['audit_finding'].id}/corrective-actions"}),
    ("GET", "/api/v1/corrective-actions/<int:action_id>", "auditing.read",
     lambda w, p: {"path": f"/api/v1/corrective-actions/{w['open_action'].id}"}),
    ("GET", "/audits/<int:audit_id>/summary", "auditing.read",
     lambda w, p: {"path": f"/audits/{w['audit'].id}/summary", "page": True}),
    ("PATCH", "/api/v1/audits/<int:audit_id>", "auditing.change", lambda w, p: {
        "path": f"/api/v1/audits/{w['audit'].id}", "json": {"version": w["audit"].version, "worker_interviews": 30}}),
    ("POST", "/api/v1/audits/<int:audit_id>/state", "auditing.change", lambda w, p: {
        "path": f"/api/v1/audits/{w['audit'].id}/state",
        "json": {"version": w["audit"].version, "state": "reported", "on": "2026-01-20"}}),
    ("POST", "/api/v1/audits/<int:audit_id>/findings", "auditing.change", lambda w, p: {
        "path": f"/api/v1/audits/{w['audit'].id}/findings",
        "json": {"principle": "C", "grade": "minor", "description": "Receipts missing", "found_on": "2026-01-14"}}),
    ("POST", "/api/v1/findings/<int:finding_id>/corrective-actions", "auditing.change", lambda w, p: {
        "path": f"/api/v1/findings/{w['audit_finding'].id}/corrective-actions",
        "json": {"description": "Keep a passport log", "owner": "Compliance officer", "deadline": "2026-04-01"}}),
    ("PATCH", "/api/v1/corrective-actions/<int:action_id>", "auditing.change", lambda w, p: {
        "path": f"/api/v1/corrective-actions/{w['open_action'].id}",
        "json": {"version": w["open_action"].version, "deadline": "2026-04-15"}}),
    ("POST", "/api/v1/corrective-actions/<int:action_id>/completion", "action.complete", lambda w, p: {
        "path": f"/api/v1/corrective-actions/{w['open_action'].id}/completion",
        "json": {"version": w["open_action"].version, "evidence": "Passports returned, log signed"}}),
    ("POST", "/api/v1/corrective-actions/<int:action_id>/verification", "action.verify", lambda w, p: {
        "path": f"/api/v1/corrective-actions/{w['done_action'].id}/verification",
        "json": {"version": w["done_action"].version, "outcome": "verified"}}),
    ("GET", "/api/v1/notifications/subscriptions", "notification.manage",
     lambda w, p: {"path": "/api/v1/notifications/subscriptions"}),
    ("POST", "/api/v1/notifications/subscriptions", "notification.manage", lambda w, p: {
        "path": "/api/v1/notifications/subscriptions",
        "json": {"channel": "webhook", "events": ["tier_changed"], "url": "https://hooks.example.org/new"}}),
    ("GET", "/api/v1/notifications/deliveries", "notification.manage",
     lambda w, p: {"path": "/api/v1/notifications/deliveries?state=dead"}),
    ("GET", "/api/v1/calendar/tokens", "notification.manage", lambda w, p: {"path": "/api/v1/calendar/tokens"}),
    ("POST", "/api/v1/calendar/tokens", "notification.manage",
     lambda w, p: {"path": "/api/v1/calendar/tokens", "json": {"name": "team calendar"}}),
    ("DELETE", "/api/v1/notifications/subscriptions/<int:subscription_id>", "notification.change",
     lambda w, p: {"path": f"/api/v1/notifications/subscriptions/{w['subscription'].id}"}),
    ("POST", "/api/v1/notifications/deliveries/<int:delivery_id>/retry", "notification.change",
     lambda w, p: {"path": f"/api/v1/notifications/deliveries/{w['dead'].id}/retry"}),
    ("DELETE", "/api/v1/calendar/tokens/<int:token_id>", "notification.change",
     lambda w, p: {"path": f"/api/v1/calendar/tokens/{w['feed'].id}"}),
    ("GET", "/api/v1/reports/receivers", "report.submit", lambda w, p: {"path": "/api/v1/reports/receivers"}),
    ("POST", "/api/v1/reports/intake", "report.submit", lambda w, p: {"path": "/api/v1/reports/intake",
                                                                      "json": report_body(w["n"].id)}),
    ("POST", "/api/v1/reports/receipt/status", "report.submit",
     lambda w, p: {"path": "/api/v1/reports/receipt/status", "json": {"receipt": w["receipt"]}}),
    ("POST", "/api/v1/reports/receipt/additions", "report.submit", lambda w, p: {
        "path": "/api/v1/reports/receipt/additions", "json": {"receipt": w["receipt"], "account": "More"}}),
    ("POST", "/api/v1/reports/receipt/withdrawal", "report.submit",
     lambda w, p: {"path": "/api/v1/reports/receipt/withdrawal", "json": {"receipt": w["receipt"]}}),
    ("GET", "/report", "report.submit", lambda w, p: {"path": f"/report?agency={w['agency'].id}"}),
    ("POST", "/report", "report.submit", lambda w, p: {"path": "/report", "page": True, "data": {
        "receiver_id": str(w["n"].id), "agency_id": str(w["agency"].id), "documents_kept": "yes"}}),
    ("GET", "/report/receipt", "report.submit", lambda w, p: {"path": "/report/receipt"}),
    ("POST", "/report/receipt", "report.submit", lambda w, p: {"path": "/report/receipt", "page": True, "data": {
        "receipt": w["receipt"]}}),
    ("GET", "/api/v1/reports/figures", "report.figures", lambda w, p: {"path": "/api/v1/reports/figures"}),
    ("POST", "/api/v1/reports", "report.file", lambda w, p: {"path": "/api/v1/reports", "json": report_body()}),
    ("POST", "/api/v1/reports/import", "report.file", lambda w, p: {
        "path": "/api/v1/reports/import", "data": csv_file("agency_name,documents_kept\nGulf Dream,true\n")}),
    ("GET", "/api/v1/reports", "report.file", lambda w, p: {"path": "/api/v1/reports"}),
    ("GET", "/api/v1/reports/<int:report_id>", "report.handle",
     lambda w, p: {"path": f"/api/v1/reports/{w['report'].id}"}),
    ("PATCH", "/api/v1/reports/<int:report_id>", "report.handle", lambda w, p: {
        "path": f"/api/v1/reports/{w['report'].id}", "json": {"version": w["report"].version,
                                                               "employer_entity_id": w["employer"].id}}),
    ("POST", "/api/v1/reports/<int:report_id>/state", "report.handle", lambda w, p: {
        "path": f"/api/v1/reports/{w['report'].id}/state",
        "json": {"version": w["report"].version, "state": "investigating"}}),
    ("POST", "/api/v1/reports/<int:report_id>/verification", "report.handle", lambda w, p: {
        "path": f"/api/v1/reports/{w['report'].id}/verification",
        "json": {"version": w["report"].version, "categories": ["documents_kept"]}}),
    ("POST", "/api/v1/reports/<int:report_id>/referrals", "report.handle", lambda w, p: {
        "path": f"/api/v1/reports/{w['report'].id}/referrals", "json": {"regulator_id": w["g2"].id}}),
    ("GET", "/api/v1/reports/<int:report_id>/confidential", "report.handle",
     lambda w, p: {"path": f"/api/v1/reports/{w['report'].id}/confidential"}),
    ("POST", "/api/v1/reports/<int:report_id>/notes", "report.handle", lambda w, p: {
        "path": f"/api/v1/reports/{w['report'].id}/notes", "json": {"text": "Called back"}}),
    ("GET", "/api/v1/reports/<int:report_id>/attachments/<int:attachment_id>", "report.attachment", lambda w, p: {
        "path": f"/api/v1/reports/{w['report'].id}/attachments/{w['attachment'].id}"}),
    ("GET", "/api/v1/referrals", "report.referrals", lambda w, p: {"path": "/api/v1/referrals"}),
    ("GET", "/api/v1/referrals/<int:report_id>", "report.referred",
     lambda w, p: {"path": f"/api/v1/referrals/{w['report'].id}"}),
    # Last: signing out ends the persona's browser session.
    ("POST", "/logout", "public", lambda w, p: {"path": "/logout", "page": True}),
]


def test_every_route_is_in_the_matrix_and_every_row_is_in_the_table(app):
    ours = {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint not in FILES
            for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert ours == {(method, rule) for method, rule, _, _ in ROUTES}
    assert {row for _, _, row, _ in ROUTES} == set(TABLE)
    assert PERSONAS == ["anon", *WHO]


def test_every_route_answers_each_kind_of_user_as_the_readme_table_says(app, session, world):
    conn = session.bind
    wrong = []
    for method, rule, row, build in ROUTES:
        if build is None:
            continue  # the same view as the agencies' route above, for employers
        for name, persona in world["personas"].items():
            request = build(world, persona)
            path, page, fresh = request.pop("path"), request.pop("page", False), request.pop("fresh", False)
            own = request.pop("own", False)
            client = app.test_client() if fresh or own else persona.browser
            throttle.reset()  # the matrix is not a brute-force attempt
            savepoint = conn.begin_nested()
            if own and persona.email:
                client.post("/login", data={"email": persona.email, "password": PASSWORD,
                                            "csrf_token": csrf_of(client)})
            if page or fresh or own or method == "GET" and not path.startswith("/api/v1/"):
                if method == "POST":
                    request.setdefault("data", {})["csrf_token"] = csrf_of(client)
            else:
                client = app.test_client()
                request["headers"] = persona.headers
            try:
                # Buffered: streamed bodies (exports) finish inside the savepoint.
                status = client.open(path, method=method, buffered=True, **request).status_code
            finally:
                savepoint.rollback()
                listing.forget()
                indexes.forget()
            allowed = TABLE[row][name] == "yes"
            refused = (401,) if name == "anon" else (403, 404)
            if (allowed and not 200 <= status < 400) or (not allowed and status not in refused):
                wrong.append(f"{method} {path} as {name}: {status} (table: {TABLE[row][name]})")
    assert not wrong, "\n".join(wrong)
