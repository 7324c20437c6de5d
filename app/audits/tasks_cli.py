"""`fairrecruit policy lint|test [PATH]`: check the review policy and run its examples;
`fairrecruit tasks sweep [--now DATE]`: make the review tasks due on a day, once, by hand."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from app import db
from app.audits import policy_file, sweep as review_sweep
from app.registry import expiry
from app.scoring.located import Problems


def loaded_or_told(path):
    """(path, the policy in the file: default rules/review-policy.yaml), or exit 1 after printing its problems."""
    path = path or policy_file.DEFAULT
    try:
        return path, policy_file.load(path)
    except Problems as err:
        click.echo(f"{path}: {len(err.problems)} problem(s)")
        for problem in err.problems:
            click.echo(f"  {problem}")
        raise SystemExit(1) from None


@click.group("policy")
def policy_group():
    """The review policy: lint, test."""


@policy_group.command("lint")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def lint(path):
    """Check a review policy file (default: rules/review-policy.yaml): YAML, triggers, owners, examples."""
    path, policy = loaded_or_told(path)
    click.echo(f"{path}: ok ({len(policy.triggers)} triggers: {', '.join(policy.triggers)}; "
               f"{policy.content_hash[:12]})")


@policy_group.command("test")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def test(path):
    """Run the policy's examples: an entity's facts on a day in, the tasks it should get out."""
    path, policy = loaded_or_told(path)
    failures = policy_file.run_examples(policy)
    click.echo(f"{path}: {len(policy.examples) - len(failures)} of {len(policy.examples)} examples pass")
    for failure in failures:
        click.echo(f"  FAIL {failure}")
    if failures:
        raise SystemExit(1)


@click.group("tasks")
def tasks_group():
    """Review tasks."""


@tasks_group.command("sweep")
@click.option("--now", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to sweep for (default: today, UTC).")
@with_appcontext
def sweep(now):
    """Record expired licences, make and update the review tasks due, and set next review dates."""
    day = now.date() if now else expiry.today()
    session = db.Session()
    try:
        result = review_sweep.sweep_due(session, day)
    except Problems as err:
        session.rollback()
        click.echo(f"The review policy has {len(err.problems)} problem(s); nothing was swept.", err=True)
        for problem in err.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    session.commit()
    click.echo(f"{day}: {result.entities} entities swept; {result.licences_expired} licence(s) recorded expired; "
               f"tasks: {result.created} created, {result.updated} updated, {result.cancelled} cancelled, "
               f"{result.woken} back from snooze; {result.next_review_changed} next review date(s) changed")

