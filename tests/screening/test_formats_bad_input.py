"""Bad watchlist files: each is refused with an error naming the place, and the format it looks like."""
from pathlib import Path

from openpyxl import Workbook
import pytest

from app.screening import formats
from app.screening.formats import FormatError

DATA = Path(__file__).parent.parent / "data" / "screening"


def refusal(format_name, *paths):
    with pytest.raises(FormatError) as caught:
        list(formats.parse(format_name, list(paths)))
    return caught.value


@pytest.mark.parametrize("format_name, name, looks_like", [
    ("ofac-csv", "un_small.xml", "un-xml"),
    ("un-xml", "ebrd_small.csv", "ebrd-csv"),
    ("ebrd-csv", "targets.simple.csv", "opensanctions-csv"),
    ("opensanctions-csv", "entities.ftm.json", "ftm-json"),
    ("ftm-json", "generic_good.csv", "generic-csv"),
    ("generic-csv", "ofac_small/sdn.csv", "ofac-csv"),
    ("worldbank-xlsx", "un_small.xml", "un-xml"),
])
def test_a_file_of_another_format_names_the_format_it_looks_like(format_name, name, looks_like):
    error = refusal(format_name, DATA / name)
    assert error.message.startswith(f"not {format_name}: ")
    assert error.message.endswith(f"; this looks like {looks_like}")
    assert error.where.startswith(Path(name).name)


def test_a_workbook_given_as_a_csv_list_is_named_as_a_workbook(tmp_path):
    Workbook().save(tmp_path / "list.xlsx")
    assert refusal("ebrd-csv", tmp_path / "list.xlsx").message.endswith("this looks like worldbank-xlsx")


def test_a_truncated_xml_file_names_the_line_where_it_stops():
    error = refusal("un-xml", DATA / "un_truncated.xml")
    lines = (DATA / "un_truncated.xml").read_text().count("\n")
    assert error.where == f"un_truncated.xml:{lines + 1}"
    assert "cut-off XML" in error.message


def test_a_malformed_xml_file_names_the_line_of_the_fault(tmp_path):
    path = tmp_path / "un.xml"
    path.write_text("<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL>\n</ENTITY>\n</CONSOLIDATED_LIST>\n")
    assert refusal("un-xml", path).where == "un.xml:4"


def test_xml_of_another_kind_names_its_root(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<?xml version='1.0'?>\n<sanctionsData><entity/></sanctionsData>\n")
    error = refusal("un-xml", path)
    assert "the root element is <sanctionsData>, not <CONSOLIDATED_LIST>" in error.message


def test_xml_with_entity_declarations_is_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaa">]>\n'
                    "<CONSOLIDATED_LIST>&a;</CONSOLIDATED_LIST>")
    assert "refused XML" in refusal("un-xml", path).message


@pytest.mark.parametrize("format_name, content, where", [
    ("un-xml", "<CONSOLIDATED_LIST><ENTITIES><ENTITY><REFERENCE_NUMBER>EXe.9</REFERENCE_NUMBER><FIRST_NAME> "
               "</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>", "list: ENTITY EXe.9"),
    ("opensanctions-csv", "id,schema,name\nNK-1,Person,Someone\nNK-2,Company,\n", 'list: row 3, column "name"'),
    ("ftm-json", '{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n'
                 '{"id": "b", "schema": "Company", "properties": {"alias": ["B Ltd"]}}\n', "list:2"),
])
def test_an_entry_without_a_name_is_an_error_at_its_place(tmp_path, format_name, content, where):
    path = tmp_path / "list"
    path.write_text(content)
    error = refusal(format_name, path)
    assert (error.where, error.message) == (where, "the entry has no name")


def test_an_ofac_record_without_a_name_names_its_line():
    error = refusal("ofac-csv", DATA / "ofac_nameless" / "sdn.csv")
    assert str(error) == "sdn.csv:2: the entry has no name"


def test_an_ebrd_row_without_a_name_names_its_row_and_column():
    assert str(refusal("ebrd-csv", DATA / "ebrd_nameless.csv")) == \
        'ebrd_nameless.csv: row 3, column "Firm Name": the entry has no name'


def test_ofac_files_need_sdn_csv_and_known_names(tmp_path):
    assert "no sdn.csv" in refusal("ofac-csv", DATA / "ofac_small" / "alt.csv").message
    renamed = tmp_path / "entries.csv"
    renamed.write_bytes((DATA / "ofac_small" / "sdn.csv").read_bytes())
    assert "expected sdn.csv, alt.csv or add.csv" in refusal("ofac-csv", renamed).message


def test_an_ofac_record_with_too_few_columns_names_its_line(tmp_path):
    path = tmp_path / "sdn.csv"
    path.write_text('1,"GOOD EXAMPLE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n2,"SHORT",-0- \n')
    error = refusal("ofac-csv", path)
    assert error.where == "sdn.csv:2"
    assert "3 columns" in error.message


def test_a_bad_json_line_names_its_line():
    error = refusal("ftm-json", DATA / "bad_line.ftm.json")
    assert (error.where, error.message) == ("bad_line.ftm.json:3", "not JSON (Expecting ',' delimiter at column 71)")


def test_every_bad_generic_cell_is_reported_by_row_and_column():
    error = refusal("generic-csv", DATA / "generic_bad.csv")
    places = [where for where, _ in error.problems]
    assert places == [
        'generic_bad.csv: row 1, column "alias"',
        'generic_bad.csv: row 2, column "name"',
        'generic_bad.csv: row 2, column "kind"',
        'generic_bad.csv: row 2, column "countries"',
        'generic_bad.csv: row 2, column "identifiers"',
        'generic_bad.csv: row 2, column "listed_on"',
        'generic_bad.csv: row 3, column "id"',
        'generic_bad.csv: row 3, column "identifiers"',
        'generic_bad.csv: row 3, column "listed_on"',
    ]
    messages = dict(error.problems)
    assert messages['generic_bad.csv: row 2, column "countries"'] == "'XX' is not an ISO 3166 alpha-2 country code"
    assert messages['generic_bad.csv: row 3, column "id"'] == "id 'B-1' is already used (generic_bad.csv: row 2)"
    assert error.message == "9 problem(s); no entry was read"
    assert 'generic_bad.csv: row 2, column "listed_on": \'2024-13-01\' is not a date' in str(error)


def test_format_error_stays_compatible_without_problems():
    error = FormatError("bad", "list.csv:3")
    assert (str(error), error.message, error.where, error.problems) == ("list.csv:3: bad", "bad", "list.csv:3", [])


def test_a_cut_opensanctions_row_is_refused_at_its_row(tmp_path):
    header = ("id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,"
              "program_ids,dataset,first_seen,last_seen,last_change")
    cut = tmp_path / "targets.simple.csv"
    cut.write_text(f"{header}\nx1,Company,Acme,,,,,,,,,,,,,\nx2,Company\n")
    error = refusal("opensanctions-csv", cut)
    assert error.where == "targets.simple.csv: row 3" and "2 cells" in error.message


def test_generic_csv_column_names_in_capitals_are_read(tmp_path):
    upper = tmp_path / "list.csv"
    upper.write_text("ID,Name,Kind\nX-1,Acme Manpower,organization\n")
    [entry] = formats.parse("generic-csv", [upper])
    assert (entry.entry_id, entry.name) == ("X-1", "Acme Manpower")
