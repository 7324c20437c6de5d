"""The public lookup: one box that takes an agency's name (typos and all) or its licence number (in any digits,
with any separators), and suggestions when nothing matches. Public fields only: list summaries."""
import gc
import json

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import db
from app.errors import NotFound
from app.registry import listing, service
from app.registry.models import Entity, Licence
from app.registry.names import licence_key
from app.screening import indexes
from app.screening.index import Query
from app.screening.normalize import normalize
from app.screening.screen import similar_entities

# Looser than the search's own threshold: these are offered as "did you mean", never as results.
SUGGEST_THRESHOLD = 0.3
SUGGESTIONS = 5


def is_licence_number(text):
    """Whether the text reads as a licence number: its key has a digit (in any script, see licence_key)."""
    return any(c.isdigit() for c in licence_key(text))


def find_agencies(session, text, *, page=1, per_page=20):
    """(summaries as dicts, total, "licence" or "name"): agencies whose licence number is the text, else those
    whose names contain or resemble it."""
    text = (text or "").strip()
    if not text:
        return [], 0, "name"
    if is_licence_number(text):
        rows, total = service.list_entities(session, "agency", {"licence_number": text}, page=page,
                                            per_page=per_page)
        if total:
            return [json.loads(row) for row in rows], total, "licence"
    near = similar_entities(session, text)
    rows, total = service.list_entities(session, "agency", {"q": text}, page=page, per_page=per_page, near=near)
    return [json.loads(row) for row in rows], total, "name"


def suggest(session, text, limit=SUGGESTIONS):
    """Summaries of the agencies whose names come nearest the text, best first (for a search that found none)."""
    if not normalize(text or "").tokens:
        return []
    index = indexes.current(session, registry=True).registry
    matches = index.search(Query((text,)), threshold=SUGGEST_THRESHOLD, limit=limit * 4, groups={"entity"})
    live = listing.current(session)
    found = [m.key[1] for m in matches if m.key[1] in live and live.kind(m.key[1]) == "agency"]
    return [json.loads(live.summary(entity_id)) for entity_id in found[:limit]]


def public_agency(session, entity_id):
    """The live agency with this id and what its public page shows, read in one query, or NotFound."""
    # One joined query: an agency has a few names, licences and status changes, and on SQLite this is half the
    # time of a query per collection.
    entity = session.scalars(select(Entity).where(Entity.id == entity_id).options(
        joinedload(Entity.aliases), joinedload(Entity.sectors), joinedload(Entity.addresses),
        joinedload(Entity.licences).joinedload(Licence.destinations),
        joinedload(Entity.licences).joinedload(Licence.sectors),
        joinedload(Entity.licences).joinedload(Licence.history))).unique().one_or_none()
    if entity is None or entity.deleted_at is not None or entity.kind != "agency":
        raise NotFound(f"No agency with id {entity_id}.")
    return entity


def warm(app):
    """Make a new server process answer its first searches as fast as the later ones (see gunicorn.conf.py):
    one name search builds what the name index builds at its first query (most of a second), then what the
    process holds so far (the listing, the name indexes) is set aside from garbage collection, which would
    otherwise walk those millions of objects at unpredictable requests and hold them up for as long."""
    with app.app_context():
        find_agencies(db.Session(), "warm up")
        db.Session.remove()
    gc.freeze()
