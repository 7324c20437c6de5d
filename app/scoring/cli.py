"""`fairrecruit rules lint|test [DIR...]`: check rule sets and run the examples they carry."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from app import db
from app.accounts.cli import OPERATOR
from app.cli import SAVING, fail, progress_bars
from app.errors import AppError
from app.registry import tables
from app.scoring import evaluate, importer, rules, service
from app.scoring.located import Problems

RULES = Path(__file__).resolve().parent.parent.parent / "rules"


def rule_set_dirs(given):
    """The directories named, or every rule set under rules/."""
    if given:
        return [Path(d) for d in given]
    return sorted(p.parent for p in RULES.rglob("ruleset.yaml"))


def loaded_or_told(directory, preface):
    """The rule set in the directory, or None after printing its problems."""
    try:
        return rules.load(directory)
    except Problems as err:
        click.echo(f"{directory}: {preface}({len(err.problems)} problem(s))" if preface else
                   f"{directory}: {len(err.problems)} problem(s)")
        for problem in err.problems:
            click.echo(f"  {problem}")
        return None


@click.group("rules")
def rules_group():
    """Rule sets: lint, test."""


@rules_group.command("lint")
@click.argument("directories", nargs=-1, type=click.Path(exists=True, file_okay=False))
def lint(directories):
    """Check rule sets: YAML, fields, operators, fact names and types, messages."""
    bad = 0
    for directory in rule_set_dirs(directories):
        ruleset = loaded_or_told(directory, "")
        if ruleset is None:
            bad += 1
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
        ruleset = loaded_or_told(directory, "not valid, run 'fairrecruit rules lint' ")
        if ruleset is None:
            bad += 1
            continue
        failures = evaluate.run_examples(ruleset)
        count = sum(len(rule.examples) for rule in ruleset.rules) + len(ruleset.examples)
        click.echo(f"{directory}: {count - len(failures)} of {count} examples pass")
        for failure in failures:
            click.echo(f"  FAIL {failure}")
        bad += bool(failures)
    if bad:
        raise SystemExit(1)


@rules_group.command("impact")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@with_appcontext
def impact(directory):
    """Before activating DIRECTORY: how many entities would change tier, and which."""
    session = db.Session()
    try:
        ruleset, changes, unchanged = service.impact(session, directory)
    except AppError as err:
        click.echo(err.message)
        for problem in (err.errors or {}).get("rules", []):
            click.echo(f"  {problem}")
        raise SystemExit(1) from None
    click.echo(f"{ruleset.id} ({ruleset.content_hash[:12]}): {len(changes)} entities change tier, "
               f"{unchanged} keep theirs")
    for change in changes:
        click.echo(f"  {change['kind']} {change['entity_id']}: {change['from']} -> {change['to']} "
                   f"(score {change['total'][0]} -> {change['total'][1]})")


@rules_group.command("activate")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@with_appcontext
def activate(directory):
    """Make DIRECTORY the active rule set for its kinds and re-score every entity they cover."""
    session = db.Session()
    with progress_bars() as progress:
        try:
            ruleset, scored = service.activate(session, OPERATOR, directory, progress=progress)
        except AppError as err:
            session.rollback()
            click.echo(err.message)
            for problem in (err.errors or {}).get("rules", []):
                click.echo(f"  {problem}")
            raise SystemExit(1) from None
        progress(SAVING, 0, None)
        session.commit()
    click.echo(f"{ruleset.id} ({ruleset.content_hash[:12]}) is active for {', '.join(ruleset.kinds)}; "
               f"{scored} entities re-scored")


@rules_group.command("rescore")
@click.option("--kind", type=click.Choice(("agency", "employer")), multiple=True,
              help="Default: both kinds.")
@with_appcontext
def rescore(kind):
    """Score every live entity now with the active rule sets (e.g. after a bulk import)."""
    session = db.Session()
    for each in kind or ("agency", "employer"):
        with progress_bars() as progress:
            scored = service.rescore(session, each, reason="rescore command", progress=progress)
            progress(SAVING, 0, None)
            session.commit()
        click.echo(f"{scored} {each} entities scored")


@click.group("evidence")
def evidence_group():
    """Evidence about agencies and employers."""


@evidence_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--type", "evidence", type=click.Choice(tuple(importer.EVIDENCE)), required=True)
@click.option("--format", "fmt", type=click.Choice(tables.FORMATS), help="Default: from the file's extension.")
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and report the bad ones.")
@with_appcontext
def import_command(path, evidence, fmt, skip_invalid):
    """Import fee lines, practice assessments or audit findings; the entities touched are re-scored."""
    session = db.Session()
    with progress_bars() as progress:
        try:
            with open(path, "rb") as handle:
                report = importer.import_evidence(session, OPERATOR, handle.read(),
                                                  fmt=tables.detect_format(path, fmt), evidence=evidence,
                                                  skip_invalid=skip_invalid, progress=progress)
        except AppError as err:
            session.rollback()
            fail(path, err)
        progress(SAVING, 0, None)
        session.commit()
    click.echo(f"{path}: {report['rows']} rows; {report['imported']} imported for {report['entities']} entities "
               f"(re-scored), skipped {len(report['skipped'])}")
    for problem in report["skipped"]:
        click.echo(f"  skipped row {problem['row']}, {problem['column']}: {problem['message']}", err=True)
