"""`fairrecruit watchlist import|sources`: load and refresh watchlists, see what is loaded."""
import sys

import click
from flask.cli import with_appcontext

from app import db
from app.accounts.cli import OPERATOR
from app.errors import AppError
from app.screening import formats, importer, service
from app.screening.models import SOURCE_KINDS


@click.group("watchlist")
def watchlist_group():
    """Watchlists: sanctions, debarment and banned-agency lists."""


def known_format(ctx, param, value):
    """The format as given, if there is an importer of that name."""
    if value is not None and value not in formats.FORMATS:
        raise click.BadParameter(f"{value!r} is not a watchlist format; use one of: {', '.join(formats.FORMATS)}.")
    return value


@watchlist_group.command("import")
@click.option("--source", "source_name", required=True, help="The source's name, e.g. ofac-sdn.")
@click.option("--format", "format_name", callback=known_format,
              help="The importer (e.g. ofac-csv); default for a known source: the one it uses.")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), help="Needed for a new source.")
@click.option("--title", help="Default for a new source: its name.")
@click.option("--publisher")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(source_name, format_name, kind, title, publisher, paths):
    """Import PATHS as the next version of a source (created on first import) and print the delta."""
    session = db.Session()
    try:
        result = importer.import_watchlist(session, source_name, format_name, list(paths), actor=OPERATOR,
                                           title=title, publisher=publisher, kind=kind)
    except AppError as err:
        session.rollback()
        click.echo(f"{source_name}: {err.message}", err=True)
        for where, messages in err.errors.items():
            for message in messages:
                click.echo(f"  {where}: {message}", err=True)
        sys.exit(1)
    session.commit()
    version = result.version
    click.echo(f"{result.source.name} version {version.number}{' (new source)' if result.created else ''}: "
               f"{version.entry_count} entries; added {version.added}, changed {version.changed}, "
               f"removed {version.removed}, unchanged {result.unchanged}")


@watchlist_group.command("sources")
@with_appcontext
def sources_command():
    """List the sources with their current version and how many entries they list."""
    found = service.list_sources(db.Session())
    if not found:
        click.echo("no watchlists yet; load one with 'fairrecruit watchlist import'")
    for source in found:
        version = source.current_version
        current = (f"version {version.number} of {version.imported_at:%Y-%m-%d %H:%M}, {version.entry_count} entries"
                   if version else "no version")
        click.echo(f"{source.name:<24} {source.kind:<14} {source.format:<18} {current}  {source.title}")
