"""The pure evaluator: one entity's facts against a rule set, giving a score, a tier and every rule's reason."""
from dataclasses import dataclass

from app.scoring.messages import render


@dataclass(slots=True)
class Outcome:
    """One rule's verdict on one entity, with the fact values it looked at."""

    rule_id: str
    title: str
    principle: str
    severity: str
    weight: float
    outcome: str            # pass, fail or unknown
    message: str
    facts: dict
    remediation: str


@dataclass(frozen=True)
class Result:
    total: float | None     # 0-100 over the rules that could be judged; None when none could
    tier: str
    coverage: float         # share of the applicable weight that could be judged
    outcomes: tuple
    critical_failures: tuple


def outcome_of(rule, verdict):
    """pass, fail or unknown; a rule may ask that unknown count as a failure (never as a pass)."""
    if verdict is None:
        return "fail" if rule.when_unknown == "fail" else "unknown"
    return "pass" if verdict else "fail"


def message_of(rule, verdict):
    """The message template: missing evidence is explained as such, even where it counts as a failure."""
    if verdict is None:
        return rule.unknown_message
    return rule.pass_message if verdict else rule.message


def evaluate(ruleset, facts, *, kind, country, corridors=()):
    """Score one entity's facts against a rule set."""
    outcomes, critical = [], []
    applicable = judged = passed = 0.0
    for rule in ruleset.rules_for(kind, country, corridors):
        verdict = rule.condition(facts, None)
        outcome = outcome_of(rule, verdict)
        applicable += rule.weight
        if outcome != "unknown":
            judged += rule.weight
            if outcome == "pass":
                passed += rule.weight
            elif rule.severity == "critical":
                critical.append(rule.id)
        outcomes.append(Outcome(rule.id, rule.title, rule.principle, rule.severity, rule.weight, outcome,
                                render(message_of(rule, verdict), facts),
                                {name: facts.get(name) for name in rule.facts_used},
                                "" if outcome == "pass" else rule.remediation))
    total = round(100 * passed / judged, 1) if judged else None
    coverage = round(judged / applicable, 3) if applicable else 0.0
    return Result(total, ruleset.policy.tier_for(total, coverage, bool(critical)), coverage, tuple(outcomes),
                  tuple(critical))


def run_examples(ruleset):
    """Every rule example and rule-set example; returns the failures as readable lines."""
    failures = []
    for rule in ruleset.rules:
        for facts, expected, place, name in rule.examples:
            verdict = rule.condition(facts, None)
            actual = outcome_of(rule, verdict)
            if actual != expected:
                failures.append(f"{place}: {rule.id} {name}: expected {expected}, got {actual} "
                                f"({render(message_of(rule, verdict), facts)})")
    for index, example in enumerate(ruleset.examples):
        result = evaluate(ruleset, example.get("facts") or {}, kind=example.get("kind", "agency"),
                          country=example.get("country", "NP"), corridors=example.get("corridors", ()))
        if result.tier != example.get("expect_tier"):
            failures.append(f"{ruleset.directory}/ruleset.yaml: example {index + 1} "
                            f"({example.get('name', '')}): expected tier {example.get('expect_tier')}, got "
                            f"{result.tier} (score {result.total}, coverage {result.coverage}, "
                            f"critical failures: {', '.join(result.critical_failures) or 'none'})")
    return failures
