"""Bad input through the JSON API: a clear error naming the field, and nothing written."""
import pytest

from app.registry.models import Entity, Licence
from tests.conftest import count
from tests.registry.test_api import agency_body


@pytest.fixture
def headers(make_token, authority):
    return make_token("admin", kind="platform")


def test_unknown_field_is_named(client, headers, session):
    response = client.post("/api/v1/agencies", json=agency_body(colour="red"), headers=headers)
    assert response.status_code == 422
    assert response.json["code"] == "invalid"
    assert "colour" in response.json["errors"]
    assert count(session, Entity) == 0


def test_wrong_type_is_named_with_its_path(client, headers, session):
    body = agency_body()
    body["licences"][0]["destinations"] = "QA"
    response = client.post("/api/v1/agencies", json=body, headers=headers)
    assert response.status_code == 422
    assert "licences[0].destinations" in response.json["errors"]
    assert count(session, Entity) == 0


def test_invalid_country_code_names_the_value(client, headers, session):
    response = client.post("/api/v1/agencies", json=agency_body(country="XX"), headers=headers)
    assert response.status_code == 422
    assert "'XX' is not an ISO 3166-1 alpha-2" in response.json["errors"]["country"][0]
    body = agency_body()
    body["licences"][0]["destinations"] = ["QA", "ZZ"]
    nested = client.post("/api/v1/agencies", json=body, headers=headers)
    assert "'ZZ'" in nested.json["errors"]["licences[0].destinations[1]"][0]
    assert count(session, Entity) == 0


def test_licence_ending_before_it_starts_is_refused(client, headers, session):
    body = agency_body()
    body["licences"][0].update(valid_from="2025-06-01", valid_until="2025-01-01")
    response = client.post("/api/v1/agencies", json=body, headers=headers)
    assert response.status_code == 422
    assert "before valid_from" in response.json["errors"]["licences[0].valid_until"][0]
    assert count(session, Entity) == 0


def test_unknown_licence_status_lists_the_allowed_ones(client, headers, session):
    body = agency_body()
    body["licences"][0]["status"] = "active"
    response = client.post("/api/v1/agencies", json=body, headers=headers)
    message = response.json["errors"]["licences[0].status"][0]
    assert "preventive_suspension" in message and "surrendered" in message and "'active'" in message


def test_duplicate_licence_number_for_one_authority_is_a_conflict(client, headers, session):
    client.post("/api/v1/agencies", json=agency_body(), headers=headers)
    body = agency_body(legal_name="Another Overseas")
    body["licences"][0]["number"] = "1234 / 067 / 68"
    response = client.post("/api/v1/agencies", json=body, headers=headers)
    assert response.status_code == 409
    assert "licences[0].number" in response.json["errors"]
    assert count(session, Entity) == 1 and count(session, Licence) == 1


def test_unknown_authority_lists_known_codes(client, headers, session):
    body = agency_body()
    body["licences"][0]["authority"] = "PH-POEA"
    response = client.post("/api/v1/agencies", json=body, headers=headers)
    assert response.status_code == 422
    assert "NP-DOFE" in response.json["errors"]["licences[0].authority"][0]
    assert count(session, Entity) == 0


def test_malformed_json_is_a_clear_400(client, headers):
    response = client.post("/api/v1/agencies", data='{"legal_name": "x",', headers={
        **headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["code"] == "bad_request"
    assert "Traceback" not in response.get_data(as_text=True)


def test_oversized_payload_is_413(client, headers, session):
    response = client.post("/api/v1/agencies", json=agency_body(website="x" * 2_000_000), headers=headers)
    assert response.status_code == 413
    assert response.json["code"] == "payload_too_large"
    assert count(session, Entity) == 0


def test_bad_query_parameters_are_named(client):
    response = client.get("/api/v1/agencies?per_page=5000&corridor=NP-XX&sort=colour")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"per_page", "corridor", "sort"}
