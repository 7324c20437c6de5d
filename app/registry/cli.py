"""Registry commands: bulk import and export."""

import click
from flask.cli import with_appcontext

from app import db
from app.accounts.cli import OPERATOR
from app.cli import fail
from app.errors import AppError
from app.registry import export, importer, tables


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
    try:
        fmt = tables.detect_format(path, fmt)
        with open(path, "rb") as handle:
            report = importer.import_file(session, OPERATOR, handle.read(), fmt=fmt, default_kind=kind,
                                          skip_invalid=skip_invalid)
    except AppError as err:
        session.rollback()
        fail(path, err)
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
