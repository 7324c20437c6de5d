"""An organisation's iCalendar feed: its due reviews, planned audits and the licence ends of the entities it
follows, at an address whose token is the credential (high entropy, stored hashed, revocable by its admins)."""
from dataclasses import dataclass
from datetime import date, timedelta
import hashlib
import secrets

from flask import Blueprint, Response
import icalendar
from sqlalchemy import or_, select

from app import db
from app.accounts import permissions
from app.audits.outbox_models import CalendarToken
from app.db import utcnow
from app.errors import NotFound
from app.registry.models import Entity, Licence, PortfolioEntry

TOKEN_PREFIX = "frcal_"
PRODID = "-//FairRecruit//Re-audits//EN"
# Licence ends shown: from a month ago (lapsed and not renewed yet) to a year ahead.
LICENCE_PAST, LICENCE_AHEAD = timedelta(days=31), timedelta(days=366)

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


def licence_ends(session, organisation_id, now):
    """The end dates of the licences of the entities the organisation follows or registered."""
    followed = select(PortfolioEntry.entity_id).where(PortfolioEntry.organisation_id == organisation_id)
    rows = session.execute(
        select(Licence.id, Licence.number, Licence.valid_until, Entity.id.label("entity_id"), Entity.legal_name)
        .join(Entity, Entity.id == Licence.entity_id)
        .where(Entity.deleted_at.is_(None),
               or_(Entity.id.in_(followed), Entity.registered_by_organisation_id == organisation_id),
               Licence.valid_until.between((now - LICENCE_PAST).date(), (now + LICENCE_AHEAD).date()))
        .order_by(Licence.valid_until, Licence.id))
    return [CalendarItem(f"licence-{row.id}-{row.valid_until:%Y%m%d}@fairrecruit", row.valid_until,
                         f"Licence {row.number} of {row.legal_name} ends",
                         f"Licence {row.number} of {row.legal_name} (entity {row.entity_id}) is valid until "
                         f"{row.valid_until:%d %B %Y}.") for row in rows]


# Where the feed's items come from, each (session, organisation id, now) -> [CalendarItem]. The review tasks and
# the audits (built beside this) add their own here: due reviews of the organisation, its planned audits.
SOURCES = (licence_ends,)


def calendar_items(session, organisation_id, now):
    """Every item of the organisation's feed, by day."""
    items = [item for source in SOURCES for item in source(session, organisation_id, now)]
    return sorted(items, key=lambda item: (item.day, item.uid))


def ics(items, now, name):
    """The feed as iCalendar text (RFC 5545): all-day events, lines folded at 75 octets, text escaped."""
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

