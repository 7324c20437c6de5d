"""Watchlist import: parse every file first, then write the next version and its delta in one transaction.

An entry is recognised across versions by its publisher's id and compared by its content hash: new ids are
`added` (as are ids that come back after a removal), a different hash is `changed` (its revision goes up),
and ids no longer listed are `removed` (the row stays, marked with the version that removed it). Importing
the same files again records a version with no changes: the check itself is what an auditor looks for.
"""
from dataclasses import dataclass
import hashlib
import logging
from pathlib import Path
import re
import time

from sqlalchemy import bindparam, func, select, text, update

from app.bulk import any_of, chunks, insert_rows, paused_gc, postgresql, reserve_ids
from app.errors import Forbidden, Invalid
from app.progress import counted, silent
from app.screening import formats
from app.screening.formats import FormatError
from app.screening.models import SOURCE_KINDS, WatchlistChange, WatchlistEntry, WatchlistSource, WatchlistVersion

log = logging.getLogger(__name__)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONTENT = ("kind", "name", "aliases", "weak_aliases", "countries", "identifiers", "listed_on", "reason", "details")
ENTRY_ID_LENGTH = 100
IMPORT_LOCK = 4_2024_0001  # the PostgreSQL advisory lock key of list imports


@dataclass(frozen=True)
class ImportResult:
    """The version written and the publisher ids it added, changed and removed."""

    source: WatchlistSource
    version: WatchlistVersion
    created: bool
    unchanged: int
    delta: dict


def import_watchlist(session, source_name, format_name, paths, *, actor, title=None, publisher=None, kind=None,
                     progress=silent):
    """Import a source's files as its next version (creating the source on first import); raises Invalid.

    Only platform staff import: every organisation screens against the same lists. Nothing is written unless
    every file parses and every entry id is unique, so a bad file leaves the current version as it was.
    progress: called as the entries are read, compared with the current version and written (app/progress.py).
    """
    started = time.perf_counter()
    if actor.organisation_kind != "platform":
        raise Forbidden("Watchlists are shared by every organisation: only platform admins and analysts import them.")
    if postgresql(session):
        # One list import at a time, whatever the source: versions then commit in the order of their ids, which
        # is how every process's name index catches up (app/screening/indexes.py), and two first imports of
        # one new source cannot both create it.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK})
    source = session.scalar(select(WatchlistSource).where(WatchlistSource.name == source_name).with_for_update())
    format_name = check_request(source, source_name, format_name, paths, kind)
    with paused_gc():
        entries = read_entries(format_name, paths, progress)
        created = source is None
        if created:
            source = WatchlistSource(name=source_name, title=title or source_name, publisher=publisher, kind=kind,
                                     format=format_name)
            session.add(source)
        else:
            for field, value in (("title", title), ("publisher", publisher), ("kind", kind)):
                if value is not None and value != getattr(source, field):
                    setattr(source, field, value)
        session.flush()
        version, unchanged, delta = write_version(session, source, entries, format_name, paths, actor, progress)
    log.info("screening.list_imported source=%s version=%s entries=%s added=%s changed=%s removed=%s ms=%.0f",
             source.name, version.number, version.entry_count, version.added, version.changed, version.removed,
             (time.perf_counter() - started) * 1000)
    return ImportResult(source, version, created, unchanged, delta)


def check_request(source, source_name, format_name, paths, kind):
    """The format to read with, once the request makes sense; Invalid naming the field otherwise."""
    errors = {}
    if source is None:
        if not SLUG.match(source_name or "") or len(source_name) > 60:
            errors["source"] = [f"{source_name!r} is not a source name: use lower-case letters, digits and "
                                "hyphens (e.g. ofac-sdn), at most 60 characters."]
        if kind is None:
            errors["kind"] = [f"A new source needs its kind: one of {', '.join(SOURCE_KINDS)}."]
        if format_name is None:
            errors["format"] = [f"A new source needs its format: one of {', '.join(formats.FORMATS)}."]
    format_name = format_name or (source.format if source else None)
    if kind is not None and kind not in SOURCE_KINDS:
        errors["kind"] = [f"Must be one of: {', '.join(SOURCE_KINDS)}; got {kind!r}."]
    if format_name is not None and format_name not in formats.FORMATS:
        errors["format"] = [f"Must be one of: {', '.join(formats.FORMATS)}; got {format_name!r}."]
    elif source is not None and format_name != source.format:
        # Publishers' ids differ between formats: the delta would remove every entry and add it back.
        errors["format"] = [f"{source.name} is imported as {source.format}, not {format_name}; "
                            "import another format as a new source."]
    if not paths:
        errors["files"] = ["Give one or more files."]
    for path in paths:
        if not Path(path).is_file():
            errors.setdefault("files", []).append(f"{path}: no such file.")
    if errors:
        raise Invalid("The watchlist was not imported; nothing was written.", errors)
    return format_name


