"""The scheduler's sweeps, declared in one list. Each takes a session and `now`, is idempotent (a second run at
the same `now` finds nothing left to do), claims its work in batches (FOR UPDATE SKIP LOCKED on PostgreSQL) and
commits each batch. Adding a sweep is one line in SWEEPS."""
from dataclasses import dataclass
from typing import Callable

from flask import current_app

from app.audits import deliver, refresh, stale, sweep as review_sweep


@dataclass(frozen=True)
class Sweep:
    name: str
    run: Callable  # (session, now) -> how many items it handled
    every: int     # seconds between runs; SCHEDULER_INTERVALS overrides it by name


def stale_scores(session, now):
    """Re-score the entities whose scores went stale while their rule set could not load."""
    return stale.rescore_stale(session, now)


def watchlists(session, now):
    """Refresh the configured watchlist sources that changed, and screen the registry for their changes."""
    config = current_app.config
    return refresh.refresh_sources(session, now, refresh.configured_sources(config["WATCHLIST_SOURCES"]),
                                   threshold=config["SCREENING_THRESHOLD"], timeout=config["WATCHLIST_FETCH_TIMEOUT"],
                                   max_bytes=config["WATCHLIST_FETCH_MAX_BYTES"],
                                   processes=config["SCREENING_PROCESSES"])


def review_tasks(session, now):
    """Record lapsed licences and bring review tasks in line with the review policy, for now's day (UTC)."""
    day = now.date() if hasattr(now, "date") else now
    result = review_sweep.sweep_due(session, day)
    session.commit()
    return result.licences_expired + result.created + result.updated + result.cancelled + result.woken


def notifications(session, now):
    """Fan new outbox events out to their subscriptions and send every delivery due."""
    return deliver.deliver_due(session, now, current_app.config)


# In the order `fairrecruit scheduler --once` runs them: the outbox last, so it sends what the others wrote.
SWEEPS = (
    Sweep("stale-scores", stale_scores, every=300),
    Sweep("watchlists", watchlists, every=3600),
    Sweep("review-tasks", review_tasks, every=600),  # review tasks, licence expiry, overdue actions
    Sweep("outbox", notifications, every=30),
)


def interval(config, sweep):
    """Seconds between runs of a sweep, as configured."""
    return int(config.get("SCHEDULER_INTERVALS", {}).get(sweep.name, sweep.every))


def check(config):
    """Refuse a configuration the sweeps cannot run with: a ValueError naming each problem."""
    problems = []
    intervals = config.get("SCHEDULER_INTERVALS", {})
    names = {sweep.name for sweep in SWEEPS}
    for name, seconds in intervals.items():
        if name not in names:
            problems.append(f"SCHEDULER_INTERVALS.{name}: no such sweep (sweeps: {', '.join(sorted(names))})")
        elif isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
            problems.append(f"SCHEDULER_INTERVALS.{name}: must be a number of seconds above 0, not {seconds!r}")
    keep = config.get("NOTIFY_KEEP_DAYS", 30)
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        problems.append(f"NOTIFY_KEEP_DAYS: must be a whole number of days, 1 or more, not {keep!r}")
    try:
        refresh.configured_sources(config.get("WATCHLIST_SOURCES", []))
    except ValueError as err:
        problems.append(str(err))
    if problems:
        raise ValueError("; ".join(problems))
