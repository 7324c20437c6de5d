"""The public lookup in a real browser (Debian's Chromium through Playwright): a worker on a small phone with
JavaScript off, in Nepali; Arabic right to left (screenshots kept in tests/artefacts/); the weight of every public
page and axe-core's accessibility checks (axe-core's script comes vendored in the axe-playwright-python package)."""
from datetime import date
from pathlib import Path

import axe_playwright_python
import pytest

from app import db
from app.accounts import service as accounts
from app.accounts.cli import OPERATOR
from app.registry import service as registry
from app.registry.models import Authority, Licence
from tests.conftest import PASSWORD
from tests.web.live import fresh_app, served
from tests.web.test_browser import browser  # noqa: F401 (the shared Chromium fixture)

ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts"
AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
# The first load of a public page: HTML, CSS and images, no web fonts.
MAX_BYTES = 50 * 1024
IDS = {}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on its own committed database with a few Nepali agencies, served on a free loopback port."""
    app = fresh_app(tmp_path_factory, "public_browser")
    session = db.Session()
    session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP",
                          website="https://dofe.example.gov.np", phone="+977 1 4000000",
                          fee_law="Workers going to Malaysia and six Gulf countries pay no visa or ticket; the "
                                  "agency's service charge is capped at NPR 10,000."))
    organisation = accounts.create_organisation(session, name="Public Test Brand", kind="business")
    accounts.create_user(session, organisation_id=organisation.id, email="analyst@public.example", name="Ana",
                         role="analyst", password=PASSWORD)
    session.flush()
    names = ["Shikhar Overseas Pvt. Ltd.", "Himalayan Human Resources Pvt. Ltd.", "Koshi Career Services Pvt. Ltd.",
             "Gorkha Global Placement Pvt. Ltd."]
    for n, name in enumerate(names):
        entity = registry.create_entity(session, OPERATOR, "agency", {
            "legal_name": name, "country": "NP", "sectors": ["construction", "hospitality"],
            "licences": [{"authority": "NP-DOFE", "number": f"{100 + n}/076/77", "type": "full", "status": "valid",
                          "valid_from": date(2020, 1, 1), "valid_until": date(2030, 3, 31),
                          "destinations": ["QA", "AE", "MY"], "sectors": ["construction"]}]})
        IDS[name] = entity.id
    session.commit()
    koshi = session.get(Licence, registry.get_entity(session, IDS[names[2]]).licences[0].id)
    registry.change_licence_status(session, OPERATOR, koshi.id, {"version": koshi.version, "status": "suspended",
                                                                 "effective_on": date(2026, 5, 1)})
    session.commit()
    with served(app) as url:
        yield url



def public_pages(base):
    """Every kind of public page: home, results by name and by licence number, no result, an agency page."""
    return {"home": f"{base}/", "results": f"{base}/search?q=overseas", "licence": f"{base}/search?q=100/076/77",
            "none": f"{base}/search?q=zzqx+nothing", "agency": f"{base}/a/{IDS['Shikhar Overseas Pvt. Ltd.']}",
            "suspended": f"{base}/agencies/{IDS['Koshi Career Services Pvt. Ltd.']}"}


def no_sideways_scroll(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_worker_in_nepali_with_javascript_off_finds_an_agency_by_a_misspelt_name_and_devanagari_digits(
        browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False,
                                  locale="ne-NP", extra_http_headers={"Accept-Language": "ne-NP,ne;q=0.9"})
    page = context.new_page()
    page.goto(live_server)
    assert page.get_attribute("html", "lang") == "ne"
    assert "वैदेशिक रोजगार एजेन्सी जाँच गर्नुहोस्" in page.inner_text("h1")

    page.fill("#q", "shikar oversis")
    page.press("#q", "Enter")
    results = page.inner_text("#results")
    assert "भेटिएका एजेन्सी: 1" in results and "Shikhar Overseas Pvt. Ltd." in results
    page.click("text=Shikhar Overseas Pvt. Ltd.")
    standing = page.inner_text("#standing")
    assert "इजाजतपत्र प्राप्त" in standing and "2030" in standing
    assert "कतार" in page.inner_text("#licences")   # Qatar, in Nepali
    assert no_sideways_scroll(page, 360)

    page.goto(live_server)
    page.fill("#q", "१०२/०७६/७७")   # Koshi's licence, typed in Devanagari digits
    page.click("button[type=submit]")
    assert "इजाजतपत्र नम्बरबाट भेटियो।" in page.inner_text("#results")
    page.click("text=Koshi Career Services Pvt. Ltd.")
    assert "अहिले इजाजतपत्र छैन" in page.inner_text("#standing")
    assert "यो एजेन्सीलाई पैसा नतिर्नुहोस्" in page.inner_text("main")
    assert no_sideways_scroll(page, 360)
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "ne-suspended-agency-360.png"), full_page=True)
    context.close()


def test_the_switcher_works_without_javascript_and_is_remembered(browser, live_server):
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/search?q=gorkha")
    page.click("summary")
    page.click("a[hreflang=bn]")
    assert page.get_attribute("html", "lang") == "bn" and "Gorkha Global" in page.inner_text("#results")
    page.goto(live_server)
    assert page.get_attribute("html", "lang") == "bn"   # the cookie keeps the choice
    context.close()


def test_arabic_pages_read_right_to_left(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    ARTEFACTS.mkdir(exist_ok=True)
    for name, url in public_pages(live_server).items():
        page.goto(url + ("&" if "?" in url else "?") + "lang=ar")
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
        brand = page.locator("header .brand").bounding_box()
        assert brand["x"] > 180, name   # the header starts on the right
        assert no_sideways_scroll(page, 360), name
        page.screenshot(path=str(ARTEFACTS / f"ar-{name}-360.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("language", ["en", "ar", "ne", "my"])
def test_every_public_page_weighs_under_50_kb_on_first_load_and_fits_320_px(browser, live_server, language):
    for name, url in public_pages(live_server).items():
        context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
        page = context.new_page()
        loaded = []
        page.on("requestfinished", lambda request: loaded.append(request))
        page.goto(url + ("&" if "?" in url else "?") + f"lang={language}")
        page.wait_for_load_state("load")
        sizes = {request.url: request.sizes()["responseBodySize"] for request in loaded}
        kinds = {request.resource_type for request in loaded}
        assert "font" not in kinds and "script" not in kinds, name
        assert sum(sizes.values()) < MAX_BYTES, (name, sizes)
        assert no_sideways_scroll(page, 320), name
        context.close()


def axe_violations(page, impacts=("serious", "critical")):
    """axe-core's violations of these impacts on the page as loaded, one line each."""
    page.add_script_tag(content=AXE)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}, e.g. {v['nodes'][0]['html'][:120]})"
            for v in results["violations"] if v["impact"] in impacts]


def test_the_sign_out_button_can_be_seen(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", "analyst@public.example")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    button = page.locator("header button", has_text="Sign out")
    assert button.is_visible()
    assert axe_violations(page) == []   # its text contrasts with the header (it was white on light grey)
    context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_public_page_passes_axe_without_serious_or_critical_violations(browser, live_server, language):
    # axe-core is injected by the test (the pages' policy allows no script of ours to carry it).
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)
    page = context.new_page()
    found = {}
    for name, url in public_pages(live_server).items():
        page.goto(url + ("&" if "?" in url else "?") + f"lang={language}")
        serious = axe_violations(page)
        if serious:
            found[name] = serious
    context.close()
    assert found == {}
