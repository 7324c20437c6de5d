"""Licence state follows its dates: from the day after valid_until a licence in force reads as expired in every
response, filter, export and score before anything records it, and none can be created in force and ended."""
import csv
from datetime import date, timedelta
import io
import json

import pytest
from sqlalchemy import select

from app.registry import expiry, listing
from app.registry.models import Licence, RegistryState
from app.scoring import facts
from tests.registry.test_api import agency_body
from tests.registry.test_import import csv_bytes, upload

DAY = date(2026, 3, 10)
NEXT_DAY = DAY + timedelta(days=1)
NUMBER = "1234/067/68"


class Calendar:
    """The day licences are read on, moved by hand."""

    def __init__(self, day):
        self.day = day

    def __call__(self):
        return self.day


@pytest.fixture
def calendar(monkeypatch):
    clock = Calendar(DAY)
    monkeypatch.setattr(expiry, "today", clock)
    return clock


@pytest.fixture
def headers(make_token, authority):
    return make_token("admin", kind="platform")


def licence(**overrides):
    return {"authority": "NP-DOFE", "number": NUMBER, "status": "valid", "valid_from": "2024-01-01",
            "valid_until": DAY.isoformat(), "destinations": ["QA"], **overrides}


@pytest.fixture
def agency(client, headers, calendar):
    """An agency whose valid licence ends on DAY: in force that day, lapsed from the next."""
    response = client.post("/api/v1/agencies", json=agency_body(licences=[licence()]), headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def statuses(client, agency, headers):
    """The licence's status in the signed-in record, the public record, the licence, and the public lookup."""
    url, licence_id = f"/api/v1/agencies/{agency['id']}", agency["licences"][0]["id"]
    return [client.get(url, headers=headers).json["licences"][0]["status"],
            client.get(url).json["licences"][0]["status"],
            client.get(f"/api/v1/licences/{licence_id}").json["status"],
            client.get(f"/api/v1/agencies?licence_number={NUMBER}").json["items"][0]["licences"][0]["status"]]


def names(client, query):
    return [a["legal_name"] for a in client.get(f"/api/v1/agencies?{query}").json["items"]]


@pytest.mark.parametrize("status, valid_until, reads", [
    ("valid", DAY, "valid"), ("valid", DAY - timedelta(days=1), "expired"), ("valid", None, "valid"),
    ("provisional", DAY - timedelta(days=1), "expired"), ("suspended", DAY - timedelta(days=1), "suspended"),
    ("revoked", DAY - timedelta(days=1), "revoked"), ("banned", DAY - timedelta(days=1), "banned")])
def test_only_a_licence_in_force_lapses_after_its_end_date(status, valid_until, reads):
    assert expiry.effective_status(status, valid_until, DAY) == reads


def test_a_licence_reads_expired_everywhere_from_the_day_after_it_ends(client, headers, agency, calendar):
    assert statuses(client, agency, headers) == ["valid"] * 4
    calendar.day = NEXT_DAY
    assert statuses(client, agency, headers) == ["expired"] * 4
    detail = client.get(f"/api/v1/licences/{agency['licences'][0]['id']}").json
    # Nothing was written: the recorded status and the history are as the authority left them.
    assert detail["recorded_status"] == "valid" and [h["status"] for h in detail["history"]] == ["valid"]


def test_the_list_filters_a_lapsed_licence_as_expired(client, headers, agency, calendar):
    name = agency["legal_name"]
    assert names(client, "licence_status=valid") == [name] and names(client, "licence_status=expired") == []
    calendar.day = NEXT_DAY
    assert names(client, "licence_status=valid") == []
    assert names(client, "licence_status=expired") == [name]
    assert names(client, "licence_status=expired&authority=NP-DOFE") == [name]


def test_a_listing_built_before_midnight_notices_the_new_day(client, agency, session):
    generation = session.scalar(select(RegistryState.generation))
    other = listing.Listing()  # another process's listing, built on DAY; no write happens after
    listing.catch_up(session, other, generation, today=DAY)
    assert other.search("agency", {"licence_status": "valid"})[1] == 1

    listing.catch_up(session, other, generation, today=NEXT_DAY)
    assert other.search("agency", {"licence_status": "valid"})[1] == 0
    assert other.search("agency", {"licence_status": "expired"})[1] == 1
    fresh = listing.Listing()
    listing.catch_up(session, fresh, generation, today=NEXT_DAY)
    assert other.search("agency", {}) == fresh.search("agency", {})

    # A clock set back reads the licence in force again.
    listing.catch_up(session, other, generation, today=DAY)
    assert other.search("agency", {"licence_status": "valid"})[1] == 1


def test_exports_write_a_lapsed_licence_as_expired_and_reimporting_them_changes_nothing(
        client, headers, agency, calendar, session, make_token):
    calendar.day = NEXT_DAY
    exported = client.get("/api/v1/registry/export?format=csv", headers=headers)
    assert [row["licence_status"] for row in csv.DictReader(io.StringIO(exported.text))] == ["expired"]
    as_json = client.get("/api/v1/registry/export?format=json", headers=headers).json
    assert as_json[0]["licences"][0]["status"] == "expired"

    # An analyst may not change a licence's status, and re-importing the export does not.
    again = upload(client, make_token("analyst"), exported.data, "export.csv")
    assert again.status_code == 200, again.json
    assert again.json["unchanged"] == 1
    stored = session.scalar(select(Licence).where(Licence.id == agency["licences"][0]["id"]))
    assert stored.status == "valid" and len(stored.history) == 1


def test_scores_see_a_lapsed_licence_as_expired(client, headers, agency, calendar, session):
    assert facts.assemble(session, agency["id"], today=DAY)[0]["licence_status"] == "valid"
    assert facts.assemble(session, agency["id"], today=NEXT_DAY)[0]["licence_status"] == "expired"

    calendar.day = NEXT_DAY
    score = client.post(f"/api/v1/entities/{agency['id']}/score", headers=headers)
    assert score.status_code == 201, score.json
    assert score.json["facts"]["licence_status"] == "expired"
    rule = next(o for o in score.json["outcomes"] if o["rule_id"] == "A-LICENCE-VALID")
    assert rule["outcome"] == "fail" and score.json["tier"] == "critical"


def test_moving_valid_until_into_the_past_is_allowed_and_then_reads_expired(client, headers, agency, calendar):
    recorded = agency["licences"][0]
    response = client.patch(f"/api/v1/licences/{recorded['id']}", headers=headers, json={
        "version": recorded["version"], "valid_until": (DAY - timedelta(days=30)).isoformat()})
    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["recorded_status"]) == ("expired", "valid")
    assert statuses(client, agency, headers) == ["expired"] * 4


