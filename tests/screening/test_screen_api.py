"""Screening API: a name on its own, an entity, the hits and their review, and list uploads that re-screen."""
from pathlib import Path

import pytest

from app.accounts.cli import OPERATOR
from app.screening.screen import import_and_screen

DATA = Path(__file__).resolve().parent.parent / "data" / "screening"
RAM = {"name": "Ram Bahadur Thapa", "role": "owner", "nationality": "NP"}


def load(session, name, path, kind="banned_agency"):
    """Import a generic-csv list as the operator would, and commit."""
    import_and_screen(session, name, "generic-csv", [DATA / path], actor=OPERATOR, kind=kind, threshold=0.8)
    session.commit()


@pytest.fixture
def banned(session):
    load(session, "np-banned", "hits/banned_v1.csv")


@pytest.fixture
def debarred(session):
    load(session, "debarred", "batch/debarred.csv", kind="debarment")


@pytest.fixture
def reviewer(make_token):
    return make_token("analyst", kind="platform")


@pytest.fixture
def gulf(make_agency):
    return make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.", people=[RAM])


def screen(client, headers, **body):
    return client.post("/api/v1/screen", json=body, headers=headers)


def hit_of(client, headers, entity_id, entry_id):
    """The entity's hit on a list entry, as the API shows it."""
    items = client.get(f"/api/v1/hits?entity_id={entity_id}", headers=headers).json["items"]
    return next(h for h in items if h["entry"]["entry_id"] == entry_id)


def decide(client, headers, hit, **decision):
    return client.post(f"/api/v1/hits/{hit['id']}/decision", headers=headers,
                       json={"version": hit["version"], **decision})


def test_a_name_screens_against_every_list_best_first_with_its_explanation(client, reviewer, banned, debarred):
    response = screen(client, reviewer, name="Gulf Dream Manpower Pvt Ltd")
    assert response.status_code == 200, response.json
    hits = response.json["hits"]
    assert [(h["list"], h["entry_id"]) for h in hits] == [("np-banned", "B-1"), ("debarred", "D-1")]
    assert hits[0]["score"] > hits[1]["score"] >= response.json["threshold"] == 0.8
    best = hits[0]
    assert best["matched_name"] == "Gulf Dreams Manpower Private Limited"
    assert best["name"] == "Gulf Dreams Manpower Private Limited" and best["entry"]["reason"]
    assert best["query_name"] == "Gulf Dream Manpower Pvt Ltd"
    explanation = best["explanation"]
    assert explanation["query_normalised"] == "gulf dream manpower pvt ltd"
    assert explanation["list_normalised"] == "gulf dreams manpower pvt ltd"
    assert {(w["query"], w["list"]) for w in explanation["words"]} == {
        ("gulf", "gulf"), ("dream", "dreams"), ("manpower", "manpower")}


def test_lists_restrict_where_a_name_is_screened(client, reviewer, banned, debarred):
    hits = screen(client, reviewer, name="Gulf Dream Manpower Pvt Ltd", lists=["debarred"]).json["hits"]
    assert [(h["list"], h["entry_id"]) for h in hits] == [("debarred", "D-1")]


def test_an_unknown_list_is_422_not_an_empty_result(client, reviewer, banned):
    response = screen(client, reviewer, name="Gulf Dream Manpower Pvt Ltd", lists=["np-banned", "np-baned"])
    assert response.status_code == 422 and "np-baned" in response.json["errors"]["lists"][0]


def test_the_threshold_in_the_body_decides_what_comes_back(client, reviewer, banned, debarred):
    assert screen(client, reviewer, name="Gulf Manpower").json["hits"] == []
    loose = screen(client, reviewer, name="Gulf Manpower", threshold=0.5).json
    assert loose["threshold"] == 0.5
    assert [h["entry_id"] for h in loose["hits"]] == ["B-1", "D-1"]
    assert all(h["score"] >= 0.5 for h in loose["hits"])


