"""The entity page and its forms through the test client: what each kind of user reads, which forms each sees,
and every form's success and refusals (field errors beside the field, 422, nothing saved; CSRF; permissions)."""
import re

import pytest

from app import db
from app.accounts.cli import OPERATOR
from app.registry import private, service as registry
from app.registry.models import Authority, ChangeRequest, Licence, Note, PortfolioEntry
from app.scoring import service as scoring
from app.scoring.models import FeeLine, PracticeAssessment, Score
from app.accounts.auth import actor_for
from tests.conftest import count
from tests.web.test_sign_in import csrf_of, sign_in

FEE = {"category": "recruitment_fee", "amount": "1200", "currency": "usd", "paid_by": "worker",
       "stage": "before_departure", "source": "worker_interviews", "observed_on": "2026-10-01"}


@pytest.fixture
def agency(session, make_agency):
    """The ids of an agency with an owner, an employer that uses it, a sub-agent it uses, and a first score."""
    agency = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.",
                         people=[{"name": "Ram Bahadur Thapa", "role": "owner", "nationality": "NP"}],
                         identifiers=[{"scheme": "company_registration", "value": "NP-55123"}])
    employer = make_agency("employer", legal_name="Doha Towers W.L.L.", country="QA", licences=[])
    sub_agent = make_agency(legal_name="Terai Village Recruiters", licences=[])
    for data in ({"kind": "employer_uses_agency", "client_id": employer.id, "provider_id": agency.id},
                 {"kind": "agency_uses_subagent", "client_id": agency.id, "provider_id": sub_agent.id}):
        registry.add_relationship(session, OPERATOR, {**data, "origin_country": "NP", "destination_country": "QA",
                                                      "sector": "construction"})
    scoring.score_entity(session, agency.id, reason="test")
    session.commit()
    return {"id": agency.id, "licence": agency.licences[0].id, "employer": employer.id, "sub_agent": sub_agent.id}


def page_of(client, entity_id):
    response = client.get(f"/entities/{entity_id}")
    return response, response.get_data(as_text=True)


def post(client, path, data, entity_id):
    """Post a form with the CSRF token of the entity's page."""
    token = csrf_of(client.get(f"/entities/{entity_id}"))
    return client.post(path, data={**data, "csrf_token": token})


def error_beside(html, field_id):
    """The error shown beside a field (its id), or None."""
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    return found and found.group(1)


def actor_of(session, user):
    return actor_for(session, user)


def test_anonymous_readers_are_asked_to_sign_in(client, agency):
    response, html = page_of(client, agency["id"])
    assert response.status_code == 401 and "/login" in html and "/agencies/" in html


def test_an_analyst_reads_the_whole_record_and_sees_the_forms(client, agency, make_user):
    sign_in(client, make_user("analyst").email)
    response, html = page_of(client, agency["id"])
    assert response.status_code == 200
    assert "Gulf Dream Manpower Pvt. Ltd." in html and "Ram Bahadur Thapa" in html and "NP-55123" in html
    links = html.split('id="links"')[1].split("</ul>")[0]
    assert "Doha Towers W.L.L." in links and "recruits through the agency" in links
    assert "Terai Village Recruiters" in links and "uses the sub-agent" in links
    drawing = html.split("<svg")[1].split("</svg>")[0]
    assert drawing.count("<rect") == 3 and drawing.count("marker-end") == 2
    assert "A higher score means a lower risk." in html and f'href="/entities/{agency["id"]}/score"' in html
    assert 'id="licence-%d-history"' % agency["licence"] in html
    for form in ("follow", "note", "fee-line", "practices", "correction"):
        assert f'id="{form}-form"' in html, form
    assert f'id="licence-{agency["licence"]}-form"' not in html   # a business does not record licences
    assert "Follow it to see its watchlist status" in html
    _, employer = page_of(client, agency["employer"])   # two steps down: its agency's sub-agent
    assert "Terai Village Recruiters" in employer.split('id="links"')[1] and "Its public page" not in employer


