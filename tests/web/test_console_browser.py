"""The business dashboard in a real browser (Debian's Chromium through Playwright): signed in on a small phone with
JavaScript off, filtered and exported without a script; axe-core finds no serious or critical problem."""
from datetime import timedelta
from pathlib import Path

import pytest

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.registry import expiry, private, service as registry
from app.registry.models import Authority
from app.scoring.models import Score
from tests.conftest import PASSWORD
from tests.web.live import fresh_app, served
from tests.web.test_browser import browser  # noqa: F401 (the shared Chromium fixture)
from tests.web.test_public_browser import ARTEFACTS, axe_violations, no_sideways_scroll

EMAIL = "analyst@console.example"
AGENCIES = {"Shikhar Overseas Pvt. Ltd.": (90, "low"), "Himalayan Human Resources Pvt. Ltd.": (55, "high"),
            "Koshi Career Services Pvt. Ltd.": (70, "medium"), "Gorkha Global Placement Pvt. Ltd.": (60, "high")}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A business following four Nepali agencies, scored, one licence ending within a month."""
    app = fresh_app(tmp_path_factory, "console_browser")
    session = db.Session()
    session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP"))
    brand = accounts.create_organisation(session, name="Console Test Brand", kind="business")
    user = accounts.create_user(session, organisation_id=brand.id, email=EMAIL, name="Ana", role="analyst",
                                password=PASSWORD)
    session.flush()
    actor = actor_for(session, user)
    for n, (name, (total, tier)) in enumerate(AGENCIES.items()):
        entity = registry.create_entity(session, OPERATOR, "agency", {
            "legal_name": name, "country": "NP", "sectors": ["construction"],
            "licences": [{"authority": "NP-DOFE", "number": f"{200 + n}/080/81", "type": "full", "status": "valid",
                          "valid_until": expiry.today() + timedelta(days=20 + 400 * n), "destinations": ["QA"],
                          "sectors": []}]})
        session.commit()
        private.add_to_portfolio(session, actor, entity.id)
        session.add(Score(entity_id=entity.id, ruleset_id="test", ruleset_hash="0" * 64, total=total, tier=tier,
                          coverage=1.0, outcomes=[], facts={}, reason="test"))
    session.commit()
    with served(app) as url:
        yield url


def sign_in(page, base):
    page.goto(f"{base}/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")


def test_a_business_reads_filters_and_exports_its_portfolio_on_a_phone_without_javascript(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False,
                                  accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server)
    assert page.url.endswith("/console")
    assert "Higher score = lower risk" in page.inner_text("#portfolio")
    assert page.get_attribute("#tier-chart", "role") == "img"
    assert "high risk" in page.inner_text("#tier-figures")
    assert len(page.query_selector_all("#portfolio-table tbody tr")) == 4
    assert no_sideways_scroll(page, 360)
    page.screenshot(path=str(ARTEFACTS / "console-business-360.png"), full_page=True)

    page.select_option("#tier", "high")
    page.click("#portfolio-filters button[type=submit]")
    rows = page.inner_text("#portfolio-table tbody")
    assert "Himalayan Human Resources" in rows and "Gorkha Global" in rows and "Shikhar" not in rows
    assert page.input_value("#tier") == "high"

    page.select_option("#tier", "")
    page.check("#expiring")
    page.click("#portfolio-filters button[type=submit]")
    rows = page.inner_text("#portfolio-table tbody")
    assert "Shikhar Overseas" in rows and "Himalayan" not in rows and page.is_checked("#expiring")
    with page.expect_download() as download:
        page.click("#export-csv")
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Shikhar Overseas Pvt. Ltd." in body and "Koshi" not in body

    page.goto(f"{live_server}/console?tier=purple")
    assert "Choose one of the options offered." in page.inner_text("#error-summary")
    context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_dashboard_passes_axe_without_serious_or_critical_violations(browser, live_server, language):
    # axe-core is injected by the test (the pages' policy allows no script of ours to carry it).
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server)
    found = {}
    for query in ("", "?tier=purple&page=abc"):
        page.goto(f"{live_server}/console{query}{'&' if query else '?'}lang={language}")
        serious = axe_violations(page)
        if serious:
            found[query] = serious
    context.close()
    assert found == {}
