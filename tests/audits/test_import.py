"""`fairrecruit audits import`: audits with findings and actions from CSV, JSON and XLSX, all rows or none."""
import csv
from datetime import date
import json

from openpyxl import Workbook
import pytest
from sqlalchemy import select

from app.audits.importer import LAYOUT
from app.audits.models import Audit, CorrectiveAction
from app.scoring import facts
from app.scoring.models import AuditFinding, Score
from tests.conftest import count

AUDIT = {"reference": "FH-IMP-1", "audit_kind": "announced", "state": "reported", "lead_auditor": "Elena Rossi",
         "scope": "C;D;G", "document_review": "true", "management_interviews": "2", "worker_interviews": "30",
         "planned_on": "2026-02-01", "fieldwork_started_on": "2026-02-03", "fieldwork_ended_on": "2026-02-05",
         "reported_on": "2026-02-10"}
PASSPORTS = {"finding_principle": "D", "finding_grade": "major", "finding_description": "Passports held in the safe",
             "finding_found_on": "2026-02-04"}
FEES = {"finding_principle": "C", "finding_grade": "minor", "finding_description": "Receipts not given for fees",
        "finding_found_on": "2026-02-05"}


def action(description, deadline, **more):
    return {"action_description": description, "action_owner": "Branch manager", "action_deadline": deadline, **more}


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=LAYOUT[0])
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def certifier(make_org):
    return make_org("certification_body", name="Import Test Certification")


@pytest.fixture
def agencies(make_agency):
    return make_agency(), make_agency()


def good_rows(agencies):
    first, second = agencies
    licence = first.licences[0]
    reported = {"licence_authority": "NP-DOFE", "licence_number": licence.number, **AUDIT}
    return [
        {**reported, **PASSPORTS, **action("Return every passport", "2026-03-01")},
        {"reference": "FH-IMP-1", **PASSPORTS, **action("Keep a signed log of documents", "2026-03-15",
                                                        action_state="completed", action_completed_on="2026-03-10",
                                                        action_evidence="Log book photographed")},
        {"reference": "FH-IMP-1", **FEES, **action("Give receipts for every payment", "2026-04-01",
                                                    action_state="verified", action_completed_on="2026-03-20",
                                                    action_evidence="Receipt book", action_verified_on="2026-03-25")},
        {"entity_id": str(second.id), "reference": "FH-IMP-2", "audit_kind": "unannounced", "scope": "A,B",
         "planned_on": "2027-01-15"},
    ]


def test_a_csv_of_audits_imports_with_findings_and_actions_and_rescores(runner, session, certifier, agencies,
                                                                        tmp_path):
    scores = count(session, Score)
    path = write_csv(tmp_path / "audits.csv", good_rows(agencies))
    result = runner.invoke(args=["audits", "import", path, "--organisation", certifier.name])
    assert result.exit_code == 0, result.output
    assert ("4 rows; 2 audits with 2 findings and 3 corrective actions imported for Import Test Certification "
            "(1 entities re-scored), skipped 0") in result.output
    reported = session.scalar(select(Audit).where(Audit.reference == "FH-IMP-1"))
    assert (reported.entity_id, reported.organisation_id, reported.state, reported.scope) == (
        agencies[0].id, certifier.id, "reported", "CDG")
    assert (reported.worker_interviews, reported.document_review, reported.reported_on) == (30, True, date(2026, 2, 10))
    findings = session.scalars(select(AuditFinding).where(AuditFinding.audit_id == reported.id)
                               .order_by(AuditFinding.id)).all()
    assert [(f.principle, [a.state for a in f.corrective_actions]) for f in findings] == [
        ("D", ["open", "completed"]), ("C", ["verified"])]
    planned = session.scalar(select(Audit).where(Audit.reference == "FH-IMP-2"))
    assert (planned.entity_id, planned.state, planned.scope, planned.kind) == (agencies[1].id, "planned", "AB",
                                                                               "unannounced")
    assert count(session, Score) == scores + 1
    overdue = facts.assemble(session, agencies[0].id, today=date(2026, 3, 2))[0]["overdue_corrective_actions"]
    assert overdue == [{"principle": "D", "grade": "major", "days_overdue": 1}]

    again = runner.invoke(args=["audits", "import", path, "--organisation", certifier.name])
    assert again.exit_code == 1 and "row 2, reference: Your organisation's audit" in again.output
    assert count(session, Audit) == 2


def test_json_and_xlsx_files_import_the_same_way(runner, session, certifier, agencies, tmp_path):
    records = good_rows(agencies)
    records[0] = {**records[0], "scope": ["C", "D", "G"], "document_review": True, "worker_interviews": 30}
    (tmp_path / "audits.json").write_text(json.dumps({"records": records}))
    result = runner.invoke(args=["audits", "import", str(tmp_path / "audits.json"), "--organisation", certifier.name])
    assert result.exit_code == 0, result.output
    assert "2 audits with 2 findings and 3 corrective actions" in result.output

    book = Workbook()
    sheet = book.active
    sheet.append(list(LAYOUT[0]))
    for row in good_rows(agencies):
        row["reference"] = row["reference"].replace("IMP", "XLS")
        sheet.append([row.get(column) for column in LAYOUT[0]])
    book.save(tmp_path / "audits.xlsx")
    result = runner.invoke(args=["audits", "import", str(tmp_path / "audits.xlsx"), "--organisation", certifier.name])
    assert result.exit_code == 0, result.output
    assert count(session, Audit) == 4 and count(session, CorrectiveAction) == 6


