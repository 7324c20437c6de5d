"""Re-importing a registry file: what is unchanged is not written, what changed is written exactly as before."""
from datetime import date

import pytest
from sqlalchemy import event, func, select

from app.accounts.audit import set_actor
from app.accounts.models import AuditEvent
from app.registry import importer, reimport, tables, updates
from app.registry.models import Entity, RegistryState
from app.registry.service import authorities_by_code
from app.scoring.models import Score
from tests.conftest import count
from tests.registry.test_import import csv_bytes

TODAY = date(2026, 6, 1)
ROWS = [
    {"legal_name": "Everest Manpower Pvt Ltd", "country": "NP", "aliases": "Everest Man Power",
     "identifiers": "company_registration:5521/070", "sectors": "construction;hospitality", "address": "Ring Road 4",
     "city": "Kathmandu", "people": "Bikash Gurung (owner);Anita Shrestha (director)",
     "licence_authority": "NP-DOFE", "licence_number": "881/070/71", "licence_status": "valid",
     "licence_valid_from": "2024-02-01", "licence_valid_until": "2030-01-31", "licence_destinations": "QA;AE",
     "licence_sectors": "construction"},
    {"legal_name": "Lumbini Overseas", "country": "NP", "sectors": "agriculture", "licence_authority": "NP-DOFE",
     "licence_number": "882/070/71", "licence_status": "suspended", "licence_status_raw": "Suspended by DoFE"},
    {"legal_name": "Gorkha Recruitment", "country": "NP", "people": "Sita Thapa (owner)",
     "licence_authority": "NP-DOFE", "licence_number": "883/070/71", "licence_status": "valid",
     "licence_destinations": "MY"},
    {"legal_name": "Koshi Placement", "country": "NP", "identifiers": "tax_id:NP-99",
     "licence_authority": "NP-DOFE", "licence_number": "884/070/71", "licence_status": "provisional"},
]


def run_import(session, rows, today=TODAY):
    """Import rows as the operator would (no actor) and commit."""
    set_actor(session, None, None)
    result = importer.import_file(session, None, csv_bytes(rows), fmt="csv", today=today)
    session.commit()
    return result


@pytest.fixture
def imported(session, authority):
    run_import(session, ROWS)
    return {name: session.scalar(select(Entity.id).where(Entity.legal_name == name))
            for name in (row["legal_name"] for row in ROWS)}


# The two ways a re-import reads what is stored: lookups of its keys and entity ids, or whole key tables and
# entity id ranges (what a file as large as the registry uses); the verdicts must not depend on the way.
READS = {"lookups": (float("inf"), 0), "whole-tables": (0, float("inf"))}


@pytest.fixture(params=READS)
def reads(request, monkeypatch):
    whole_table, dense = READS[request.param]
    monkeypatch.setattr(importer, "WHOLE_TABLE", whole_table)
    monkeypatch.setattr(reimport, "DENSE", dense)
    return request.param