def test_a_viewer_sees_no_write_form(client, agency, make_user):
    sign_in(client, make_user("viewer").email)
    response, html = page_of(client, agency["id"])
    assert response.status_code == 200 and "Ram Bahadur Thapa" in html
    assert '<form method="post" action="/entities' not in html and "/status" not in html


def test_another_organisations_notes_are_never_shown(client, session, agency, make_user):
    other = make_user("analyst")
    private.add_note(session, actor_of(session, other), agency["id"], "Their secret note")
    private.add_evidence(session, actor_of(session, other), agency["id"], {"title": "Their audit",
                                                                           "kind": "audit_report"})
    session.commit()
    mine = make_user("analyst")
    private.add_note(session, actor_of(session, mine), agency["id"], "Our own note")
    session.commit()
    sign_in(client, mine.email)
    _, html = page_of(client, agency["id"])
    assert "Our own note" in html and "Their secret note" not in html and "Their audit" not in html


def test_a_registrar_of_the_issuing_authority_sees_the_status_form(client, agency, make_user, make_org, authority):
    registrar = make_user("registrar", organisation=make_org("government", authority_codes=[authority.code]))
    sign_in(client, registrar.email)
    _, html = page_of(client, agency["id"])
    assert f'id="licence-{agency["licence"]}-form"' in html
    assert 'id="note-form"' not in html   # registrars keep no private notes (private.write)


def test_a_withdrawn_or_unknown_entity_is_not_found(client, make_user):
    sign_in(client, make_user("analyst").email)
    assert client.get("/entities/999999").status_code == 404


def test_follow_and_unfollow(client, agency, make_user):
    user = make_user("analyst")
    sign_in(client, user.email)
    done = post(client, f"/entities/{agency['id']}/follow", {"label": "Qatar supplier"}, agency["id"])
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/entities/{agency['id']}#portfolio")
    _, html = page_of(client, agency["id"])
    assert "Added to your organisation" in html and "Qatar supplier" in html
    twice = post(client, f"/entities/{agency['id']}/follow", {}, agency["id"])   # a form sent again
    assert twice.status_code == 409 and "Your organisation follows it already." in twice.get_data(as_text=True)
    assert count(db.Session(), PortfolioEntry) == 1
    gone = post(client, f"/entities/{agency['id']}/unfollow", {}, agency["id"])
    assert gone.status_code == 303 and count(db.Session(), PortfolioEntry) == 0
    again = post(client, f"/entities/{agency['id']}/unfollow", {}, agency["id"])
    assert again.status_code == 404


def test_a_too_long_label_is_refused_beside_its_field(client, agency, make_user):
    sign_in(client, make_user("analyst").email)
    refused = post(client, f"/entities/{agency['id']}/follow", {"label": "x" * 101}, agency["id"])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and error_beside(html, "follow-label")
    assert count(db.Session(), PortfolioEntry) == 0


def test_a_note_is_saved_and_an_empty_one_is_refused_in_the_readers_language(client, agency, make_user):
    sign_in(client, make_user("analyst").email)
    refused = post(client, f"/entities/{agency['id']}/notes?lang=es", {"body": "  "}, agency["id"])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and error_beside(html, "note-body") == "Rellene este campo."
    assert 'href="#note-body"' in html and count(db.Session(), Note) == 0
    done = post(client, f"/entities/{agency['id']}/notes", {"body": "Called the branch office"}, agency["id"])
    assert done.status_code == 303
    assert [n.body for n in db.Session().query(Note)] == ["Called the branch office"]


def test_a_worker_paid_recruitment_fee_is_recorded_and_the_tier_changes(client, agency, make_user):
    sign_in(client, make_user("analyst").email)
    done = post(client, f"/entities/{agency['id']}/fee-lines", FEE, agency["id"])
    assert done.status_code == 303
    line = db.Session().query(FeeLine).one()
    assert (line.category, line.amount, line.currency, line.paid_by, line.repaid) == (
        "recruitment_fee", 1200, "USD", "worker", False)
    _, html = page_of(client, agency["id"])
    assert "risk tier critical" in html and "a higher score means a lower risk" in html
    assert 'class="tier tier-critical"' in html