def test_a_bad_file_is_rejected_whole_naming_each_row_and_column(runner, session, certifier, agencies, tmp_path):
    rows = good_rows(agencies)
    rows[1]["lead_auditor"] = "Someone Else"
    rows[2]["finding_principle"] = "E"
    rows[3].update(state="reported", reported_on="2999-01-01", entity_id="999999")
    rows.append({"reference": "FH-IMP-1", **action("An action without its finding", "2026-05-01")})
    rows.append({"reference": "FH-IMP-1", **PASSPORTS, **action("Verify it", "2026-03-01", action_state="verified")})
    rows.append({"audit_kind": "announced", "scope": "A", "planned_on": "2026-01-01"})
    before = {model: count(session, model) for model in (Audit, AuditFinding, CorrectiveAction, Score)}
    result = runner.invoke(args=["audits", "import", write_csv(tmp_path / "bad.csv", rows), "--organisation",
                                 certifier.name])
    assert result.exit_code == 1
    out = result.output
    assert "nothing was written" in out
    for place in ("row 3, lead_auditor: 'Someone Else' differs from row 2, the first row of audit FH-IMP-1",
                  "row 4, finding_principle: Principle E is outside the audit's scope (C;D;G).",
                  "row 5, entity_id: No registered entity has id 999999.",
                  "row 5, fieldwork_started_on: A reported audit needs its fieldwork_started_on.",
                  "row 5, reported_on: 2999-01-01 is in the future",
                  "row 6, finding_description: A corrective action needs its finding",
                  "row 7, action_completed_on: A verified action needs action_completed_on.",
                  "row 7, action_verified_on: A verified action needs action_verified_on.",
                  "row 8, reference: Every row names its audit by reference."):
        assert place in out, place
    assert {model: count(session, model) for model in before} == before


def test_skip_invalid_leaves_out_each_audit_with_a_bad_row_whole(runner, session, certifier, agencies, tmp_path):
    rows = good_rows(agencies)
    rows[2]["action_deadline"] = "2026-01-01"
    result = runner.invoke(args=["audits", "import", write_csv(tmp_path / "some.csv", rows), "--organisation",
                                 certifier.name, "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "1 audits with 0 findings and 0 corrective actions" in result.output
    assert "skipped row 4, action_deadline: 2026-01-01 is before the finding was made (2026-02-05)." in result.output
    assert [a.reference for a in session.scalars(select(Audit))] == ["FH-IMP-2"]
    assert count(session, AuditFinding) == 0


def test_skip_invalid_leaves_out_an_audit_whose_json_record_has_an_unknown_field(runner, session, certifier,
                                                                                agencies, tmp_path):
    records = good_rows(agencies)
    records[2]["auditor_notes"] = "not a column"
    (tmp_path / "audits.json").write_text(json.dumps(records))
    result = runner.invoke(args=["audits", "import", str(tmp_path / "audits.json"), "--organisation", certifier.name,
                                 "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "skipped row 3, auditor_notes: Unknown field." in result.output
    assert [a.reference for a in session.scalars(select(Audit))] == ["FH-IMP-2"]
    assert count(session, AuditFinding) == 0 and count(session, CorrectiveAction) == 0


def test_the_file_and_the_organisation_must_fit(runner, session, certifier, make_org, agencies, tmp_path):
    path = write_csv(tmp_path / "audits.csv", good_rows(agencies))
    nobody = runner.invoke(args=["audits", "import", path, "--organisation", "No Such Body"])
    assert nobody.exit_code == 2 and "No organisation is named 'No Such Body'" in nobody.output
    regulator = make_org("government")
    refused = runner.invoke(args=["audits", "import", path, "--organisation", regulator.name])
    assert refused.exit_code == 1 and "organisation_id: not a certification body, business or the platform" in (
        refused.output)
    (tmp_path / "odd.csv").write_text("reference,audit_kind,scope,planned_on,auditor\nX,announced,A,2026-01-01,Ann\n")
    odd = runner.invoke(args=["audits", "import", str(tmp_path / "odd.csv"), "--organisation", certifier.name])
    assert odd.exit_code == 1 and "unknown column(s): auditor" in odd.output
    (tmp_path / "odd.json").write_text(json.dumps([{"reference": "X", "audit_kind": "announced", "scope": ["A"],
                                                    "planned_on": "2026-01-01", "entity_id": agencies[0].id,
                                                    "auditor": "Ann"}]))
    odd = runner.invoke(args=["audits", "import", str(tmp_path / "odd.json"), "--organisation", certifier.name])
    assert odd.exit_code == 1 and "row 1, auditor: Unknown field." in odd.output
    assert count(session, Audit) == 0
