"""Registry commands: bulk import and export."""

import click
from flask.cli import with_appcontext

from app import db
from app.accounts.cli import OPERATOR
from app.cli import SAVING, fail, progress_bars
from app.errors import AppError
from app.registry import change_requests, export, importer, service, tables


@click.group()
def registry():
    """Agencies and employers."""


@registry.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(tables.FORMATS), help="Default: from the file's extension.")
@click.option("--kind", type=click.Choice(("agency", "employer")), default="agency", show_default=True,
              help="Kind of rows that have no kind column.")
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and report the bad ones.")
@with_appcontext
def import_command(path, fmt, kind, skip_invalid):
    """Import agencies or employers from a CSV, JSON or XLSX file, in one transaction."""
    session = db.Session()
    with progress_bars() as progress:
        try:
            fmt = tables.detect_format(path, fmt)
            with open(path, "rb") as handle:
                report = importer.import_file(session, OPERATOR, handle.read(), fmt=fmt, default_kind=kind,
                                              skip_invalid=skip_invalid, progress=progress)
        except AppError as err:
            session.rollback()
            fail(path, err)
        progress(SAVING, 0, None)
        session.commit()
    click.echo(f"{path}: {report['rows']} rows; created {report['created']}, updated {report['updated']}, "
               f"unchanged {report['unchanged']}, skipped {len(report['skipped'])}")
    for problem in report["skipped"]:
        click.echo(f"  skipped row {problem['row']}, {problem['column']}: {problem['message']}", err=True)


@registry.command("export")
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True)
@click.option("--kind", type=click.Choice(("agency", "employer")), default="agency", show_default=True)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def export_command(fmt, kind, output):
    """Export agencies or employers in the layout the importer reads."""
    pieces = export.export_csv if fmt == "csv" else export.export_json
    for piece in pieces(db.Session(), kind):
        output.write(piece)


@registry.command("restore")
@click.argument("entity_id", type=int)
@with_appcontext
def restore_command(entity_id):
    """Bring a withdrawn agency or employer back (as the platform)."""
    session = db.Session()
    try:
        entity = service.restore_entity(session, OPERATOR, entity_id)
    except AppError as err:
        session.rollback()
        fail(f"entity {entity_id}", err)
    session.commit()
    click.echo(f"{entity.kind} {entity.id} {entity.legal_name} restored")


@click.group("change-requests")
def change_requests_group():
    """Corrections proposed to agencies' and employers' profiles: the stewards' queue (as the platform)."""


@change_requests_group.command("list")
@click.option("--state", type=click.Choice(change_requests.STATES), default="open", show_default=True)
@click.option("--entity", "entity_id", type=int, help="Only the requests about this entity.")
@with_appcontext
def list_command(state, entity_id):
    """List change requests, oldest first: id, entity, proposing organisation, fields, reason."""
    rows, total = change_requests.list_changes(db.Session(), OPERATOR, state=state, entity_id=entity_id,
                                               per_page=10_000)
    for change in rows:
        click.echo(f"{change.id}\tentity {change.entity_id}\torganisation {change.proposed_by_organisation_id}\t"
                   f"{', '.join(sorted(change.fields))}\t{change.reason}")
    click.echo(f"{total} {state} change request(s)", err=True)


@change_requests_group.command("decide")
@click.argument("change_id", type=int)
@click.argument("decision", type=click.Choice(("accept", "reject")))
@click.option("--reason", help="Why (required to reject; the proposer reads it).")
@click.option("--version", type=int, help="To accept: the entity version you read (default: its current one).")
@with_appcontext
def decide_command(change_id, decision, reason, version):
    """Accept a change request (applied as an update of the entity) or reject it with a reason."""
    session = db.Session()
    try:
        change = change_requests.get_change(session, OPERATOR, change_id)
        if decision == "accept" and version is None:
            version = change.entity.version
        change = change_requests.decide(session, OPERATOR, change_id, decision=f"{decision}ed",
                                        reason=reason, version=version)
    except AppError as err:
        session.rollback()
        fail(f"change request {change_id}", err)
    session.commit()
    click.echo(f"change request {change.id} {change.state}")
