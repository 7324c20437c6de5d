"""Partners' bulk import of reports: CSV, XLSX and JSON, all rows or none, problems by row and column."""
import io
import json

from openpyxl import Workbook

from app.reports.models import Report
from tests.conftest import count

HEADER = "agency_name,agency_licence_number,origin_country,destination_country,period_from,fee_amount,fee_currency," \
         "fee_paid_to,documents_kept,contract,account,contact_phone,may_contact,count_in_figures,reporter_ref\n"


def upload(client, handler, data, name="reports.csv"):
    return client.post("/api/v1/reports/import", headers=handler,
                       data={"file": (io.BytesIO(data if isinstance(data, bytes) else data.encode()), name)})


def test_a_csv_of_reports_goes_in_whole_with_a_receipt_per_row(client, handler, session):
    text = HEADER + ("Gulf Dream Manpower,,NP,QA,2026-01-10,1200,USD,agency,yes,changed,Kept my passport,+977 1,"
                     "true,true,w-1\n"
                     ",4411/080,NP,QA,,,,,,not_given,,,,,w-2\n")
    answer = upload(client, handler, text)
    assert answer.status_code == 200, answer.json
    assert answer.json["imported"] == 2 and [r["row"] for r in answer.json["reports"]] == [2, 3]
    assert all(r["receipt"] for r in answer.json["reports"])
    first = session.get(Report, answer.json["reports"][0]["id"])
    assert first.channel == "import" and first.fees[0]["amount"] == "1200.00" and first.documents_kept is True
    assert first.categories == "contract_substitution,documents_kept,fees_paid"


def test_a_bad_row_rejects_the_whole_file_naming_row_and_column_without_quoting_it(client, handler, session):
    text = HEADER + ("Good Agency,,NP,QA,2026-01-10,,,,yes,,,,,,\n"
                     ",,NP,QA,,,,,,,,,,,\n"
                     "Agency,,NP,XX,2026-13-01,-5,USD,agency,maybe,swapped,,MARKER-phone,false,,\n")
    answer = upload(client, handler, text)
    assert answer.status_code == 422
    errors = answer.json["errors"]
    assert "row 3, agency_name" in errors
    for column in ("destination_country", "period_from", "fee_amount", "documents_kept", "contract"):
        assert f"row 4, {column}" in errors, (column, errors)
    assert "MARKER" not in answer.get_data(as_text=True)
    assert count(session, Report) == 0


def test_xlsx_and_json_take_the_same_reports(client, handler, session):
    book = Workbook()
    sheet = book.active
    sheet.append(["agency_name", "destination_country", "wages_withheld"])
    sheet.append(["Sheet Agency", "MY", True])
    out = io.BytesIO()
    book.save(out)
    assert upload(client, handler, out.getvalue(), "reports.xlsx").json["imported"] == 1
    records = [{"agency": {"name": "Json Agency"}, "in_debt": True, "consent": {"count_in_figures": True}},
               {"agency": {"entity_id": 999999}}]
    refused = upload(client, handler, json.dumps(records), "reports.json")
    assert refused.status_code == 422 and "row 2, agency.entity_id" in refused.json["errors"]
    assert upload(client, handler, json.dumps(records[:1]), "reports.json").json["imported"] == 1
    assert count(session, Report) == 2


def test_files_that_are_not_tables_are_refused(client, handler):
    assert upload(client, handler, "agency_name,shoe_size\nX,42\n").json["errors"]["header"]
    assert upload(client, handler, b"\xff\xfe\x00", "reports.csv").status_code == 422
    assert upload(client, handler, "not a spreadsheet", "reports.xlsx").status_code == 422
    assert upload(client, handler, HEADER, "reports.csv").status_code == 422   # no rows
