"""The listing and the name indexes kept in a file between starts of gunicorn's master (app/prefork.py).

Building them for 100,000 agencies and the usual watchlists takes the master 15 to 40 s on 2 cores; loading
what an earlier start saved takes about a second, after which they catch up from the registry generation and the
list versions as in any process. A snapshot is loaded only when it was written by the same code and libraries,
signed with this app's SECRET_KEY (unpickling runs code: a file written by anyone else must not be read), and
when the registry and lists it saw are still the database's history: a database dropped and seeded again, or
restored from an older backup, is built afresh.
"""
from array import array
import hashlib
import hmac
import os
from pathlib import Path
import pickle
import sys
import sysconfig
import tempfile

from sqlalchemy import select

from app import db
from app.bulk import paused_gc
from app.accounts.models import AuditEvent
from app.registry import listing
from app.registry.models import Entity
from app.screening import indexes
from app.screening.models import WatchlistVersion

MAGIC = b"FairRecruit snapshot 1\n"
LOADED = "loaded"
LISTING_FIELDS = ("generation", "day", "packed", "changed", "postings", "orders")
INDEXES_FIELDS = ("lists", "registry", "lists_version", "registry_generation")


def path_of(app, url):
    """Where the snapshot of one database goes: SNAPSHOT_DIR, by default instance/snapshots."""
    folder = app.config.get("SNAPSHOT_DIR") or os.path.join(app.instance_path, "snapshots")
    return Path(folder) / f"{hashlib.sha256(url.encode()).hexdigest()[:20]}.pickle"


def code_version():
    """A digest of the application's files, Python and the installed libraries: other code may normalise names
    or build listing entries otherwise."""
    digest = hashlib.sha256(sys.version.encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    # The installed distributions by their metadata folders' names ("rapidfuzz-3.9.7.dist-info"): reading each
    # one's metadata would take a tenth of a second. Only site-packages: gunicorn puts its working directory on
    # sys.path (where an editable install leaves fairrecruit.egg-info) and `fairrecruit snapshot` does not.
    for folder in sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}):
        if os.path.isdir(folder):
            digest.update("\n".join(sorted(name for name in os.listdir(folder)
                                           if name.endswith((".dist-info", ".egg-info")))).encode())
    return digest.hexdigest()


def key_of(app):
    return hashlib.sha256(b"snapshot\0" + str(app.config["SECRET_KEY"]).encode()).digest()


def history(session, event_id=None):
    """What the database holds now: each list version's (id, sha256), each entity's (id, generation), and the
    last audit event (or the one numbered event_id) as (id, at)."""
    versions = [tuple(row) for row in session.execute(select(WatchlistVersion.id, WatchlistVersion.sha256)
                                                      .order_by(WatchlistVersion.id))]
    ids, generations = array("Q"), array("Q")
    for entity_id, generation in session.execute(select(Entity.id, Entity.generation)):
        ids.append(entity_id)
        generations.append(generation)
    event = select(AuditEvent.id, AuditEvent.at)
    event = session.execute(event.order_by(AuditEvent.id.desc()).limit(1) if event_id is None
                            else event.where(AuditEvent.id == event_id)).first()
    return {"versions": versions, "entities": (ids, generations), "event": tuple(event) if event else None}


def continues(saved, now, lists_version, generation):
    """Whether the database's history `now` continues the one `saved` up to the list version and registry
    generation a snapshot was caught up to: the same audit event where its last one was (a database restored
    from an older backup, or seeded again, wrote others there since), the same list versions up to it, and every
    entity at or below the generation then still there at the same one, or moved on past it (and no other at or
    below it)."""
    if saved["event"] != now["event"]:
        return False
    if [v for v in now["versions"] if v[0] <= lists_version] != \
            [v for v in saved["versions"] if v[0] <= lists_version]:
        return False
    then = dict(zip(*saved["entities"]))
    for entity_id, current in zip(*now["entities"]):
        before = then.pop(entity_id, None)
        if current <= generation and before != current:
            return False
    return all(before > generation for before in then.values())


def save(app, path=None):
    """Write this process's listing and name indexes of the app's database (as caught up so far) to its
    snapshot file, atomically, readable by the service's user only. Returns the file's path."""
    with app.app_context():
        session = db.Session()
        url = str(session.get_bind().engine.url)
        seen = history(session)
        db.Session.remove()
    built_listing, built_indexes = listing.LISTINGS[url], indexes.INDEXES[url]
    with built_listing.lock, built_indexes.lock:
        header = {"code": code_version(), "url": url, "history": seen,
                  "generations": (built_listing.generation, built_indexes.registry_generation),
                  "lists_version": built_indexes.lists_version}
        body = pickle.dumps(({f: getattr(built_listing, f) for f in LISTING_FIELDS},
                             {f: getattr(built_indexes, f) for f in INDEXES_FIELDS}), pickle.HIGHEST_PROTOCOL)
    header = pickle.dumps(header, pickle.HIGHEST_PROTOCOL)
    parts = (len(header).to_bytes(8, "big"), header, body)
    signature = hmac.new(key_of(app), digestmod="sha256")
    for part in parts:
        signature.update(part)
    path = path or path_of(app, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    try:
        with os.fdopen(handle, "wb") as out:
            for part in (MAGIC, signature.digest(), *parts):
                out.write(part)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def load(app, path=None):
    """Install the snapshot of the app's database in this process as its listing and name indexes, if there is
    a usable one (see the module's docstring); returns LOADED, or why it did not. The caller then catches them
    up."""
    with app.app_context():
        session = db.Session()
        try:
            return install(session, key_of(app), path or path_of(app, str(session.get_bind().engine.url)))
        finally:
            db.Session.remove()


def install(session, key, path):
    """The work of load, in a session, from the file at `path`."""
    url = str(session.get_bind().engine.url)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "no snapshot yet"
    # Sliced without copying: the file holds hundreds of megabytes.
    view = memoryview(data)
    start = len(MAGIC) + 32
    if not data.startswith(MAGIC) or not hmac.compare_digest(view[len(MAGIC):start],
                                                             hmac.digest(key, view[start:], "sha256")):
        return "not signed with this SECRET_KEY"
    body = start + 8 + int.from_bytes(view[start:start + 8], "big")
    header = pickle.loads(view[start + 8:body])
    if header["code"] != code_version():
        return "made by other code or libraries"
    if header["url"] != url:
        return "made for another database"
    saved = header["history"]
    now = history(session, saved["event"] and saved["event"][0])
    if not all(continues(saved, now, header["lists_version"], generation) for generation in header["generations"]):
        return "the database's history differs from what it saw"
    with paused_gc():
        listing_fields, indexes_fields = pickle.loads(view[body:])
    listing.LISTINGS[url] = listing.Listing(**listing_fields)
    indexes.INDEXES[url] = indexes.Indexes(**indexes_fields)
    return LOADED
