"""The effects of a write, declared in one place and run by app/effects.py at every commit, in this order:

1. screen: entities whose names, identifiers or people changed are screened against the watchlists;
2. score: entities whose facts changed (including new hits) get a new score, all together;
3. outbox: the notifications the transaction's changes set off (a tier changed, a new hit on a followed entity,
   a task due...) are written to the outbox, to be delivered by the scheduler's sweep;
4. stamp: the registry generation is raised and the changed entities stamped with it (each process's listing
   and name index catch up from it); it locks the generation row until the commit, so it comes after the heavy
   phases;
5. audit: the audit events of every row the transaction wrote, with the fields each model opts in to.

A phase may set off an earlier one (a screening's hits are scored): the pipeline runs until nothing is pending.
Bulk imports, which write without the ORM, name the entities they wrote (effects.written) and pass their audit
events; the phases then treat those entities as they treat any others.
"""
from app import db, effects
from app.accounts import audit
from app.audits import outbox
from app.registry import changes
from app.scoring import rescoring
from app.screening import indexes, rescreening

PHASES = (
    effects.Phase("screen", rescreening.changed_entities, rescreening.screen, written=list),
    effects.Phase("score", rescoring.changed_entities, rescoring.score, written=rescoring.for_entities),
    effects.Phase("outbox", outbox.collect, outbox.write),
    effects.Phase("stamp", changes.touched_entities, changes.stamp, written=list),
    # Bulk imports hand their events over themselves (audit.inserted).
    effects.Phase("audit", audit.flushed_events, audit.write),
)


def init_app(app):
    """Run the pipeline at every commit of the app's sessions."""
    rescreening.init_app(app)
    effects.init_app(db.Session.session_factory, PHASES, checks=(audit.refuse_append_only_changes,),
                     committed=(indexes.committed,), discarded=(indexes.forget_caught_up,))
