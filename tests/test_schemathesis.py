"""Property-based tests over the whole OpenAPI document: schemathesis generates requests for every operation
and runs every check on the answers, as a platform admin, a business analyst and anonymously.

The module has a database of its own, seeded once with realistic records; each generated request runs in a
transaction rolled back after it, so every example starts from the same records and nothing leaks.
"""
import base64
from datetime import date
import io
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.internal.conjecture.providers import HypothesisProvider
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import create_app, db
from app.accounts import service as accounts, throttle
from app.accounts.auth import actor_for
from app.audits.tasks_models import ReviewTask
from app.registry.models import Authority
from tests.conftest import PASSWORD, fresh_database_url, make_app, rolled_back
from tests.scoring.test_api import CLEAN_PRACTICES, FEE

BANNED = Path(__file__).parent / "data" / "screening" / "hits" / "banned_v1.csv"
# A 1x1 PNG, for reports' attachments.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")

# Every check schemathesis has runs, with one setting changed: a schema-valid request may be answered 422 (the
# documented answer, in our error shape, naming the field) for what JSON Schema cannot say: ISO country and
# currency codes, control characters in text, references to rows that do not exist, dates that must lie in the
# future, rules across fields (a dismissal needs a reason, a rejection too), a wrong current password. Any other
# refusal of valid data (400, 405, 415, ...) still fails. The checks that need a recorded sequence of calls
# (use_after_free, ensure_resource_availability) only act in stateful runs and pass here; max_response_time is
# off because no limit is set (timing is bench/'s business, not a reproducible test's).
CHECKS = {"checks": {"positive_data_acceptance": {
    # schemathesis' default list, plus 422 (5xx is there because not_a_server_error reports those).
    "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]}}}
# What seed() made, once the module's app fixture has run.
SEEDED = {}


@pytest.fixture(scope="module", autouse=True)
def no_local_constants():
    """Hypothesis mixes into the data it draws literal constants of the project's modules loaded so far, which
    depend on the test files this process ran before (a test module's constants changed what the whole suite sent
    here): with none, the same requests are sent alone and in the whole suite, as CI needs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(HypothesisProvider, "_maybe_draw_constant", lambda self, *args, **kwargs: None)
        yield


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """This module's own database (it overrides conftest's app), holding the seeded records."""
    app = make_app(fresh_database_url(tmp_path_factory.mktemp("db"), "fuzz"))
    SEEDED.update(seed(app))
    yield app
    app.extensions["engine"].dispose()


def seed(app):
    """Organisations, users and tokens through the services; the records through the API, as people make them.

    Returns {"tokens": {identity: raw token}, "users": {identity: user id}, "versions": {record: its version now},
    "ids": {path parameter: [values that name a record]}}.
    """
    session = db.Session()
    nepal = Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP")
    session.add_all([nepal, Authority(code="PH-DMW", name="Department of Migrant Workers", country="PH")])
    session.flush()
    platform = accounts.create_organisation(session, name="FairRecruit Platform", kind="platform")
    brand = accounts.create_organisation(session, name="Northwind Apparel Group", kind="business")
    regulator = accounts.create_organisation(session, name="Department of Foreign Employment", kind="government",
                                             authority_ids=[nepal.id])
    users = {
        "admin": accounts.create_user(session, organisation_id=platform.id, role="admin", password=PASSWORD,
                                      email="admin@fuzz.example", name="Platform Admin"),
        "analyst": accounts.create_user(session, organisation_id=brand.id, role="analyst", password=PASSWORD,
                                        email="analyst@fuzz.example", name="Brand Analyst"),
        "viewer": accounts.create_user(session, organisation_id=brand.id, role="viewer", password=PASSWORD,
                                       email="viewer@fuzz.example", name="Brand Viewer"),
        "registrar": accounts.create_user(session, organisation_id=regulator.id, role="registrar",
                                          password=PASSWORD, email="registrar@fuzz.example", name="Registrar"),
    }
    ngo = accounts.create_organisation(session, name="Migrant Workers Helpline", kind="civil_society")
    users["handler"] = accounts.create_user(session, organisation_id=ngo.id, role="case_handler", password=PASSWORD,
                                            email="handler@fuzz.example", name="Case Handler")
    session.commit()
    tokens, token_ids = {}, []
    for identity in ("admin", "analyst", "handler"):
        token, raw = accounts.create_token(session, actor_for(session, users[identity]), name="fuzz")
        tokens[identity] = raw
        token_ids.append(token.id)
    session.commit()
    user_ids = {identity: user.id for identity, user in users.items()}
    db.Session.remove()

    client = app.test_client()

    def call(identity, method, path, **kwargs):
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {tokens[identity]}"},
                               **kwargs)
        assert response.status_code < 300, (method, path, response.status_code, response.get_json(silent=True))
        return response.get_json(silent=True)

    agency = call("analyst", "POST", "/api/v1/agencies", json={
        "legal_name": "Gulf Dream Manpower Pvt. Ltd.", "country": "NP", "sectors": ["construction"],
        "aliases": [{"name": "Gulf Dream Overseas", "kind": "trading"}],
        "identifiers": [{"scheme": "registration", "value": "NP-REG-88121"}],
        "people": [{"name": "Ram Bahadur Thapa", "role": "owner", "nationality": "NP"}]})
    # Only the issuing authority's registrars and platform admins record licences.
    licence = call("admin", "POST", f"/api/v1/entities/{agency['id']}/licences", json={
        "authority": "NP-DOFE", "number": "4411/080", "status": "valid", "type": "full",
        "valid_from": "2024-01-01", "valid_until": "2030-01-01", "destinations": ["QA", "AE"]})
    employer = call("admin", "POST", "/api/v1/employers", json={
        "legal_name": "Doha Towers W.L.L.", "country": "QA", "sectors": ["construction"]})
    gone = call("admin", "POST", "/api/v1/agencies", json={"legal_name": "Gone Overseas", "country": "NP"})
    call("admin", "DELETE", f"/api/v1/agencies/{gone['id']}?version={gone['version']}")
    call("admin", "POST", "/api/v1/relationships", json={
        "kind": "employer_uses_agency", "client_id": employer["id"], "provider_id": agency["id"],
        "origin_country": "NP", "destination_country": "QA", "sector": "construction"})
    call("admin", "POST", f"/api/v1/licences/{licence['id']}/status", json={
        "version": licence["version"], "status": "preventive_suspension", "reason": "complaint 2026/14"})
    entry = call("analyst", "POST", "/api/v1/portfolio", json={"entity_id": agency["id"]})
    note = call("analyst", "POST", f"/api/v1/entities/{agency['id']}/notes", json={"body": "Receipts for fees seen"})
    document = call("analyst", "POST", f"/api/v1/entities/{agency['id']}/evidence",
                    json={"title": "Audit report", "kind": "audit_report"})
    change = call("analyst", "POST", f"/api/v1/entities/{employer['id']}/change-requests", json={
        "fields": {"website": "https://doha-towers.example"}, "reason": "On their letterhead"})
    call("admin", "POST", f"/api/v1/entities/{agency['id']}/fee-lines", json=FEE)
    call("admin", "POST", f"/api/v1/entities/{agency['id']}/practices", json=CLEAN_PRACTICES)
    finding = call("admin", "POST", f"/api/v1/entities/{agency['id']}/findings", json={
        "source": "audit", "principle": "D", "grade": "major", "description": "Passports kept",
        "found_on": "2026-11-02"})
    call("admin", "POST", f"/api/v1/entities/{agency['id']}/score")
    # An audit the platform performs itself, in fieldwork, with a finding, an open action and a completed one.
    audit = call("admin", "POST", f"/api/v1/entities/{agency['id']}/audits", json={
        "kind": "announced", "reference": "FUZZ-1", "scope": ["C", "D"], "worker_interviews": 10,
        "planned_on": "2026-11-01"})
    audit = call("admin", "POST", f"/api/v1/audits/{audit['id']}/state", json={
        "version": audit["version"], "state": "fieldwork", "on": "2026-11-02"})
    audit_finding = call("admin", "POST", f"/api/v1/audits/{audit['id']}/findings", json={
        "principle": "D", "grade": "major", "description": "Passports kept", "found_on": "2026-11-03"})
    open_action, done_action = (call("admin", "POST", f"/api/v1/findings/{audit_finding['id']}/corrective-actions",
                                     json={"description": what, "owner": "Manager", "deadline": "2027-01-31"})
                                for what in ("Return the passports", "Keep a passport log"))
    done_action = call("admin", "POST", f"/api/v1/corrective-actions/{done_action['id']}/completion", json={
        "version": done_action["version"], "evidence": "Log book", "completed_on": "2026-11-20"})
    subscription = call("admin", "POST", "/api/v1/notifications/subscriptions", json={
        "channel": "webhook", "events": ["tier_changed"], "url": "https://hooks.example.org/fairrecruit"})
    feed = call("admin", "POST", "/api/v1/calendar/tokens", json={"name": "fuzz"})
    with open(BANNED, "rb") as banned:
        call("admin", "POST", "/api/v1/watchlists/np-banned/versions", content_type="multipart/form-data", data={
            "format": "generic-csv", "kind": "banned_agency", "file": (io.BytesIO(banned.read()), "banned.csv")})
    hits = call("admin", "GET", f"/api/v1/hits?entity_id={agency['id']}")["items"]
    assert hits, "the banned list should hit the agency"
    task = add_task(agency["id"], brand.id)
    # A worker's report the helpline filed, with a picture, triaged.
    picture = base64.b64encode(PNG).decode()
    report = call("handler", "POST", "/api/v1/reports", json={
        "agency": {"entity_id": agency["id"]}, "origin_country": "NP", "destination_country": "QA",
        "documents_kept": True, "account": "They kept my passport.", "contact": {"phone": "+977 1"},
        "consent": {"share_with_regulator": True, "count_in_figures": True, "may_contact": True},
        "attachments": [{"name": "receipt.png", "content": picture}]})
    call("handler", "POST", f"/api/v1/reports/{report['id']}/state", json={"version": 1, "state": "triaged"})
    case = call("handler", "GET", f"/api/v1/reports/{report['id']}")
    versions = {
        "agency": call("admin", "GET", f"/api/v1/agencies/{agency['id']}")["version"],
        "employer": call("admin", "GET", f"/api/v1/employers/{employer['id']}")["version"],
        "licence": call("admin", "GET", f"/api/v1/licences/{licence['id']}")["version"],
        "finding": finding["version"], "hit": hits[0]["version"], "audit": audit["version"],
        "open_action": open_action["version"], "done_action": done_action["version"],
        "viewer": next(user for user in call("admin", "GET", "/api/v1/users")
                       if user["id"] == user_ids["viewer"])["version"], "report": case["version"]}
    return {"tokens": tokens, "users": user_ids, "versions": versions, "ids": {
        "entity_id": [agency["id"], employer["id"], gone["id"]], "licence_id": [licence["id"]],
        "change_id": [change["id"]], "entry_id": [entry["id"]], "note_id": [note["id"]],
        "evidence_id": [document["id"]], "finding_id": [finding["id"], audit_finding["id"]],
        "hit_id": [hit["id"] for hit in hits], "audit_id": [audit["id"]],
        "action_id": [open_action["id"], done_action["id"]],
        "token_id": token_ids + [feed["id"]], "user_id": list(user_ids.values()), "name": ["np-banned"],
        "number": [1], "task_id": [task], "subscription_id": [subscription["id"]], "delivery_id": [1],
        "report_id": [report["id"]], "attachment_id": [case["attachments"][0]["id"]], "receiver_id": [ngo.id],
        "regulator_id": [regulator.id], "receipt": [report["receipt"]]}}


def add_task(entity_id, organisation_id):
    """A review task of the brand (the review sweep makes them; here one is enough)."""
    session = db.Session()
    task = ReviewTask(entity_id=entity_id, reason="licence_expiring", organisation_id=organisation_id,
                      trigger_key="licence:1:2030-01-01", due_on=date(2029, 12, 31),
                      explanation={"message": "licence_expiring", "params": {"licence": "NP-DOFE 4411/080",
                                                                             "valid_until": "2030-01-01"}})
    session.add(task)
    session.commit()
    db.Session.remove()
    return task.id


# The document does not depend on the database, so an app without one serves it; the tests' app, with its
# database, is made by the fixture above and passed to every call.
DOCUMENT_APP = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "document-only-" + "x" * 32, "TESTING": True,
                           "LOG_LEVEL": "WARNING"})


def load_schema(phases):
    """The document the app serves, to be tested in these schemathesis phases."""
    # No constants harvested from the app's code: which ones are found depends on what the process has imported,
    # so the same test would send other requests in the whole suite than alone (CI must be reproducible).
    config = SchemathesisConfig.from_dict({**CHECKS, "analysis": {"constants": {"enabled": False}}, "phases": {
        phase: {"enabled": phase in phases} for phase in ("examples", "coverage", "fuzzing", "stateful")}})
    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", DOCUMENT_APP, config=config)
    loaded.hook(before_generate_path_parameters)
    return loaded


def before_generate_path_parameters(context, strategy):
    """Path parameters name the seeded records about half of the time (generated ids mostly miss)."""
    names = [parameter.name for parameter in context.operation.path_parameters]
    if not names:
        return strategy
    # Deferred: the records are made when the module's first test starts, after this strategy is built.
    known = st.deferred(lambda: st.fixed_dictionaries(
        {name: st.sampled_from(SEEDED["ids"][name]) for name in names}))
    return st.one_of(known, strategy)


def send(app, case, identity):
    """Send the case as this identity, in a transaction rolled back after it, and run every check."""
    token = SEEDED["tokens"].get(identity)
    # Sign-in and token creation are rate limited; thousands of generated requests would hit the limits.
    throttle.reset()
    with rolled_back(app):
        return case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"} if token else {})


HYPOTHESIS = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
    HealthCheck.data_too_large])
fuzzed = load_schema({"examples", "fuzzing"})
bounded = load_schema({"coverage"})


@pytest.fixture(params=("admin", "analyst", "anonymous"))
def identity(request):
    """Who sends the requests: a platform admin, a business analyst, nobody signed in."""
    return request.param


@fuzzed.parametrize()
@settings(max_examples=15, **HYPOTHESIS)
def test_generated_requests_are_answered_as_documented(app, identity, case):
    send(app, case, identity)


# The coverage phase sends each operation a fixed set of boundary and wrong inputs (lengths and numbers at and
# past their limits, each required field missing, wrong types, methods the path does not take): about 70 per
# operation, 5,000 in all. They run as the platform admin, whom every door admits, so each input reaches the
# validation, services and database behind it; for the analyst and anonymous callers the same inputs mostly stop
# at the door (403, 401), which the generated requests above already show answered as documented.
@bounded.parametrize()
@settings(**HYPOTHESIS)
def test_boundary_inputs_are_answered_as_documented(app, case):
    send(app, case, "admin")


def happy_paths():
    """(identity, method, path, request) that succeed on the seeded records: generated data rarely does (ISO codes,
    versions, files), so these make sure every write's success is checked against the document too."""
    ids, versions = SEEDED["ids"], SEEDED["versions"]
    agency, employer, _ = ids["entity_id"]
    licence, finding, hit = ids["licence_id"][0], ids["finding_id"][0], ids["hit_id"][0]
    audit, (open_action, done_action) = ids["audit_id"][0], ids["action_id"]
    report = ids["report_id"][0]
    registry_csv = ("legal_name,country,licence_authority,licence_number,licence_status\n"
                    "Happy Overseas,NP,NP-DOFE,77/1,valid\n")
    fee_csv = ("entity_id,source,category,amount,currency,paid_by,stage\n"
               f"{agency},receipts,recruitment_fee,300,NPR,worker,before_departure\n")
    return [
        ("admin", "POST", "/api/v1/agencies", {"body": {
            "legal_name": "Happy Path Overseas Pvt. Ltd.", "country": "NP", "sectors": ["construction"],
            "licences": [{"authority": "NP-DOFE", "number": "1/083", "status": "valid", "destinations": ["QA"]}]}}),
        ("analyst", "POST", "/api/v1/employers", {"body": {"legal_name": "Happy Farms", "country": "MY"}}),
        ("admin", "PATCH", "/api/v1/agencies/{entity_id}", {"path_parameters": {"entity_id": agency}, "body": {
            "version": versions["agency"], "website": "https://gulf-dream.example"}}),
        ("admin", "PATCH", "/api/v1/employers/{entity_id}", {"path_parameters": {"entity_id": employer}, "body": {
            "version": versions["employer"], "sectors": ["construction", "hospitality"]}}),
        ("admin", "DELETE", "/api/v1/agencies/{entity_id}", {"path_parameters": {"entity_id": agency},
                                                             "query": {"reason": "duplicate"}}),
        ("analyst", "POST", "/api/v1/entities/{entity_id}/change-requests", {
            "path_parameters": {"entity_id": employer},
            "body": {"fields": {"country": "QA", "website": "https://doha.example"}, "reason": "Their site"}}),
        ("admin", "POST", "/api/v1/change-requests/{change_id}/decision", {
            "path_parameters": {"change_id": ids["change_id"][0]},
            "body": {"decision": "accepted", "version": versions["employer"]}}),
        ("admin", "POST", "/api/v1/entities/{entity_id}/licences", {"path_parameters": {"entity_id": agency}, "body": {
            "authority": "PH-DMW", "number": "DMW-042", "status": "valid", "valid_until": "2031-01-31"}}),
        ("admin", "PATCH", "/api/v1/licences/{licence_id}", {"path_parameters": {"licence_id": licence}, "body": {
            "version": versions["licence"], "destinations": ["QA", "SA"]}}),
        ("admin", "POST", "/api/v1/licences/{licence_id}/status", {"path_parameters": {"licence_id": licence},
                                                                  "body": {"version": versions["licence"],
                                                                           "status": "valid", "reason": "cleared"}}),
        ("admin", "POST", "/api/v1/authorities", {"body": {"code": "BD-BMET", "name": "BMET", "country": "BD"}}),
        ("analyst", "POST", "/api/v1/relationships", {"body": {
            "kind": "employer_uses_agency", "client_id": employer, "provider_id": agency,
            "origin_country": "NP", "destination_country": "QA"}}),
        ("analyst", "POST", "/api/v1/entities/{entity_id}/fee-lines", {"path_parameters": {"entity_id": agency},
                                                                       "body": FEE}),
        ("admin", "PATCH", "/api/v1/findings/{finding_id}", {"path_parameters": {"finding_id": finding}, "body": {
            "version": versions["finding"], "status": "closed", "closed_on": "2026-11-20"}}),
        ("admin", "POST", "/api/v1/score/what-if", {"body": {"kind": "agency", "country": "NP", "facts": {
            "licence_status": "valid", "documents_retained": True}}}),
        ("analyst", "POST", "/api/v1/screen", {"body": {"name": "Gulf Dreams Manpower", "countries": ["NP"]}}),
        ("admin", "POST", "/api/v1/hits/{hit_id}/decision", {"path_parameters": {"hit_id": hit}, "body": {
            "state": "dismissed", "reason": "different_entity", "version": versions["hit"]}}),
        ("admin", "POST", "/api/v1/hits/decisions", {"body": {"decisions": [
            {"id": hit, "state": "escalated", "version": versions["hit"]}]}}),
        ("admin", "PATCH", "/api/v1/users/{user_id}", {"path_parameters": {"user_id": SEEDED["users"]["viewer"]},
                                                       "body": {"version": versions["viewer"], "role": "analyst"}}),
        ("admin", "POST", "/api/v1/registry/import", upload("registry.csv", registry_csv)),
        ("analyst", "POST", "/api/v1/evidence/import", {**upload("fees.csv", fee_csv), "query": {"type": "fee-lines"}}),
        ("admin", "POST", "/api/v1/entities/{entity_id}/audits", {"path_parameters": {"entity_id": agency}, "body": {
            "kind": "unannounced", "scope": ["A"], "planned_on": "2027-01-10"}}),
        ("admin", "PATCH", "/api/v1/audits/{audit_id}", {"path_parameters": {"audit_id": audit}, "body": {
            "version": versions["audit"], "scope": ["C", "D", "G"], "lead_auditor": "Omar Haddad"}}),
        ("admin", "POST", "/api/v1/audits/{audit_id}/state", {"path_parameters": {"audit_id": audit}, "body": {
            "version": versions["audit"], "state": "reported", "on": "2026-11-10"}}),
        ("admin", "POST", "/api/v1/audits/{audit_id}/findings", {"path_parameters": {"audit_id": audit}, "body": {
            "principle": "C", "grade": "minor", "description": "No receipts", "found_on": "2026-11-04"}}),
        ("admin", "POST", "/api/v1/findings/{finding_id}/corrective-actions", {
            "path_parameters": {"finding_id": ids["finding_id"][1]},
            "body": {"description": "Train the staff", "owner_entity_id": agency, "deadline": "2027-02-01"}}),
        ("admin", "PATCH", "/api/v1/corrective-actions/{action_id}", {"path_parameters": {"action_id": open_action},
                                                                      "body": {"version": versions["open_action"],
                                                                               "deadline": "2027-03-01"}}),
        ("admin", "POST", "/api/v1/corrective-actions/{action_id}/completion", {
            "path_parameters": {"action_id": open_action},
            "body": {"version": versions["open_action"], "evidence": "Passports returned"}}),
        ("admin", "POST", "/api/v1/corrective-actions/{action_id}/verification", {
            "path_parameters": {"action_id": done_action},
            "body": {"version": versions["done_action"], "outcome": "rejected", "note": "No signatures"}}),
        ("analyst", "GET", "/api/v1/audits", {"query": {"state": "fieldwork"}}),
        ("admin", "GET", "/api/v1/audits/{audit_id}/findings", {"path_parameters": {"audit_id": audit}}),
        ("admin", "GET", "/api/v1/registry/export", {"query": {"format": "csv"}}),
        ("analyst", "GET", "/api/v1/registry/export", {}),
        (None, "POST", "/api/v1/reports/intake", {"body": {
            "receiver_id": ids["receiver_id"][0], "agency": {"name": "Happy Manpower"}, "wages_withheld": True,
            "attachments": [{"name": "a.png", "content": base64.b64encode(PNG).decode()}]}}),
        (None, "POST", "/api/v1/reports/receipt/status", {"body": {"receipt": ids["receipt"][0]}}),
        (None, "POST", "/api/v1/reports/receipt/additions", {"body": {"receipt": ids["receipt"][0], "account": "More"}}),
        (None, "POST", "/api/v1/reports/receipt/withdrawal", {"body": {"receipt": ids["receipt"][0]}}),
        (None, "GET", "/api/v1/reports/figures", {"query": {"kind": "corridor", "year": 2026}}),
        ("handler", "GET", "/api/v1/reports", {"query": {"state": "triaged"}}),
        ("handler", "PATCH", "/api/v1/reports/{report_id}", {"path_parameters": {"report_id": report}, "body": {
            "version": versions["report"], "employer_entity_id": employer}}),
        ("handler", "POST", "/api/v1/reports/{report_id}/verification", {"path_parameters": {"report_id": report},
                                                                           "body": {"version": versions["report"],
                                                                                    "categories": ["documents_kept"]}}),
        ("handler", "POST", "/api/v1/reports/{report_id}/referrals", {"path_parameters": {"report_id": report},
                                                                        "body": {"regulator_id": ids["regulator_id"][0]}}),
        ("handler", "POST", "/api/v1/reports/{report_id}/notes", {"path_parameters": {"report_id": report},
                                                                    "body": {"text": "Called back"}}),
        ("handler", "GET", "/api/v1/reports/{report_id}/confidential", {"path_parameters": {"report_id": report}}),
        ("handler", "GET", "/api/v1/reports/{report_id}/attachments/{attachment_id}", {"path_parameters": {
            "report_id": report, "attachment_id": ids["attachment_id"][0]}}),
        ("handler", "POST", "/api/v1/reports/import", upload("reports.csv", "agency_name,in_debt\nHappy,true\n")),
    ]


def upload(filename, text):
    """A multipart body with one file part `file` (generated parts are named after their field, with no extension)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(text.encode()), filename)})
    return {"body": body, "media_type": "multipart/form-data",
            "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"}}


def test_happy_paths_are_answered_as_documented(app):
    for identity, method, path, request in happy_paths():
        case = fuzzed[path][method].Case(**request)
        response = send(app, case, identity)
        assert response.status_code < 300, (identity, method, path, response.status_code, response.text[:500])
