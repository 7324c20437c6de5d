"""Screening entities, reviewing hits, and re-screening when a list or an entity changes."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import forking
from app.accounts.cli import OPERATOR
from app.errors import Conflict, Invalid
from app.registry import importer, service as registry
from app.registry.models import Entity
from app.scoring import service as scoring
from app.screening import review
from app.screening.models import Hit, HitEvent, Screening
from app.screening.screen import import_and_screen, screen_entity, screen_list_changes, screen_registry

DATA = Path(__file__).resolve().parent.parent / "data" / "screening" / "hits"
THRESHOLD = 0.8
RAM = {"name": "Ram Bahadur Thapa", "role": "owner", "nationality": "NP"}


def load(session, name):
    return import_and_screen(session, "np-banned", "generic-csv", [DATA / name], actor=OPERATOR,
                             kind="banned_agency", threshold=THRESHOLD)


def hits(session, entity_id):
    return {(h.subject.split(":")[0], h.entry.entry_id): h
            for h in session.scalars(select(Hit).where(Hit.entity_id == entity_id))}


@pytest.fixture
def gulf(make_agency):
    return make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.", people=[RAM],
                       aliases=[{"name": "Gulf Dreams HR", "kind": "trading"}])


def test_a_list_import_screens_the_registry_and_explains_each_hit(session, gulf, make_agency):
    clean = make_agency(legal_name="Annapurna Job Link Pvt Ltd")
    load(session, "banned_v1.csv")
    found = hits(session, gulf.id)
    assert set(found) == {("entity", "B-1"), ("person", "B-2")}
    company, owner = found[("entity", "B-1")], found[("person", "B-2")]
    assert company.state == owner.state == "open" and company.current
    assert company.matched_name == "Gulf Dreams Manpower Private Limited" and company.score >= THRESHOLD
    assert company.explanation["list_normalised"] == "gulf dreams manpower pvt ltd"
    assert company.list_version.number == 1 and company.source.name == "np-banned"
    assert owner.person_id == gulf.roles[0].person_id and owner.matched_name == "THAPA, Ram Bahadur"
    assert hits(session, clean.id) == {}


def test_people_are_matched_against_listed_people_only(session, make_agency):
    # An agency named after its owner: the company name must not hit the listed person, nor the reverse.
    agency = make_agency(legal_name="Ram Bahadur Thapa Overseas Pvt Ltd")
    load(session, "banned_v1.csv")
    assert ("entity", "B-2") not in hits(session, agency.id)


def test_dismissed_hit_stays_dismissed_until_the_entry_changes(session, gulf):
    load(session, "banned_v1.csv")
    hit = hits(session, gulf.id)[("entity", "B-1")]
    review.decide(session, hit.id, {"state": "dismissed", "reason": "different_entity", "version": hit.version},
                  actor=OPERATOR)
    screen_entity(session, gulf.id, threshold=THRESHOLD)
    assert hit.state == "dismissed"
    load(session, "banned_v2.csv")  # B-1 gains an alias
    assert hit.state == "open" and hit.entry_revision == 2
    assert hit.note == "Reopened: the list entry changed (revision 1 -> 2)."
    history = session.scalars(select(HitEvent).where(HitEvent.hit_id == hit.id).order_by(HitEvent.id)).all()
    assert [(e.state, e.reason) for e in history] == [("open", None), ("dismissed", "different_entity"),
                                                      ("open", None)]


def test_dismissed_hit_reopens_when_the_entity_names_change(session, gulf):
    load(session, "banned_v1.csv")
    hit = hits(session, gulf.id)[("entity", "B-1")]
    review.decide(session, hit.id, {"state": "dismissed", "reason": "different_country", "version": hit.version},
                  actor=OPERATOR)
    registry.update_entity(session, None, gulf.id, "agency",
                           {"version": gulf.version, "aliases": [{"name": "Gulf Dream Overseas", "kind": "former"}]})
    screen_entity(session, gulf.id, threshold=THRESHOLD)
    assert hit.state == "open" and "names or identifiers changed" in hit.note


def test_a_decision_on_a_stale_read_is_refused(session, gulf):
    load(session, "banned_v1.csv")
    hit = hits(session, gulf.id)[("entity", "B-1")]
    stale = hit.version
    review.decide(session, hit.id, {"state": "escalated", "version": stale}, actor=OPERATOR)
    with pytest.raises(Conflict):
        review.decide(session, hit.id, {"state": "confirmed", "version": stale}, actor=OPERATOR)
    assert hit.state == "escalated"


@pytest.mark.parametrize("decision, field", [
    ({"state": "dismissed"}, "reason"),
    ({"state": "dismissed", "reason": "looks different"}, "reason"),
    ({"state": "dismissed", "reason": "other", "note": "  "}, "note"),
    ({"state": "confirmed", "reason": "different_entity"}, "reason"),
    ({"state": "closed"}, "state"),
])
def test_a_decision_says_what_is_missing(session, gulf, decision, field):
    load(session, "banned_v1.csv")
    hit = hits(session, gulf.id)[("entity", "B-1")]
    with pytest.raises(Invalid) as error:
        review.decide(session, hit.id, {**decision, "version": hit.version}, actor=OPERATOR)
    assert list(error.value.errors) == [field] and hit.state == "open"


def test_deciding_many_hits_is_all_or_nothing(session, gulf):
    load(session, "banned_v1.csv")
    company, owner = hits(session, gulf.id)[("entity", "B-1")], hits(session, gulf.id)[("person", "B-2")]
    with pytest.raises(Invalid) as error:
        review.decide_many(session, [{"id": company.id, "version": company.version, "state": "confirmed"},
                                     {"id": owner.id, "version": owner.version, "state": "dismissed"}], actor=OPERATOR)
    assert "decisions[1].reason" in error.value.errors and company.state == "open"
    review.decide_many(session, [{"id": company.id, "version": company.version, "state": "confirmed"},
                                 {"id": owner.id, "version": owner.version, "state": "escalated"}], actor=OPERATOR)
    assert (company.state, owner.state) == ("confirmed", "escalated")


def test_confirmed_hits_fail_the_watchlist_rule_until_the_entry_is_delisted(session, gulf, make_agency):
    def watchlist_rule(entity_id):
        score = scoring.score_entity(session, entity_id, reason="test")
        return next(o for o in score.outcomes if o[0] == "A-WATCHLIST")[1]

    never = make_agency(legal_name="Makalu Skills Recruitment Pvt Ltd")
    assert watchlist_rule(never.id) == "unknown"
    load(session, "banned_v1.csv")
    assert watchlist_rule(never.id) == "pass"
    hit = hits(session, gulf.id)[("entity", "B-1")]
    review.decide(session, hit.id, {"state": "confirmed", "version": hit.version}, actor=OPERATOR)
    assert watchlist_rule(gulf.id) == "fail"


def test_a_refresh_matches_only_what_changed(session, gulf, make_agency):
    himal = make_agency(legal_name="Himal Bridge Overseas Pvt Ltd")
    kantipur = make_agency(legal_name="Kantipur Sky Recruitment Pvt Ltd")
    load(session, "banned_v1.csv")
    screened = session.scalar(select(func.max(Screening.id)))
    load(session, "banned_v2.csv")  # B-1 changed, B-3 removed, B-4 added
    assert hits(session, himal.id)[("entity", "B-4")].state == "open"
    removed = hits(session, kantipur.id)[("entity", "B-3")]
    assert not removed.current and removed.state == "open"
    # Gulf (changed entry) and Himal (new entry) were screened again; Kantipur's entry left, nothing to match.
    again = session.scalars(select(Screening.entity_id).where(Screening.id > screened)).all()
    assert sorted(again) == sorted([gulf.id, himal.id])


def test_a_changed_entry_that_no_longer_resembles_leaves_its_hit_not_current(session, gulf):
    load(session, "banned_v1.csv")
    hit = hits(session, gulf.id)[("entity", "B-1")]
    load(session, "banned_v1_renamed.csv")  # B-1 now names someone else entirely
    assert not hit.current


def test_a_delisted_entry_stops_failing_the_watchlist_rule(session, gulf):
    load(session, "banned_v1.csv")
    hit = hits(session, gulf.id)[("entity", "B-1")]
    review.decide(session, hit.id, {"state": "confirmed", "version": hit.version}, actor=OPERATOR)
    session.commit()
    assert scoring.current_score(session, gulf.id).tier == "critical"
    load(session, "common_owner.csv")  # the next version lists none of B-1 to B-3
    session.commit()
    assert not hit.current and scoring.current_score(session, gulf.id).tier != "critical"


def test_a_listed_owner_is_found_at_every_agency_however_many(session, make_agency):
    owner = {"name": "Bikram Kumar Shrestha", "role": "owner", "nationality": "NP"}
    agencies = [make_agency(legal_name=f"Agency {n} Overseas Pvt Ltd", people=[owner]) for n in range(60)]
    import_and_screen(session, "owners", "generic-csv", [DATA / "common_owner.csv"], actor=OPERATOR,
                      kind="banned_agency", threshold=THRESHOLD)
    assert all(("person", "P-1") in hits(session, agency.id) for agency in agencies)


def test_entities_registered_before_the_first_list_and_bulk_imported_after_count_as_screened(session, make_agency):
    def watchlist_rule(entity_id):
        score = scoring.score_entity(session, entity_id, reason="test")
        return next(o for o in score.outcomes if o[0] == "A-WATCHLIST")[1]

    before = make_agency(legal_name="Makalu Skills Recruitment Pvt Ltd")
    load(session, "banned_v1.csv")  # matched against every registered entity: nothing resembles Makalu
    assert watchlist_rule(before.id) == "pass"
    importer.import_file(session, OPERATOR, b"kind,legal_name,country\nagency,Late Bulk Overseas Pvt Ltd,NP\n",
                         fmt="csv", default_kind="agency")
    session.commit()
    late = session.scalar(select(Entity.id).where(Entity.legal_name == "Late Bulk Overseas Pvt Ltd"))
    # A bulk import is screened at commit like an entity created through the API.
    assert watchlist_rule(late) == "pass"


def test_processes_searching_the_registry_together_find_what_one_finds(session, gulf, make_agency, monkeypatch):
    monkeypatch.setattr(forking, "SHARE", 1)   # fork for the list's three entries
    kantipur = make_agency(legal_name="Kantipur Sky Recruitment Pvt Ltd")
    make_agency(legal_name="Annapurna Job Link Pvt Ltd")

    result, together = import_and_screen(session, "np-banned", "generic-csv", [DATA / "banned_v1.csv"],
                                         actor=OPERATOR, kind="banned_agency", threshold=THRESHOLD, processes=3)

    assert together == {gulf.id, kantipur.id}
    assert together == screen_list_changes(session, [result.version.id], threshold=THRESHOLD, processes=1)
    assert set(hits(session, gulf.id)) == {("entity", "B-1"), ("person", "B-2")}
    assert set(hits(session, kantipur.id)) == {("entity", "B-3")}


def test_screening_the_registry_on_several_processes_gives_the_same_hits(session, gulf, make_agency, monkeypatch):
    for n in range(5):
        make_agency(legal_name=f"Gulf Dream Manpower {n} Pvt Ltd", people=[RAM])
    load(session, "banned_v1.csv")   # screened in this process alone

    def every_hit():
        return {(h.entity_id, h.subject, h.watchlist_entry_id, h.score, h.matched_name, repr(h.explanation))
                for h in session.scalars(select(Hit))}

    alone = every_hit()
    monkeypatch.setattr(forking, "SHARE", 1)
    assert screen_registry(session, threshold=THRESHOLD, processes=3)[1] == len(alone) == 7   # gulf 2, owners 5
    assert every_hit() == alone
