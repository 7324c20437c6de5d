"""`fairrecruit screen` (a CSV of names to JSON lines of hits) and `fairrecruit watchlist import|screen-registry`."""
import json
from pathlib import Path
import re

import pytest
from sqlalchemy import select

from app import effects
from app.accounts.cli import OPERATOR
from app.scoring.models import Score
from app.screening import screen as screening
from app.screening.models import Screening
from app.screening.screen import import_and_screen
from tests.conftest import count

DATA = Path(__file__).resolve().parent.parent / "data" / "screening"
BATCH = DATA / "batch"


def load(session, name, path, kind="banned_agency"):
    import_and_screen(session, name, "generic-csv", [DATA / path], actor=OPERATOR, kind=kind, threshold=0.8)
    session.commit()


@pytest.fixture
def lists(session):
    load(session, "np-banned", "hits/banned_v1.csv")
    load(session, "debarred", "batch/debarred.csv", kind="debarment")


def screen(runner, tmp_path, *options, source="names.csv"):
    """Run `fairrecruit screen` on a fixture file: (result, the output's lines by id, or None if none written)."""
    output = tmp_path / "hits.jsonl"
    result = runner.invoke(args=["screen", "--input", str(BATCH / source), "--output", str(output), *options])
    if not output.exists():
        return result, None
    return result, {line["id"]: line for line in map(json.loads, output.read_text(encoding="utf-8").splitlines())}


def found(line):
    return [(hit["list"], hit["entry_id"]) for hit in line["hits"]]