def test_bad_fee_lines_are_refused_field_by_field_and_nothing_is_saved(client, agency, make_user):
    sign_in(client, make_user("analyst").email)
    scores = count(db.Session(), Score)
    bad = {**FEE, "amount": "a lot", "currency": "XYZ", "observed_on": "yesterday", "category": ""}
    refused = post(client, f"/entities/{agency['id']}/fee-lines", bad, agency["id"])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert error_beside(html, "fee-line-amount") == "Give a number, for example 1200 or 1200.50."
    assert "ISO 4217" in error_beside(html, "fee-line-currency")
    assert error_beside(html, "fee-line-observed_on") == "Give a date, for example 2026-11-30."
    assert error_beside(html, "fee-line-category") == "Fill this in."
    assert 'value="a lot"' in html   # what was typed is kept
    assert count(db.Session(), FeeLine) == 0 and count(db.Session(), Score) == scores


def test_practices_are_recorded_and_bad_ones_refused(client, agency, make_user):
    sign_in(client, make_user("auditor", kind="certification_body").email)
    refused = post(client, f"/entities/{agency['id']}/practices", {
        "source": "audit", "assessed_on": "", "grievance_channels": "two", "documents_retained": "true"},
        agency["id"])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and error_beside(html, "practices-assessed_on") == "Fill this in."
    assert error_beside(html, "practices-grievance_channels") == "Give a whole number, for example 3."
    assert count(db.Session(), PracticeAssessment) == 0
    done = post(client, f"/entities/{agency['id']}/practices", {
        "source": "audit", "assessed_on": "2026-11-01", "documents_retained": "true", "written_contract": "false",
        "grievance_channels": "2", "uses_subagents": ""}, agency["id"])
    assert done.status_code == 303
    found = db.Session().query(PracticeAssessment).one()
    assert (found.documents_retained, found.written_contract, found.grievance_channels, found.uses_subagents) == (
        True, False, 2, None)


def registrar_client(client, make_user, make_org, codes):
    sign_in(client, make_user("registrar", organisation=make_org("government", authority_codes=codes)).email)


def test_a_registrar_suspends_a_licence_from_the_version_shown(client, agency, make_user, make_org, authority):
    registrar_client(client, make_user, make_org, [authority.code])
    licence = db.Session().get(Licence, agency["licence"])
    form = {"version": licence.version, "status": "suspended", "effective_on": "2026-11-20",
            "reason": "Complaints of fees", "reason_public": "true"}
    done = post(client, f"/licences/{licence.id}/status", form, agency["id"])
    assert done.status_code == 303 and done.headers["Location"].endswith(f"#licence-{licence.id}")
    licence = db.Session().get(Licence, agency["licence"])
    assert licence.status == "suspended" and licence.history[-1].reason_public is True
    stale = post(client, f"/licences/{licence.id}/status", {**form, "status": "revoked"}, agency["id"])
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "This changed since you opened the page" in html
    assert db.Session().get(Licence, agency["licence"]).status == "suspended"


def test_a_bad_status_change_is_refused_beside_its_field(client, agency, make_user, make_org, authority):
    registrar_client(client, make_user, make_org, [authority.code])
    licence = db.Session().get(Licence, agency["licence"])
    refused = post(client, f"/licences/{licence.id}/status", {"version": licence.version, "status": "suspended",
                                                                "effective_on": "20/11/2026"}, agency["id"])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert error_beside(html, f"licence-{licence.id}-effective_on") == "Give a date, for example 2026-11-30."
    assert f'<details open>' in html and db.Session().get(Licence, licence.id).status == "valid"


