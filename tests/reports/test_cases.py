"""Case handling: states with history, assignment, duplicates, verification into scoring facts, referral within
consent, notes, the public figures and the re-audit trigger."""
from datetime import date, datetime, timezone

from sqlalchemy import select

from app.audits.review_facts import worker_reports
from app.audits.sweep import sweep_due
from app.audits.tasks_models import ReviewTask
from app.registry.models import PortfolioEntry
from app.reports import aggregates
from app.reports.models import Report
from app.scoring.facts import assemble
from tests.reports.conftest import report_body


def case(client, handler, report_id):
    return client.get(f"/api/v1/reports/{report_id}", headers=handler).json


def filed(client, handler, **overrides):
    """A report filed by the handler's organisation (a partner's intake); returns its id."""
    body = report_body(**overrides)
    answer = client.post("/api/v1/reports", json=body, headers=handler)
    assert answer.status_code == 201, answer.json
    assert answer.json["receipt"]
    return answer.json["id"]


def test_a_case_moves_through_its_states_with_history(client, handler):
    report_id = filed(client, handler)
    report = case(client, handler, report_id)
    assert report["state"] == "received" and report["channel"] == "partner"
    assert "account" not in report and "contact" not in report
    moved = client.post(f"/api/v1/reports/{report_id}/state", json={"version": report["version"], "state": "triaged"},
                        headers=handler)
    assert moved.status_code == 200 and [h["to_state"] for h in moved.json["history"]] == ["received", "triaged"]
    stale = client.post(f"/api/v1/reports/{report_id}/state", json={"version": report["version"],
                                                                      "state": "investigating"}, headers=handler)
    assert stale.status_code == 409
    skipped = client.post(f"/api/v1/reports/{report_id}/state", json={"version": moved.json["version"],
                                                                        "state": "received"}, headers=handler)
    assert skipped.status_code == 409 and "can become" in skipped.json["message"]
    unreferred = client.post(f"/api/v1/reports/{report_id}/state", json={"version": moved.json["version"],
                                                                           "state": "referred"}, headers=handler)
    assert unreferred.status_code == 409 and "referrals" in unreferred.json["message"]


def test_assignment_takes_only_a_case_handler_of_the_organisation(client, handler, receiver, make_user, session):
    report_id = filed(client, handler)
    colleague = make_user("case_handler", organisation=receiver)
    outsider = make_user("case_handler", kind="civil_society")
    version = case(client, handler, report_id)["version"]
    bad = client.patch(f"/api/v1/reports/{report_id}", json={"version": version, "assigned_to_user_id": outsider.id},
                       headers=handler)
    assert bad.status_code == 422 and "assigned_to_user_id" in bad.json["errors"]
    good = client.patch(f"/api/v1/reports/{report_id}", json={"version": version,
                                                              "assigned_to_user_id": colleague.id}, headers=handler)
    assert good.json["assigned_to_user_id"] == colleague.id


def test_likely_duplicates_share_agency_period_and_pattern(client, handler):
    first = filed(client, handler, agency={"licence_number": "4411/080"})
    second = filed(client, handler, agency={"licence_number": "4411-080"}, period_from="2026-05-01",
                   period_until="2026-08-01")
    other_pattern = filed(client, handler, agency={"licence_number": "4411/080"}, documents_kept=False)
    later = filed(client, handler, agency={"licence_number": "4411/080"}, period_from="2025-01-01",
                  period_until="2025-02-01")
    assert case(client, handler, first)["duplicates"] == [second]
    assert case(client, handler, other_pattern)["duplicates"] == []
    assert case(client, handler, later)["duplicates"] == []


