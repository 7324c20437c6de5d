"""`fairrecruit audits import FILE --organisation NAME`: audits with their findings and corrective actions."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app import db
from app.accounts.cli import OPERATOR
from app.accounts.models import Organisation
from app.audits import importer
from app.cli import fail
from app.errors import AppError
from app.registry import tables


@click.group("audits")
def audits_group():
    """Audits, their findings and corrective actions."""


@audits_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--organisation", "organisation_name", required=True,
              help="The organisation that performed the audits: a certification body or a business.")
@click.option("--format", "fmt", type=click.Choice(tables.FORMATS), help="Default: from the file's extension.")
@click.option("--skip-invalid", is_flag=True, help="Import the audits without a bad row and report the others.")
@with_appcontext
def import_command(path, organisation_name, fmt, skip_invalid):
    """Import audits with their findings and corrective actions (all or none); reported ones re-score."""
    session = db.Session()
    organisation = session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    if organisation is None:
        raise click.BadParameter(f"No organisation is named {organisation_name!r}.", param_hint="--organisation")
    try:
        with open(path, "rb") as handle:
            report = importer.import_audits(session, OPERATOR, handle.read(), fmt=tables.detect_format(path, fmt),
                                            organisation_id=organisation.id, skip_invalid=skip_invalid)
        session.commit()  # the re-scores run here, and refuse rules changed since they were activated
    except AppError as err:
        session.rollback()
        fail(path, err)
    click.echo(f"{path}: {report['rows']} rows; {report['audits']} audits with {report['findings']} findings and "
               f"{report['actions']} corrective actions imported for {organisation.name} ({report['entities']} "
               f"entities re-scored), skipped {len(report['skipped'])}")
    for problem in report["skipped"]:
        click.echo(f"  skipped row {problem['row']}, {problem['column']}: {problem['message']}", err=True)
