"""The evaluator: scores, tiers and reasons from facts, with unknown never counted as a pass."""
from pathlib import Path

import pytest

from app.scoring import evaluate, rules

RULES = Path(__file__).resolve().parents[2] / "rules"
CLEAN = {"licence_status": "valid", "licence_days_to_expiry": 400, "minimum_age_checked": True,
         "confirmed_hits": [], "uses_subagents": False, "subagents_unlicensed": 0, "findings": [], "fee_lines": [],
         "deposits_demanded": False, "documents_retained": False, "written_contract": True,
         "contract_in_worker_language": True, "contract_days_before_departure": 14,
         "contract_substitution_found": False, "data_protection_policy": True, "grievance_mechanism": True,
         "grievance_channels": 3, "overdue_corrective_actions": [], "worker_reports": []}


@pytest.fixture(scope="module")
def default():
    return rules.load(RULES / "default")


def outcome(result, rule_id):
    return next(o for o in result.outcomes if o.rule_id == rule_id)


def test_a_clean_agency_scores_100_in_the_lowest_tier(default):
    result = evaluate.evaluate(default, CLEAN, kind="agency", country="NP")
    assert (result.total, result.tier, result.coverage, result.critical_failures) == (100.0, "low", 1.0, ())
    assert {o.principle for o in result.outcomes} == set("ABCDEFG")


def test_a_critical_failure_sets_the_tier_whatever_the_score(default):
    facts = {**CLEAN, "documents_retained": True}
    result = evaluate.evaluate(default, facts, kind="agency", country="NP")
    assert result.total > 85 and result.tier == "critical" and result.critical_failures == ("D-NO-DOCUMENT-RETENTION",)
    docs = outcome(result, "D-NO-DOCUMENT-RETENTION")
    assert docs.outcome == "fail" and docs.facts == {"documents_retained": True}
    assert docs.remediation.startswith("Return every document")


def test_missing_evidence_is_unknown_lowers_coverage_and_never_passes(default):
    facts = {k: v for k, v in CLEAN.items() if k not in ("fee_lines", "deposits_demanded", "documents_retained")}
    result = evaluate.evaluate(default, facts, kind="agency", country="NP")
    unknown = {o.rule_id for o in result.outcomes if o.outcome == "unknown"}
    assert unknown == {"C-NO-RECRUITMENT-FEE", "C-NO-RELATED-COSTS", "C-NO-ILLEGITIMATE-PAYMENTS",
                       "C-NO-SALARY-DEDUCTIONS", "D-NO-DOCUMENT-RETENTION"}
    assert result.total == 100.0 and result.coverage < 1
    assert outcome(result, "C-NO-RECRUITMENT-FEE").message == "No fee evidence (survey, receipts or audit) is on record."


def test_thin_evidence_keeps_an_agency_out_of_the_low_tiers(default):
    result = evaluate.evaluate(default, {"licence_status": "valid", "licence_days_to_expiry": 300},
                               kind="agency", country="NP")
    assert result.total == 100.0 and result.coverage < 0.5 and result.tier == "high"


def test_no_licence_on_record_fails_the_licence_rule(default):
    result = evaluate.evaluate(default, {**CLEAN, "licence_status": None}, kind="agency", country="NP")
    licence = outcome(result, "A-LICENCE-VALID")
    assert licence.outcome == "fail" and licence.message == "No licence is on record." and result.tier == "critical"


def test_messages_carry_the_fact_values(default):
    result = evaluate.evaluate(default, {**CLEAN, "licence_days_to_expiry": 21, "grievance_channels": 1},
                               kind="agency", country="NP")
    assert outcome(result, "A-LICENCE-RENEWAL").message == "The licence expires in 21 days."
    assert outcome(result, "G-GRIEVANCE-CHANNELS").message == "Workers have 1 way(s) to raise a grievance."
    assert result.tier == "low" and result.total == pytest.approx(100 * (sum(
        r.weight for r in default.rules) - 4) / sum(r.weight for r in default.rules), abs=0.1)


def test_repaid_fees_are_remediated_and_unrepaid_ones_are_critical(default):
    paid = {"category": "recruitment_fee", "amount": 900, "currency": "USD", "paid_by": "worker",
            "stage": "before_departure", "repaid": False}
    assert evaluate.evaluate(default, {**CLEAN, "fee_lines": [paid]}, kind="agency", country="NP").tier == "critical"
    repaid = {**paid, "repaid": True}
    assert evaluate.evaluate(default, {**CLEAN, "fee_lines": [repaid]}, kind="agency", country="NP").tier == "low"


def test_the_overlay_allows_a_capped_fee_but_not_more():
    overlay = rules.load(RULES / "overlays" / "in-capped-fee")
    fee = {"category": "recruitment_fee", "currency": "INR", "paid_by": "worker", "stage": "before_departure",
           "repaid": False}
    within = evaluate.evaluate(overlay, {**CLEAN, "fee_lines": [{**fee, "amount": 25000}]}, kind="agency",
                               country="IN")
    above = evaluate.evaluate(overlay, {**CLEAN, "fee_lines": [{**fee, "amount": 45000}]}, kind="agency",
                              country="IN")
    assert within.tier != "critical" and outcome(within, "C-NO-RECRUITMENT-FEE").severity == "major"
    assert above.tier == "critical" and above.critical_failures == ("C-IN-LEGAL-CAP",)


def test_rules_apply_by_kind(default):
    employer = rules.load(RULES / "employer")
    assert evaluate.evaluate(default, CLEAN, kind="employer", country="QA").outcomes == ()
    result = evaluate.evaluate(employer, {"documents_retained": True}, kind="employer", country="QA")
    assert result.tier == "critical" and result.coverage < 1
