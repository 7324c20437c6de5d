"""A licence's status as it reads on a given day: one in force reads `expired` from the day after it ends.

The recorded status stays as the authority (or an import) set it; every response, filter, export and score
reads the effective status through `effective_status`, so a licence that lapses overnight needs no write.
"""
from app.db import utcnow

# Statuses that say a licence is in force (DOMAIN.md); suspended, revoked, banned and the rest stay as recorded.
IN_FORCE = ("valid", "provisional")


def today():
    """The day licences are read on: today's date in UTC (tests that need a fixed day replace this)."""
    return utcnow().date()


def effective_status(status, valid_until, today):
    """The status a licence has on `today`: `expired` once an in-force licence is past its valid_until."""
    if status in IN_FORCE and valid_until is not None and valid_until < today:
        return "expired"
    return status


def lapsed_message(status, valid_until, today):
    """Why a licence cannot be recorded in force with this end date (None when it can)."""
    if effective_status(status, valid_until, today) != status:
        return (f"valid_until ({valid_until}) is in the past: a {status} licence must end today ({today}) or "
                "later; record an ended licence as expired.")
    return None