def test_a_registrar_of_another_authority_may_not_change_the_licence(client, session, agency, make_user,
                                                                      make_org):
    session.add(Authority(code="PH-DMW", name="Department of Migrant Workers", country="PH"))
    session.commit()
    registrar_client(client, make_user, make_org, ["PH-DMW"])
    licence = db.Session().get(Licence, agency["licence"])
    _, html = page_of(client, agency["id"])
    assert f'id="licence-{licence.id}-form"' not in html
    refused = post(client, f"/licences/{licence.id}/status", {"version": licence.version, "status": "revoked"},
                   agency["id"])
    assert refused.status_code == 403 and db.Session().get(Licence, licence.id).status == "valid"


def test_a_correction_is_proposed_and_bad_ones_are_refused(client, agency, make_user):
    sign_in(client, make_user("analyst").email)
    refused = post(client, f"/entities/{agency['id']}/corrections", {
        "field": "sectors", "value": "construction; rocket science", "reason": ""}, agency["id"])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and error_beside(html, "correction-reason") == "Fill this in."
    refused = post(client, f"/entities/{agency['id']}/corrections", {
        "field": "sectors", "value": "construction; rocket science", "reason": "Their brochure"}, agency["id"])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "rocket science" in error_beside(html, "correction-value")
    refused = post(client, f"/entities/{agency['id']}/corrections", {
        "field": "identifiers", "value": "NP-55124", "reason": "Their letterhead"}, agency["id"])
    assert refused.status_code == 422 and "scheme:value" in error_beside(refused.get_data(as_text=True),
                                                                       "correction-value")
    assert count(db.Session(), ChangeRequest) == 0
    done = post(client, f"/entities/{agency['id']}/corrections", {
        "field": "aliases", "value": "Gulf Dream\nGD Manpower", "reason": "Their letterhead"}, agency["id"])
    assert done.status_code == 303
    change = db.Session().query(ChangeRequest).one()
    assert change.fields == {"aliases": [{"name": "Gulf Dream"}, {"name": "GD Manpower"}]}


def test_every_form_needs_its_csrf_token(client, agency, make_user, make_org, authority):
    sign_in(client, make_user("admin", kind="platform").email)
    for path, data in ((f"/entities/{agency['id']}/follow", {}), (f"/entities/{agency['id']}/unfollow", {}),
                       (f"/entities/{agency['id']}/notes", {"body": "x"}),
                       (f"/entities/{agency['id']}/fee-lines", FEE),
                       (f"/entities/{agency['id']}/practices", {"source": "audit", "assessed_on": "2026-11-01"}),
                       (f"/licences/{agency['licence']}/status", {"version": 1, "status": "revoked"}),
                       (f"/entities/{agency['id']}/corrections", {"field": "website", "value": "https://x.example",
                                                                  "reason": "seen"})):
        assert client.post(path, data=data).status_code == 400, path
    session = db.Session()
    assert count(session, PortfolioEntry) == count(session, Note) == count(session, FeeLine) == 0
    assert session.get(Licence, agency["licence"]).status == "valid"


def test_hits_are_shown_as_the_api_shows_them(client, session, agency, make_user, make_org):
    from tests.web.test_hit_pages import LIST
    from app.screening.screen import import_and_screen
    import_and_screen(session, "np-banned", "generic-csv", [LIST], actor=OPERATOR, kind="banned_agency",
                      threshold=0.8)
    session.commit()
    sign_in(client, make_user("analyst", organisation=make_org("platform")).email)
    reviewer = page_of(client, agency["id"])[1].split('id="hits"')[1].split("</div>")[0]
    assert "/hits/" in reviewer
    follower = make_user("analyst")
    private.add_to_portfolio(session, actor_of(session, follower), agency["id"])
    session.commit()
    sign_in(client, follower.email)
    followed = page_of(client, agency["id"])[1].split('id="hits"')[1].split("</div>")[0]
    assert "/hits/" not in followed and "a possible match under review" in followed
