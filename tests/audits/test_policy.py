"""The review policy's engine without an app or a database, on a fixed day: one test per trigger, owners,
the periodic date, and the reconciliation of wanted tasks with live and closed ones."""
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.audits import policy_file
from app.audits.policy import (ActionFact, Context, EntityFacts, FindingFact, HitFact, LicenceFact, ReportFact,
                               Schedule, Wanted, add_months, describe, next_review, wanted_tasks)
from app.audits.reconcile import LiveTask, reconcile

NOW = date(2026, 12, 1)
SCHEDULES = {"agency": Schedule(("low", "medium", "high", "critical"),
                                {"low": 36, "medium": 12, "high": 6, "critical": 3})}
CTX = Context(NOW, SCHEDULES, platform=(1,))
BRAND, REGULATOR, BODY = 3, 7, 9


@pytest.fixture(scope="module")
def policy():
    return policy_file.load()


def tasks(policy, facts, ctx=CTX):
    return sorted((t.reason, t.due_on, t.organisation_id) for t in wanted_tasks(policy, ctx, facts))


def entity(**facts):
    return EntityFacts(entity_id=42, **facts)


def nepal(valid_until, status="valid", id=11):
    return LicenceFact(id, "NP-DOFE", "100/076/77", status, valid_until, (REGULATOR,))


def test_periodic_review_appears_notice_days_before_it_is_due(policy):
    due = entity(registered_on=date(2026, 6, 20), tier="high", followers=(BRAND,), certifier=BODY)
    assert tasks(policy, due) == [("periodic_review", date(2026, 12, 20), BRAND),
                                  ("periodic_review", date(2026, 12, 20), BODY)]
    assert tasks(policy, replace(due, tier="medium")) == []           # due 2027-06-20
    assert tasks(policy, replace(due, tier=None)) == []               # never scored: no tier, no periodic review
    assert tasks(policy, replace(due, last_reviewed_on=date(2026, 11, 2))) == []
    [task] = wanted_tasks(policy, CTX, replace(due, certifier=None))
    assert task.key == "since:2026-06-20"
    assert task.explanation == {"message": "periodic_review",
                                "params": {"tier": "high", "months": 6, "since": "2026-06-20"}}


def test_licence_expiring_within_notice_days_is_due_on_its_last_day(policy):
    facts = entity(followers=(BRAND,), licences=(nepal(NOW + timedelta(days=60)),))
    assert tasks(policy, facts) == [("licence_expiring", NOW + timedelta(days=60), BRAND),
                                    ("licence_expiring", NOW + timedelta(days=60), REGULATOR)]
    assert tasks(policy, replace(facts, licences=(nepal(NOW + timedelta(days=61)),))) == []
    assert tasks(policy, replace(facts, licences=(nepal(NOW + timedelta(days=5), "suspended"),))) == []


def test_licence_expiring_owners_are_the_regulators_of_that_licence_only(policy):
    other = LicenceFact(12, "PH-DMW", "DMW-1", "valid", date(2030, 1, 1), (8,))
    facts = entity(licences=(nepal(NOW + timedelta(days=10)), other))
    assert tasks(policy, facts) == [("licence_expiring", NOW + timedelta(days=10), REGULATOR)]


def test_licence_expired_is_reviewed_within_days_of_the_day_after_its_end(policy):
    facts = entity(licences=(nepal(NOW - timedelta(days=1), "expired"),))
    [task] = wanted_tasks(policy, CTX, facts)
    assert (task.reason, task.due_on, task.organisation_id) == ("licence_expired", NOW + timedelta(days=14),
                                                                REGULATOR)
    assert task.explanation["params"] == {"licence": "NP-DOFE 100/076/77", "valid_until": "2026-11-30",
                                          "expired_on": "2026-12-01"}
    assert tasks(policy, replace(facts, licences=(nepal(NOW - timedelta(days=31), "expired"),))) != []
    old = replace(facts, licences=(nepal(NOW - timedelta(days=32), "expired"),))
    assert tasks(policy, old) == []                                   # expired 31 days ago: past lookback_days
    nobody = replace(facts, licences=(replace(nepal(NOW - timedelta(days=1), "expired"), regulators=()),))
    assert tasks(policy, nobody) == [("licence_expired", NOW + timedelta(days=14), 1)]   # otherwise: platform


def test_certification_expiring_stays_wanted_past_its_end_while_recorded_certified(policy):
    facts = entity(certification_status="certified", certification_valid_until=NOW + timedelta(days=90),
                   certifier=BODY)
    assert tasks(policy, facts) == [("certification_expiring", NOW + timedelta(days=90), BODY)]
    assert tasks(policy, replace(facts, certification_valid_until=NOW - timedelta(days=10))) == [
        ("certification_expiring", NOW - timedelta(days=10), BODY)]
    assert tasks(policy, replace(facts, certification_status="expired")) == []
    assert tasks(policy, replace(facts, certification_valid_until=NOW + timedelta(days=91))) == []


def test_confirmed_hit_is_reviewed_within_days_of_its_decision(policy):
    hit = HitFact(5, "ofac-sdn", "GULF DREAM", NOW - timedelta(days=30))
    facts = entity(followers=(BRAND,), registrant=4, hits=(hit,))
    assert tasks(policy, facts) == [("confirmed_hit", NOW - timedelta(days=16), BRAND),
                                    ("confirmed_hit", NOW - timedelta(days=16), 4)]
    assert tasks(policy, replace(facts, hits=(replace(hit, decided_on=NOW - timedelta(days=31)),))) == []


