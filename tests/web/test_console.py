"""The console's dashboard through the test client: each role sees its own part and only its own organisation's
records; filters, bad filter input, the tier chart, the export and its formula guard, few queries per page."""
from contextlib import contextmanager
from datetime import timedelta
import csv
import io
from pathlib import Path
import re

from openpyxl import load_workbook
import pytest
from sqlalchemy import event

from app.accounts.cli import OPERATOR
from app.audits import actions as audit_actions, service as audits
from app.accounts.auth import actor_for
from app.registry import expiry, private
from app.registry.models import Authority, PortfolioEntry
from app.scoring.models import Score
from app.screening import review
from app.screening.models import Hit
from app.screening.screen import import_and_screen
from tests.web.test_sign_in import sign_in

BANNED = Path(__file__).resolve().parent.parent / "data" / "screening" / "hits" / "banned_v1.csv"
FORMULA = '=HYPERLINK("http://evil.example","Click")'


def licence(code, number, *, days, status="valid"):
    today = expiry.today()
    return {"authority": code, "number": number, "type": "full", "status": status,
            "valid_until": today + timedelta(days=days), "destinations": ["QA"], "sectors": []}


def scored(session, entity, *totals_and_tiers):
    """Give the entity these scores, oldest first (they are its latest: added after every other write)."""
    for total, tier in totals_and_tiers:
        session.add(Score(entity_id=entity.id, ruleset_id="test", ruleset_hash="0" * 64, total=total, tier=tier,
                          coverage=1.0, outcomes=[], facts={}, reason="test"))


class Users(dict):
    """The world's users, each made when a test first asks for it (a password hash is slow on purpose)."""

    def __init__(self, make_user, wanted):
        super().__init__()
        self.make_user, self.wanted = make_user, wanted

    def __missing__(self, key):
        role, organisation = self.wanted[key]
        self[key] = self.make_user(role, organisation=organisation)
        return self[key]


@pytest.fixture
def world(session, make_org, make_user, make_agency, authority):
    """Business B follows four agencies licensed in Nepal; business B2 follows one licensed in the Philippines;
    regulators G (Nepal) and G2 (Philippines) and a certification body C with an audit."""
    philippines = Authority(code="PH-DMW", name="Department of Migrant Workers", country="PH")
    session.add(philippines)
    session.commit()
    b, b2 = make_org("business"), make_org("business")
    g = make_org("government", authority_codes=["NP-DOFE"])
    g2 = make_org("government", authority_codes=["PH-DMW"])
    c = make_org("certification_body")
    users = Users(make_user, {"b": ("analyst", b), "b_viewer": ("viewer", b), "b2": ("analyst", b2),
                              "g": ("registrar", g), "g2": ("registrar", g2), "c": ("auditor", c)})
    gulf = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.", licences=[licence("NP-DOFE", "G-1", days=20)])
    kantipur = make_agency(legal_name="Kantipur Sky Recruitment", licences=[licence("NP-DOFE", "K-1", days=2000)])
    himal = make_agency(legal_name="Himal Jobs Pvt. Ltd.", licences=[licence("NP-DOFE", "H-1", days=-10,
                                                                               status="expired")])
    formula = make_agency(legal_name=FORMULA, country="BD", licences=[])
    manila = make_agency(legal_name="Manila Star Placement", country="PH",
                         licences=[licence("PH-DMW", "M-1", days=40)])
    for entity, organisation in ((gulf, b), (kantipur, b), (himal, b), (formula, b), (manila, b2)):
        session.add(PortfolioEntry(organisation_id=organisation.id, entity_id=entity.id))
    session.commit()
    import_and_screen(session, "np-banned", "generic-csv", [BANNED], actor=OPERATOR, kind="banned_agency",
                      threshold=0.8)
    session.commit()
    confirmed = session.query(Hit).filter_by(entity_id=kantipur.id, subject="entity").one()
    review.decide(session, confirmed.id, {"state": "confirmed", "version": confirmed.version}, actor=OPERATOR)
    session.commit()
    scored(session, gulf, (75, "medium"), (80, "medium"))
    scored(session, kantipur, (20, "critical"), (20, "critical"))
    scored(session, himal, (70, "medium"), (50, "high"))
    scored(session, formula, (85, "low"), (90, "low"))
    session.commit()
    return {"users": users, "gulf": gulf, "kantipur": kantipur, "himal": himal, "formula": formula,
            "manila": manila, "c": c}


def text_of(response):
    return response.get_data(as_text=True)