@pytest.fixture
def writes(app, imported):
    """The INSERT, UPDATE and DELETE statements sent to the database while the test runs."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            sent.append(statement)
    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def generation(session):
    return session.scalar(select(RegistryState.generation))


def test_an_unchanged_reimport_writes_nothing(session, reads, imported, writes):
    before = generation(session), count(session, AuditEvent), count(session, Score)
    writes.clear()
    result = run_import(session, ROWS)
    assert result == {"rows": 4, "created": 0, "updated": 0, "unchanged": 4, "skipped": []}
    assert writes == []
    assert (generation(session), count(session, AuditEvent), count(session, Score)) == before


def test_a_reimport_writes_exactly_the_entities_that_changed(session, reads, imported):
    everest, lumbini, gorkha, koshi = imported.values()
    rows = [
        {**ROWS[0], "website": "https://everest.example", "aliases": "Everest Man Power;Everest HR",
         "identifiers": "company_registration:5521/070;tax_id:601234"},
        {**ROWS[1], "people": "Hari Rai (director)", "licence_status": "cancelled", "licence_status_raw": ""},
        {**ROWS[2], "licence_destinations": "MY;SA", "licence_sectors": "domestic_work"},
        ROWS[3],
        {"legal_name": "Janakpur Overseas", "country": "NP"},
    ]
    gen, events = generation(session), session.scalar(select(func.max(AuditEvent.id)))
    scores = {entity_id: count_scores(session, entity_id) for entity_id in imported.values()}
    result = run_import(session, rows)
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 3, 1)
    janakpur = session.scalar(select(Entity.id).where(Entity.legal_name == "Janakpur Overseas"))
    assert set(session.scalars(select(Entity.id).where(Entity.generation > gen))) == {
        everest, lumbini, gorkha, janakpur}
    audited = session.execute(select(AuditEvent.object_type, AuditEvent.object_id).where(AuditEvent.id > events))
    audited = {(kind, int(object_id)) for kind, object_id in audited}
    assert {kind for kind, _ in audited} >= {"entities", "aliases", "identifiers", "roles", "people", "licences"}
    assert {object_id for kind, object_id in audited if kind == "entities"} == {everest, janakpur}
    assert count_scores(session, koshi) == scores[koshi]
    agency = record_of(session, everest)
    assert agency["website"] == "https://everest.example"
    assert {"Everest Man Power", "Everest HR"} <= agency["aliases"]
    assert ("tax_id", "601234") in agency["identifiers"]
    assert "Hari Rai" in record_of(session, lumbini)["people"]
    assert record_of(session, lumbini)["licences"] == {("882/070/71", "cancelled", (), ())}
    assert record_of(session, gorkha)["licences"] == {("883/070/71", "valid", ("MY", "SA"), ("domestic_work",))}
    # And a second run of the same changed file finds nothing more to do.
    assert run_import(session, rows)["unchanged"] == 5


def count_scores(session, entity_id):
    return session.scalar(select(func.count()).select_from(Score).where(Score.entity_id == entity_id))


def record_of(session, entity_id):
    """The parts of an entity a re-import may change, as plain values."""
    entity = session.get(Entity, entity_id)
    session.refresh(entity)
    return {"website": entity.website, "aliases": {a.name for a in entity.aliases},
            "identifiers": {(i.scheme, i.value) for i in entity.identifiers},
            "people": {r.person.name for r in entity.roles},
            "licences": {(lic.number, lic.status, tuple(d.country for d in lic.destinations),
                          tuple(s.sector for s in lic.sectors)) for lic in entity.licences}}


EVEREST = ROWS[0]
# (what the row says, whether that changes the registered Everest Manpower) on TODAY.
VARIATIONS = [
    ({}, False),
    ({"legal_name": "EVEREST MANPOWER PVT LTD"}, False),
    ({"legal_name": "Everest Human Resources Pvt Ltd"}, True),
    ({"website": "https://everest.example"}, True),
    ({"certification_status": "applicant"}, True),
    ({"aliases": "everest man power"}, False),
    ({"aliases": "Everest Manpower Pvt Ltd"}, False),
    ({"aliases": "Everest Manpower Nepal"}, True),
    ({"aliases": ""}, False),
    ({"identifiers": "company_registration:5521/070"}, False),
    ({"identifiers": "company_registration:5521/071"}, True),
    ({"sectors": "hospitality"}, False),
    ({"sectors": "hospitality;domestic_work"}, True),
    ({"city": ""}, True),
    ({"address": "Ring Road 5"}, True),
    ({"people": "BIKASH GURUNG (owner)"}, False),
    ({"people": "Bikash Gurung (director)"}, True),
    ({"people": "Ram Karki (owner)"}, True),
    ({"licence_status": "suspended"}, True),
    ({"licence_status_raw": "Valid (renewed)"}, True),
    ({"licence_valid_until": "2031-01-31"}, True),
    ({"licence_type": "branch"}, True),
    ({"licence_destinations": "QA"}, False),
    ({"licence_destinations": "QA;AE;KW"}, True),
    ({"licence_sectors": ""}, False),
    ({"licence_sectors": "construction;manufacturing"}, True),
    ({"licence_number": "881-070-71"}, False),
    ({"licence_number": "990/070/71"}, True),
]


@pytest.mark.parametrize(("overrides", "changes"), VARIATIONS)
def test_the_stored_comparison_agrees_with_the_full_update(session, imported, overrides, changes):
    assert changed_by(session, {**EVEREST, **overrides}, TODAY) == changes


def test_a_lapsed_licence_exported_as_expired_is_no_change(session, imported):
    assert not changed_by(session, {**EVEREST, "licence_status": "expired"}, date(2030, 2, 1))
    assert changed_by(session, {**EVEREST, "licence_status": "expired"}, date(2029, 2, 1))


def changed_by(session, row, today):
    """Whether the stored comparison finds a change, after checking that update_existing agrees with it."""
    planned, problems = importer.validate_rows(tables.read_rows(csv_bytes([row]), "csv"), "csv", "agency")
    importer.resolve(session, None, planned, problems, today)
    assert not problems and planned[0].entity_id
    authority_ids = {code: a.id for code, a in authorities_by_code(session).items()}
    fast = bool(reimport.changing(session, planned, authority_ids, today))
    savepoint = session.begin_nested()
    full = updates.update_existing(session, None, session.get(Entity, planned[0].entity_id), planned[0].data, today)
    savepoint.rollback()
    assert fast == full
    return fast


def test_the_import_reports_its_progress_step_by_step(session, imported):
    calls = []
    set_actor(session, None, None)
    importer.import_file(session, None, csv_bytes(ROWS + [{"legal_name": "Janakpur Overseas", "country": "NP"}]),
                         fmt="csv", today=TODAY, progress=lambda *call: calls.append(call))
    assert [call for call in calls if call[1] == call[2]] == [
        ("checking rows", 5, 5), ("matching registered entities", 5, 5), ("updating registered entities", 4, 4),
        ("adding new entities", 1, 1)]


def test_a_reimport_of_some_entities_skips_the_rows_of_their_neighbours(session, reads, imported, writes):
    # Everest and Gorkha's ids enclose Lumbini's: a range read brings Lumbini's rows, which must not count.
    result = run_import(session, [ROWS[0], {**ROWS[2], "licence_destinations": "MY;SA"}])
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    gorkha, lumbini = imported["Gorkha Recruitment"], imported["Lumbini Overseas"]
    assert record_of(session, gorkha)["licences"] == {("883/070/71", "valid", ("MY", "SA"), ())}
    assert record_of(session, lumbini)["licences"] == {("882/070/71", "suspended", (), ())}
    writes.clear()
    assert run_import(session, [ROWS[0], ROWS[2]])["unchanged"] == 2
    assert writes == []


def test_of_entities_sharing_a_name_the_last_created_is_matched(session, reads, imported):
    set_actor(session, None, None)
    twin = Entity(kind="agency", legal_name="Koshi Placement", name_key="koshi placement", country="NP")
    session.add(twin)
    session.commit()
    assert twin.id > imported["Koshi Placement"]
    planned, problems = importer.validate_rows(tables.read_rows(csv_bytes([
        {"legal_name": "Koshi  placement", "country": "NP"}]), "csv"), "csv", "agency")
    importer.resolve(session, None, planned, problems, TODAY)
    assert not problems and planned[0].entity_id == twin.id


def test_a_file_as_large_as_half_the_registry_reads_whole_key_tables(session, imported):
    assert importer.whole_tables(session, 2) and importer.whole_tables(session, 400)
    assert not importer.whole_tables(session, 1)
