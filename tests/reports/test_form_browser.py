"""The report form in a real browser (Debian's Chromium): a worker on a small phone with JavaScript off, in Nepali,
reports from the agency's page, keeps the receipt and checks the report with it; axe-core finds nothing serious."""
from datetime import date

import pytest

from app import db
from app.accounts import service as accounts
from app.accounts.cli import OPERATOR
from app.registry import service as registry
from app.registry.models import Authority
from app.reports.models import Report
from tests.conftest import PASSWORD
from tests.reports.conftest import picture
from tests.web.live import fresh_app, served
from tests.web.test_browser import browser  # noqa: F401 (the shared Chromium fixture)
from tests.web.test_public_browser import axe_violations, no_sideways_scroll

IDS = {}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on its own committed database: a licensed Nepali agency and an NGO with a case handler."""
    app = fresh_app(tmp_path_factory, "report_browser")
    session = db.Session()
    session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP"))
    ngo = accounts.create_organisation(session, name="Pourakhi Nepal", kind="civil_society")
    accounts.create_user(session, organisation_id=ngo.id, email="handler@ngo.example", name="Hari",
                         role="case_handler", password=PASSWORD)
    session.flush()
    agency = registry.create_entity(session, OPERATOR, "agency", {
        "legal_name": "Shikhar Overseas Pvt. Ltd.", "country": "NP", "sectors": ["construction"],
        "licences": [{"authority": "NP-DOFE", "number": "100/076/77", "type": "full", "status": "valid",
                      "valid_from": date(2020, 1, 1), "valid_until": date(2030, 3, 31), "destinations": ["QA"],
                      "sectors": ["construction"]}]})
    session.commit()
    IDS["agency"] = agency.id
    with served(app) as url:
        yield url


def nepali_phone(browser):
    return browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False, locale="ne-NP",
                               extra_http_headers={"Accept-Language": "ne-NP,ne;q=0.9"})


def test_a_worker_in_nepali_reports_from_the_agency_page_and_checks_the_report_with_the_receipt(
        browser, live_server, tmp_path):
    context = nepali_phone(browser)
    page = context.new_page()
    page.goto(f"{live_server}/a/{IDS['agency']}")
    page.click("text=यो एजेन्सीबारे समस्या उजुरी गर्नुहोस्")
    assert page.get_attribute("html", "lang") == "ne"
    assert "Shikhar Overseas Pvt. Ltd." in page.inner_text("#agency_name")
    page.select_option("#origin_country", "NP")
    page.select_option("#destination_country", "QA")
    page.fill("#period_from", "2026-02-01")
    page.fill("#fee_amount_0", "१,५०,०००")   # typed with Devanagari digits
    page.fill("#fee_currency_0", "NPR")
    page.select_option("#fee_paid_to_0", "agency")
    page.check("#documents_kept-yes")
    page.check("#contract-changed")
    page.fill("#account", "दोहा विमानस्थलमा मेरो राहदानी लगियो।")
    receipt_photo = tmp_path / "receipt.jpg"
    receipt_photo.write_bytes(picture(size=(80, 60)))
    page.set_input_files("#attachments", str(receipt_photo))
    page.check("#consent_figures")
    assert no_sideways_scroll(page, 360)
    page.click("button[type=submit]")
    assert "तपाईंको उजुरी पठाइयो" in page.inner_text("h1")
    receipt = page.inner_text("#receipt").strip()
    assert len(receipt.replace("-", "")) == 25 and receipt not in page.url
    assert no_sideways_scroll(page, 360)

    page.click("text=आफ्नो उजुरी जाँच गर्नुहोस्")
    page.fill("#receipt", receipt)
    page.click("button[type=submit]")
    assert "प्राप्त भयो: पढ्न बाँकी छ।" in page.inner_text("#status")
    assert receipt not in page.url
    assert no_sideways_scroll(page, 360)
    context.close()
    session = db.Session()
    report = session.query(Report).one()
    assert report.agency_entity_id == IDS["agency"] and report.fees[0]["amount"] == "150000.00"
    assert report.categories == "contract_substitution,documents_kept,fees_paid" and report.consent_figures
    db.Session.remove()


@pytest.mark.parametrize("language", ["en", "ne", "ar"])
def test_the_report_pages_pass_axe_without_serious_or_critical_violations(browser, live_server, language):
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)
    page = context.new_page()
    found = {}
    page.goto(f"{live_server}/report?agency={IDS['agency']}&lang={language}")
    found["form"] = axe_violations(page)
    page.goto(f"{live_server}/report?lang={language}")
    page.click("button[type=submit]")   # nothing filled in: the problems beside the fields
    found["problems"] = axe_violations(page)
    page.goto(f"{live_server}/report/receipt?lang={language}")
    found["receipt"] = axe_violations(page)
    context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}
