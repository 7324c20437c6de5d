"""The `fairrecruit` command: Flask's CLI with the database, seed and capability commands."""
import contextlib
import functools
import importlib
import logging
import os
import sys
import time

import click
from flask import cli as flask_cli, current_app
from flask.cli import FlaskGroup, with_appcontext

# Commands that only read keep SQLite's deferred transactions, so a long export never holds up writers;
# every other command takes the write lock when its transaction begins (see db.writes_intended).
READ_ONLY_COMMANDS = {"db revision", "registry export", "rules lint", "rules test", "rules impact", "screen",
                      "watchlist sources", "policy lint", "policy test", "snapshot"}


@click.group("db")
def db_group():
    """Database schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision):
    """Bring the schema up to REVISION (default: the newest)."""
    from app import migrate  # noqa: PLC0415  (alembic: only the db commands need it)
    migrate.upgrade(current_app, revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade(revision):
    """Take the schema back to REVISION."""
    from app import migrate  # noqa: PLC0415
    migrate.downgrade(current_app, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def revision(message):
    """Write a migration for the difference between the models and the database."""
    from app import migrate  # noqa: PLC0415
    migrate.revision(current_app, message)


@click.command("snapshot")
@with_appcontext
def snapshot_command():
    """Build the indexes for gunicorn's next start.

    The listing and name indexes of DATABASE_URL, saved in SNAPSHOT_DIR. A release runs this after `db upgrade`
    and before restarting gunicorn, whose master then loads them instead of building them for 15 to 50 s before
    any worker answers (app/snapshot.py).
    """
    from app import prefork, snapshot  # noqa: PLC0415  (the indexes: not for `fairrecruit --help`)
    app = current_app._get_current_object()
    if not app.config["SNAPSHOTS"]:
        raise click.UsageError("SNAPSHOTS is off in this configuration: gunicorn would not load the file")
    log = logging.getLogger("app.snapshot")
    started = time.perf_counter()
    done = "caught up the last snapshot" if prefork.load_snapshot(app, log) else "built the listing and name indexes"
    if not prefork.warm(app, log, serving=False):
        url = app.extensions["engine"].url.render_as_string(hide_password=True)
        raise click.ClickException(f"the database {url} could not be read (the log above says why)")
    path = snapshot.save(app)
    click.echo(f"{done} and saved them to {path} in {time.perf_counter() - started:.1f} s")


# The last step of a long command: the commit, with its effects (screening, scoring, audit; app/pipeline.py).
SAVING = "saving (screening, scoring, audit)"


@contextlib.contextmanager
def progress_bars():
    """A service's progress callback (app/progress.py) drawing a bar per step on stderr when it is a terminal;
    elsewhere (pipes, logs, tests) it draws nothing, so output stays clean."""
    from tqdm import tqdm  # noqa: PLC0415  (only the long commands draw bars)
    bars = {}

    def report(step, done, total):
        bar = bars.get(step)
        if bar is None:
            for earlier in bars.values():
                earlier.close()
            bar = bars[step] = tqdm(desc=step, total=total, disable=None, file=sys.stderr, dynamic_ncols=True)
        bar.update(done - bar.n)
        if done == total:
            bar.refresh()  # tqdm redraws at most every 0.1 s: the end of a step would show only at the next one

    try:
        yield report
    finally:
        for bar in bars.values():
            bar.close()


def fail(where, err):
    """Print an AppError with every problem and its place, and exit 1 (the caller has rolled back)."""
    click.echo(f"{where}: {err.message}", err=True)
    for place, messages in err.errors.items():
        for message in messages:
            click.echo(f"  {place}: {message}", err=True)
    raise SystemExit(1)


def init_app(app):
    """Attach every command group."""
    from app.accounts import cli as accounts_cli  # noqa: PLC0415  (capability CLIs import the app package)
    from app.audits import cli as audits_cli  # noqa: PLC0415
    from app.registry import cli as registry_cli  # noqa: PLC0415
    from app import seed  # noqa: PLC0415
    from app.scoring import cli as scoring_cli  # noqa: PLC0415
    from app.screening import cli as screening_cli  # noqa: PLC0415
    from app.audits import tasks_cli  # noqa: PLC0415
    from app.audits import scheduler_cli  # noqa: PLC0415
    from app.reports import cli as reports_cli  # noqa: PLC0415
    app.cli.add_command(db_group)
    app.cli.add_command(snapshot_command)
    app.cli.add_command(accounts_cli.users)
    app.cli.add_command(registry_cli.registry)
    app.cli.add_command(registry_cli.change_requests_group)
    app.cli.add_command(seed.seed_command)
    app.cli.add_command(scoring_cli.rules_group)
    app.cli.add_command(scoring_cli.evidence_group)
    app.cli.add_command(screening_cli.watchlist_group)
    app.cli.add_command(screening_cli.screen_command)
    app.cli.add_command(audits_cli.audits_group)
    app.cli.add_command(tasks_cli.policy_group)
    app.cli.add_command(tasks_cli.tasks_group)
    app.cli.add_command(scheduler_cli.scheduler_command)
    app.cli.add_command(reports_cli.reports_group)
    as_writers(app.cli)


def as_writers(command, prefix=""):
    """Make every command below this one, except the read-only ones, run its transactions as a writer."""
    leaves = leaf_commands(command, prefix) if isinstance(command, click.Group) else [(prefix.strip(), command)]
    for name, leaf in leaves:
        if name not in READ_ONLY_COMMANDS and not getattr(leaf.callback, "writes", False):
            leaf.callback = as_writer(leaf.callback)


def leaf_commands(group, prefix=""):
    """(full name, command) for every command below a group."""
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from leaf_commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def as_writer(callback):
    """Run a command's transactions as writers."""
    @functools.wraps(callback)
    def wrapped(*args, **kwargs):
        from app import db  # noqa: PLC0415  (SQLAlchemy: not for `fairrecruit --help`)
        with db.writing():
            return callback(*args, **kwargs)
    wrapped.writes = True
    return wrapped


