"""The watchlist sweep: the configured sources' files fetched (a conditional GET for URLs: If-None-Match and
If-Modified-Since; a read for local paths), and imported as a new version, then screened against the registry
like `fairrecruit watchlist import`, only when their content changed."""
from dataclasses import dataclass
import hashlib
import logging
from pathlib import Path
import tempfile
import urllib.error
from urllib.parse import unquote, urlsplit
import urllib.request

from sqlalchemy import select
from sqlalchemy.dialects import postgresql as pg_dialect, sqlite as sqlite_dialect

from app.accounts.cli import OPERATOR
from app.bulk import postgresql, skip_locked
from app.errors import AppError
from app.screening import formats
from app.screening.importer import SLUG
from app.screening.models import SOURCE_KINDS, WatchlistFetch, WatchlistSource, WatchlistVersion
from app.screening.screen import import_and_screen

log = logging.getLogger(__name__)
USER_AGENT = "FairRecruit-Watchlists/1"


class FetchError(Exception):
    """A file of a source could not be fetched; the current version stays."""


@dataclass(frozen=True)
class Source:
    """A watchlist the scheduler keeps up to date (one item of WATCHLIST_SOURCES)."""

    name: str
    format: str
    kind: str
    files: tuple[str, ...]
    title: str | None = None
    publisher: str | None = None


def configured_sources(items):
    """The sources of WATCHLIST_SOURCES; a bad one raises ValueError naming each problem's place."""
    problems, sources = [], []
    if not isinstance(items, list):
        raise ValueError("WATCHLIST_SOURCES: must be a list of sources")
    for index, item in enumerate(items):
        where = f"WATCHLIST_SOURCES[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be an object with name, format, kind and files")
            continue
        unknown = set(item) - {"name", "format", "kind", "files", "title", "publisher"}
        problems += [f"{where}.{key}: unknown setting" for key in sorted(unknown)]
        name, files = item.get("name"), item.get("files")
        if not isinstance(name, str) or not SLUG.match(name) or len(name) > 60:
            problems.append(f"{where}.name: {name!r} is not a source name (lower-case letters, digits and hyphens)")
        if item.get("format") not in formats.FORMATS:
            problems.append(f"{where}.format: {item.get('format')!r} is not one of {', '.join(formats.FORMATS)}")
        if item.get("kind") not in SOURCE_KINDS:
            problems.append(f"{where}.kind: {item.get('kind')!r} is not one of {', '.join(SOURCE_KINDS)}")
        files = [files] if isinstance(files, str) else files
        if not files or not isinstance(files, list) or not all(isinstance(f, str) and f.strip() for f in files):
            problems.append(f"{where}.files: give a URL or a path, or a list of them")
            files = []
        for position, location in enumerate(files):
            scheme = urlsplit(location).scheme
            if scheme and len(scheme) > 1 and scheme not in ("http", "https"):
                problems.append(f"{where}.files[{position}]: {location!r}: only http(s) URLs and local paths")
        if not problems:
            sources.append(Source(name, item["format"], item["kind"], tuple(files), item.get("title"),
                                  item.get("publisher")))
    if problems:
        raise ValueError("; ".join(problems))
    return sources


@dataclass
class Fetched:
    location: str
    data: bytes | None  # None: not modified since the last fetch
    etag: str | None = None
    last_modified: str | None = None


def remote(location):
    return urlsplit(location).scheme in ("http", "https")


