"""An agency's standing in plain terms, for the public page: which licence answers "may it recruit?", what that
licence's status is today and since when (from its status history). Pure: it reads public dumps of licences
(PublicLicenceDetailSchema) and returns plain data; the page words it in the reader's language."""
from dataclasses import dataclass
from datetime import date, datetime

from app.registry.expiry import IN_FORCE


@dataclass(frozen=True)
class Standing:
    """A licence's status as it reads today, and the day it took that status (None when not known)."""

    licence: dict
    status: str
    since: date | None

    @property
    def in_force(self):
        return self.status in IN_FORCE


def day(value):
    """A date from a schema dump (ISO text, a date or a datetime), or None."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(value[:10])


def standing_of(licence):
    """The standing of one licence dump (its `status` already read as of today)."""
    status = licence["status"]
    if status == "expired" and licence.get("recorded_status") in IN_FORCE:
        # Lapsed by the calendar: it ended on its last valid day.
        return Standing(licence, status, day(licence.get("valid_until")))
    if status in IN_FORCE:
        return Standing(licence, status, day(licence.get("valid_until")))
    changes = [change for change in licence.get("history", []) if change["status"] == status]
    since = None
    if changes:
        since = day(changes[-1].get("effective_on")) or day(changes[-1].get("recorded_at"))
    elif status == "expired":
        since = day(licence.get("valid_until"))
    return Standing(licence, status, since)


def standings(licences):
    """Every licence's standing, the one that answers first: in force ones (the latest ending first), then
    the others, most recent change first. Banned outranks everything: a ban is what a worker must see."""
    found = [standing_of(licence) for licence in licences]
    banned = [s for s in found if s.status == "banned"]
    in_force = sorted((s for s in found if s.in_force), key=lambda s: s.since or date.max, reverse=True)
    others = sorted((s for s in found if not s.in_force and s.status != "banned"),
                    key=lambda s: s.since or date.min, reverse=True)
    return banned + in_force + others
