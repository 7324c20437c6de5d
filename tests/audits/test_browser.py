"""The audit summary in a real browser (Debian's Chromium) on a 320 px screen and printed."""
from datetime import date
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.audits import actions, service as audits
from app.registry import service as registry
from app.registry.models import Authority
from tests.conftest import PASSWORD, fresh_database_url, make_app
from tests.web.test_browser import CHROMIUM, FLAGS

AUDIT = {}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on its own committed database holding one reported audit, served on a free loopback port."""
    app = make_app(fresh_database_url(tmp_path_factory.mktemp("browser"), "audit_browser"))
    db.Session.configure(bind=app.extensions["engine"])
    session = db.Session()
    certifier = accounts.create_organisation(session, name="Fair Hire Browser Certification", kind="certification_body")
    auditor = accounts.create_user(session, organisation_id=certifier.id, email="auditor@certify.example",
                                   name="Elena Rossi", role="auditor", password=PASSWORD)
    session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP"))
    agency = registry.create_entity(session, None, "agency", {
        "legal_name": "Sagarmatha Himalayan International Overseas Recruiting Services Pvt. Ltd.", "country": "NP",
        "aliases": [], "identifiers": [], "addresses": [], "sectors": [], "people": [], "licences": []})
    session.commit()
    actor = actor_for(session, auditor)
    audit = audits.create_audit(session, actor, agency.id, {
        "kind": "unannounced", "reference": "FHC2026LONGREFERENCE00000000000000000001", "scope": "ABCDEFG",
        "lead_auditor": "Elena Rossi-Hernandez de la Fuente", "planned_on": date(2026, 1, 10),
        "document_review": True, "management_interviews": 3, "worker_interviews": 42})
    audits.change_state(session, actor, audit.id, {"version": audit.version, "state": "fieldwork",
                                                   "on": date(2026, 1, 12)})
    finding = audits.add_finding(session, actor, audit.id, {
        "source": "audit", "principle": "D", "grade": "major", "found_on": date(2026, 1, 13),
        "description": "Passports of six workers were kept in the office safe; "
                       "https://evidence.example/a-very-long-link-without-any-break-at-all-0123456789"})
    actions.plan_action(session, actor, finding.id, {"description": "Return every passport and record each return",
                                                     "owner": "ManagingDirectorOfTheKathmanduHeadOfficeAndEveryBranch",
                                                     "deadline": date(2026, 2, 1)})
    audits.change_state(session, actor, audit.id, {"version": audit.version, "state": "reported",
                                                   "on": date(2026, 1, 20)})
    session.commit()
    AUDIT["id"] = audit.id
    db.Session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["engine"].dispose()


@pytest.fixture
def page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 320, "height": 640})
        yield context.new_page()
        browser.close()


def test_the_summary_reads_on_a_320_px_phone_and_prints_without_the_site(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#email", "auditor@certify.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/audits/{AUDIT['id']}/summary")
    assert "Reported: corrective actions under way" in page.inner_text("#state")
    assert "overdue by" in page.inner_text("#findings")
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling
    assert page.evaluate("getComputedStyle(document.querySelector('header')).display") != "none"
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('header')).display") == "none"
    assert "Return every passport" in page.inner_text("main")