def fetch(location, state, timeout, max_bytes):
    """A file's bytes, or None when the server says it has not changed since `state` (the last fetch)."""
    if not remote(location):
        path = Path(location)
        try:
            if path.stat().st_size > max_bytes:
                raise FetchError(f"{location}: larger than {max_bytes} bytes")
            return Fetched(location, path.read_bytes())
        except OSError as err:
            raise FetchError(f"{location}: {err.strerror or err}") from None
    headers = {"User-Agent": USER_AGENT}
    if state is not None and state.sha256:
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
    try:
        with urllib.request.urlopen(urllib.request.Request(location, headers=headers),  # noqa: S310 (http(s) only)
                                    timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(f"{location}: larger than {max_bytes} bytes")
            return Fetched(location, data, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as err:
        if err.code == 304:
            return Fetched(location, None, err.headers.get("ETag") or state.etag,
                           err.headers.get("Last-Modified") or state.last_modified)
        raise FetchError(f"{location}: HTTP {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        raise FetchError(f"{location}: {getattr(err, 'reason', err)}") from None


def fetch_states(session, source):
    """{location: WatchlistFetch} of a source's files, rows made for new ones (committed)."""
    table = WatchlistFetch.__table__
    insert = (pg_dialect.insert if postgresql(session) else sqlite_dialect.insert)(table)
    for location in source.files:
        session.execute(insert.values(source_name=source.name, location=location).on_conflict_do_nothing())
    rows = session.scalars(select(WatchlistFetch).where(WatchlistFetch.source_name == source.name,
                                                        WatchlistFetch.location.in_(source.files))).all()
    session.commit()
    return {row.location: row for row in rows}


def refresh_sources(session, now, sources, *, threshold, timeout, max_bytes, processes=1):
    """Refresh each source; one that fails is logged with its reason and the others go on. Returns how many new
    versions were imported. processes: how many search the registry for a new version's entries."""
    imported = 0
    for source in sources:
        try:
            imported += refresh_source(session, now, source, threshold=threshold, timeout=timeout,
                                       max_bytes=max_bytes, processes=processes)
        except (FetchError, AppError) as err:
            session.rollback()
            problem = str(err) if isinstance(err, FetchError) else f"{err.message} {err.errors or ''}".strip()
            log.warning("scheduler.watchlist_failed source=%s problem=%s", source.name, problem)
            for state in session.scalars(select(WatchlistFetch).where(WatchlistFetch.source_name == source.name)):
                state.checked_at, state.last_error = now, problem[:300]
            session.commit()
    return imported


def refresh_source(session, now, source, *, threshold, timeout, max_bytes, processes=1):
    """Import the source's files as a new version if their content changed: 1 if it did, else 0."""
    states = fetch_states(session, source)
    # Fetched with no transaction open: a slow download holds up no writer.
    fetched = [fetch(location, states[location], timeout, max_bytes) for location in source.files]
    if all(item.data is None for item in fetched):
        return settle(session, source, now, fetched, None)
    # Some file changed: the others' content is needed too (a version is all of a source's files).
    fetched = [item if item.data is not None else fetch(item.location, None, timeout, max_bytes) for item in fetched]
    digest = hashlib.sha256(b"".join(item.data for item in fetched)).hexdigest()
    current = session.scalar(select(WatchlistVersion.sha256).join(
        WatchlistSource, WatchlistSource.current_version_id == WatchlistVersion.id)
        .where(WatchlistSource.name == source.name))
    if digest == current:
        return settle(session, source, now, fetched, None)
    # Another process importing this source holds its rows: it does the work.
    claimed = session.scalars(skip_locked(session, select(WatchlistFetch.id).where(
        WatchlistFetch.source_name == source.name, WatchlistFetch.location.in_(source.files)))).all()
    if len(claimed) < len(source.files):
        session.rollback()
        return 0
    with tempfile.TemporaryDirectory(prefix="fairrecruit-list-") as directory:
        paths = []
        for position, item in enumerate(fetched):
            # The file's own name: formats with several files (ofac-csv) tell them apart by name.
            path = Path(directory) / str(position) / file_name(item.location)
            path.parent.mkdir()
            path.write_bytes(item.data)
            paths.append(str(path))
        result, screened = import_and_screen(session, source.name, source.format, paths, actor=OPERATOR,
                                             threshold=threshold, processes=processes, kind=source.kind,
                                             title=source.title, publisher=source.publisher)
    log.info("scheduler.watchlist_imported source=%s version=%s added=%s changed=%s removed=%s screened=%s",
             source.name, result.version.number, result.version.added, result.version.changed,
             result.version.removed, len(screened))
    return settle(session, source, now, fetched, digest)


def file_name(location):
    """The last part of a URL's path or a file's path."""
    name = unquote(urlsplit(location).path.rsplit("/", 1)[-1]) if remote(location) else Path(location).name
    return name or "list"


def settle(session, source, now, fetched, changed):
    """Record what was fetched (validators, digest, when); `changed` is the new version's digest, if one was
    imported. Commits; returns 1 if a version was imported, else 0."""
    states = {row.location: row for row in session.scalars(
        select(WatchlistFetch).where(WatchlistFetch.source_name == source.name))}
    for item in fetched:
        state = states[item.location]
        state.checked_at, state.last_error = now, None
        if item.data is not None:
            state.etag, state.last_modified = item.etag, item.last_modified
            state.sha256 = hashlib.sha256(item.data).hexdigest()
        if changed:
            state.changed_at = now
    session.commit()
    return 1 if changed else 0
