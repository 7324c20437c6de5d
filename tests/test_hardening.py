"""No 500 from any input: ids, nesting, control characters, integers, unknown parameters and references."""
import io
import re

import pytest

from app.registry.models import Entity, PortfolioEntry, Relationship
from tests.conftest import count
from tests.registry.test_api import agency_body


@pytest.fixture
def admin(make_token, authority):
    """A platform admin's headers: every route is open to them, so only the input decides the answer."""
    return make_token("admin", kind="platform")


@pytest.mark.parametrize("entity_id", [2**31, 2**63 - 1, 2**63, 10**30, 0])
def test_ids_no_row_can_have_are_404(client, entity_id):
    response = client.get(f"/api/v1/agencies/{entity_id}")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_negative_ids_are_404(client, admin):
    assert client.get("/api/v1/agencies/-1").status_code == 404
    assert client.patch("/api/v1/agencies/-1", json={"version": 1}, headers=admin).status_code == 404


def test_deeply_nested_json_is_400(client, admin, session):
    for depth in (100, 10_000):
        response = client.post("/api/v1/agencies", data="[" * depth + "]" * depth,
                               headers={**admin, "Content-Type": "application/json"})
        assert response.status_code == 400, depth
        assert response.json["code"] == "bad_request" and "nested too deeply" in response.json["message"]
    assert count(session, Entity) == 0


def test_control_characters_in_json_are_refused_naming_the_field(client, admin, session):
    body = agency_body(legal_name="Nul\x00 Overseas")
    body["licences"][0]["number"] = "12\x0734"
    response = client.post("/api/v1/agencies", json=body, headers=admin)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"legal_name", "licences[0].number"}
    assert count(session, Entity) == 0


def test_del_and_lone_surrogates_are_refused_too(client, admin):
    response = client.post("/api/v1/agencies", json=agency_body(website="https://a\x7f.example"), headers=admin)
    assert response.status_code == 422 and "website" in response.json["errors"]
    response = client.post("/api/v1/agencies", data='{"legal_name": "\\ud800"}',
                           headers={**admin, "Content-Type": "application/json"})
    assert response.status_code == 422 and "legal_name" in response.json["errors"]


def test_tab_and_line_breaks_are_text(client, admin):
    response = client.post("/api/v1/agencies", json=agency_body(legal_name="Tab\tand\r\nbreak Overseas"),
                           headers=admin)
    assert response.status_code == 201


def test_control_characters_in_query_and_form_are_refused_naming_the_parameter(client, admin):
    response = client.get("/api/v1/agencies?q=ram%00")
    assert response.status_code == 422 and set(response.json["errors"]) == {"q"}
    response = client.post("/api/v1/watchlists/local/versions", headers=admin, content_type="multipart/form-data",
                           data={"title": "List\x01", "file": (io.BytesIO(b"id,name\n1,A\n"), "list.csv")})
    assert response.status_code == 422 and set(response.json["errors"]) == {"title"}


def test_a_form_part_without_a_name_is_refused(client, admin):
    body = b'--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--XX--\r\n'
    for headers in (admin, {}):
        response = client.post("/api/v1/evidence/import?type=fee-lines", data=body, headers=headers,
                               content_type="multipart/form-data; boundary=XX")
        assert response.status_code == 422 and set(response.json["errors"]) == {"_schema"}


def test_control_characters_in_a_url_name_are_404(client, admin):
    response = client.get("/api/v1/watchlists/un%00list", headers=admin)
    assert response.status_code == 404 and response.json["code"] == "not_found"


@pytest.mark.parametrize("version", [1.5, 1.0, True, "1.5", 2**31, -2**31 - 1])
def test_integer_fields_refuse_fractions_booleans_and_overflow(client, admin, make_agency, version):
    agency = make_agency()
    response = client.patch(f"/api/v1/agencies/{agency.id}", json={"version": version, "website": "https://x.example"},
                            headers=admin)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"version"}


def test_integer_fields_still_read_whole_numbers_and_digit_strings(client, admin, make_agency):
    agency = make_agency()
    assert client.patch(f"/api/v1/agencies/{agency.id}", json={"version": 1, "website": "https://x.example"},
                        headers=admin).status_code == 200
    assert client.get("/api/v1/agencies?page=1&per_page=10").status_code == 200


@pytest.mark.parametrize("value", [0, 1, 0.0, 2])
def test_boolean_fields_refuse_numbers(client, admin, make_agency, value):
    agency = make_agency()
    response = client.post(f"/api/v1/entities/{agency.id}/practices", headers=admin, json={
        "source": "audit", "assessed_on": "2026-11-01", "documents_retained": value})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"documents_retained"}


