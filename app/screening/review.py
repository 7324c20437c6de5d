"""Hit review: list hits, decide one or many (confirm, dismiss with a reason, escalate), and the facts that
confirmed hits give the scoring rules."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.bulk import CHUNK, chunks
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.registry.models import Entity
from app.registry.service import get_entity
from app.scoring import facts, rescoring
from app.screening.models import (DISMISS_REASONS, HIT_STATES, Hit, HitEvent, Screening, WatchlistEntry,
                                  WatchlistSource, WatchlistVersion)

DECISIONS = HIT_STATES
# Hits are unreviewed allegations: the platform and regulators read them; businesses see their outcome, a
# confirmed hit failing the watchlist rule of a score. A decision holds for every organisation.
HIT_READERS = ("platform", "government")
REVIEWER_ROLES = ("admin", "analyst", "registrar")


def hits_query(state=None, source=None, entity_id=None, current=None):
    """Hits filtered by state, list (source name), entity and whether the last screening still found them."""
    # Hits of deleted entities leave the queue (they stay in the database, with their history).
    query = (select(Hit).join(WatchlistSource, WatchlistSource.id == Hit.source_id)
             .join(Entity, Entity.id == Hit.entity_id).where(Entity.deleted_at.is_(None)))
    if state:
        query = query.where(Hit.state == state)
    if source:
        query = query.where(WatchlistSource.name == source)
    if entity_id:
        query = query.where(Hit.entity_id == entity_id)
    if current is not None:
        query = query.where(Hit.current.is_(current))
    return query


def list_hits(session, *, state=None, source=None, entity_id=None, current=None, page=1, per_page=50):
    """A page of hits, best scores first, and how many there are."""
    query = hits_query(state, source, entity_id, current)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.options(joinedload(Hit.entry), joinedload(Hit.source), joinedload(Hit.list_version))
                           .order_by(Hit.score.desc(), Hit.id).offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def get_hit(session, hit_id):
    """One hit, or NotFound."""
    hit = session.get(Hit, hit_id)
    if hit is None:
        raise NotFound(f"No hit with id {hit_id}.")
    return hit


def hit_history(session, hit_id):
    """What happened to a hit, oldest first."""
    return session.scalars(select(HitEvent).where(HitEvent.hit_id == hit_id).order_by(HitEvent.id)).all()


def check_decision(decision, where=""):
    """Field errors of one decision: a known state, and a reason (with a note for "other") to dismiss."""
    errors = {}
    state, reason, note = decision.get("state"), decision.get("reason"), (decision.get("note") or "").strip()
    if state not in DECISIONS:
        errors[f"{where}state"] = [f"Must be one of: {', '.join(DECISIONS)}."]
    if state == "dismissed":
        if reason not in DISMISS_REASONS:
            errors[f"{where}reason"] = [f"A dismissal needs a reason, one of: {', '.join(DISMISS_REASONS)}."]
        elif reason == "other" and not note:
            errors[f"{where}note"] = ["Say why in a note when the reason is \"other\"."]
    elif reason is not None:
        errors[f"{where}reason"] = ["Only a dismissal takes a reason."]
    return errors


def may_read(actor):
    return actor is not None and actor.organisation_kind in HIT_READERS


def may_review(actor):
    return may_read(actor) and actor.role in REVIEWER_ROLES


def check_reader(actor):
    """Only the platform and regulators read hits."""
    if not may_read(actor):
        raise Forbidden("Watchlist hits are read by the platform and by regulators; a confirmed hit shows in the "
                        "entity's score.")


def check_reviewer(actor):
    """Admins, analysts and registrars of the platform and of regulators decide hits."""
    if not may_review(actor):
        raise Forbidden("Hits are decided by the platform's analysts and by regulators' registrars.")


def decide(session, hit_id, decision, *, actor):
    """Record a reviewer's decision on a hit; a decision made on a stale read gets 409."""
    check_reviewer(actor)
    errors = check_decision(decision)
    if errors:
        raise Invalid("The decision is incomplete.", errors)
    return apply(session, get_hit(session, hit_id), decision, actor)


