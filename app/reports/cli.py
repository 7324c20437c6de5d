"""Worker-report commands for the operator: key rotation and the public figures."""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import bindparam, select, update

from app import db
from app.bulk import chunks
from app.reports import aggregates, keys
from app.reports.models import Report

log = logging.getLogger(__name__)


@click.group("reports")
def reports_group():
    """Worker reports."""


def rewrap(session, keyring):
    """Wrap every report's data key under the keyring's current master key; returns how many were re-wrapped.

    A bulk update: the data keys and sealed fields do not change, so neither does anything the audit log keeps.
    """
    rows = session.execute(select(Report.id, Report.key_id, Report.wrapped_key)
                           .where(Report.wrapped_key.is_not(None), Report.key_id != keyring.current)).all()
    table = Report.__table__
    statement = (update(table).where(table.c.id == bindparam("report_id"))
                 .values(key_id=bindparam("new_key_id"), wrapped_key=bindparam("new_wrapped")))
    for chunk in chunks(rows):
        changes = []
        for report_id, key_id, wrapped in chunk:
            new_key_id, new_wrapped = keyring.wrap(keyring.unwrap(key_id, wrapped))
            changes.append({"report_id": report_id, "new_key_id": new_key_id, "new_wrapped": new_wrapped})
        session.connection().execute(statement, changes)
    return len(rows)


@reports_group.command("rotate-key")
@click.option("--retire", is_flag=True, help="Then drop every master key but the new one from the keyring file.")
@with_appcontext
def rotate_key(retire):
    """Make a new master key and re-wrap every report's data key under it.

    With the keyring in REPORTS_KEYRING (the environment), put the new key there as "current" first; this
    re-wraps under it and says which keys are no longer needed.
    """
    config, instance = current_app.config, current_app.instance_path
    from_environment = bool(config.get("REPORTS_KEYRING"))
    keyring = keys.load(config, instance)
    if not from_environment:
        keyring = keys.rotated(keyring)
        keys.save(keys.path_in(instance), keyring)   # old keys kept until every report is re-wrapped
    session = db.Session()
    count = rewrap(session, keyring)
    session.commit()
    log.info("reports.rotate_key current=%s rewrapped=%s", keyring.current, count)
    click.echo(f"{count} report keys re-wrapped under master key {keyring.current}")
    unused = sorted(set(keyring.keys) - {keyring.current})
    if retire and not from_environment:
        keys.save(keys.path_in(instance), keys.retired(keyring))
        click.echo(f"retired master keys: {', '.join(unused) or 'none'}")
    elif unused:
        click.echo(f"no report needs master keys {', '.join(unused)} any more: remove them "
                   f"({'from REPORTS_KEYRING' if from_environment else 'with --retire'})")


@reports_group.command("figures")
@with_appcontext
def figures_command():
    """Recompute the public figures from the reports as they are now."""
    session = db.Session()
    cells = aggregates.recompute_figures(session, current_app.config["REPORTS_MIN_REPORTERS"])
    session.commit()
    click.echo(f"{cells} figures published (at least {current_app.config['REPORTS_MIN_REPORTERS']} "
               "distinct reporters each)")
