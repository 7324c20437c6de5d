"""The entity page in a real browser (Debian's Chromium through Playwright, JavaScript off as on a cheap phone):
an analyst follows an agency, records a worker-paid recruitment fee and sees its tier change; a registrar
suspends a licence and the public page says so; axe-core finds no serious or critical problem. Screenshots are
kept in tests/artefacts/."""
from datetime import date

import pytest

from app import db
from app.accounts import service as accounts
from app.accounts.cli import OPERATOR
from app.registry import service as registry
from app.registry.models import Authority
from app.scoring import service as scoring
from app.scoring.models import PracticeAssessment
from tests.conftest import PASSWORD
from tests.web.live import fresh_app, served
from tests.web.test_browser import browser  # noqa: F401 (the shared Chromium fixture)
from tests.web.test_public_browser import ARTEFACTS, axe_violations, no_sideways_scroll

IDS = {}
CLEAN = dict(fee_survey_done=True, written_contract=True, contract_in_worker_language=True,
             contract_days_before_departure=14, contract_substitution_found=False, documents_retained=False,
             grievance_mechanism=True, grievance_channels=2, data_protection_policy=True, minimum_age_checked=True,
             uses_subagents=False, deposits_demanded=False)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """Two agencies with clean audits (low risk), an employer using one, a brand's analyst and the Nepal
    regulator's registrar, served on a free loopback port."""
    app = fresh_app(tmp_path_factory, "entity_browser")
    session = db.Session()
    session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP"))
    brand = accounts.create_organisation(session, name="Entity Test Brand", kind="business")
    accounts.create_user(session, organisation_id=brand.id, email="analyst@brand.example", name="Asha",
                         role="analyst", password=PASSWORD)
    session.flush()
    regulator = accounts.create_organisation(session, name="Entity Test Regulator", kind="government",
                                             authority_ids=[session.query(Authority).one().id])
    accounts.create_user(session, organisation_id=regulator.id, email="registrar@dofe.example", name="Ram",
                         role="registrar", password=PASSWORD)
    for n, name in enumerate(("Everest Manpower Pvt. Ltd.", "Lumbini Overseas Pvt. Ltd.")):
        agency = registry.create_entity(session, OPERATOR, "agency", {
            "legal_name": name, "country": "NP", "sectors": ["construction"],
            "people": [{"name": "Sita Sharma", "role": "owner", "nationality": "NP"}],
            "licences": [{"authority": "NP-DOFE", "number": f"{300 + n}/076/77", "status": "valid",
                          "valid_from": date(2020, 1, 1), "valid_until": date(2030, 3, 31),
                          "destinations": ["QA"], "sectors": ["construction"]}]})
        session.add(PracticeAssessment(entity_id=agency.id, source="audit", assessed_on=date(2026, 11, 1), **CLEAN))
        session.flush()
        IDS[name] = agency.id
        IDS[f"licence {name}"] = agency.licences[0].id
    employer = registry.create_entity(session, OPERATOR, "employer", {"legal_name": "Doha Towers W.L.L.",
                                                                      "country": "QA"})
    registry.add_relationship(session, OPERATOR, {
        "kind": "employer_uses_agency", "client_id": employer.id, "provider_id": IDS["Everest Manpower Pvt. Ltd."],
        "origin_country": "NP", "destination_country": "QA", "sector": "construction"})
    session.commit()
    for name in ("Everest Manpower Pvt. Ltd.", "Lumbini Overseas Pvt. Ltd."):
        scoring.score_entity(session, IDS[name], reason="seeded")
    session.commit()
    with served(app) as url:
        yield url


def signed_in(browser, base, email, javascript=False, **options):  # noqa: F811 (browser: the shared fixture)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript,
                                  **options)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    return context, page


