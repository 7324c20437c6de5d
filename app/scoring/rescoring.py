"""Scoring when facts change: a new entity, a licence's status or dates, a certification status, a hit.

Scoring follows the registry (the registry knows nothing of scoring): the entities whose facts a flush changed
are noted, and scored together by the commit's scoring phase (app/pipeline.py), in that same transaction.
"""
import logging

from sqlalchemy import bindparam, func, inspect, select, update

from app.bulk import any_of, chunks
from app.db import utcnow
from app.effects import drop, later as effect_later, progress_of
from app.errors import Conflict
from app.registry.models import Entity, Licence, LicenceStatusChange
from app.scoring.activation import active_rule_set

log = logging.getLogger(__name__)
WATCHED = {Entity: ("certification_status", "deleted_at"), Licence: ("status", "valid_until")}
REASON = "registry facts changed"


def changed_entities(session):
    """(entity id, reason) for the entities whose scoring facts this flush changed (the scoring phase's items)."""
    found = set()
    for obj in session.new | session.dirty:
        if isinstance(obj, Entity) and obj in session.new:
            found.add(obj.id)  # a new entity gets its first score
        if isinstance(obj, LicenceStatusChange):
            licence = session.get(Licence, obj.licence_id)
            found.add(licence.entity_id if licence else None)
        for model, attributes in WATCHED.items():
            if isinstance(obj, model) and obj not in session.new:
                state = inspect(obj)
                if any(state.attrs[name].history.has_changes() for name in attributes):
                    found.add(obj.id if model is Entity else obj.entity_id)
    return for_entities(found - {None})


def for_entities(entity_ids, reason=REASON):
    """The scoring phase's items for these entities."""
    return [(entity_id, reason) for entity_id in entity_ids]


def later(session, entity_ids, reason=REASON):
    """Have these entities re-scored before the transaction commits (other capabilities' facts changed)."""
    effect_later(session, "score", for_entities(entity_ids, reason))


def scored(session, entity_ids):
    """These entities were just scored on every fact flushed so far: they need no re-scoring at commit."""
    session.flush()
    done = set(entity_ids)
    drop(session, "score", keep=lambda item: item[0] not in done)


def score_now(session, entity_ids, reason=REASON):
    """Score these entities at once, for a caller about to read their tiers; their pending re-scores are done."""
    session.flush()
    score(session, for_entities(entity_ids, reason))
    scored(session, entity_ids)


def cancel(session):
    """Drop the re-scores this transaction asked for (the caller re-scores in bulk itself)."""
    session.flush()
    drop(session, "score")


def score(session, items):
    """The scoring phase: score the live entities among the items together, one new score row each.

    When a kind's active rule set cannot be loaded (its files changed on disk since activation, say), the write
    that set this off still commits: those entities' scores are marked stale, with the reason, for the sweep.
    """
    from app.scoring import service  # noqa: PLC0415 (service imports the registry; this module loads early)
    reasons = {}
    for entity_id, reason in items:
        reasons.setdefault(entity_id, reason)
    by_kind = {}
    for chunk in chunks(sorted(reasons)):
        for entity_id, kind in session.execute(select(Entity.id, Entity.kind)
                                               .where(any_of(session, Entity.id, chunk), Entity.deleted_at.is_(None))):
            by_kind.setdefault(kind, {})[entity_id] = reasons[entity_id]
    for kind, kind_reasons in sorted(by_kind.items()):
        try:
            ruleset = active_rule_set(session, kind)
        except Conflict as err:
            log.warning("scoring.stale kind=%s entities=%s problem=%s", kind, len(kind_reasons), err.message)
            mark_stale(session, kind_reasons, err.message)
            continue
        service.score_many(session, kind_reasons, ruleset, progress_of(session), step=f"scoring {kind} entities")


def mark_stale(session, entity_ids, problem):
    """Say these entities' latest scores miss facts that changed, since when, and why they were not re-scored."""
    since = bindparam(None, utcnow(), type_=Entity.__table__.c.score_stale_since.type)
    for chunk in chunks(sorted(entity_ids)):
        session.execute(update(Entity.__table__).where(any_of(session, Entity.id, chunk)).values(
            score_stale_since=func.coalesce(Entity.__table__.c.score_stale_since, since), score_problem=problem[:300]))
