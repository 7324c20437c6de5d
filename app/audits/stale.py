"""The stale-scores sweep: entities whose facts changed while their rule set could not be loaded are scored again,
in batches, once it loads."""
import logging

from sqlalchemy import select

from app.bulk import skip_locked
from app.errors import Conflict
from app.registry.models import Entity
from app.scoring.activation import DEFAULTS, active_rule_set
from app.scoring.service import score_many

log = logging.getLogger(__name__)
REASON = "stale score: the rule set loads again"
BATCH = 500


def rescore_stale(session, now, batch=BATCH):
    """Score the stale entities of every kind whose active rule set loads; returns how many were scored.

    Each batch is claimed (FOR UPDATE SKIP LOCKED on PostgreSQL) and committed on its own. Scoring clears the
    stale mark, so a second sweep finds nothing; `now` is unused, scores are stamped when written."""
    scored = 0
    for kind in DEFAULTS:
        try:
            ruleset = active_rule_set(session, kind)
        except Conflict as err:
            session.rollback()
            waiting = session.scalar(select(Entity.id).where(Entity.kind == kind, Entity.score_stale_since.isnot(None),
                                                             Entity.deleted_at.is_(None)).limit(1))
            if waiting is not None:
                log.warning("scheduler.stale_scores_waiting kind=%s problem=%s", kind, err.message)
            continue
        while ids := session.scalars(skip_locked(session, select(Entity.id).where(
                Entity.kind == kind, Entity.score_stale_since.isnot(None), Entity.deleted_at.is_(None))
                .order_by(Entity.id).limit(batch))).all():
            score_many(session, dict.fromkeys(ids, REASON), ruleset)
            session.commit()
            scored += len(ids)
    return scored
