"""Evidence imports: rows name their entity; a bad file is rejected whole with row and column; good rows re-score."""
import csv
import io
import json

import pytest

from app.scoring.models import FeeLine, PracticeAssessment, Score
from tests.conftest import count
from tests.registry.test_api import agency_body

FEE_COLUMNS = ("licence_authority", "licence_number", "entity_id", "source", "category", "amount", "currency",
               "paid_by", "stage", "repaid", "observed_on")


def table(rows, columns):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def send(client, headers, data, name, **args):
    return client.post("/api/v1/evidence/import", headers=headers, query_string=args,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.fixture
def headers(make_token, authority):
    return make_token("auditor")


@pytest.fixture
def agency(client, make_token, authority):
    return client.post("/api/v1/agencies", json=agency_body(), headers=make_token("admin", kind="platform")).json


def fee(**overrides):
    row = {"licence_authority": "NP-DOFE", "licence_number": "1234/067/68", "source": "receipts",
           "category": "recruitment_fee", "amount": "950", "currency": "NPR", "paid_by": "worker",
           "stage": "before_departure", "repaid": "false", "observed_on": "2026-09-01"}
    row.update(overrides)
    return row


def test_fee_lines_import_by_licence_number_and_rescore(client, headers, agency, session):
    data = table([fee(), fee(category="medical", amount="40.50", paid_by="employer")], FEE_COLUMNS)
    response = send(client, headers, data, "fees.csv", type="fee-lines")
    assert response.status_code == 200, response.json
    assert response.json == {"rows": 2, "imported": 2, "entities": 1, "skipped": []}
    score = client.get(f"/api/v1/entities/{agency['id']}/score", headers=headers).json
    assert score["reason"] == "fee_lines imported" and score["facts"]["fee_lines"][1]["amount"] == 40.5


def test_a_bad_evidence_file_is_rejected_whole_with_rows_and_columns(client, headers, agency, session):
    before = count(session, Score)
    data = table([fee(), fee(amount="-3"), fee(currency="ABC", licence_number="NOPE-1"), fee(category="visa")],
                 FEE_COLUMNS)
    response = send(client, headers, data, "fees.csv", type="fee-lines")
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "0 or more" in errors["row 3, amount"][0]
    assert "No NP-DOFE licence NOPE-1" in errors["row 4, licence_number"][0]
    assert "'ABC' is not an ISO 4217" in errors["row 4, currency"][0]
    assert "recruitment_fee" in errors["row 5, category"][0]
    assert count(session, FeeLine) == 0 and count(session, Score) == before
    skipped = send(client, headers, data, "fees.csv", type="fee-lines", skip_invalid="true")
    assert skipped.json["imported"] == 1 and len(skipped.json["skipped"]) == 4


def test_practices_from_json_by_name_and_a_wrong_header(client, headers, agency, session):
    records = [{"kind": "agency", "legal_name": "himal shikhar overseas pvt ltd", "country": "NP", "source": "audit",
                "assessed_on": "2026-10-10", "documents_retained": True}]
    response = send(client, headers, json.dumps(records).encode(), "practices.json", type="practices")
    assert response.status_code == 200 and response.json["entities"] == 1
    assert count(session, PracticeAssessment) == 1
    assert client.get(f"/api/v1/entities/{agency['id']}/score", headers=headers).json["tier"] == "critical"
    wrong = send(client, headers, b"agency,fee\nx,1\n", "fees.csv", type="fee-lines")
    assert wrong.status_code == 422 and "unknown column(s): agency, fee" in wrong.json["message"]


def test_cli_evidence_import_and_its_errors(runner, agency, tmp_path, session):
    path = tmp_path / "fees.csv"
    path.write_bytes(table([fee(stage="at the airport")], FEE_COLUMNS))
    result = runner.invoke(args=["evidence", "import", str(path), "--type", "fee-lines"])
    assert result.exit_code == 1 and "row 2, stage" in result.output
    path.write_bytes(table([fee()], FEE_COLUMNS))
    result = runner.invoke(args=["evidence", "import", str(path), "--type", "fee-lines"])
    assert result.exit_code == 0 and "1 imported for 1 entities" in result.output
    bad_type = runner.invoke(args=["evidence", "import", str(path), "--type", "fees"])
    assert bad_type.exit_code == 2 and "'fees' is not one of" in bad_type.output