def test_screen_writes_a_line_per_row_with_its_hits_best_first(runner, tmp_path, lists):
    result, lines = screen(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "4 names screened, 3 hits at or above 0.8" in result.output
    assert list(lines) == ["n-1", "n-2", "n-3", "n-4"]
    gulf = lines["n-1"]
    assert gulf["name"] == "Gulf Dream Manpower Pvt Ltd"
    assert found(gulf) == [("np-banned", "B-1"), ("debarred", "D-1")]
    assert gulf["hits"][0]["score"] > gulf["hits"][1]["score"]
    best = gulf["hits"][0]
    assert best["name"] == best["matched_name"] == "Gulf Dreams Manpower Private Limited"
    assert best["query_name"] == "Gulf Dream Manpower Pvt Ltd"
    assert best["explanation"]["query_normalised"] == "gulf dream manpower pvt ltd"
    assert found(lines["n-2"]) == [("np-banned", "B-2")]
    assert lines["n-2"]["hits"][0]["matched_name"] == "THAPA, Ram Bahadur"
    assert lines["n-3"]["hits"] == lines["n-4"]["hits"] == []


def test_screen_takes_a_threshold_and_the_lists_to_use(runner, tmp_path, lists):
    _, default = screen(runner, tmp_path)
    result, loose = screen(runner, tmp_path, "--threshold", "0.5")
    assert "hits at or above 0.5" in result.output
    assert default["n-3"]["hits"] == [] and found(loose["n-3"]) == [("np-banned", "B-1"), ("debarred", "D-1")]
    assert all(hit["score"] >= 0.5 for hit in loose["n-3"]["hits"])
    result, debarred = screen(runner, tmp_path, "--lists", "debarred")
    assert result.exit_code == 0, result.output
    assert found(debarred["n-1"]) == [("debarred", "D-1")] and debarred["n-2"]["hits"] == []


def test_without_a_threshold_the_configured_one_applies(runner, tmp_path, lists, app):
    result, lines = screen(runner, tmp_path)
    assert f"hits at or above {app.config['SCREENING_THRESHOLD']}" in result.output
    assert all(hit["score"] >= app.config["SCREENING_THRESHOLD"] for line in lines.values() for hit in line["hits"])


@pytest.mark.parametrize("source, column", [("no_id.csv", "id"), ("no_name.csv", "name")])
def test_an_input_without_a_required_column_names_it(runner, tmp_path, lists, source, column):
    result, lines = screen(runner, tmp_path, source=source)
    assert result.exit_code == 1 and lines is None
    assert f"missing column(s) {column};" in result.output


def test_strict_every_bad_cell_is_reported_with_its_row_and_column_and_nothing_is_written(runner, tmp_path, lists):
    result, lines = screen(runner, tmp_path, "--strict", source="bad_cells.csv")
    assert result.exit_code == 1 and lines is None
    assert list(tmp_path.iterdir()) == []  # no half-written file either
    assert "4 bad cell(s); nothing was screened" in result.output
    assert 'row 3, column "name": missing' in result.output
    assert """row 4, column "kind": must be one of: organization, person; got 'company'""" in result.output
    assert """row 5, column "country": 'Nepal' is not an ISO 3166 alpha-2 code""" in result.output
    assert """row 6, column "identifiers": 'NP-REG-88121' is not scheme:value""" in result.output


def test_unusable_rows_are_reported_in_the_output_and_the_others_screened(runner, tmp_path, lists):
    result, lines = screen(runner, tmp_path, source="bad_cells.csv")
    assert result.exit_code == 0, result.output
    assert "1 names screened" in result.output and "4 row(s) not screened" in result.output
    assert list(lines) == ["n-1", "n-2", "n-3", "n-4", "n-5"]
    assert found(lines["n-1"]) == [("np-banned", "B-1"), ("debarred", "D-1")]
    assert lines["n-2"] == {"id": "n-2", "name": "", "not_screened": {'column "name"': ["missing"]}}
    assert lines["n-3"]["not_screened"] == {
        'column "kind"': ["must be one of: organization, person; got 'company'"]}
    assert "hits" not in lines["n-4"] and 'column "country"' in lines["n-4"]["not_screened"]
    assert lines["n-5"]["not_screened"] == {'column "identifiers"': ["'NP-REG-88121' is not scheme:value"]}


def test_a_long_alias_is_screened_and_a_name_too_long_is_reported(runner, tmp_path, lists):
    # A real sanctions list has a 324-character organisation alias; past 1,000 characters it is not a name.
    long_alias = "Gulf Dream Manpower " + " ".join(f"Branch Office Number {i}" for i in range(15))
    source = tmp_path / "long.csv"
    source.write_text(f"id,name\nlong,{long_alias}\ntoo-long,{'Gulf Dream ' * 100}\n", encoding="utf-8")
    result, lines = screen(runner, tmp_path, source=source)
    assert result.exit_code == 0, result.output
    assert 300 < len(long_alias) <= 1000 and "hits" in lines["long"]
    assert lines["too-long"]["not_screened"] == {'column "name"': ["longer than 1000 characters (1099)"]}
    (tmp_path / "hits.jsonl").unlink()
    result, lines = screen(runner, tmp_path, "--strict", source=source)
    assert result.exit_code == 1 and lines is None
    assert 'row 3, column "name": longer than 1000 characters (1099)' in result.output


def test_a_listed_alias_of_324_characters_is_imported_and_found_by_screen(runner, session, tmp_path):
    # The length of a real organisation alias on a sanctions list, which `screen` once refused with its whole file.
    alias = ("Open Joint Stock Company Scientific and Production Association for the Design, Construction and "
             "Operation of Marine Terminals, Oil and Gas Pipelines, Storage Facilities and Related Infrastructure "
             "of the Northern Sea Route, Including Its Branches, Representative Offices and Subsidiaries in the "
             "Arctic Zone and the Laptev Sea")
    assert len(alias) == 324
    listed = tmp_path / "long_list.csv"
    listed.write_text(f'id,name,kind,aliases\nL-1,Northern Terminals OJSC,organization,"{alias}"\n', encoding="utf-8")
    import_and_screen(session, "long-aliases", "generic-csv", [listed], actor=OPERATOR, kind="sanctions",
                      threshold=0.8)
    session.commit()
    (tmp_path / "names.csv").write_text(f'id,name\nq-1,"{alias}"\nq-2,Northern Terminal OJSC\n', encoding="utf-8")
    result, lines = screen(runner, tmp_path, source=tmp_path / "names.csv")
    assert result.exit_code == 0, result.output
    assert "2 names screened" in result.output and "not screened" not in result.output
    assert found(lines["q-1"]) == found(lines["q-2"]) == [("long-aliases", "L-1")]
    assert lines["q-1"]["hits"][0]["matched_name"] == alias and lines["q-1"]["hits"][0]["score"] == 1.0


@pytest.mark.parametrize("options, message", [
    (["--lists", "np-banned,ofac-sdm"], "'--lists': no watchlist named ofac-sdm"),
    (["--threshold", "2"], "'--threshold': 2.0 is not in the range 0<=x<=1"),
])
def test_bad_options_are_usage_errors_naming_the_problem(runner, tmp_path, lists, options, message):
    result, lines = screen(runner, tmp_path, *options)
    assert result.exit_code == 2 and message in result.output and lines is None


def test_a_missing_input_file_is_a_usage_error(runner, tmp_path, lists):
    result, lines = screen(runner, tmp_path, source="no-such.csv")
    assert result.exit_code == 2 and "does not exist" in result.output and lines is None


def test_watchlist_import_says_how_many_registered_entities_it_screened(runner, session, make_agency):
    gulf = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.")
    make_agency(legal_name="Annapurna Job Link Pvt Ltd")
    scores = count(session, Score)
    result = runner.invoke(args=["watchlist", "import", "--source", "np-banned", "--format", "generic-csv",
                                 "--kind", "banned_agency", str(DATA / "hits" / "banned_v1.csv")])
    assert result.exit_code == 0, result.output
    # Output that is not a terminal gets the result and no progress.
    assert result.output == ("np-banned version 1 (new source): 3 entries; added 3, changed 0, removed 0, unchanged 0; "
                             "1 registered entities screened for the changes\n")
    # Re-scored once, before the commit rather than by it, on the watchlist fact the screening made known.
    assert count(session, Score) == scores + 1
    latest = session.scalars(select(Score).where(Score.entity_id == gulf.id).order_by(Score.id.desc())).first()
    assert latest.facts["confirmed_hits"] == []


def test_screen_registry_screens_every_entity(runner, session, make_agency, lists):
    for name in ("Gulf Dream Manpower Pvt. Ltd.", "Annapurna Job Link Pvt Ltd", "Kantipur Sky Recruitment"):
        make_agency(legal_name=name)
    before = count(session, Screening)
    result = runner.invoke(args=["watchlist", "screen-registry"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"3 entities screened, 3 hits at or above 0\.8, in \d+\.\d s\n", result.output)
    assert count(session, Screening) == before + 3


def reported(calls):
    """[(step, [(done, total) reported])] in the order the steps began."""
    steps = {}
    for step, done, total in calls:
        steps.setdefault(step, []).append((done, total))
    return list(steps.items())


@pytest.fixture
def small_batches(monkeypatch):
    """Report every two searches and screen two entities a batch, so that three show counts on the way."""
    monkeypatch.setattr(screening, "SEARCHES_PER_REPORT", 2)
    monkeypatch.setattr(screening, "BATCH", 2)


def test_a_list_import_reports_entries_read_and_entities_screened_as_it_goes(session, make_agency, small_batches):
    for name in ("Gulf Dream Manpower Pvt. Ltd.", "Gulf Dream Overseas", "Kantipur Sky Recruitment",
                 "Annapurna Job Link Pvt Ltd"):
        make_agency(legal_name=name)
    calls = []
    effects.show_progress(session, lambda *call: calls.append(call))
    result, screened = import_and_screen(session, "np-banned", "generic-csv", [DATA / "hits" / "banned_v1.csv"],
                                         actor=OPERATOR, kind="banned_agency", threshold=0.8,
                                         progress=lambda *call: calls.append(call))
    session.commit()   # the re-scores run at the commit, as every commit-time effect does
    assert len(screened) == 3
    assert reported(calls) == [
        ("reading entries", [(0, None), (3, None)]),
        ("comparing with the current version", [(0, 3), (3, 3)]),
        ("adding new entries", [(0, 3), (3, 3)]),
        ("rewriting changed entries", [(0, 0)]),
        ("preparing the name indexes", [(0, None)]),
        ("reading the changes", [(0, None), (3, None)]),
        ("searching the registry for the changed entries", [(0, 3), (2, 3), (3, 3)]),
        ("screening registered entities", [(0, 3), (2, 3), (3, 3)]),
        ("scoring agency entities", [(0, 3), (3, 3)])]


def test_a_registry_screening_reports_entities_screened_then_scored(session, make_agency, lists, small_batches):
    for name in ("Gulf Dream Manpower Pvt. Ltd.", "Annapurna Job Link Pvt Ltd", "Kantipur Sky Recruitment"):
        make_agency(legal_name=name)
    calls = []
    assert screening.screen_registry(session, threshold=0.8, progress=lambda *call: calls.append(call)) == (3, 3)
    assert reported(calls) == [
        ("preparing the name indexes", [(0, None)]),
        ("screening registered entities", [(0, 3), (2, 3), (3, 3)]),
        ("scoring agency entities", [(0, 3), (3, 3)]),
        ("scoring employer entities", [(0, 0)])]


def test_screen_registry_without_a_list_says_to_load_one(runner, session, make_agency):
    make_agency()
    result = runner.invoke(args=["watchlist", "screen-registry"])
    assert result.exit_code == 1
    assert "No watchlist is loaded yet: import one first" in result.output
    assert count(session, Screening) == 0
