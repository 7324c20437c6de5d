"""The `fairrecruit` command: Flask's CLI with the database, seed and capability commands."""
import functools
import os

import click
from flask import cli as flask_cli, current_app
from flask.cli import FlaskGroup, with_appcontext

from app import db, migrate

# Commands that only read keep SQLite's deferred transactions, so a long export never holds up writers;
# every other command takes the write lock when its transaction begins (see db.writes_intended).
READ_ONLY_COMMANDS = {"db revision", "registry export", "rules lint", "rules test", "rules impact", "screen",
                      "watchlist sources", "policy lint", "policy test"}


@click.group("db")
def db_group():
    """Database schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision):
    """Bring the schema up to REVISION (default: the newest)."""
    migrate.upgrade(current_app, revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade(revision):
    """Take the schema back to REVISION."""
    migrate.downgrade(current_app, revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def revision(message):
    """Write a migration for the difference between the models and the database."""
    migrate.revision(current_app, message)


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
    for name, command in leaf_commands(app.cli):
        if name not in READ_ONLY_COMMANDS and not getattr(command.callback, "writes", False):
            command.callback = as_writer(command.callback)


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


def main():
    """Entry point of the `fairrecruit` console script."""
    from app import create_app  # noqa: PLC0415
    group = FlaskGroup(create_app=create_app, add_default_commands=False,
                       help="FairRecruit: ethical-recruitment due diligence.")
    group.add_command(run_with_scheduler())
    group.add_command(flask_cli.shell_command)
    group.add_command(flask_cli.routes_command)
    group()