def decide_many(session, decisions, *, actor):
    """Decide several hits at once: all are recorded, or none (every problem is reported with its index)."""
    check_reviewer(actor)
    errors = {}
    for position, decision in enumerate(decisions):
        errors.update(check_decision(decision, f"decisions[{position}]."))
    if errors:
        raise Invalid("Some decisions are incomplete; none was recorded.", errors)
    hits = {hit.id: hit for hit in session.scalars(select(Hit).where(Hit.id.in_([d["id"] for d in decisions])))}
    missing = {f"decisions[{i}].id": [f"No hit with id {d['id']}."] for i, d in enumerate(decisions)
               if d["id"] not in hits}
    if missing:
        raise Invalid("Some hits do not exist; no decision was recorded.", missing)
    stale = {f"decisions[{i}].version": ["stale"] for i, d in enumerate(decisions)
             if d["version"] != hits[d["id"]].version}
    if stale:
        raise Conflict("Some hits changed since you read them; no decision was recorded. Read them again.", stale)
    return [apply(session, hits[d["id"]], d, actor) for d in decisions]


def apply(session, hit, decision, actor):
    if decision["version"] != hit.version:
        raise Conflict(f"This hit changed since you read it (you sent version {decision['version']}, it is now "
                       f"{hit.version}); read it again and decide again.", {"version": ["stale"]})
    hit.state = decision["state"]
    hit.reason = decision.get("reason")
    hit.note = (decision.get("note") or "").strip() or None
    hit.decided_by, hit.decided_at = actor.user_id, utcnow()
    session.add(HitEvent(hit_id=hit.id, state=hit.state, reason=hit.reason, note=hit.note,
                         entry_revision=hit.entry_revision, names_key=hit.names_key, by_user_id=actor.user_id))
    session.flush()
    rescoring.later(session, [hit.entity_id])
    return hit


@facts.provide
def confirmed_hits(session, entity_ids):
    """The confirmed_hits fact: confirmed hits on entries still listed; unknown for entities never screened.

    An entity is screened when it has a screening of its own, or when it was registered before the first list
    was loaded: every list's first version was then matched against it (reverse screening), and every later
    version's changes too. An entity bulk-imported since has neither, until `watchlist screen-registry`.
    """
    screened = set()
    first_list = session.scalar(select(func.min(WatchlistVersion.imported_at)).where(WatchlistVersion.number == 1))
    for chunk in chunks(sorted(entity_ids), CHUNK):
        screened.update(session.scalars(select(Screening.entity_id).where(Screening.entity_id.in_(chunk)).distinct()))
        if first_list is not None:
            screened.update(session.scalars(select(Entity.id).where(Entity.id.in_(chunk),
                                                                    Entity.created_at < first_list)))
    found = {entity_id: {"confirmed_hits": []} for entity_id in screened}
    for chunk in chunks(sorted(screened), CHUNK):
        rows = session.execute(
            select(Hit.entity_id, Hit.subject, WatchlistSource.name, WatchlistSource.kind, WatchlistEntry.name)
            .join(WatchlistSource, WatchlistSource.id == Hit.source_id)
            .join(WatchlistEntry, WatchlistEntry.id == Hit.watchlist_entry_id)
            .where(Hit.entity_id.in_(chunk), Hit.state == "confirmed", WatchlistEntry.removed_version_id.is_(None),
                   # A person's hit counts while they are the entity's person (the last screening found it).
                   (Hit.subject == "entity") | Hit.current.is_(True)))
        for entity_id, subject, source, kind, name in rows:
            found[entity_id]["confirmed_hits"].append({"list": source, "list_kind": kind, "name": name,
                                                       "subject": subject})
    return found


def latest_screening(session, entity_id):
    """The entity's last screening with its current hits, or NotFound if it was never screened."""
    get_entity(session, entity_id)
    screening = session.scalar(select(Screening).where(Screening.entity_id == entity_id)
                               .order_by(Screening.id.desc()).limit(1))
    if screening is None:
        raise NotFound(f"Entity {entity_id} has not been screened yet.")
    hits = list_hits(session, entity_id=entity_id, current=True, per_page=500)[0]
    return {"entity_id": entity_id, "screened_at": screening.screened_at, "threshold": screening.threshold,
            "list_versions": screening.list_versions, "reason": screening.reason, "hits": hits}
