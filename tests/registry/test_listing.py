"""Lists come from each process's listing: every write shows at once, in this process and in any other."""
import json

import pytest
from sqlalchemy import select

from app.registry import listing
from app.registry.models import RegistryState
from tests.registry.test_api import agency_body
from tests.registry.test_import import csv_bytes, upload


@pytest.fixture
def headers(make_token, authority):
    return make_token("admin", kind="platform")


def names(client, query=""):
    return [a["legal_name"] for a in client.get(f"/api/v1/agencies?{query}").json["items"]]


def test_every_kind_of_write_shows_in_the_next_list(client, headers):
    agency = client.post("/api/v1/agencies", json=agency_body(), headers=headers).json
    assert names(client, "licence_status=valid") == ["Himal Shikhar Overseas Pvt. Ltd."]

    renamed = client.patch(f"/api/v1/agencies/{agency['id']}", headers=headers,
                           json={"version": agency["version"], "legal_name": "Himal Peak Overseas Pvt. Ltd."})
    assert renamed.status_code == 200
    assert names(client, "q=peak") == ["Himal Peak Overseas Pvt. Ltd."]

    licence = agency["licences"][0]
    suspended = client.post(f"/api/v1/licences/{licence['id']}/status", headers=headers,
                            json={"version": licence["version"], "status": "suspended", "reason": "complaint"})
    assert suspended.status_code == 200, suspended.json
    assert names(client, "licence_status=valid") == []
    assert names(client, "licence_status=suspended") == ["Himal Peak Overseas Pvt. Ltd."]

    employer = client.post("/api/v1/employers", json={"legal_name": "Kuala Gloves Sdn Bhd", "country": "MY"},
                           headers=headers).json
    assert names(client, "corridor=NP-MY") == []
    client.post("/api/v1/relationships", headers=headers, json={
        "kind": "employer_uses_agency", "client_id": employer["id"], "provider_id": agency["id"],
        "origin_country": "NP", "destination_country": "MY"})
    assert names(client, "corridor=NP-MY") == ["Himal Peak Overseas Pvt. Ltd."]

    current = client.get(f"/api/v1/agencies/{agency['id']}", headers=headers).json
    client.delete(f"/api/v1/agencies/{agency['id']}?version={current['version']}", headers=headers)
    assert names(client) == [] and client.get("/api/v1/agencies").json["meta"]["total"] == 0


def test_an_import_shows_in_the_list(client, headers):
    rows = [{"legal_name": f"Import Overseas {n}", "country": "NP", "sectors": "fishing",
             "licence_authority": "NP-DOFE", "licence_number": f"IMP-{n}", "licence_status": "valid"}
            for n in range(3)]
    assert upload(client, headers, csv_bytes(rows), "agencies.csv").status_code == 200
    assert names(client, "sector=fishing") == ["Import Overseas 0", "Import Overseas 1", "Import Overseas 2"]
    assert names(client, "licence_number=imp 1") == ["Import Overseas 1"]


def test_another_process_catches_up_with_the_changes(client, headers, session):
    client.post("/api/v1/agencies", json=agency_body(), headers=headers)
    other = listing.Listing()
    listing.catch_up(session, other, session.scalar(select(RegistryState.generation)))
    assert [json.loads(s)["legal_name"] for s in other.search("agency", {})[0]] == ["Himal Shikhar Overseas Pvt. Ltd."]

    client.post("/api/v1/agencies", headers=headers, json=agency_body(
        legal_name="Annapurna Crew Supply", aliases=[], identifiers=[],
        licences=[{"authority": "NP-DOFE", "number": "77/080", "status": "expired", "destinations": ["MY"]}]))
    generation = session.scalar(select(RegistryState.generation))
    assert generation > other.generation
    listing.catch_up(session, other, generation)
    fresh = listing.Listing()
    listing.catch_up(session, fresh, generation)
    for filters in ({}, {"licence_status": "expired"}, {"corridor": "NP-QA"}, {"q": "crew"}):
        assert other.search("agency", filters) == fresh.search("agency", filters)
    assert other.search("agency", {"corridor": "np-my"})[1] == 1


