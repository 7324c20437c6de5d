"""What a commit sets off, in one pipeline: each flush notes what it touched for every phase, and just before
the transaction commits the phases run in their declared order (app/pipeline.py), each on all its pending
items at once, until nothing is pending. A rollback discards what was pending (a savepoint's rollback, what was
noted inside it). Bulk imports, which write without the ORM's unit of work, note their items with `later`.
"""
from dataclasses import dataclass
from typing import Callable
import logging
import time

from sqlalchemy import event

from app.progress import silent

log = logging.getLogger(__name__)
PENDING = "effects"
MARKS = "effects_marks"
PROGRESS = "effects_progress"
# Phases may set off earlier phases (a screening changes the watchlist fact to score); they settle quickly.
ROUNDS = 20


@dataclass(frozen=True)
class Phase:
    """One effect: what a flush touched for it (items) and what it does with all of them before commit."""

    name: str
    collect: Callable  # (session) -> items noted by this flush
    apply: Callable    # (session, items) -> None; items in the order noted, repeats included
    written: Callable | None = None  # (entity ids) -> items, for entities a bulk import wrote


PHASES: tuple[Phase, ...] = ()
CHECKS: tuple[Callable, ...] = ()      # (session) before every flush: may refuse it
COMMITTED: tuple[Callable, ...] = ()   # (session) after a commit
DISCARDED: tuple[Callable, ...] = ()   # (session) after a rollback: process-held state that saw undone writes


def pending(session):
    """{phase name: [items]} noted and not yet applied in this session's transaction."""
    return session.info.setdefault(PENDING, {phase.name: [] for phase in PHASES})


def later(session, phase, items):
    """Have this phase apply to these items before the transaction commits (bulk writes call it)."""
    pending(session)[phase].extend(items)


def written(session, entity_ids):
    """Entities were written in bulk, outside the ORM: have every phase do what it does for changed entities."""
    for phase in PHASES:
        if phase.written:
            later(session, phase.name, phase.written(entity_ids))


def drop(session, phase, keep=lambda item: False):
    """Forget a phase's pending items (all, or all but those `keep` says to keep): the caller did the work."""
    queue = pending(session)[phase]
    queue[:] = [item for item in queue if keep(item)]


def show_progress(session, progress):
    """Have the phases run at this session's commits report their progress (a long command's bars)."""
    session.info[PROGRESS] = progress


def progress_of(session):
    """What the phases report their progress to: app/progress.py's silent unless a command asked."""
    return session.info.get(PROGRESS, silent)


def settle(session):
    """Apply every phase to its pending items, earlier phases first, until none is pending."""
    queues = pending(session)
    for _ in range(ROUNDS):
        session.flush()
        phase = next((phase for phase in PHASES if queues[phase.name]), None)
        if phase is None:
            return
        items, queues[phase.name] = queues[phase.name], []
        started = time.perf_counter()
        phase.apply(session, items)
        # Large batches (imports, list refreshes) say where their commit's time goes.
        log.log(logging.INFO if len(items) >= 1000 else logging.DEBUG, "effects.phase name=%s items=%s ms=%.0f",
                phase.name, len(items), (time.perf_counter() - started) * 1000)
    raise RuntimeError(f"commit effects did not settle after {ROUNDS} rounds: "
                       + ", ".join(name for name, items in queues.items() if items))


def on_before_flush(session, flush_context, instances):
    for check in CHECKS:
        check(session)


def on_after_flush(session, flush_context):
    queues = pending(session)
    for phase in PHASES:
        queues[phase.name].extend(phase.collect(session))


def on_before_commit(session):
    settle(session)


def on_after_commit(session):
    # Nothing can be pending after settle(); clear anyway so no item outlives its transaction.
    session.info.pop(PENDING, None)
    session.info.pop(MARKS, None)
    for hook in COMMITTED:
        hook(session)


def on_savepoint(session, transaction):
    # Marks stay until the whole transaction ends: SQLAlchemy ends a savepoint before it reports its rollback.
    if transaction.nested:
        session.info.setdefault(MARKS, {})[transaction] = {name: len(items) for name, items in pending(session).items()}


def on_soft_rollback(session, previous_transaction):
    """Forget what the rolled-back transaction noted: back to its savepoint's mark, or everything."""
    marks = session.info.get(MARKS, {})
    transaction = previous_transaction
    while transaction is not None and transaction not in marks:
        transaction = transaction.parent
    if transaction is None:
        session.info.pop(PENDING, None)
        marks.clear()
        for discard in DISCARDED:
            discard(session)
        return
    for name, length in marks[transaction].items():
        del pending(session)[name][length:]


def init_app(session_factory, phases, checks=(), committed=(), discarded=()):
    """Run these phases at every commit of the factory's sessions (listeners registered once per process)."""
    global PHASES, CHECKS, COMMITTED, DISCARDED  # noqa: PLW0603 (declared once, in app/pipeline.py)
    PHASES, CHECKS, COMMITTED, DISCARDED = tuple(phases), tuple(checks), tuple(committed), tuple(discarded)
    if not event.contains(session_factory, "before_commit", on_before_commit):
        event.listen(session_factory, "before_flush", on_before_flush)
        event.listen(session_factory, "after_flush", on_after_flush)
        event.listen(session_factory, "before_commit", on_before_commit)
        event.listen(session_factory, "after_commit", on_after_commit)
        event.listen(session_factory, "after_transaction_create", on_savepoint)
        event.listen(session_factory, "after_soft_rollback", on_soft_rollback)