def test_a_new_licence_in_force_with_a_past_end_date_is_refused_naming_the_field(client, headers, calendar):
    yesterday = (DAY - timedelta(days=1)).isoformat()
    for status in ("valid", "provisional"):
        body = agency_body(licences=[licence(status=status, valid_until=yesterday)])
        response = client.post("/api/v1/agencies", json=body, headers=headers)
        assert response.status_code == 422
        assert "in the past" in response.json["errors"]["licences[0].valid_until"][0]

    ended = client.post("/api/v1/agencies", json=agency_body(licences=[licence(status="expired",
                                                                               valid_until=yesterday)]),
                        headers=headers)
    assert ended.status_code == 201, ended.json
    added = client.post(f"/api/v1/entities/{ended.json['id']}/licences", headers=headers,
                        json=licence(number="5678/080/81", valid_until=yesterday))
    assert added.status_code == 422
    assert "in the past" in added.json["errors"]["valid_until"][0]


def test_an_import_row_in_force_with_a_past_end_date_is_refused_naming_the_row(client, headers, calendar, session):
    yesterday = (DAY - timedelta(days=1)).isoformat()
    rows = [{"legal_name": "Ended Overseas", "country": "NP", "licence_authority": "NP-DOFE",
             "licence_number": "88/080", "licence_status": "valid", "licence_valid_until": yesterday}]
    response = upload(client, headers, csv_bytes(rows), "agencies.csv")
    assert response.status_code == 422
    assert "in the past" in response.json["errors"]["row 2, licence_valid_until"][0]

    records = [{"kind": "agency", "legal_name": "Ended Overseas", "country": "NP",
                "licences": [licence(number="88/080", valid_until=yesterday)]}]
    response = upload(client, headers, json.dumps(records).encode(), "agencies.json")
    assert response.status_code == 422
    assert "in the past" in response.json["errors"]["row 1, licences[0].valid_until"][0]
    assert session.scalar(select(Licence.id)) is None