def test_sorting_and_paging_agree_whether_matches_are_few_or_many(client, headers, session, monkeypatch):
    for n, name in enumerate(["Cedar", "alpha", "Bravo", "delta", "Echo"]):
        client.post("/api/v1/agencies", headers=headers, json=agency_body(
            legal_name=f"{name} Overseas", aliases=[], identifiers=[],
            licences=[{"authority": "NP-DOFE", "number": f"S-{n}", "status": "valid"}]))
    queries = ["sort=legal_name", "sort=-legal_name&per_page=2&page=2", "sort=-id", "sort=created_at&per_page=3"]
    direct = [names(client, q) for q in queries]
    assert direct[0] == ["alpha Overseas", "Bravo Overseas", "Cedar Overseas", "delta Overseas", "Echo Overseas"]
    assert direct[1] == ["Cedar Overseas", "Bravo Overseas"]
    monkeypatch.setattr(listing, "SORT_DIRECTLY", 1)
    assert [names(client, q) for q in queries] == direct


def test_entries_packed_at_a_build_and_entries_changed_since_answer_alike(client, headers, session, monkeypatch):
    names = [("Himal Shikhar Overseas Pvt. Ltd.", "Himal Sikhar Overseas"), ("Shikhar Himal Manpower", "Al Noor"),
             ("Al-Noor Overseas Recruiting", "Noor Al Shikhar"), ("Überseas Himalaya Crew", "Crew of Pokhara"),
             ("Pokhara Himalkanya Overseas", "HIMAL SHIKHARA")]
    ids = []
    for n, (name, alias) in enumerate(names):
        ids.append(client.post("/api/v1/agencies", headers=headers, json=agency_body(
            legal_name=name, aliases=[{"name": alias, "kind": "trading"}], identifiers=[],
            country=["NP", "BD"][n % 2], sectors=[["construction"], ["fishing"]][n % 2],
            licences=[{"authority": "NP-DOFE", "number": f"P-{n}", "status": "valid"}])).json["id"])
    generation = session.scalar(select(RegistryState.generation))
    packed = listing.Listing()
    listing.catch_up(session, packed, generation)
    changed = listing.Listing(generation=0, day=packed.day)   # a listing that saw every entity change
    listing.catch_up(session, changed, generation)
    repacked = listing.Listing(generation=0, day=packed.day)
    listing.catch_up(session, repacked, generation)
    repacked.repack()
    assert (len(packed.packed), len(changed.changed), len(repacked.packed)) == (5, 5, 5)

    def answers(source):
        found = []
        for query in ({}, {"q": "himal"}, {"q": "himal shikhar"}, {"q": "al noor overseas"}, {"q": "imal shik"},
                      {"q": "überseas"}, {"q": "overseas"}, {"q": "x"}, {"q": "-"}, {"country": "BD", "q": "crew"},
                      {"sector": "construction"}):
            for sort in ("legal_name", "-legal_name", "country", "-created_at", "id"):
                summaries, total = source.search("agency", query, sort=sort, per_page=2, page=2)
                found.append((total, [json.loads(s)["id"] for s in summaries]))
        return found

    expected = answers(packed)
    assert answers(changed) == answers(repacked) == expected
    named = {q: {json.loads(s)["legal_name"] for s in packed.search("agency", {"q": q})[0]}
             for q in ("himal shikhar", "imal shik", "al noor overseas", "uberseas")}
    assert named == {"himal shikhar": {names[0][0], names[4][0]}, "imal shik": {names[0][0], names[4][0]},
                     "al noor overseas": {names[2][0]}, "uberseas": {names[3][0]}}
    monkeypatch.setattr(listing, "SORT_DIRECTLY", 1)
    assert answers(packed) == answers(changed) == expected

    # Changes after a build: some entries packed, some changed, some dropped.
    current = client.get(f"/api/v1/agencies/{ids[0]}", headers=headers).json
    client.patch(f"/api/v1/agencies/{ids[0]}", headers=headers,
                 json={"version": current["version"], "legal_name": "Kathmandu Crew Overseas"})
    current = client.get(f"/api/v1/agencies/{ids[1]}", headers=headers).json
    client.delete(f"/api/v1/agencies/{ids[1]}?version={current['version']}", headers=headers)
    generation = session.scalar(select(RegistryState.generation))
    listing.catch_up(session, packed, generation)
    fresh = listing.Listing()
    listing.catch_up(session, fresh, generation)
    assert (len(packed.packed), len(packed.changed)) == (3, 1)
    assert answers(packed) == answers(fresh)
    assert packed.search("agency", {"q": "crew overseas"})[1] == 1 and packed.search("agency", {"q": "shikhar"})[1] == 2