def row_of(page, entity):
    """The portfolio table's row of an entity, as text without tags."""
    found = re.search(rf'<tr data-entity="{entity.id}">(.*?)</tr>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))) if found else None


def test_anonymous_gets_the_sign_in_page(client):
    response = client.get("/console")
    assert response.status_code == 401 and 'href="/login"' in text_of(response)
    assert client.get("/console/export").status_code == 401


def test_signing_in_lands_on_the_dashboard(client, make_user):
    user = make_user("analyst")
    response = sign_in(client, user.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/console")
    assert 'href="/console"' in text_of(client.get("/"))


def test_a_business_sees_its_own_portfolio_with_scores_trends_hits_licences(client, world):
    sign_in(client, world["users"]["b"].email)
    response = client.get("/console")
    page = text_of(response)
    assert response.status_code == 200
    assert "Manila Star Placement" not in page and 'id="licences"' not in page
    assert "Higher score = lower risk" in page
    gulf = row_of(page, world["gulf"])
    assert "medium risk" in gulf and "80.0" in gulf and "up 5.0: lower risk" in gulf
    assert "1 under review" in gulf and "1 ends within 90 days" in gulf
    assert f'href="/entities/{world["gulf"].id}"' in page
    himal = row_of(page, world["himal"])
    assert "high risk" in himal and "was medium risk" in himal and "down 20.0: higher risk" in himal
    assert "1 expired" in himal
    kantipur = row_of(page, world["kantipur"])
    assert "1 confirmed" in kantipur and "unchanged" in kantipur
    assert "<bdi>=HYPERLINK(&#34;http://evil.example&#34;" in page  # escaped, never markup


def test_another_business_sees_only_what_it_follows(client, world):
    sign_in(client, world["users"]["b2"].email)
    page = text_of(client.get("/console"))
    assert "Manila Star Placement" in page
    assert "Gulf Dream" not in page and "Himal Jobs" not in page


def test_the_tier_chart_counts_the_whole_portfolio_in_svg_and_in_a_table(client, world):
    sign_in(client, world["users"]["b"].email)
    page = text_of(client.get("/console?tier=low"))
    svg = re.search(r'<svg role="img" aria-labelledby="tier-chart-title".*?</svg>', page, re.S).group(0)
    assert "<title id=\"tier-chart-title\">" in svg
    bars = dict(re.findall(r'data-tier="(\w+)" data-count="(\d+)"', svg))
    assert bars == {"low": "1", "medium": "1", "high": "1", "critical": "1", "unscored": "0"}
    figures = dict(re.findall(r'<td data-tier="(\w+)">(\d+)</td>', page))
    assert figures == bars


FILTERS = [("tier=high", {"himal"}), ("tier=unscored", set()), ("country=bd", {"formula"}), ("q=gulf+dream", {"gulf"}),
           ("expiring=1", {"gulf", "himal"}), ("hits=1", {"gulf"}), ("expiring=1&hits=1", {"gulf"}),
           ("", {"gulf", "kantipur", "himal", "formula"})]


def test_filters_narrow_the_table_and_keep_what_was_chosen(client, world):
    sign_in(client, world["users"]["b"].email)
    for query, shown in FILTERS:
        page = text_of(client.get(f"/console?{query}"))
        listed = {name for name in ("gulf", "kantipur", "himal", "formula") if row_of(page, world[name])}
        assert listed == shown, query
    assert 'name="country" maxlength="10" value="bd"' in text_of(client.get("/console?country=bd"))


BAD = [("tier=purple", "tier"), ("page=abc", "page"), ("country=Nepal", "country"), ("page=0", "page"),
       ("expiring=maybe", "expiring")]


def test_bad_filters_are_named_beside_their_field_with_422(client, world):
    sign_in(client, world["users"]["b"].email)
    for query, field in BAD:
        response = client.get(f"/console?{query}")
        page = text_of(response)
        assert response.status_code == 422, query
        assert f'href="#{field}"' in page and f'id="{field}-error"' in page
        assert row_of(page, world["gulf"])  # the list still shows, unfiltered
        export = client.get(f"/console/export?{query}")
        assert export.status_code == 422 and field in text_of(export)
    # Explained in the reader's language.
    assert "Indique la página con un número entero" in text_of(client.get("/console?page=abc&lang=es"))


def test_the_csv_export_has_the_filtered_rows_and_no_cell_runs_as_a_formula(client, world):
    sign_in(client, world["users"]["b"].email)
    response = client.get("/console/export?format=csv&country=BD")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text_of(response))))
    assert [row["name"] for row in rows] == ["'" + FORMULA]
    assert rows[0]["tier"] == "low" and rows[0]["score"] == "90.0" and rows[0]["score_change"] == "5.0"
    everything = list(csv.DictReader(io.StringIO(text_of(client.get("/console/export")))))
    assert {row["name"] for row in everything} == {"Gulf Dream Manpower Pvt. Ltd.", "Kantipur Sky Recruitment",
                                                   "Himal Jobs Pvt. Ltd.", "'" + FORMULA}
    gulf = next(row for row in everything if row["name"].startswith("Gulf"))
    assert gulf["open_hits"] == "1" and gulf["licences_expiring_90_days"] == "1"


def test_the_xlsx_export_stores_names_as_text(client, world):
    sign_in(client, world["users"]["b"].email)
    response = client.get("/console/export?format=xlsx&hits=1&expiring=1")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Portfolio"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][1] == "Gulf Dream Manpower Pvt. Ltd." and len(values) == 2
    sign_in(client, world["users"]["b"].email)
    whole = load_workbook(io.BytesIO(client.get("/console/export?format=xlsx&country=BD").data))["Portfolio"]
    assert whole["B2"].value == FORMULA and whole["B2"].data_type == "s"


