"""An organisation's iCalendar feed: its due reviews, planned audits and the licence ends of the entities it
follows, at an address whose token is the credential (high entropy, stored hashed, revocable by its admins).

The feed shows what every user of the organisation may read (app/accounts/permissions.py, as a viewer of it)."""
from dataclasses import dataclass
from datetime import date, timedelta
import hashlib
import secrets

from flask import Blueprint, Response
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from app import db
from app.accounts import permissions
from app.accounts.auth import organisation_reader
from app.audits import service as audits
from app.audits.models import Audit
from app.audits.outbox_models import CalendarToken
from app.audits.policy import describe
from app.audits.reconcile import LIVE_STATES
from app.audits.tasks_models import ReviewTask
from app.db import utcnow
from app.errors import NotFound
from app.registry.models import Entity, Licence, PortfolioEntry

TOKEN_PREFIX = "frcal_"
PRODID = "-//FairRecruit//Re-audits//EN"
# Days shown: from a month ago (a lapsed licence not renewed yet, an overdue review) to a year ahead.
PAST, AHEAD = timedelta(days=31), timedelta(days=366)

bp = Blueprint("calendar_feed", __name__)


@dataclass(frozen=True)
class CalendarItem:
    """One all-day entry of the feed; `uid` stays the same for the same thing across fetches."""

    uid: str
    day: date
    summary: str
    description: str = ""


def new_token():
    """A fresh feed token (256 random bits) and its SHA-256."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return raw, digest(raw)


def digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(session, actor, name):
    """A feed token for the actor's organisation: (row, raw token); the raw token is never stored."""
    raw, hashed = new_token()
    token = CalendarToken(organisation_id=actor.organisation_id, name=name, prefix=raw[:12], token_hash=hashed,
                          created_by_user_id=actor.user_id)
    session.add(token)
    session.flush()
    return token, raw


def list_tokens(session, actor):
    """The organisation's feed tokens, revoked ones included."""
    return session.scalars(select(CalendarToken).where(CalendarToken.organisation_id == actor.organisation_id)
                           .order_by(CalendarToken.id)).all()


def revoke_token(session, actor, token_id, now=None):
    """Revoke a feed token of the actor's organisation (another's answers 404)."""
    token = session.get(CalendarToken, token_id)
    if token is None:
        raise NotFound(f"No calendar token {token_id}.")
    permissions.check(actor, "notification.manage", token, hide=True, what=f"calendar token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    session.flush()


def organisation_of(session, raw):
    """The organisation whose live feed token this is, or NotFound (unknown and revoked tokens alike)."""
    organisation_id = session.scalar(select(CalendarToken.organisation_id)
                                     .where(CalendarToken.token_hash == digest(raw),
                                            CalendarToken.revoked_at.is_(None)))
    if organisation_id is None:
        raise NotFound("No such calendar feed: the address is wrong or was revoked.")
    return organisation_id


def window(now):
    """The first and last day the feed shows."""
    return (now - PAST).date(), (now + AHEAD).date()


def licence_ends(session, reader, now):
    """The end dates of the licences of the entities the organisation follows or registered."""
    followed = select(PortfolioEntry.entity_id).where(PortfolioEntry.organisation_id == reader.organisation_id)
    rows = session.execute(
        select(Licence.id, Licence.number, Licence.valid_until, Entity.id.label("entity_id"), Entity.legal_name)
        .join(Entity, Entity.id == Licence.entity_id)
        .where(Entity.deleted_at.is_(None),
               or_(Entity.id.in_(followed), Entity.registered_by_organisation_id == reader.organisation_id),
               Licence.valid_until.between(*window(now)))
        .order_by(Licence.valid_until, Licence.id))
    return [CalendarItem(f"licence-{row.id}-{row.valid_until:%Y%m%d}@fairrecruit", row.valid_until,
                         f"Licence {row.number} of {row.legal_name} ends",
                         f"Licence {row.number} of {row.legal_name} (entity {row.entity_id}) is valid until "
                         f"{row.valid_until:%d %B %Y}.") for row in rows]


def due_reviews(session, reader, now):
    """The organisation's live review tasks, on their due day (a snoozed one on the day it comes back)."""
    day = case((ReviewTask.state == "snoozed", func.coalesce(ReviewTask.snoozed_until, ReviewTask.due_on)),
               else_=ReviewTask.due_on)
    rows = session.execute(
        select(ReviewTask, day.label("day")).join(Entity, Entity.id == ReviewTask.entity_id)
        .where(permissions.tasks_readable(reader, ReviewTask.organisation_id), Entity.deleted_at.is_(None),
               ReviewTask.state.in_(LIVE_STATES), day.between(*window(now)))
        .options(joinedload(ReviewTask.entity)).order_by(ReviewTask.id))
    return [CalendarItem(f"task-{task.id}@fairrecruit", on, f"Review {task.entity.legal_name}: "
                         f"{task.reason.replace('_', ' ')}",
                         f"{describe(task.explanation)} (review task {task.id}, {task.state}).")
            for task, on in rows]


def planned_audits(session, reader, now):
    """The planned audits the organisation may read (its own, and for regulators those of entities they
    license), on their planned day."""
    audits_planned = session.scalars(
        audits.readable(reader).join(Entity, Entity.id == Audit.entity_id)
        .where(Entity.deleted_at.is_(None), Audit.state == "planned", Audit.planned_on.between(*window(now)))
        .options(joinedload(Audit.entity), joinedload(Audit.organisation)).order_by(Audit.id))
    return [CalendarItem(f"audit-{audit.id}@fairrecruit", audit.planned_on,
                         f"Audit of {audit.entity.legal_name} ({audit.kind})",
                         f"Audit {audit.reference or audit.id} of {audit.entity.legal_name} by "
                         f"{audit.organisation.name}, principles {', '.join(audit.scope)}, planned for "
                         f"{audit.planned_on:%d %B %Y}.")
            for audit in audits_planned]


# Where the feed's items come from, each (session, the organisation as a reader, now) -> [CalendarItem].
SOURCES = (licence_ends, due_reviews, planned_audits)


def calendar_items(session, organisation_id, now):
    """Every item of the organisation's feed, by day."""
    reader = organisation_reader(session, organisation_id)
    items = [item for source in SOURCES for item in source(session, reader, now)]
    return sorted(items, key=lambda item: (item.day, item.uid))


def ics(items, now, name):
    """The feed as iCalendar text (RFC 5545): all-day events, lines folded at 75 octets, text escaped."""
    import icalendar  # noqa: PLC0415 (at first use: few processes serve a feed)
    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    for item in items:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        event.add("transp", "TRANSPARENT")
        feed.add_component(event)
    return feed.to_ical()


@bp.get("/calendar/<token>.ics")
def feed(token):
    """The organisation's calendar feed; the token in the address is the credential."""
    session = db.Session()
    organisation_id = organisation_of(session, token)
    now = utcnow()
    body = ics(calendar_items(session, organisation_id, now), now, "FairRecruit: due reviews and audits")
    # Private data: never stored by a shared cache; calendar clients poll it.
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store",
                                                             "Content-Disposition": 'inline; filename="fairrecruit.ics"'})

