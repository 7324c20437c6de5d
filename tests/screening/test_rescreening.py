"""Registry changes are screened in the transaction that makes them, once a list is loaded."""
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.audit import set_actor
from app.accounts.cli import OPERATOR
from app.registry import service as registry
from app.scoring import service as scoring
from app.screening.models import Hit, Screening
from app.screening.screen import import_and_screen
from tests.conftest import count

DATA = Path(__file__).resolve().parent.parent / "data" / "screening" / "hits"


@pytest.fixture
def banned(session):
    import_and_screen(session, "np-banned", "generic-csv", [DATA / "banned_v1.csv"], actor=OPERATOR,
                      kind="banned_agency", threshold=0.8)
    session.commit()


def hits(session, entity_id):
    """The entity's hits as (subject kind, entry id, state)."""
    return {(hit.subject.split(":")[0], hit.entry.entry_id, hit.state)
            for hit in session.scalars(select(Hit).where(Hit.entity_id == entity_id))}


def test_a_new_agency_named_like_a_listed_one_has_an_open_hit_when_it_commits(session, banned, make_agency):
    clean = make_agency(legal_name="Annapurna Job Link Pvt Ltd")
    data = {"legal_name": "Gulf Dreams Manpower Pvt. Ltd.", "country": "NP", "sectors": ["construction"]}
    set_actor(session, None, None)
    agency = registry.create_entity(session, None, "agency", data)
    session.flush()
    assert hits(session, agency.id) == set()  # not yet: screening waits for the commit
    session.commit()
    assert hits(session, agency.id) == {("entity", "B-1", "open")}
    screening = session.scalar(select(Screening).where(Screening.entity_id == agency.id))
    assert screening.reason == "registry changed" and screening.list_versions == {"np-banned": 1}
    assert hits(session, clean.id) == set()
    assert session.scalar(select(Screening.reason).where(Screening.entity_id == clean.id)) == "registry changed"


def test_adding_a_listed_officer_gives_a_person_hit(session, banned, make_agency):
    agency = make_agency(legal_name="Annapurna Job Link Pvt Ltd")
    registry.update_entity(session, None, agency.id, "agency", {"version": agency.version, "people": [
        {"name": "Ram Bahadur Thapa", "role": "principal_officer", "nationality": "NP"}]})
    session.commit()
    assert hits(session, agency.id) == {("person", "B-2", "open")}
    hit = session.scalar(select(Hit).where(Hit.entity_id == agency.id))
    assert hit.person_id == agency.roles[0].person_id and hit.matched_name == "THAPA, Ram Bahadur"


def test_a_listed_person_whose_role_ended_is_not_screened_with_the_agency(session, banned, make_agency):
    agency = make_agency(legal_name="Annapurna Job Link Pvt Ltd", people=[
        {"name": "Ram Bahadur Thapa", "role": "principal_officer", "nationality": "NP", "until": date(2020, 1, 31)},
        {"name": "Sita Gurung", "role": "director", "nationality": "NP"}])
    assert hits(session, agency.id) == set()
    registry.update_entity(session, None, agency.id, "agency", {"version": agency.version, "people": [
        {"name": "Ram Bahadur Thapa", "role": "principal_officer", "nationality": "NP"},
        {"name": "Sita Gurung", "role": "director", "nationality": "NP"}]})
    session.commit()
    assert hits(session, agency.id) == {("person", "B-2", "open")}


def test_renaming_an_agency_like_a_listed_one_gives_a_hit(session, banned, make_agency):
    agency = make_agency(legal_name="Annapurna Job Link Pvt Ltd")
    assert hits(session, agency.id) == set()
    registry.update_entity(session, None, agency.id, "agency",
                           {"version": agency.version, "legal_name": "Kantipur Sky Recruitment Pvt Ltd"})
    session.commit()
    assert hits(session, agency.id) == {("entity", "B-3", "open")}


def test_without_a_list_nothing_is_screened_and_the_watchlist_rule_stays_unknown(session, make_agency):
    gulf = make_agency(legal_name="Gulf Dreams Manpower Pvt. Ltd.")
    make_agency(legal_name="Kantipur Sky Recruitment Pvt Ltd")
    assert count(session, Screening) == 0 and count(session, Hit) == 0
    outcome = next(o for o in scoring.current_score(session, gulf.id).outcomes if o[0] == "A-WATCHLIST")
    assert outcome[1] == "unknown"