def test_only_verified_reports_become_scoring_facts(client, handler, make_agency, session):
    agency = make_agency()
    report_id = filed(client, handler, agency={"entity_id": agency.id})
    assert "worker_reports" not in assemble(session, agency.id)[0]   # received, not verified: no fact
    unlinked = filed(client, handler)
    refused = client.post(f"/api/v1/reports/{unlinked}/verification", json={
        "version": case(client, handler, unlinked)["version"], "categories": ["fees_paid"]}, headers=handler)
    assert refused.status_code == 409 and "agency_entity_id" in refused.json["errors"]
    verified = client.post(f"/api/v1/reports/{report_id}/verification", json={
        "version": case(client, handler, report_id)["version"], "categories": ["fees_paid", "documents_kept"]},
        headers=handler)
    assert verified.status_code == 200 and verified.json["verified_categories"] == ["documents_kept", "fees_paid"]
    facts = assemble(session, agency.id)[0]["worker_reports"]
    assert sorted(item["category"] for item in facts) == ["documents_kept", "fees_paid"]
    score = client.get(f"/api/v1/entities/{agency.id}/score", headers=handler).json
    assert "worker_reports" in score["facts"] and "passport" not in str(score)


def test_referral_needs_consent_and_shows_the_regulator_what_it_allows(client, handler, regulator, handler_of):
    inspector = handler_of(regulator)
    no_consent = filed(client, handler, consent={"share_with_regulator": False, "may_contact": True})
    refused = client.post(f"/api/v1/reports/{no_consent}/referrals", json={"regulator_id": regulator.id},
                          headers=handler)
    assert refused.status_code == 409
    report_id = filed(client, handler, consent={"share_with_regulator": True, "may_contact": False}, contact={})
    version = case(client, handler, report_id)["version"]
    client.post(f"/api/v1/reports/{report_id}/state", json={"version": version, "state": "triaged"}, headers=handler)
    assert client.get(f"/api/v1/referrals/{report_id}", headers=inspector).status_code == 404
    referred = client.post(f"/api/v1/reports/{report_id}/referrals", json={"regulator_id": regulator.id},
                           headers=handler)
    assert referred.status_code == 201
    assert case(client, handler, report_id)["state"] == "referred"
    assert [r["report_id"] for r in client.get("/api/v1/referrals", headers=inspector).json] == [report_id]
    seen = client.get(f"/api/v1/referrals/{report_id}", headers=inspector).json
    assert seen["account"] == "They took my passport at the airport." and seen["contact"] is None
    assert client.get(f"/api/v1/reports/{report_id}", headers=inspector).status_code == 404


def test_notes_are_sealed_and_read_with_the_confidential_part(client, handler, session):
    report_id = filed(client, handler)
    note = client.post(f"/api/v1/reports/{report_id}/notes", json={"text": "Called the worker back"},
                       headers=handler)
    assert note.status_code == 201 and "text" not in note.json
    confidential = client.get(f"/api/v1/reports/{report_id}/confidential", headers=handler).json
    assert [n["text"] for n in confidential["notes"]] == ["Called the worker back"]


def test_public_figures_count_distinct_reporters_and_withhold_what_would_single_one_out(client, handler,
                                                                                        make_agency, session, app):
    agency = make_agency()
    ids = [filed(client, handler, agency={"entity_id": agency.id}, reporter_ref=f"worker-{n}", contact={},
                 consent={"count_in_figures": True}) for n in range(6)]
    ids.append(filed(client, handler, agency={"entity_id": agency.id}, reporter_ref="worker-0", contact={},
                     consent={"count_in_figures": True}, wages_withheld=True))
    ids.append(filed(client, handler, agency={"entity_id": agency.id}, contact={}, consent={"count_in_figures": False}))
    for report_id in ids:
        client.post(f"/api/v1/reports/{report_id}/state", json={"version": case(client, handler, report_id)["version"],
                                                                "state": "triaged"}, headers=handler)
    assert aggregates.recompute_figures(session, 5) > 0
    figures = client.get(f"/api/v1/reports/figures?kind=agency&subject={agency.id}").json
    cells = {f["category"]: f["reports"] for f in figures["items"]}
    assert figures["min_reporters"] == 5
    assert cells["fees_paid"] == 7 and "wages_withheld" not in cells   # 7 reports, 6 workers; 1 worker for wages
    corridor = client.get("/api/v1/reports/figures?kind=corridor&subject=np-qa&year=2026").json["items"]
    assert {f["subject"] for f in corridor} == {"NP-QA"}