def read_entries(format_name, paths, progress=silent):
    """Every entry of the files, or Invalid listing each problem at its place."""
    try:
        entries = list(counted(formats.parse(format_name, [str(p) for p in paths]), progress, "reading entries"))
    except FormatError as err:
        problems = getattr(err, "problems", None) or [(err.where, err.message)]
        raise rejected(problems) from None
    if not entries:
        # An empty file is far likelier a failed download than a list that delisted everyone.
        raise rejected([(None, "The files hold no entries.")])
    positions = {}
    problems = []
    for position, entry in enumerate(entries, 1):
        positions.setdefault(entry.entry_id, []).append(position)
        if not entry.entry_id or len(entry.entry_id) > ENTRY_ID_LENGTH:
            problems.append((f"entry #{position}", f"the entry id must have 1 to {ENTRY_ID_LENGTH} characters; "
                                                   f"got {entry.entry_id!r}."))
    for entry_id, seen in positions.items():
        if len(seen) > 1 and entry_id:
            problems.append((f"entry {entry_id}", f"listed {len(seen)} times (entries "
                                                  f"{', '.join(f'#{p}' for p in seen)}); ids must be unique."))
    if problems:
        raise rejected(problems)
    return entries


def rejected(problems):
    """Invalid with every (place, message) problem, grouped by place."""
    errors = {}
    for where, message in problems:
        errors.setdefault(where or "file", []).append(message)
    return Invalid(f"The watchlist was not imported: {len(problems)} problem(s); nothing was written.", errors)


def files_sha256(paths):
    """SHA-256 of the files' bytes one after the other."""
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def content(entry):
    """The columns an entry's content is stored in."""
    return {"kind": entry.kind, "name": entry.name, "aliases": list(entry.aliases),
            "weak_aliases": list(entry.weak_aliases), "countries": list(entry.countries),
            "identifiers": [list(pair) for pair in entry.identifiers], "listed_on": entry.listed_on,
            "reason": entry.reason, "details": entry.details}


@dataclass
class Delta:
    """How the parsed entries differ from the source's stored ones."""

    new: list        # (entry, content hash) of ids never seen
    rewritten: list  # (stored row, entry, content hash): changed, or listed again after a removal
    gone: list       # stored rows listed no more
    unchanged: int

    @property
    def back(self):
        return [(row, entry, digest) for row, entry, digest in self.rewritten if row.removed_version_id is not None]

    def ids(self):
        """{change kind: sorted publisher ids}."""
        back = {entry.entry_id for _, entry, _ in self.back}
        rewritten = {entry.entry_id for _, entry, _ in self.rewritten}
        return {"added": sorted({entry.entry_id for entry, _ in self.new} | back),
                "changed": sorted(rewritten - back), "removed": sorted(row.entry_id for row in self.gone)}


def compare(session, source, entries, progress=silent):
    """The delta of the parsed entries against the source's stored ones, by publisher id and content hash."""
    table = WatchlistEntry.__table__
    known = {row.entry_id: row for row in session.execute(
        select(table.c.id, table.c.entry_id, table.c.content_hash, table.c.revision, table.c.removed_version_id)
        .where(table.c.source_id == source.id))}
    delta = Delta([], [], [], 0)
    for entry in counted(entries, progress, "comparing with the current version"):
        digest = entry.content_hash()
        row = known.get(entry.entry_id)
        if row is None:
            delta.new.append((entry, digest))
        elif row.removed_version_id is not None or row.content_hash != digest:
            delta.rewritten.append((row, entry, digest))
        else:
            delta.unchanged += 1
    listed = {entry.entry_id for entry in entries}
    delta.gone = [row for entry_id, row in known.items() if row.removed_version_id is None and entry_id not in listed]
    return delta