def test_critical_finding_needs_a_follow_up_audit_while_open(policy):
    major = FindingFact(8, "D", "major", "open", date(2026, 10, 1), recorder=BODY)
    facts = entity(followers=(BRAND,), findings=(major, replace(major, id=9, grade="minor")))
    assert tasks(policy, facts) == [("critical_finding", date(2026, 12, 30), BODY)]
    assert tasks(policy, replace(facts, findings=(replace(major, status="closed"),))) == []
    # Nobody recorded it and nobody certifies the entity: its followers (`otherwise`).
    assert tasks(policy, replace(facts, findings=(replace(major, recorder=None),))) == [
        ("critical_finding", date(2026, 12, 30), BRAND)]


def test_overdue_corrective_action_is_escalated(policy):
    facts = entity(certifier=BODY, actions=(ActionFact(4, NOW - timedelta(days=1), recorder=BODY),
                                            ActionFact(5, NOW, recorder=BODY)))
    assert tasks(policy, facts) == [("overdue_corrective_action", NOW + timedelta(days=6), BODY)]


def test_tier_worsened_compares_the_last_two_scores_in_the_rule_set_order(policy):
    facts = entity(followers=(BRAND,), tier="high", previous_tier="low", scored_on=NOW - timedelta(days=1),
                   score_id=70)
    [task] = wanted_tasks(policy, CTX, facts)
    assert (task.reason, task.due_on, task.key) == ("tier_worsened", NOW + timedelta(days=29), "score:70")
    assert tasks(policy, replace(facts, tier="low", previous_tier="high")) == []       # better
    assert tasks(policy, replace(facts, previous_tier="high")) == []                   # the same
    assert tasks(policy, replace(facts, previous_tier="amber")) == []                  # another rule set's tier
    assert tasks(policy, replace(facts, scored_on=NOW - timedelta(days=31))) == []


def test_worker_report_trigger_takes_reports_when_they_have_a_source(policy):
    facts = entity(followers=(BRAND,), regulators=(REGULATOR,), reports=(ReportFact(2, NOW - timedelta(days=2)),))
    assert tasks(policy, facts) == [("worker_report", NOW + timedelta(days=5), BRAND),
                                    ("worker_report", NOW + timedelta(days=5), REGULATOR)]


def test_a_trigger_the_policy_leaves_out_makes_nothing(policy):
    only_periodic = replace(policy, triggers={"periodic_review": policy.triggers["periodic_review"]})
    facts = entity(followers=(BRAND,), licences=(nepal(NOW + timedelta(days=1)),))
    assert tasks(policy, facts) != [] and tasks(only_periodic, facts) == []


def test_next_review_is_the_earliest_task_or_the_periodic_date(policy):
    facts = entity(registered_on=date(2026, 6, 20), tier="medium")
    assert next_review(policy, CTX, facts, []) == date(2027, 6, 20)
    assert next_review(policy, CTX, facts, [date(2027, 1, 5), date(2026, 12, 24)]) == date(2026, 12, 24)
    assert next_review(policy, CTX, replace(facts, tier=None), []) is None


def test_months_are_added_to_the_calendar_keeping_the_day_or_the_last_of_the_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 15), 36) == date(2029, 1, 15)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_explanations_read_as_sentences():
    assert describe({"message": "licence_expiring", "params": {"licence": "NP-DOFE 1", "valid_until": "2027-01-01"}}
                    ) == "Licence NP-DOFE 1 ends on 2027-01-01: check its renewal."
    assert describe({"message": "licence_expiring", "params": {}}) == "licence_expiring: {}"


def want(reason="licence_expiring", due=NOW, key="licence:1:2026-12-01", organisation=BRAND, entity_id=42):
    return Wanted(entity_id, reason, organisation, due, key, {"message": reason, "params": {"key": key}})


def live(task_id, wanted, state="open"):
    return LiveTask(task_id, wanted.entity_id, wanted.reason, wanted.organisation_id, wanted.key, wanted.due_on,
                    wanted.explanation, state)


def test_reconcile_inserts_once_per_slot_and_updates_rather_than_duplicates():
    first, second = want(key="licence:1:x", due=NOW + timedelta(days=9)), want(key="licence:2:y")
    plan = reconcile([first, second], [], set())
    assert plan.inserts == [second] and not plan.updates and not plan.cancels   # the earliest of the slot
    moved = replace(second, due_on=NOW + timedelta(days=1))
    plan = reconcile([moved], [live(5, second)], set())
    assert plan.updates == [(5, moved)] and not plan.inserts
    assert reconcile([second], [live(5, second)], set()).updates == []


def test_reconcile_keeps_closed_occurrences_closed_and_lets_new_ones_in():
    task = want()
    assert reconcile([task], [], {(42, task.reason, BRAND, task.key)}).inserts == []
    renewed = want(key="licence:1:2027-12-01")
    assert reconcile([renewed], [], {(42, task.reason, BRAND, task.key)}).inserts == [renewed]


def test_reconcile_cancels_state_tasks_whose_cause_went_away_but_not_claimed_or_event_tasks():
    expiring, hit = want(), want(reason="confirmed_hit", key="hit:4")
    plan = reconcile([], [live(1, expiring), live(2, hit)], set())
    assert plan.cancels == [1]
    assert reconcile([], [live(1, expiring, "claimed")], set()).cancels == []
    renewed = want(key="licence:1:2027-01-01", due=date(2027, 1, 1))
    plan = reconcile([renewed], [live(1, expiring, "snoozed")], set())
    assert (plan.cancels, plan.inserts) == ([1], [renewed])
    later_hit = want(reason="confirmed_hit", key="hit:9")
    assert reconcile([later_hit], [live(2, hit)], set()).inserts == []   # waits until hit 4's task is closed
