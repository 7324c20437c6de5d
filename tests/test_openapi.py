"""The OpenAPI document matches what the API does: error shape, limits, time zones, who must sign in."""
import re

import pytest

from app.schemas import MAX_INT
from tests.registry.test_api import agency_body

METHODS = ("get", "post", "put", "patch", "delete")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/openapi.json").json


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(spec, node):
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def test_the_error_schema_is_the_shape_errors_have(spec, client):
    error = spec["components"]["schemas"]["Error"]
    properties = error["properties"]
    assert properties["code"]["type"] == "string" and properties["status"]["type"] == "integer"
    assert properties["message"]["type"] == "string"
    assert properties["errors"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    assert set(error["required"]) == {"code", "status", "message", "errors"}
    body = client.get("/api/v1/agencies/999999").json
    assert set(body) == set(properties) and isinstance(body["status"], int)


def test_every_error_response_declares_the_error_schema(spec):
    for path, method, operation in operations(spec):
        if not path.startswith("/api/"):
            continue  # the health probes answer in their own shape, for load balancers
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                content = resolve(spec, response)["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (path, method, status)


def test_limits_the_code_enforces_are_declared(spec):
    for path, method, operation in operations(spec):
        parameters = {p["name"]: p["schema"] for p in spec["paths"][path].get("parameters", [])
                      + operation.get("parameters", [])}
        if "page" in parameters:
            assert parameters["page"]["minimum"] == 1, (path, method)
            assert (parameters["per_page"]["minimum"], parameters["per_page"]["maximum"]) == (1, 200), path
        for name, schema in parameters.items():
            if name.endswith("_id") and schema["type"] == "integer":
                assert (schema["minimum"], schema["maximum"]) == (1, MAX_INT), (path, name)
    relationship = spec["components"]["schemas"]["Relationship"]["properties"]
    assert relationship["client_id"]["minimum"] == 1 and relationship["provider_id"]["minimum"] == 1


def test_declared_security_matches_what_anonymous_callers_get(spec, client):
    public = set()
    for path, method, operation in operations(spec):
        url = re.sub(r"{[^}]+}", "1", path)
        answer = client.open(url, method=method.upper()).status_code
        if operation.get("security", spec["security"]) == [{"bearer": []}]:
            assert answer == 401, (method, path)
            assert "401" in operation["responses"], (method, path)
        else:
            assert answer != 401, (method, path)
            public.add((method, path))
    assert {("get", "/api/v1/agencies"), ("get", "/api/v1/agencies/{entity_id}"), ("get", "/api/v1/authorities"),
            ("get", "/api/v1/licences/{licence_id}"), ("get", "/healthz")} <= public
    assert spec["paths"]["/healthz"]["get"]["security"] == []
    assert ("get", "/api/v1/me") not in public and ("post", "/api/v1/agencies") not in public


def timestamps(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [found for item in value for found in timestamps(item)]
    return [value] if isinstance(value, str) and TIMESTAMP.match(value) else []


def test_every_timestamp_carries_its_utc_offset(client, make_token, authority):
    headers = make_token("admin", kind="platform")
    agency = client.post("/api/v1/agencies", json=agency_body(), headers=headers).json
    licence_id = agency["licences"][0]["id"]
    client.post("/api/v1/tokens", json={"name": "later", "expires_at": "2030-01-01T12:00:00+05:45"},
                headers=headers)
    shown = [agency, client.get(f"/api/v1/agencies/{agency['id']}", headers=headers).json,
             client.get(f"/api/v1/licences/{licence_id}").json, client.get("/api/v1/tokens", headers=headers).json,
             # An audit event's before and after are the recorded data as sent; its own time is "at".
             [event["at"] for event in client.get("/api/v1/audit-events", headers=headers).json["items"]]]
    found = timestamps(shown)
    assert len(found) > 5
    assert all(text.endswith("+00:00") for text in found), found
    assert "2030-01-01T06:15:00+00:00" in found


def test_a_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/authorities")
    assert response.status_code == 405 and response.json["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def limits(node):
    """Every minimum and maximum anywhere in a part of the document."""
    if isinstance(node, dict):
        yield from ((key, value) for key, value in node.items() if key in ("minimum", "maximum"))
        for value in node.values():
            yield from limits(value)
    elif isinstance(node, list):
        for value in node:
            yield from limits(value)


def test_numeric_limits_are_numbers(spec):
    # A Decimal field's Range was written as the text "0.00", which made the whole document invalid.
    found = list(limits(spec))
    assert found and all(isinstance(value, (int, float)) for _, value in found), found
    assert spec["components"]["schemas"]["FeeLine"]["properties"]["amount"] == {"type": "number", "minimum": 0.0}


def test_uploads_document_their_required_file(spec):
    for path in ("/api/v1/registry/import", "/api/v1/evidence/import"):
        body = spec["paths"][path]["post"]["requestBody"]
        schema = body["content"]["multipart/form-data"]["schema"]
        assert body["required"] and schema["required"] == ["file"], path
        assert schema["properties"]["file"]["format"] == "binary"


def test_the_export_documents_both_of_its_formats(spec):
    content = spec["paths"]["/api/v1/registry/export"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv"}


def test_an_open_finding_is_documented_with_no_closing_date(spec):
    assert spec["components"]["schemas"]["Finding"]["properties"]["closed_on"]["nullable"] is True


def test_every_field_declares_its_type(spec):
    # Function fields say nothing of what they return unless told: the document (and its tests) then accept anything.
    untyped = [(name, field) for name, schema in spec["components"]["schemas"].items()
               for field, prop in schema.get("properties", {}).items()
               if not {"type", "$ref", "anyOf", "allOf", "oneOf"} & set(prop)]
    assert untyped == []
