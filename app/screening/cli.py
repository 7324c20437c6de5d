"""`fairrecruit watchlist import|sources|screen-registry` and `fairrecruit screen`: load and refresh watchlists,
screen the registry, screen a file of names."""
import os
from pathlib import Path
import tempfile
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from app import db, effects
from app.accounts.cli import OPERATOR
from app.cli import SAVING, fail, progress_bars
from app.errors import AppError
from app.screening import batch, formats, screen, service
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
    with progress_bars() as progress:
        effects.show_progress(session, progress)   # the re-scores the screening sets off run at the commit
        try:
            result, screened = screen.import_and_screen(
                session, source_name, format_name, list(paths), actor=OPERATOR, title=title, publisher=publisher,
                kind=kind, threshold=current_app.config["SCREENING_THRESHOLD"],
                processes=current_app.config["SCREENING_PROCESSES"], progress=progress)
        except AppError as err:
            session.rollback()
            fail(source_name, err)
        progress(SAVING, 0, None)
        session.commit()
    version = result.version
    click.echo(f"{result.source.name} version {version.number}{' (new source)' if result.created else ''}: "
               f"{version.entry_count} entries; added {version.added}, changed {version.changed}, "
               f"removed {version.removed}, unchanged {result.unchanged}; "
               f"{len(screened)} registered entities screened for the changes")


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


@watchlist_group.command("screen-registry")
@with_appcontext
def screen_registry_command():
    """Screen every registered entity against the loaded lists (after a bulk registry import, say)."""
    session = db.Session()
    threshold = current_app.config["SCREENING_THRESHOLD"]
    started = time.perf_counter()
    with progress_bars() as progress:
        try:
            count, hits = screen.screen_registry(session, threshold=threshold,
                                                 processes=current_app.config["SCREENING_PROCESSES"], progress=progress)
        except AppError as err:
            raise click.ClickException(err.message) from None
        progress(SAVING, 0, None)
        session.commit()
    click.echo(f"{count} entities screened, {hits} hits at or above {threshold}, "
               f"in {time.perf_counter() - started:.1f} s")


def list_names(ctx, param, value):
    """The --lists option as a set of source names, each one known."""
    if not value:
        return None
    names = {name.strip() for name in value.split(",") if name.strip()}
    known = {source.name for source in service.list_sources(db.Session())}
    if names - known:
        raise click.BadParameter(f"no watchlist named {', '.join(sorted(names - known))}; loaded: "
                                 f"{', '.join(sorted(known)) or 'none'}.")
    return names


@click.command("screen")
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with columns id,name and optional kind,country,aliases,identifiers.")
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="JSON lines written here: one line per input row with its hits, best first.")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Default: the configured SCREENING_THRESHOLD.")
@click.option("--lists", callback=list_names, expose_value=True, help="Comma-separated source names; default all.")
@click.option("--strict", is_flag=True,
              help="Screen nothing if any row is unusable; by default such rows are reported in the output.")
@with_appcontext
def screen_command(input_path, output_path, threshold, lists, strict):
    """Screen every name of a CSV file against the lists; nothing is stored."""
    session = db.Session()
    threshold = current_app.config["SCREENING_THRESHOLD"] if threshold is None else threshold
    try:
        rows = batch.read_queries(input_path, strict=strict)
    except AppError as err:
        fail(input_path, err)
    queries = [row for row in rows if not isinstance(row[2], dict)]
    started = time.perf_counter()
    hits = 0
    # Written beside the output and renamed at the end: a failed run leaves no half-written file.
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=output_path.resolve().parent, delete=False,
                                     suffix=".partial") as out:
        try:
            results = iter(screen.screen_names(session, [query for _, _, query in queries], threshold=threshold,
                                               lists=lists))
            for row_id, name, query in rows:
                if isinstance(query, dict):
                    out.write(batch.problem_line(row_id, name, query) + "\n")
                    continue
                _, found = next(results)
                hits += len(found)
                out.write(batch.result_line(row_id, name, found) + "\n")
        except BaseException:
            os.unlink(out.name)
            raise
    os.replace(out.name, output_path)
    skipped = len(rows) - len(queries)
    click.echo(f"{len(queries)} names screened, {hits} hits at or above {threshold}, "
               f"in {time.perf_counter() - started:.1f} s: {output_path}" +
               (f"; {skipped} row(s) not screened, their problems are in the output" if skipped else ""))