def test_boolean_query_parameters_still_read_text(client, admin):
    for text in ("true", "false", "1", "0"):
        assert client.get(f"/api/v1/hits?current={text}", headers=admin).status_code == 200, text


def test_unknown_query_parameters_are_named(client, admin):
    response = client.get("/api/v1/agencies?name=x&tier=&q=ram")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name", "tier"}


def test_routes_without_query_arguments_take_none(client, admin, make_agency):
    agency = make_agency()
    for url in ("/api/v1/authorities?x=1", f"/api/v1/agencies/{agency.id}?fields=all", "/api/v1/me?debug=1"):
        response = client.get(url, headers=admin)
        assert response.status_code == 422, url
        assert len(response.json["errors"]) == 1


def test_declared_query_parameters_with_other_names_still_work(client, admin, make_agency):
    agency = make_agency()
    assert client.delete(f"/api/v1/agencies/{agency.id}?version=1", headers=admin).status_code == 204
    assert client.get("/api/v1/agencies?corridor=NP-QA&sort=-id").status_code == 200


def test_a_relationship_to_unknown_entities_names_the_fields(client, admin, make_agency, session):
    agency = make_agency()
    response = client.post("/api/v1/relationships", headers=admin, json={
        "kind": "agency_uses_subagent", "client_id": agency.id, "provider_id": 999_999,
        "origin_country": "NP", "destination_country": "QA"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"provider_id"}
    response = client.post("/api/v1/relationships", headers=admin, json={
        "kind": "agency_uses_subagent", "client_id": 2**40, "provider_id": agency.id,
        "origin_country": "NP", "destination_country": "QA"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"client_id"}
    assert count(session, Relationship) == 0


def test_following_an_unknown_entity_names_the_field(client, admin, session):
    for entity_id in (999_999, 0):
        response = client.post("/api/v1/portfolio", json={"entity_id": entity_id}, headers=admin)
        assert response.status_code == 422
        assert set(response.json["errors"]) == {"entity_id"}
    assert count(session, PortfolioEntry) == 0


def test_a_user_in_an_unknown_organisation_names_the_field(client, admin):
    response = client.post("/api/v1/users", headers=admin, json={
        "organisation_id": 999_999, "email": "new@example.org", "name": "New", "role": "analyst",
        "password": "correct horse battery"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"organisation_id"}


def test_an_organisation_tied_to_an_unknown_authority_names_the_item(client, admin, authority):
    response = client.post("/api/v1/organisations", headers=admin, json={
        "name": "Ministry", "kind": "government", "authority_ids": [authority.id, 999_999]})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"authority_ids[1]"}


def test_deciding_unknown_hits_names_each_one(client, admin):
    response = client.post("/api/v1/hits/decisions", headers=admin, json={"decisions": [
        {"id": 999_998, "state": "escalated", "version": 1}, {"id": 999_999, "state": "confirmed", "version": 1}]})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"decisions[0].id", "decisions[1].id"}


def test_a_missing_url_resource_stays_404(client, admin):
    response = client.post("/api/v1/entities/999999/notes", json={"body": "x"}, headers=admin)
    assert response.status_code == 404


MISTYPED = {"integer": [2**40, 1.5, "x"], "string": [5, "x" * 5000], "boolean": ["yes"], "number": ["x", 1e308],
            "array": ["x", [{"a": [1]}]], "object": ["x", []]}


def mistyped_attempts(spec, operation):
    """Each query parameter and top-level body field of an operation given a wrong type or size."""
    attempts = [{"query_string": {p["name"]: value}} for p in operation.get("parameters", []) if p["in"] == "query"
                for value in ("x", "99999999999999999999", "1.5")]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        schema = spec["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[-1]]
        attempts += [{"json": {name: value, "version": 1}} for name, field in schema["properties"].items()
                     for value in MISTYPED.get(field.get("type", "object"), [])]
        attempts += [{"json": []}, {"json": "x"}, {"data": "null", "content_type": "application/json"}]
    return attempts


def test_no_api_operation_answers_500_to_mistyped_input(client, admin, make_agency):
    spec = client.get("/api/openapi.json").json
    agency = make_agency()
    tried, failures = 0, []
    for path, item in spec["paths"].items():
        url = re.sub(r"{[^}]+}", lambda match: "local" if match.group() == "{name}" else str(agency.id), path)
        for method in ("get", "post", "patch", "delete"):
            for attempt in mistyped_attempts(spec, item[method]) if method in item else ():
                tried += 1
                status = client.open(url, method=method.upper(), headers=admin, **attempt).status_code
                if status >= 500:
                    failures.append((method, path, attempt, status))
    assert tried > 200 and failures == []
