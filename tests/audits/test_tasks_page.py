"""The review tasks page in a real browser on a 320-pixel phone screen, with no sideways scrolling."""
from datetime import date, timedelta
import threading

import pytest
from werkzeug.serving import make_server

from app import db
from app.accounts import service as accounts
from app.audits import sweep as review_sweep
from app.registry import service as registry
from app.registry.models import Authority, PortfolioEntry
from tests.conftest import PASSWORD, fresh_database_url, make_app
from tests.web.test_browser import browser  # noqa: F401 (the shared Chromium fixture)

TODAY = date.today()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app on its own database: a brand following an agency whose licence ends in ten days."""
    app = make_app(fresh_database_url(tmp_path_factory.mktemp("tasks-browser"), "tasks_browser"))
    db.Session.configure(bind=app.extensions["engine"])
    session = db.Session()
    brand = accounts.create_organisation(session, name="Phone Test Brand", kind="business")
    accounts.create_user(session, organisation_id=brand.id, email="analyst@phone.example", name="Pema Analyst",
                         role="analyst", password=PASSWORD)
    session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP"))
    agency = registry.create_entity(session, None, "agency", {
        "legal_name": "Sagarmatha Overseas Recruiting Private Limited Company of Kathmandu", "country": "NP",
        "licences": [{"authority": "NP-DOFE", "number": "4502/079/80-KATHMANDU-BRANCH", "type": "branch",
                      "status": "valid", "valid_until": TODAY + timedelta(days=10)}]})
    session.add(PortfolioEntry(organisation_id=brand.id, entity_id=agency.id))
    session.commit()
    review_sweep.sweep_due(session, TODAY)
    session.commit()
    db.Session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["engine"].dispose()


def test_an_analyst_reads_the_due_tasks_on_a_320_pixel_screen(browser, live_server):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", "analyst@phone.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("header >> text=Tasks")
    row = page.locator("#tasks tbody tr").nth(0).inner_text()
    assert (TODAY + timedelta(days=10)).isoformat() in row and "licence expiring" in row
    assert "Licence NP-DOFE 4502/079/80-KATHMANDU-BRANCH ends on" in row
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.select_option("#reason", "confirmed_hit")
    page.click("text=Show")
    assert "No tasks." in page.inner_text("#tasks")
    context.close()