def test_an_analyst_follows_an_agency_records_a_fee_and_sees_the_tier_change(browser, live_server):  # noqa: F811
    context, page = signed_in(browser, live_server, "analyst@brand.example")
    agency = IDS["Everest Manpower Pvt. Ltd."]
    page.goto(f"{live_server}/entities/{agency}")
    assert page.inner_text("h1") == "Everest Manpower Pvt. Ltd."
    assert "low" in page.inner_text("#tier") and "A higher score means a lower risk." in page.inner_text("#score")
    assert "Doha Towers W.L.L." in page.inner_text("#links")
    page.click("#follow-form button[type=submit]")
    assert "Added to your organisation's portfolio." in page.inner_text("main")
    assert "Your organisation follows it since" in page.inner_text("#following")

    page.click("text=Record a fee or cost")
    page.select_option("#fee-line-category", "recruitment_fee")
    page.fill("#fee-line-amount", "1200")
    page.fill("#fee-line-currency", "USD")
    page.select_option("#fee-line-paid_by", "worker")
    page.select_option("#fee-line-stage", "before_departure")
    page.select_option("#fee-line-source", "worker_interviews")
    page.click("#fee-line-form button[type=submit]")
    assert "risk tier critical" in page.inner_text("main")
    assert "critical" in page.inner_text("#tier")
    assert "recruitment fee" in page.inner_text("#fee-lines") and "the worker" in page.inner_text("#fee-lines")
    assert no_sideways_scroll(page, 360)
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "entity-fee-recorded-360.png"), full_page=True)
    context.close()


def test_a_bad_fee_keeps_what_was_typed_and_says_what_is_wrong_beside_it(browser, live_server):  # noqa: F811
    context, page = signed_in(browser, live_server, "analyst@brand.example")
    page.goto(f"{live_server}/entities/{IDS['Lumbini Overseas Pvt. Ltd.']}?lang=ne")
    page.click("#evidence details summary")
    page.fill("#fee-line-amount", "धेरै")
    page.click("#fee-line-form button[type=submit]")
    assert page.inner_text("#fee-line-amount-error") == "संख्या लेख्नुहोस्, जस्तै 1200 वा 1200.50।"
    assert page.input_value("#fee-line-amount") == "धेरै"
    assert page.url.endswith("#fee-line-problems")   # the browser shows the problems first
    assert 0 <= page.locator("#fee-line-problems").bounding_box()["y"] < 740
    context.close()


def test_a_registrar_suspends_a_licence_and_the_public_page_shows_it(browser, live_server):  # noqa: F811
    context, page = signed_in(browser, live_server, "registrar@dofe.example")
    agency, licence = IDS["Lumbini Overseas Pvt. Ltd."], IDS["licence Lumbini Overseas Pvt. Ltd."]
    page.goto(f"{live_server}/entities/{agency}")
    page.click(f"#licence-{licence} summary")
    page.select_option(f"#licence-{licence}-status", "suspended")
    page.fill(f"#licence-{licence}-effective_on", "2026-11-20")
    page.fill(f"#licence-{licence}-reason", "Workers charged recruitment fees")
    page.check(f"#licence-{licence}-reason_public")
    page.click(f"#licence-{licence}-form button[type=submit]")
    assert "status recorded" in page.inner_text("main")
    history = page.inner_text(f"#licence-{licence}-history")
    assert "November 20, 2026: suspended" in history and "Workers charged recruitment fees" in history
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "entity-licence-suspended-360.png"), full_page=True)
    context.close()

    public = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    worker = public.new_page()
    worker.goto(f"{live_server}/agencies/{agency}")
    assert worker.inner_text("#standing") == ("Not licensed now: Department of Foreign Employment suspended the "
                                              "licence on November 20, 2026.")
    worker.screenshot(path=str(ARTEFACTS / "public-after-suspension-360.png"), full_page=True)
    public.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_entity_page_passes_axe_and_fits_320_px(browser, live_server, language):  # noqa: F811
    # axe-core is injected by the test (the pages' policy allows no script of ours to carry it).
    context, page = signed_in(browser, live_server, "analyst@brand.example", javascript=True, bypass_csp=True)
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto(f"{live_server}/entities/{IDS['Everest Manpower Pvt. Ltd.']}?lang={language}")
    for summary in page.locator("details summary").all():
        summary.click()   # the forms too
    assert axe_violations(page) == []
    assert no_sideways_scroll(page, 320)
    page.screenshot(path=str(ARTEFACTS / f"entity-{language}-320.png"), full_page=True)
    context.close()
