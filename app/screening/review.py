"""Hit review: list hits, decide one or many (confirm, dismiss with a reason, escalate), and the facts that
confirmed hits give the scoring rules."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.bulk import CHUNK, any_of, chunks
from app.db import utcnow
from app.accounts import permissions
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.registry.models import Entity, PortfolioEntry
from app.registry.service import get_entity
from app.scoring import facts, rescoring
from app.screening.models import (DISMISS_REASONS, HIT_STATES, Hit, HitEvent, Screening, WatchlistEntry,
                                  WatchlistSource, WatchlistVersion)

DECISIONS = HIT_STATES
# Hits are unreviewed allegations: the platform and regulators read them, and decide them within their
# jurisdiction (app/accounts/permissions.py); organisations following an entity see its open hits as a possible
# match under review and its confirmed ones. A decision holds for every organisation.


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
    """One hit of a live entity, or NotFound."""
    hit = session.get(Hit, hit_id)
    if hit is None or hit.entity.deleted_at is not None:
        raise NotFound(f"No hit with id {hit_id}.")
    return hit


def followed_hits(session, actor, entity_id):
    """An entity's open, escalated and confirmed hits as a follower sees them: the platform and regulators read
    every hit; other organisations only for entities in their portfolio (others: NotFound)."""
    entity = get_entity(session, entity_id)
    if not permissions.allowed(actor, "hit.read"):
        followed = session.scalar(select(PortfolioEntry.id).where(PortfolioEntry.entity_id == entity_id,
                                                                  PortfolioEntry.organisation_id == actor.organisation_id))
        if followed is None:
            raise NotFound(f"Entity {entity_id} is not in your portfolio: follow it to see its watchlist status.")
    return session.scalars(select(Hit).options(joinedload(Hit.entry), joinedload(Hit.source))
                           .where(Hit.entity_id == entity.id, Hit.current.is_(True),
                                  Hit.state.in_(("open", "escalated", "confirmed")))
                           .order_by(Hit.score.desc(), Hit.id)).all()


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


def may_decide(actor, hit):
    """The platform, and regulators for entities they license."""
    return permissions.allowed(actor, "hit.decide", hit.entity)


def decide(session, hit_id, decision, *, actor):
    """Record a reviewer's decision on a hit; a decision made on a stale read gets 409."""
    hit = get_hit(session, hit_id)
    permissions.check(actor, "hit.decide", hit.entity, what="Deciding on this hit")
    errors = check_decision(decision)
    if errors:
        raise Invalid("The decision is incomplete.", errors)
    return apply(session, hit, decision, actor)


def decide_many(session, decisions, *, actor):
    """Decide several hits at once: all are recorded, or none (every problem is reported with its index)."""
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
    outside = [d["id"] for d in decisions if not may_decide(actor, hits[d["id"]])]
    if outside:
        raise Forbidden(f"Hits {', '.join(map(str, outside))} concern entities outside your jurisdiction; "
                        "no decision was recorded.")
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
        screened.update(session.scalars(select(Screening.entity_id)
                                        .where(any_of(session, Screening.entity_id, chunk)).distinct()))
        if first_list is not None:
            screened.update(session.scalars(select(Entity.id).where(any_of(session, Entity.id, chunk),
                                                                    Entity.created_at < first_list)))
    found = {entity_id: {"confirmed_hits": []} for entity_id in screened}
    for chunk in chunks(sorted(screened), CHUNK):
        rows = session.execute(
            select(Hit.entity_id, Hit.subject, WatchlistSource.name, WatchlistSource.kind, WatchlistEntry.name)
            .join(WatchlistSource, WatchlistSource.id == Hit.source_id)
            .join(WatchlistEntry, WatchlistEntry.id == Hit.watchlist_entry_id)
            .where(any_of(session, Hit.entity_id, chunk), Hit.state == "confirmed",
                   WatchlistEntry.removed_version_id.is_(None),
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