def write_version(session, source, entries, format_name, paths, actor, progress=silent):
    """Write the next version with its delta: new entries, rewritten ones, removals and the change rows.

    Returns (version, unchanged count, {change kind: publisher ids}).
    """
    delta = compare(session, source, entries, progress)
    back = len(delta.back)
    previous = source.current_version
    number = (session.scalar(select(func.max(WatchlistVersion.number))
                             .where(WatchlistVersion.source_id == source.id)) or 0) + 1
    version = WatchlistVersion(source_id=source.id, number=number, format=format_name,
                               files=[Path(p).name for p in paths], sha256=files_sha256(paths),
                               entry_count=len(entries), added=len(delta.new) + back,
                               changed=len(delta.rewritten) - back, removed=len(delta.gone),
                               imported_by=actor.user_id, status="current")
    session.add(version)
    if previous is not None:
        previous.status = "superseded"
    session.flush()

    table = WatchlistEntry.__table__
    changes = insert_entries(session, source, version, delta.new, progress)
    changes += rewrite_entries(session, version, delta.rewritten, progress)
    for chunk in chunks(delta.gone):
        session.execute(update(table).where(any_of(session, table.c.id, [row.id for row in chunk]))
                        .values(removed_version_id=version.id))
    changes += [{"version_id": version.id, "watchlist_entry_id": row.id, "kind": "removed", "revision": row.revision,
                 "previous_hash": None, "previous": None} for row in delta.gone]
    for chunk in chunks(changes):
        insert_rows(session, WatchlistChange.__table__, chunk)

    # The column, not the relationship, so that the audit log sees the switch.
    source.current_version_id = version.id
    session.flush()
    session.expire(source, ["current_version"])
    # The entries were written past the ORM: any already loaded in this session would show their old content.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, WatchlistEntry):
            session.expire(obj)
    return version, delta.unchanged, delta.ids()


def insert_entries(session, source, version, new, progress=silent):
    """Insert entries never seen before; returns their change rows."""
    ids = reserve_ids(session, WatchlistEntry.__table__, len(new))
    changes = []
    progress("adding new entries", 0, len(new))
    for chunk, chunk_ids in zip(chunks(new), chunks(ids)):
        insert_rows(session, WatchlistEntry.__table__, [
            {"id": entry_row_id, "source_id": source.id, "entry_id": entry.entry_id, **content(entry),
             "content_hash": digest, "revision": 1, "first_version_id": version.id,
             "last_changed_version_id": version.id, "removed_version_id": None}
            for entry_row_id, (entry, digest) in zip(chunk_ids, chunk)])
        changes += [{"version_id": version.id, "watchlist_entry_id": entry_row_id, "kind": "added", "revision": 1,
                     "previous_hash": None, "previous": None} for entry_row_id in chunk_ids]
        progress("adding new entries", len(changes), len(new))
    return changes


def rewrite_entries(session, version, rewritten, progress=silent):
    """Overwrite changed entries and those listed again, keeping what they replaced in the change rows."""
    table = WatchlistEntry.__table__
    changes = []
    progress("rewriting changed entries", 0, len(rewritten))
    for chunk in chunks(rewritten):
        before = {row.id: row for row in session.execute(
            select(table.c.id, *(table.c[c] for c in CONTENT))
            .where(any_of(session, table.c.id, [row.id for row, _, _ in chunk])))}
        values = []
        for row, entry, digest in chunk:
            differs = digest != row.content_hash
            revision = row.revision + 1 if differs else row.revision
            values.append({"b_id": row.id, **content(entry), "content_hash": digest, "revision": revision,
                           "last_changed_version_id": version.id, "removed_version_id": None})
            old = before[row.id]
            changes.append({"version_id": version.id, "watchlist_entry_id": row.id,
                            "kind": "added" if row.removed_version_id is not None else "changed",
                            "revision": revision, "previous_hash": row.content_hash if differs else None,
                            "previous": {c: getattr(old, c) for c in CONTENT} if differs else None})
        session.execute(update(table).where(table.c.id == bindparam("b_id")), values)
        progress("rewriting changed entries", len(changes), len(rewritten))
    return changes
