"""`fairrecruit rules lint|test [DIR...]`: check rule sets and run the examples they carry."""
from pathlib import Path

import click

from app.scoring import evaluate, rules
from app.scoring.located import Problems

RULES = Path(__file__).resolve().parent.parent.parent / "rules"


def rule_set_dirs(given):
    """The directories named, or every rule set under rules/."""
    if given:
        return [Path(d) for d in given]
    return sorted(p.parent for p in RULES.rglob("ruleset.yaml"))


@click.group("rules")
def rules_group():
    """Rule sets: lint, test."""


@rules_group.command("lint")
@click.argument("directories", nargs=-1, type=click.Path(exists=True, file_okay=False))
def lint(directories):
    """Check rule sets: YAML, fields, operators, fact names and types, messages."""
    bad = 0
    for directory in rule_set_dirs(directories):
        try:
            ruleset = rules.load(directory)
        except Problems as err:
            bad += 1
            click.echo(f"{directory}: {len(err.problems)} problem(s)")
            for problem in err.problems:
                click.echo(f"  {problem}")
            continue
        click.echo(f"{directory}: ok ({len(ruleset.rules)} rules, {ruleset.content_hash[:12]})")
    if bad:
        raise SystemExit(1)


@rules_group.command("test")
@click.argument("directories", nargs=-1, type=click.Path(exists=True, file_okay=False))
def test(directories):
    """Run every example of the rule sets: facts in, expected outcome (or tier) out."""
    bad = 0
    for directory in rule_set_dirs(directories):
        try:
            ruleset = rules.load(directory)
        except Problems as err:
            bad += 1
            click.echo(f"{directory}: not valid, run 'fairrecruit rules lint' ({len(err.problems)} problem(s))")
            for problem in err.problems:
                click.echo(f"  {problem}")
            continue
        failures = evaluate.run_examples(ruleset)
        count = sum(len(rule.examples) for rule in ruleset.rules) + len(ruleset.examples)
        click.echo(f"{directory}: {count - len(failures)} of {count} examples pass")
        for failure in failures:
            click.echo(f"  FAIL {failure}")
        bad += bool(failures)
    if bad:
        raise SystemExit(1)