def run_with_scheduler():
    """Flask's `run`, starting the scheduler in a background thread of the serving process first when
    SCHEDULER_IN_PROCESS says so (by default in development): `make run` shows due work and sends notifications
    without a second process. gunicorn never goes through here."""
    base = flask_cli.run_command

    @functools.wraps(base.callback)
    def callback(*args, **kwargs):
        app = click.get_current_context().ensure_object(flask_cli.ScriptInfo).load_app()
        reload = kwargs.get("reload")
        reload = flask_cli.get_debug_flag() if reload is None else reload
        # With the reloader, the first process only watches files; the one it starts serves.
        serving = not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"
        if serving and in_process_scheduler(app.config):
            from app.audits import scheduler  # noqa: PLC0415
            scheduler.start_in_background(app)
        return base.callback(*args, **kwargs)

    return click.Command(base.name, callback=callback, params=base.params, help=base.help,
                         short_help=base.short_help)


def in_process_scheduler(config):
    """Whether the dev server runs the scheduler: SCHEDULER_IN_PROCESS, or else in development only."""
    setting = config.get("SCHEDULER_IN_PROCESS")
    return config["FAIRRECRUIT_ENV"] == "development" if setting is None else bool(setting)


# The app's commands with their one-line help, so that `fairrecruit --help` lists them without creating the
# app, which imports every capability (1.5 s): "module:name" is imported when the command is run or asked for
# its own help; None is an extension's command, found in the app (flask-smorest's). tests/test_cli.py checks
# the table against the app's commands and Flask's plugin commands (flask-limiter's).
COMMANDS = {
    "audits": ("app.audits.cli:audits_group", "Audits, their findings and corrective actions."),
    "change-requests": ("app.registry.cli:change_requests_group", "Corrections proposed to agencies' and "
                        "employers' profiles: the stewards' queue (as the platform)."),
    "db": ("app.cli:db_group", "Database schema migrations."),
    "evidence": ("app.scoring.cli:evidence_group", "Evidence about agencies and employers."),
    "limiter": ("flask_limiter.commands:cli", "Flask-Limiter maintenance & utility commands"),
    "openapi": (None, "OpenAPI commands."),
    "policy": ("app.audits.tasks_cli:policy_group", "The review policy: lint, test."),
    "registry": ("app.registry.cli:registry", "Agencies and employers."),
    "reports": ("app.reports.cli:reports_group", "Worker reports."),
    "rules": ("app.scoring.cli:rules_group", "Rule sets: lint, test."),
    "scheduler": ("app.audits.scheduler_cli:scheduler_command",
                  "Run the sweeps (due work, stale scores, watchlist refreshes, notifications) at their intervals."),
    "screen": ("app.screening.cli:screen_command",
               "Screen every name of a CSV file against the lists; nothing is stored."),
    "seed": ("app.seed:seed_command", "Load the demo data that is missing; what exists is left as it is."),
    "snapshot": ("app.cli:snapshot_command", "Build the indexes for gunicorn's next start."),
    "tasks": ("app.audits.tasks_cli:tasks_group", "Review tasks."),
    "users": ("app.accounts.cli:users", "Organisations and users."),
    "watchlist": ("app.screening.cli:watchlist_group", "Watchlists: sanctions, debarment and banned-agency lists."),
}


class Commands(FlaskGroup):
    """Flask's command group, listing the app's commands from COMMANDS and importing only the one run."""

    def list_commands(self, ctx):
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        target = COMMANDS.get(name, (None,))[0]
        if target is None:
            return super().get_command(ctx, name)
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        as_writers(command, f"{name} ")
        return command

    def format_commands(self, ctx, formatter):
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        listed = {name: self.commands.get(name) or click.Command(name, help=COMMANDS[name][1]) for name in names}
        rows = [(name, command.get_short_help_str(limit)) for name, command in listed.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def main():
    """Entry point of the `fairrecruit` console script."""
    from app import create_app  # noqa: PLC0415
    group = Commands(create_app=create_app, add_default_commands=False,
                     help="FairRecruit: ethical-recruitment due diligence.")
    group.add_command(run_with_scheduler())
    group.add_command(flask_cli.shell_command)
    group.add_command(flask_cli.routes_command)
    group()