def test_only_businesses_and_the_platform_export_a_portfolio(client, world):
    sign_in(client, world["users"]["g"].email)
    assert client.get("/console/export").status_code == 403


def test_a_viewer_reads_the_portfolio(client, world):
    sign_in(client, world["users"]["b_viewer"].email)
    page = text_of(client.get("/console"))
    assert row_of(page, world["gulf"]) and 'method="post"' not in page.split('id="content"')[1]


def test_a_registrar_sees_only_its_authorities_licences_and_hits(client, world):
    sign_in(client, world["users"]["g"].email)
    page = text_of(client.get("/console"))
    assert 'id="portfolio"' not in page
    statuses = dict(re.findall(r'<td data-status="(\w+)">(\d+)</td>', page))
    assert statuses == {"valid": "2", "expired": "1"}
    windows = dict(re.findall(r'<td data-expiry="(\w+)">(\d+)</td>', page))
    assert windows == {"expired": "1", "30": "1", "90": "1"}
    assert "Manila Star" not in page and "M-1" not in page
    queue = re.search(r'<ul id="hit-list">(.*?)</ul>', page, re.S).group(1)
    assert "Gulf Dream Manpower Pvt. Ltd." in queue and "Kantipur" not in queue
    assert re.search(r'href="/hits/\d+"', queue)
    other = text_of(client.get("/console?lq=H-1"))
    assert "Himal Jobs" in re.search(r'<table id="licence-table">(.*?)</table>', other, re.S).group(1)


def test_a_registrar_filters_licences_by_status_and_expiry(client, world):
    sign_in(client, world["users"]["g"].email)
    table = re.compile(r'<table id="licence-table">(.*?)</table>', re.S)
    soon = table.search(text_of(client.get("/console?expiry=30"))).group(1)
    assert "Gulf Dream" in soon and "Kantipur" not in soon and "Himal" not in soon
    expired = table.search(text_of(client.get("/console?status=expired"))).group(1)
    assert "Himal" in expired and "Gulf" not in expired
    bad = client.get("/console?expiry=45&lpage=abc")
    assert bad.status_code == 422 and 'id="expiry-error"' in text_of(bad) and 'id="lpage-error"' in text_of(bad)


def test_the_other_regulator_sees_its_own_jurisdiction(client, world):
    sign_in(client, world["users"]["g2"].email)
    page = text_of(client.get("/console"))
    assert "Manila Star Placement" in page and "Gulf Dream" not in page
    assert "No hits waiting." in page


def test_an_auditor_sees_its_audits_with_open_and_overdue_actions(client, session, world):
    auditor = actor_for(session, world["users"]["c"])
    audit = audits.create_audit(session, auditor, world["gulf"].id, {"kind": "announced", "scope": "CD",
                                                                     "planned_on": expiry.today() - timedelta(days=20)})
    audits.change_state(session, auditor, audit.id, {"version": audit.version, "state": "fieldwork",
                                                     "on": expiry.today() - timedelta(days=15)})
    finding = audits.add_finding(session, auditor, audit.id, {"source": "audit", "principle": "D", "grade": "major",
                                                              "description": "Passports kept",
                                                              "found_on": expiry.today() - timedelta(days=10)})
    for days in (-3, 30):
        audit_actions.plan_action(session, auditor, finding.id, {
            "description": "Return the passports", "owner": "Manager",
            "deadline": expiry.today() + timedelta(days=days)})
    session.commit()
    sign_in(client, world["users"]["c"].email)
    page = text_of(client.get("/console"))
    row = re.search(rf'<tr data-audit="{audit.id}">(.*?)</tr>', page, re.S).group(1)
    assert f'href="/audits/{audit.id}/summary"' in row and "Fieldwork under way" in row
    assert "1 finding" in row and "2 open" in row and "1 overdue" in row
    assert 'id="portfolio"' not in page
    assert text_of(client.get("/console?astate=closed")).count("data-audit=") == 0
    assert client.get("/console?astate=lost").status_code == 422


def test_a_case_handler_sees_counts_only(client, make_user, make_org):
    sign_in(client, make_user("case_handler", organisation=make_org("civil_society")).email)
    page = text_of(client.get("/console"))
    assert dict(re.findall(r'<td data-state="(\w+)">(\d+)</td>', page))["received"] == "0"
    assert 'id="portfolio"' not in page and 'id="licences"' not in page


@contextmanager
def counted(engine):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_the_portfolio_takes_the_same_queries_for_more_rows(app, client, session, world, make_agency):
    sign_in(client, world["users"]["b"].email)
    engine = app.extensions["engine"]
    client.get("/console")
    with counted(engine) as before:
        client.get("/console")
    actor = actor_for(session, world["users"]["b"])
    for n in range(5):
        private.add_to_portfolio(session, actor, make_agency(legal_name=f"More Agency {n}").id)
    session.commit()
    client.get("/console")
    with counted(engine) as after:
        assert len(re.findall(r"<tr data-entity=", text_of(client.get("/console")))) == 9
    assert len(after) == len(before) <= 15