def test_a_name_without_hits_is_an_empty_list(client, reviewer, banned):
    response = screen(client, reviewer, name="Annapurna Tea House")
    assert response.status_code == 200 and response.json["hits"] == []


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": " \t "}, "name"),
    ({"name": "Gulf " * 2000}, "name"),
    ({"name": "\ue000\ue001"}, "name"),
    ({"name": "Gulf Dream", "aliases": ["Gulf Dreams HR", "\ue000"]}, "aliases[1]"),
    ({"name": "Gulf Dream", "countries": ["NP", "Nepal"]}, "countries[1]"),
    ({"name": "Gulf Dream", "kind": "company"}, "kind"),
    ({"name": "Gulf Dream", "threshold": 1.5}, "threshold"),
    ({"name": "Gulf Dream", "limit": 0}, "limit"),
])
def test_bad_screening_input_is_422_naming_the_field(client, reviewer, banned, body, field):
    response = screen(client, reviewer, **body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


def test_a_long_alias_screens_and_a_name_over_1000_characters_is_refused(client, reviewer, banned):
    # A real sanctions list has a 324-character organisation alias.
    alias = "Gulf Dreams Manpower Private Limited " + "and its branch offices in every district " * 8
    assert 324 < len(alias) <= 1000
    response = screen(client, reviewer, name=alias)
    assert response.status_code == 200, response.json
    response = screen(client, reviewer, name="G" * 1001)
    assert response.status_code == 422 and response.json["errors"]["name"] == ["longer than 1000 characters (1001)"]


def test_a_name_in_a_script_no_transliterator_knows_is_still_screened(client, reviewer, banned):
    # Hanifi Rohingya: letters, so a name, though nothing on the lists is written that way.
    response = screen(client, reviewer, name="\U00010d00\U00010d22")
    assert response.status_code == 200, response.json
    assert response.json["hits"] == []


def test_screening_needs_a_signed_in_user(client, banned):
    assert client.post("/api/v1/screen", json={"name": "Gulf Dream"}).status_code == 401


def test_screening_an_entity_returns_its_hits_and_keeps_them(client, reviewer, gulf, banned):
    screened = client.post(f"/api/v1/entities/{gulf.id}/screen", headers=reviewer)
    assert screened.status_code == 200, screened.json
    assert screened.json["reason"] == "asked for" and screened.json["list_versions"] == {"np-banned": 1}
    found = {(h["subject"].split(":")[0], h["entry"]["entry_id"], h["state"]) for h in screened.json["hits"]}
    assert found == {("entity", "B-1", "open"), ("person", "B-2", "open")}
    kept = client.get(f"/api/v1/entities/{gulf.id}/screening", headers=reviewer)
    assert kept.status_code == 200 and kept.json == screened.json


def test_screening_an_entity_before_any_list_is_loaded_is_a_conflict(client, reviewer, gulf):
    response = client.post(f"/api/v1/entities/{gulf.id}/screen", headers=reviewer)
    assert response.status_code == 409
    assert "No watchlist is loaded yet" in response.json["message"]
    assert client.get(f"/api/v1/entities/{gulf.id}/screening", headers=reviewer).status_code == 404


def test_hits_filter_by_state_list_and_entity_and_count_them_all(client, reviewer, make_agency, gulf, banned,
                                                                 debarred):
    kantipur = make_agency(legal_name="Kantipur Sky Recruitment Pvt Ltd")
    everything = client.get("/api/v1/hits?per_page=2", headers=reviewer).json
    assert everything["meta"] == {"page": 1, "per_page": 2, "total": 4} and len(everything["items"]) == 2
    scores = [h["score"] for h in client.get("/api/v1/hits", headers=reviewer).json["items"]]
    assert scores == sorted(scores, reverse=True)
    by_list = client.get("/api/v1/hits?list=debarred", headers=reviewer).json
    assert [(h["entity_id"], h["entry"]["entry_id"]) for h in by_list["items"]] == [(gulf.id, "D-1")]
    by_entity = client.get(f"/api/v1/hits?entity_id={kantipur.id}", headers=reviewer).json
    assert [h["entry"]["entry_id"] for h in by_entity["items"]] == ["B-3"] and by_entity["meta"]["total"] == 1
    decide(client, reviewer, by_entity["items"][0], state="confirmed")
    confirmed = client.get("/api/v1/hits?state=confirmed", headers=reviewer).json
    assert [h["entity_id"] for h in confirmed["items"]] == [kantipur.id] and confirmed["meta"]["total"] == 1
    assert client.get("/api/v1/hits?state=open&list=np-banned", headers=reviewer).json["meta"]["total"] == 2
    assert client.get("/api/v1/hits?state=maybe", headers=reviewer).status_code == 422


def test_a_confirmation_is_kept_in_the_history_with_who_decided(client, reviewer, gulf, banned):
    hit = hit_of(client, reviewer, gulf.id, "B-1")
    confirmed = decide(client, reviewer, hit, state="confirmed", note="Same registration number")
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["state"] == "confirmed" and confirmed.json["version"] == hit["version"] + 1
    me = client.get("/api/v1/me", headers=reviewer).json["user_id"]
    detail = client.get(f"/api/v1/hits/{hit['id']}", headers=reviewer).json
    assert detail["decided_by"] == me
    assert [(e["state"], e["by_user_id"], e["note"]) for e in detail["history"]] == [
        ("open", None, "Found."), ("confirmed", me, "Same registration number")]


def test_a_dismissal_needs_a_reason_and_other_needs_a_note(client, reviewer, gulf, banned):
    hit = hit_of(client, reviewer, gulf.id, "B-1")
    no_reason = decide(client, reviewer, hit, state="dismissed")
    assert no_reason.status_code == 422 and list(no_reason.json["errors"]) == ["reason"]
    no_note = decide(client, reviewer, hit, state="dismissed", reason="other")
    assert no_note.status_code == 422 and list(no_note.json["errors"]) == ["note"]
    dismissed = decide(client, reviewer, hit, state="dismissed", reason="other", note="A namesake in Pokhara")
    assert dismissed.status_code == 200, dismissed.json
    assert (dismissed.json["state"], dismissed.json["reason"]) == ("dismissed", "other")


def test_a_decision_on_a_stale_read_is_409_and_changes_nothing(client, reviewer, gulf, banned):
    hit = hit_of(client, reviewer, gulf.id, "B-1")
    assert decide(client, reviewer, hit, state="escalated").status_code == 200
    stale = decide(client, reviewer, hit, state="confirmed")
    assert stale.status_code == 409 and "version" in stale.json["errors"]
    assert client.get(f"/api/v1/hits/{hit['id']}", headers=reviewer).json["state"] == "escalated"


def test_only_platform_and_regulator_reviewers_decide(client, make_token, reviewer, gulf, banned):
    hit = hit_of(client, reviewer, gulf.id, "B-1")
    business = make_token("analyst")
    refused = decide(client, business, hit, state="confirmed")
    assert refused.status_code == 403 and "regulators" in refused.json["message"]
    viewer = make_token("viewer", kind="platform")
    assert decide(client, viewer, hit, state="confirmed").status_code == 403
    assert client.get(f"/api/v1/hits/{hit['id']}", headers=viewer).json["state"] == "open"


def test_businesses_read_no_unreviewed_hits(client, make_token, reviewer, gulf, banned):
    business = make_token("analyst")
    hit = hit_of(client, reviewer, gulf.id, "B-1")
    for path in ("/api/v1/hits", f"/api/v1/hits/{hit['id']}", f"/api/v1/entities/{gulf.id}/screening"):
        refused = client.get(path, headers=business)
        assert refused.status_code == 403 and "score" in refused.json["message"]
    regulator = make_token("registrar", kind="government")
    assert client.get(f"/api/v1/hits/{hit['id']}", headers=regulator).status_code == 200


def test_deciding_many_is_all_or_nothing(client, reviewer, gulf, banned):
    company, owner = hit_of(client, reviewer, gulf.id, "B-1"), hit_of(client, reviewer, gulf.id, "B-2")
    bad = client.post("/api/v1/hits/decisions", headers=reviewer, json={"decisions": [
        {"id": company["id"], "version": company["version"], "state": "confirmed"},
        {"id": owner["id"], "version": owner["version"], "state": "dismissed"}]})
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["decisions[1].reason"]
    assert client.get("/api/v1/hits?state=open", headers=reviewer).json["meta"]["total"] == 2
    good = client.post("/api/v1/hits/decisions", headers=reviewer, json={"decisions": [
        {"id": company["id"], "version": company["version"], "state": "confirmed"},
        {"id": owner["id"], "version": owner["version"], "state": "dismissed", "reason": "different_country"}]})
    assert good.status_code == 200, good.json
    assert [h["state"] for h in good.json] == ["confirmed", "dismissed"]


def test_a_confirmed_hit_fails_the_watchlist_rule(client, reviewer, gulf, banned):
    def watchlist_rule():
        score = client.get(f"/api/v1/entities/{gulf.id}/score", headers=reviewer).json
        return next(o for o in score["outcomes"] if o["rule_id"] == "A-WATCHLIST")

    assert watchlist_rule()["outcome"] == "pass"  # screened, nothing confirmed yet
    decide(client, reviewer, hit_of(client, reviewer, gulf.id, "B-1"), state="confirmed")
    failed = watchlist_rule()
    assert failed["outcome"] == "fail"
    assert failed["facts"]["confirmed_hits"][0]["list"] == "np-banned"


def test_a_new_list_version_reopens_a_dismissed_hit_whose_entry_changed(client, reviewer, gulf, make_agency,
                                                                       banned):
    make_agency(legal_name="Himal Bridge Overseas Pvt Ltd")
    hit = hit_of(client, reviewer, gulf.id, "B-1")
    decide(client, reviewer, hit, state="dismissed", reason="different_entity")
    with open(DATA / "hits" / "banned_v2.csv", "rb") as handle:
        uploaded = client.post("/api/v1/watchlists/np-banned/versions", headers=reviewer,
                               data={"file": [(handle, "banned_v2.csv")]}, content_type="multipart/form-data")
    assert uploaded.status_code == 201, uploaded.json
    assert uploaded.json["screened"] == 2  # Gulf for the changed B-1, Himal Bridge for the new B-4
    reopened = client.get(f"/api/v1/hits/{hit['id']}", headers=reviewer).json
    assert reopened["state"] == "open" and reopened["entry_revision"] == 2 and reopened["list_version"] == 2
    assert reopened["history"][-1]["note"] == "Reopened: the list entry changed (revision 1 -> 2)."
