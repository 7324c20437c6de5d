"""The pure evaluator: 100,000 agencies' facts scored against the default rule set (target: under 5 s)."""
import argparse
from pathlib import Path
import random
import time

from common import report

from app.scoring import evaluate, rules
from app.scoring.catalogue import FEE_CATEGORIES, FEE_PAYERS, FEE_STAGES

RULES = Path(__file__).resolve().parent.parent / "rules"


def fee_line(rng):
    return {"category": rng.choice(FEE_CATEGORIES), "amount": round(rng.uniform(10, 2000), 2),
            "currency": rng.choice(["USD", "NPR", "QAR", "INR"]), "paid_by": rng.choice(FEE_PAYERS),
            "stage": rng.choice(FEE_STAGES), "repaid": rng.random() < 0.3}


def facts_of(rng):
    """Realistic mixes: some evidence missing, some fees, findings and hits."""
    facts = {"licence_status": rng.choices(["valid", "expired", "suspended", "provisional"], [80, 10, 5, 5])[0],
             "licence_days_to_expiry": rng.randint(-200, 1200), "confirmed_hits": [] if rng.random() < 0.97
             else [{"list_kind": "banned_agency"}]}
    for name in ("minimum_age_checked", "written_contract", "contract_in_worker_language", "grievance_mechanism",
                 "data_protection_policy"):
        if rng.random() < 0.8:
            facts[name] = rng.random() < 0.85
    for name in ("documents_retained", "contract_substitution_found", "deposits_demanded", "uses_subagents"):
        if rng.random() < 0.8:
            facts[name] = rng.random() < 0.1
    if rng.random() < 0.7:
        facts["fee_lines"] = [fee_line(rng) for _ in range(rng.choice((0, 0, 1, 2, 4, 8)))]
    if rng.random() < 0.5:
        facts["findings"] = [{"principle": rng.choice("ABCDEFG"), "grade": rng.choice(["major", "minor"]),
                              "status": rng.choice(["open", "closed"])} for _ in range(rng.randint(0, 5))]
    facts["contract_days_before_departure"] = rng.randint(0, 30)
    facts["grievance_channels"] = rng.randint(0, 4)
    facts["subagents_unlicensed"] = rng.randint(0, 3) if facts.get("uses_subagents") else 0
    return facts


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=100_000)
    args = parser.parse_args()
    ruleset = rules.load(RULES / "default")
    rng = random.Random(11)
    population = [facts_of(rng) for _ in range(args.entities)]
    start = time.perf_counter()
    tiers = {}
    for facts in population:
        result = evaluate.evaluate(ruleset, facts, kind="agency", country="NP")
        tiers[result.tier] = tiers.get(result.tier, 0) + 1
    seconds = time.perf_counter() - start
    report(f"evaluate {args.entities:,} agencies x {len(ruleset.rules)} rules (one process)", seconds, 5, "s")
    print(f"{'':58} tiers: {dict(sorted(tiers.items()))}", flush=True)


if __name__ == "__main__":
    main()
