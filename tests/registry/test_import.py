"""Bulk import from CSV, JSON and XLSX: all or nothing, every bad row reported, idempotent."""
import csv
import io
import json

from openpyxl import Workbook
import pytest

from app.accounts.models import AuditEvent
from app.registry.models import Alias, Entity, Licence, LicenceStatusChange
from app.registry.tables import COLUMNS
from tests.conftest import count

GOOD = [
    {"legal_name": "Everest Manpower Pvt Ltd", "country": "NP", "aliases": "Everest Man Power;एभरेष्ट म्यानपावर",
     "identifiers": "company_registration:5521/070", "sectors": "construction;hospitality",
     "people": "Bikash Gurung (owner);Anita Shrestha (director)", "licence_authority": "NP-DOFE",
     "licence_number": "881/070/71", "licence_status": "valid", "licence_valid_from": "2024-02-01",
     "licence_valid_until": "2036-01-31", "licence_destinations": "QA;AE"},
    {"legal_name": "Lumbini Overseas", "country": "NP", "sectors": "agriculture", "licence_authority": "NP-DOFE",
     "licence_number": "882/070/71", "licence_status": "suspended", "licence_status_raw": "Suspended by DoFE"},
]


def csv_bytes(rows, columns=COLUMNS):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_bytes(rows, columns=COLUMNS):
    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c, "") or None for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, headers, data, filename, **query):
    return client.post("/api/v1/registry/import", query_string=query, headers=headers,
                       data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


@pytest.fixture
def headers(registrar):
    return registrar


def test_csv_import_creates_agencies_with_names_people_and_licences(client, headers, session):
    response = upload(client, headers, csv_bytes(GOOD), "agencies.csv")
    assert response.status_code == 200, response.json
    assert response.json == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "skipped": []}
    found = client.get("/api/v1/agencies?q=everest", headers=headers).json["items"][0]
    everest = client.get(f"/api/v1/agencies/{found['id']}", headers=headers).json
    assert [a["name"] for a in everest["aliases"]] == ["Everest Man Power", "एभरेष्ट म्यानपावर"]
    assert {p["name"] for p in everest["people"]} == {"Bikash Gurung", "Anita Shrestha"}
    assert everest["licences"][0]["destinations"] == ["AE", "QA"]
    assert count(session, LicenceStatusChange) == 2


def test_reimporting_the_same_file_changes_nothing(client, headers, session):
    upload(client, headers, csv_bytes(GOOD), "agencies.csv")
    events = count(session, AuditEvent)
    again = upload(client, headers, csv_bytes(GOOD), "agencies.csv")
    assert again.json == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "skipped": []}
    assert count(session, Entity) == 2 and count(session, Licence) == 2 and count(session, Alias) == 2
    assert count(session, AuditEvent) == events
    assert {a["version"] for a in client.get("/api/v1/agencies", headers=headers).json["items"]} == {1}


def test_reimport_with_a_renamed_agency_keeps_the_old_name_as_former(client, headers, session):
    upload(client, headers, csv_bytes(GOOD), "agencies.csv")
    renamed = [{**GOOD[1], "legal_name": "Lumbini Global Overseas"}]
    response = upload(client, headers, csv_bytes(renamed), "agencies.csv")
    assert response.json["updated"] == 1
    agency = client.get("/api/v1/agencies?licence_number=882/070/71", headers=headers).json["items"][0]
    assert agency["legal_name"] == "Lumbini Global Overseas"
    assert {"name": "Lumbini Overseas", "kind": "former"} in agency["aliases"]


def test_a_file_with_bad_rows_is_rejected_whole_with_every_problem(client, headers, session):
    rows = GOOD + [
        {"legal_name": "Bad Country", "country": "XX"},
        {"legal_name": "Bad Dates", "country": "NP", "licence_authority": "NP-DOFE", "licence_number": "9",
         "licence_status": "valid", "licence_valid_from": "2025-01-01", "licence_valid_until": "2024-01-01"},
        {"legal_name": "Bad Status", "country": "NP", "licence_authority": "NP-DOFE", "licence_number": "10",
         "licence_status": "active"},
        {"legal_name": "Same Licence", "country": "NP", "licence_authority": "NP-DOFE",
         "licence_number": "881-070-71", "licence_status": "valid"},
        {"legal_name": "Bad Person", "country": "NP", "people": "Nobody Knows"},
    ]
    events = count(session, AuditEvent)
    response = upload(client, headers, csv_bytes(rows), "agencies.csv")
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "'XX'" in errors["row 4, country"][0]
    assert "before valid_from" in errors["row 5, licence_valid_until"][0]
    assert "surrendered" in errors["row 6, licence_status"][0]
    assert "row 2" in errors["row 7, licence_number"][0]
    assert "Name (role)" in errors["row 8, people"][0]
    assert count(session, Entity) == 0 and count(session, AuditEvent) == events


def test_skip_invalid_imports_the_good_rows_and_reports_the_rest(client, headers, session):
    rows = GOOD + [{"legal_name": "Bad Country", "country": "XX"}]
    response = upload(client, headers, csv_bytes(rows), "agencies.csv", skip_invalid="true")
    assert response.status_code == 200
    assert response.json["created"] == 2
    assert response.json["skipped"] == [{"row": 4, "column": "country", "message": response.json["skipped"][0]["message"]}]
    assert count(session, Entity) == 2