def test_enough_verified_reports_in_the_window_want_a_reaudit(client, handler, make_agency, session):
    agency = make_agency()
    days = [date(2026, 1, 5), date(2026, 2, 1), date(2026, 3, 20), date(2026, 9, 1)]
    for day in days:
        report_id = filed(client, handler, agency={"entity_id": agency.id})
        report = session.get(Report, report_id)
        report.verified_at, report.verified_categories = datetime(day.year, day.month, day.day, tzinfo=timezone.utc), "fees_paid"
    session.commit()
    events = aggregates.reaudit_events(session, agency.id, agency.id, date(2026, 1, 1), needed=3, window_days=90)
    assert [(fact.received_on) for fact in events[agency.id]] == [date(2026, 3, 20)]
    # The review sweep's hook, with the settings (3 verified reports within 90 days): the same day, once.
    hooked = worker_reports(session, agency.id, agency.id, date(2026, 1, 1))
    assert [(fact.id, fact.received_on) for fact in hooked[agency.id]] == [(events[agency.id][0].id, date(2026, 3, 20))]
    assert worker_reports(session, agency.id, agency.id, date(2026, 3, 21)) == {}


def test_the_review_sweep_wants_a_review_when_enough_reports_are_verified(client, handler, make_agency, make_org,
                                                                          session):
    agency = make_agency()
    brand = make_org("business")
    session.add(PortfolioEntry(organisation_id=brand.id, entity_id=agency.id))
    session.commit()
    now = date(2026, 3, 10)
    for n, day in enumerate((date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 8))):
        report_id = filed(client, handler, agency={"entity_id": agency.id})
        report = session.get(Report, report_id)
        report.verified_at = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        report.verified_categories = "documents_kept" if n else ""   # the first verified nothing: it does not count
        session.commit()
        sweep_due(session, now)
        session.commit()
        assert session.scalars(select(ReviewTask).where(ReviewTask.entity_id == agency.id)).all() == []
    report_id = filed(client, handler, agency={"entity_id": agency.id})
    report = session.get(Report, report_id)
    report.verified_at, report.verified_categories = datetime(2026, 3, 9, tzinfo=timezone.utc), "fees_paid"
    session.commit()
    sweep_due(session, now)
    session.commit()
    [task] = session.scalars(select(ReviewTask).where(ReviewTask.entity_id == agency.id)).all()
    assert (task.reason, task.organisation_id, task.trigger_key) == ("worker_report", brand.id, f"report:{report_id}")
    assert "MARKER" not in str(task.explanation) and "passport" not in str(task.explanation)


def test_verified_reports_lower_the_score_and_unverified_ones_move_nothing(client, handler, make_agency, send):
    agency = make_agency()

    def score():
        found = client.get(f"/api/v1/entities/{agency.id}/score", headers=handler).json
        rule = next(r for r in found["outcomes"] if r["rule_id"] == "A-NO-VERIFIED-WORKER-REPORTS")
        return found["total"], found["coverage"], rule["outcome"]

    before = score()
    assert before[2] == "unknown"
    # A flood of reports nobody verified, from the public and from partners, triaged or not: nothing moves.
    for address in range(4):
        assert send(f"192.0.2.{address + 1}", agency={"entity_id": agency.id}).status_code == 201
    report_id = filed(client, handler, agency={"entity_id": agency.id})
    client.post(f"/api/v1/reports/{report_id}/state", headers=handler,
                json={"version": case(client, handler, report_id)["version"], "state": "triaged"})
    assert score() == before
    client.post(f"/api/v1/reports/{report_id}/verification", headers=handler, json={
        "version": case(client, handler, report_id)["version"], "categories": ["documents_kept"]})
    total, coverage, outcome = score()
    assert outcome == "fail" and total < before[0] and coverage > before[1]
