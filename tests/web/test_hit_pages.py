"""The hit review pages through the test client: who reads them, who decides."""
from pathlib import Path

from app import db
from app.accounts.cli import OPERATOR
from app.screening.models import Hit
from app.screening.screen import import_and_screen
from tests.web.test_sign_in import csrf_of, sign_in

LIST = Path(__file__).resolve().parent.parent / "data" / "screening" / "hits" / "banned_v1.csv"


def hit_on_gulf(session, make_agency):
    agency = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.")
    import_and_screen(session, "np-banned", "generic-csv", [LIST], actor=OPERATOR, kind="banned_agency",
                      threshold=0.8)
    session.commit()
    return session.query(Hit).filter_by(entity_id=agency.id).one()


def test_a_business_reads_no_hit_pages(client, session, make_agency, make_user):
    hit = hit_on_gulf(session, make_agency)
    sign_in(client, make_user("analyst").email)
    assert client.get("/hits").status_code == 403
    assert client.get(f"/hits/{hit.id}").status_code == 403


def test_a_platform_viewer_reads_but_cannot_decide(client, session, make_agency, make_user, make_org):
    hit = hit_on_gulf(session, make_agency)
    sign_in(client, make_user("viewer", organisation=make_org("platform")).email)
    page = client.get(f"/hits/{hit.id}")
    assert page.status_code == 200 and 'id="decision"' not in page.get_data(as_text=True)
    refused = client.post(f"/hits/{hit.id}", data={"csrf_token": csrf_of(page), "state": "confirmed",
                                                  "version": hit.version})
    assert refused.status_code == 403
    assert db.Session().get(Hit, hit.id).state == "open"
