"""`fairrecruit scheduler [--once [--now DATE]]`: run the sweeps, as the leader or a standby."""
from datetime import datetime, timezone

import click
from flask import current_app
from flask.cli import with_appcontext

from app.audits import leader, scheduler, sweeps
from app.db import utcnow


def parse_now(ctx, param, value):
    """--now as an aware datetime: a date (midnight UTC) or an ISO date and time (UTC unless it has an offset)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM], "
                                 "e.g. 2027-01-15 or 2027-01-15T06:00+05:45.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every sweep once and exit (for cron, tests and the demo).")
@click.option("--now", callback=parse_now, metavar="DATE",
              help="With --once: the time the sweeps take as now (default: the clock), e.g. 2027-01-15.")
@with_appcontext
def scheduler_command(once, now):
    """Run the sweeps (due work, stale scores, watchlist refreshes, notifications) at their intervals.

    One process at a time leads: start it on two hosts and the second waits as a standby, taking over when
    the first stops."""
    if now is not None and not once:
        raise click.UsageError("--now goes with --once: a running scheduler follows the clock.")
    app = current_app._get_current_object()
    try:
        sweeps.check(app.config)
    except ValueError as err:
        raise click.ClickException(f"the scheduler's configuration is not valid: {err}") from None
    if not once:
        scheduler.serve(app)
        return
    lock = leader.for_app(app)
    if not lock.acquire():
        click.echo("another scheduler is running and leads: it does the sweeps; nothing done", err=True)
        return
    try:
        counts, failed = scheduler.run_once(app, now or utcnow())
    finally:
        lock.release()
    for name, count in counts.items():
        click.echo(f"{name}: {count}")
    if failed:
        raise click.ClickException(f"sweeps failed (see the log): {', '.join(failed)}")


# The sweeps open their own transactions as writers (db.writing() in each thread).
scheduler_command.callback.writes = True
