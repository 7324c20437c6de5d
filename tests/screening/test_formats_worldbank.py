"""The World Bank XLSX: its two-row header, firms and individuals, aliases in "Additional Firm Info"."""
from datetime import date

from openpyxl import Workbook
import pytest

from app.screening import formats
from app.screening.formats import FormatError

HEADER = [("Firm Name", "Additional Firm Info", "Address", "Country", "Ineligibility Period", None, "Grounds"),
          (None, None, None, None, "From Date", "To Date", None)]
ROWS = [
    ("SUNRISE EXAMPLE MANPOWER PVT. LTD.", "(AKA SUNRISE EXAMPLE RECRUITERS) *701", "12 MAIN ROAD, KATHMANDU", "Nepal",
     "2024-03-01", "2027-02-28", "Fraudulent Practice"),
    ("SUNRISE EXAMPLE MANPOWER PVT. LTD.", "*701", "4 LAKESIDE, POKHARA", "Nepal", "2024-03-01", "2027-02-28",
     "Fraudulent Practice"),
    ("MR. KAMAL EXAMPLE THAPA", "*701", "12 MAIN ROAD, KATHMANDU", "Nepal", "2024-03-01", "2027-02-28",
     "Fraudulent Practice"),
    ("A.K.A. RAM EXAMPLE", "MR. RAM BAHADUR EXAMPLE", "DOHA", "Qatar", "2019-05-05", "2999-12-31",
     "Cross Debarment: ADB"),
    ("GULF EXAMPLE TRADING W.L.L.", "(湖南示例建设有限公司)(Reg. No. 0106042747)*702", "DOHA", "Qatar", "2022-01-10",
     "2025-01-09", "Collusive Practice"),
    ("LONESTAR EXAMPLE LOGISTICS (PVT) LTD", "(formerly known as AMANI EXAMPLE LTD.)", "LONDON", "United Kingdom",
     "1999-04-08", "2999-12-31", "Procurement Guidelines 1.15(a)(ii)"),
]


def write_workbook(path, rows=ROWS, header=HEADER, title="Sheet1"):
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(("Downloaded on: 07/01/2025 10:37",))
    for row in [*header, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def entries(path):
    return {entry.entry_id: entry for entry in formats.parse("worldbank-xlsx", [path])}


def test_a_workbook_looks_like_the_world_bank_list(tmp_path):
    assert formats.sniff(write_workbook(tmp_path / "debarred.xlsx")) == "worldbank-xlsx"


def test_rows_of_one_firm_in_one_country_become_one_entry_with_every_address(tmp_path):
    found = entries(write_workbook(tmp_path / "debarred.xlsx"))
    assert len(found) == 5
    sunrise = found["sunrise-example-manpower-pvt-ltd-np"]
    assert sunrise.kind == "organization"
    assert sunrise.aliases == ("SUNRISE EXAMPLE RECRUITERS",)
    assert sunrise.countries == ("NP",)
    assert sunrise.details["addresses"] == ["12 MAIN ROAD, KATHMANDU", "4 LAKESIDE, POKHARA"]
    assert sunrise.details["references"] == ["701"]
    assert (sunrise.listed_on, sunrise.reason) == (date(2024, 3, 1), "Fraudulent Practice")


def test_a_personal_title_makes_a_person_even_on_the_alias(tmp_path):
    found = entries(write_workbook(tmp_path / "debarred.xlsx"))
    assert found["mr-kamal-example-thapa-np"].kind == "person"
    ram = found["ram-example-qa"]  # written "A.K.A. RAM EXAMPLE": the marker is not part of the name
    assert (ram.kind, ram.name, ram.aliases) == ("person", "RAM EXAMPLE", ("MR. RAM BAHADUR EXAMPLE",))
    assert ram.details["periods"] == [{"from": "2019-05-05", "to": "2999-12-31", "grounds": "Cross Debarment: ADB"}]


def test_additional_info_gives_original_script_names_registration_numbers_and_former_names(tmp_path):
    found = entries(write_workbook(tmp_path / "debarred.xlsx"))
    gulf = found["gulf-example-trading-w-l-l-qa"]
    assert gulf.aliases == ("湖南示例建设有限公司",)
    assert gulf.identifiers == (("registration", "0106042747"),)
    assert found["lonestar-example-logistics-pvt-ltd-gb"].aliases == ("AMANI EXAMPLE LTD.",)


def test_a_workbook_with_another_header_names_sheet_row_and_both_headers(tmp_path):
    header = [("Firm Name", "Address", "Country", "From", "To", "Grounds"), ()]
    path = write_workbook(tmp_path / "other.xlsx", rows=[], header=header, title="Debarred")
    with pytest.raises(FormatError) as caught:
        list(formats.parse("worldbank-xlsx", [path]))
    assert caught.value.where == 'other.xlsx: sheet "Debarred", row 2'
    assert 'expected ("Firm Name", "Additional Firm Info", "Address", "Country", "Ineligibility Period", "", ' \
           '"Grounds")' in caught.value.message
    assert 'found ("Firm Name", "Address", "Country", "From", "To", "Grounds") over ()' in caught.value.message


def test_a_workbook_without_the_header_says_what_it_found_first(tmp_path):
    path = write_workbook(tmp_path / "plain.xlsx", rows=[("ACME", "Nepal")], header=[("Name", "Country")])
    with pytest.raises(FormatError) as caught:
        list(formats.parse("worldbank-xlsx", [path]))
    assert caught.value.where == 'plain.xlsx: sheet "Sheet1", row 1'
    assert 'no header starting with "Firm Name"' in caught.value.message
    assert 'found ("Downloaded on: 07/01/2025 10:37") first' in caught.value.message


def test_a_row_without_a_firm_name_is_an_error_naming_its_row(tmp_path):
    rows = ROWS[:1] + [(None, "*9", "SOMEWHERE", "Nepal", "2024-01-01", "2025-01-01", "Fraudulent Practice")]
    with pytest.raises(FormatError) as caught:
        list(formats.parse("worldbank-xlsx", [write_workbook(tmp_path / "nameless.xlsx", rows=rows)]))
    assert str(caught.value) == 'nameless.xlsx: sheet "Sheet1", row 5, column "Firm Name": the entry has no name'


def test_a_bad_date_names_its_column(tmp_path):
    rows = [("ACME EXAMPLE", None, "X", "Nepal", "01/03/2024", "2025-01-01", "Fraudulent Practice")]
    with pytest.raises(FormatError) as caught:
        list(formats.parse("worldbank-xlsx", [write_workbook(tmp_path / "dates.xlsx", rows=rows)]))
    assert caught.value.where == 'dates.xlsx: sheet "Sheet1", row 4, column "From Date"'
