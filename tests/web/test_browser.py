"""The pages in a real browser (Debian's Chromium driven by Playwright) against a live server."""
from datetime import date
from pathlib import Path

import pytest

from app import db
from app.accounts import service as accounts
from app.registry import service as registry
from app.registry.models import Authority
from app.scoring.models import PracticeAssessment
from app.accounts.cli import OPERATOR
from app.screening.screen import import_and_screen
from tests.conftest import PASSWORD
from tests.web.live import CHROMIUM, FLAGS, chromium, fresh_app, served  # noqa: F401 (CHROMIUM, FLAGS: other tests import them here)

LIST = Path(__file__).resolve().parent.parent / "data" / "screening" / "hits" / "browser_list.csv"

SCORED = {}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on its own committed database, served on a free loopback port."""
    app = fresh_app(tmp_path_factory, "browser")
    session = db.Session()
    organisation = accounts.create_organisation(session, name="Browser Test Brand", kind="business")
    accounts.create_user(session, organisation_id=organisation.id, email="analyst@brand.example",
                         name="Asha Analyst", role="analyst", password=PASSWORD)
    session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP"))
    agency = registry.create_entity(session, None, "agency", {
        "legal_name": "Gorkha Global Placement Pvt. Ltd.", "country": "NP", "aliases": [], "identifiers": [],
        "addresses": [], "sectors": ["construction"], "people": [],
        "licences": [{"authority": "NP-DOFE", "number": "455/076/77", "type": "full", "status": "valid",
                      "destinations": ["QA"], "sectors": []}]})
    session.add(PracticeAssessment(entity_id=agency.id, source="audit", assessed_on=date(2026, 10, 1),
                                   documents_retained=True, written_contract=True))
    platform = accounts.create_organisation(session, name="Browser Test Platform", kind="platform")
    accounts.create_user(session, organisation_id=platform.id, email="reviewer@platform.example",
                         name="Rita Reviewer", role="analyst", password=PASSWORD)
    session.commit()
    import_and_screen(session, "np-banned", "generic-csv", [LIST], actor=OPERATOR, kind="banned_agency",
                      threshold=0.8)
    session.commit()
    SCORED["id"] = agency.id
    with served(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})  # a cheap phone's screen
    page = context.new_page()
    yield page
    context.close()


def test_analyst_signs_in_creates_a_token_and_signs_out(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#email", "analyst@brand.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert "analyst@brand.example" in page.inner_text("#account")
    page.click("text=API tokens")
    page.fill("#name", "supplier vetting")
    page.click("text=Create token")
    token = page.inner_text("#new-token")
    assert token.startswith("fr_")
    assert "supplier vetting" in page.inner_text("table")
    page.click("text=Revoke")
    assert "revoked" in page.inner_text("table")
    page.click("text=Sign out")
    assert page.locator("text=Sign in").count() >= 1


def test_wrong_password_shows_an_error(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#email", "analyst@brand.example")
    page.fill("#password", "wrong password!")
    page.click("button[type=submit]")
    assert "do not match" in page.inner_text("[role=alert]")


def test_api_docs_load_offline(page, live_server):
    page.goto(f"{live_server}/api/docs")
    page.get_by_text("/api/v1/agencies", exact=True).first.wait_for(timeout=15000)
    assert "FairRecruit API" in page.content()


def test_unknown_page_shows_a_readable_error(page, live_server):
    response = page.goto(f"{live_server}/nowhere")
    assert response.status == 404
    assert "Back to FairRecruit" in page.inner_text("main")


def test_analyst_reads_a_score_rule_by_rule_on_a_phone(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#email", "analyst@brand.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/entities/{SCORED['id']}/score")
    summary = page.inner_text("#summary")
    assert "Risk tier critical" in summary and "/100" in summary
    rows = page.locator("#outcomes tbody tr")
    first = rows.nth(0).inner_text()
    assert "D · Passports and identity documents stay with the worker" in first and "fail" in first
    assert "Fix: Return every document today" in first
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone


def test_reviewer_dismisses_a_hit_with_a_reason_on_a_phone(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#email", "reviewer@platform.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("header >> text=Hits")
    row = page.locator("#hits tbody tr").nth(0).inner_text()
    assert "Gorkha Global Placement Pvt. Ltd." in row and "np-banned" in row
    page.locator("#hits tbody tr a").nth(0).click()
    assert "gorkha global placement pvt ltd" in page.inner_text("main")
    assert "gorkha" in page.inner_text("#words")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.select_option("#state-choice", "dismissed")
    page.click("text=Record decision")
    assert "reason" in page.inner_text("#error")  # a dismissal needs a reason
    page.select_option("#state-choice", "dismissed")
    page.select_option("#reason", "different_entity")
    page.click("text=Record decision")
    assert "is now dismissed" in page.inner_text("main")
    assert "No open hits" in page.inner_text("#hits")
    page.click("a[href*='state=dismissed']")
    page.locator("#hits tbody tr a").nth(0).click()
    assert page.inner_text("#state") == "dismissed" and "different_entity" in page.inner_text("#history")


def test_pages_and_api_docs_break_no_content_security_policy(page, live_server):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server}/login")
    assert page.evaluate("getComputedStyle(document.querySelector('header')).display") == "flex"  # styled
    page.fill("#email", "analyst@brand.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/account/tokens")
    page.goto(f"{live_server}/account/password")
    page.goto(f"{live_server}/api/docs")
    page.get_by_text("/api/v1/agencies", exact=True).first.wait_for(timeout=15000)
    assert violations == []