def test_csv_with_a_wrong_header_names_the_columns(client, headers, session):
    response = upload(client, headers, csv_bytes([{"name": "X", "country": "NP"}], columns=("name", "country")),
                      "agencies.csv")
    assert response.status_code == 422
    assert "unknown column(s): name" in response.json["message"]
    assert "missing column(s): legal_name" in response.json["message"]


def test_csv_that_is_not_utf8_is_refused_with_the_line(client, headers, session):
    rows = [{**GOOD[0], "aliases": ""}, {**GOOD[1], "legal_name": "Lümbini Overseas"}]
    data = csv_bytes(rows).decode().encode("latin-1")
    response = upload(client, headers, data, "agencies.csv")
    assert response.status_code == 422
    assert "not UTF-8" in response.json["message"] and "line 3" in response.json["message"]
    assert count(session, Entity) == 0


def test_xlsx_import_reads_the_first_sheet(client, headers, session):
    response = upload(client, headers, xlsx_bytes(GOOD), "registry.xlsx")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 2


def test_xlsx_bad_rows_name_the_sheet_row(client, headers, session):
    response = upload(client, headers, xlsx_bytes([GOOD[0], {"legal_name": "", "country": "NP",
                                                             "licence_number": "5"}]), "registry.xlsx")
    assert response.status_code == 422
    assert "row 3, legal_name" in response.json["errors"]
    assert count(session, Entity) == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, headers, session):
    response = upload(client, headers, csv_bytes(GOOD), "registry.xlsx")
    assert response.status_code == 422
    assert "not an XLSX spreadsheet" in response.json["message"]


def test_json_import_reports_field_paths(client, headers, session):
    records = [{"legal_name": "Sagarmatha HR", "country": "NP",
                "licences": [{"authority": "NP-DOFE", "number": "1/1", "status": "valid"}]},
               {"legal_name": "Broken", "country": "NP", "licences": [{"authority": "NP-DOFE", "number": "1/2",
                                                                       "status": "valid", "colour": "red"}]}]
    response = upload(client, headers, json.dumps(records).encode(), "agencies.json")
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["row 2, licences[0].colour"]
    ok = upload(client, headers, json.dumps(records[:1]).encode(), "agencies.json")
    assert ok.json["created"] == 1


def test_malformed_json_file_gives_line_and_column(client, headers):
    response = upload(client, headers, b'[{"legal_name": "A",\n "country": }]', "agencies.json")
    assert response.status_code == 422
    assert "line 2" in response.json["message"]


def test_export_round_trips_through_import(client, headers, session):
    upload(client, headers, csv_bytes(GOOD), "agencies.csv")
    for fmt, name in (("csv", "export.csv"), ("json", "export.json")):
        exported = client.get(f"/api/v1/registry/export?format={fmt}", headers=headers)
        assert exported.status_code == 200
        again = upload(client, headers, exported.data, name)
        assert again.json["unchanged"] == 2 and again.json["created"] == 0, (fmt, again.json)


def test_licence_status_change_by_import_needs_the_authority(client, headers, make_token, make_org, session):
    upload(client, headers, csv_bytes(GOOD), "agencies.csv")
    changed = [{**GOOD[1], "licence_status": "cancelled"}]
    refused = upload(client, make_token("analyst"), csv_bytes(changed), "agencies.csv")
    assert refused.status_code == 422
    assert "registrar" in refused.json["errors"]["row 2, licence_status"][0]
    regulator = make_org("government", authority_codes=["NP-DOFE"])
    registrar = make_token("registrar", organisation=regulator)
    accepted = upload(client, registrar, csv_bytes(changed), "agencies.csv")
    assert accepted.json["updated"] == 1
    licence = client.get("/api/v1/agencies?licence_number=882/070/71", headers=headers).json["items"][0]["licences"][0]
    history = client.get(f"/api/v1/licences/{licence['id']}").json["history"]
    assert [h["status"] for h in history] == ["suspended", "cancelled"]


def test_cli_import_rejects_a_bad_file_and_exits_non_zero(runner, tmp_path, authority, session):
    path = tmp_path / "agencies.csv"
    path.write_bytes(csv_bytes(GOOD + [{"legal_name": "Bad", "country": "XX"}]))
    result = runner.invoke(args=["registry", "import", str(path)])
    assert result.exit_code == 1
    assert "row 4, country" in result.output
    assert count(session, Entity) == 0
    result = runner.invoke(args=["registry", "import", str(path), "--skip-invalid"])
    assert result.exit_code == 0 and "created 2" in result.output


def test_cli_refuses_an_unknown_format(runner, tmp_path, session):
    path = tmp_path / "agencies.txt"
    path.write_text("legal_name,country\n")
    result = runner.invoke(args=["registry", "import", str(path)])
    assert result.exit_code == 1
    assert "Cannot tell the format" in result.output
    result = runner.invoke(args=["registry", "import", str(path), "--format", "yaml"])
    assert result.exit_code == 2 and "'yaml' is not one of" in result.output
