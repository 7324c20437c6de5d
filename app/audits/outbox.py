"""The transactional outbox: what happened that organisations may want to hear of, written by the commit's
outbox phase (app/pipeline.py) in the same transaction as its cause, so an event exists if and only if its cause
was committed. The delivery sweep (app/audits/deliver.py) sends it on.

Capabilities note events with `later(session, [Event(...)])`; the constructors below name each kind.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
import json

from sqlalchemy import select

from app import effects
from app.audits.outbox_models import OutboxEvent
from app.bulk import chunks, insert_rows
from app.db import json_default, utcnow
from app.registry.models import Entity, PortfolioEntry

PHASE = "outbox"
SCALARS = (str, int, float, bool, type(None), date, Decimal)  # datetime is a date
# Who hears of an event noted without an organisation: the organisations following the entity in their
# portfolio, and (REGISTRAR) the one that registered it too.
FOLLOWERS, REGISTRAR = "followers", "followers_and_registrar"


@dataclass(frozen=True)
class Event:
    """An event to write: for one organisation, or (organisation_id None) for the entity's audience."""

    kind: str
    entity_id: int | None
    params: dict = field(default_factory=dict)
    organisation_id: int | None = None
    audience: str = FOLLOWERS
    at: datetime | None = None  # default: when the transaction writes it; sweeps pass their `now`


def later(session, events):
    """Write these events in this transaction, just before it commits (discarded if it rolls back)."""
    effects.later(session, PHASE, events)


def collect(session):
    """A flush notes no events by itself: causes call later()."""
    return []


def task_due(organisation_id, entity_id, *, task_id, reason, due_on, at=None):
    """A review task of this organisation falls due (the review-task sweep)."""
    return Event("task_due", entity_id, {"task_id": task_id, "reason": reason, "due_on": due_on},
                 organisation_id, at=at)


def licence_expiring(organisation_id, entity_id, *, licence_id, number, valid_until, days, at=None):
    """A licence ends in `days` days (the licence-expiry sweep, for the registrar and followers)."""
    return Event("licence_expiring", entity_id, {"licence_id": licence_id, "number": number,
                                                 "valid_until": valid_until, "days": days}, organisation_id, at=at)


def licence_expired(organisation_id, entity_id, *, licence_id, number, valid_until, at=None):
    """A licence has passed its end date (the licence-expiry sweep)."""
    return Event("licence_expired", entity_id, {"licence_id": licence_id, "number": number,
                                                "valid_until": valid_until}, organisation_id, at=at)


def action_overdue(organisation_id, entity_id, *, action_id, audit_id, deadline, at=None):
    """A corrective action passed its deadline without being done (the overdue-actions sweep)."""
    return Event("action_overdue", entity_id, {"action_id": action_id, "audit_id": audit_id, "deadline": deadline},
                 organisation_id, at=at)


def tier_changed(entity_id, *, before, after):
    """An entity's risk tier changed: for its followers and the organisation that registered it."""
    return Event("tier_changed", entity_id, {"from": before, "to": after},
                 audience=REGISTRAR)


def new_hit(entity_id, *, hit_id, source, matched_name):
    """A possible watchlist match was found on an entity: for its followers (it waits for review)."""
    return Event("new_hit", entity_id, {"hit_id": hit_id, "source": source, "matched_name": matched_name})


def audiences(session, entity_ids, registrar):
    """{entity id: organisation ids} following each entity (and, with `registrar`, the one that registered it)."""
    found = {}
    for chunk in chunks(sorted(entity_ids)):
        for entity_id, organisation_id in session.execute(
                select(PortfolioEntry.entity_id, PortfolioEntry.organisation_id)
                .where(PortfolioEntry.entity_id.in_(chunk))):
            found.setdefault(entity_id, set()).add(organisation_id)
        if registrar:
            for entity_id, organisation_id in session.execute(
                    select(Entity.id, Entity.registered_by_organisation_id)
                    .where(Entity.id.in_(chunk), Entity.registered_by_organisation_id.isnot(None))):
                found.setdefault(entity_id, set()).add(organisation_id)
    return found


def names(session, entity_ids):
    """{entity id: legal name}: events carry the name as it was, for messages read later."""
    found = {}
    for chunk in chunks(sorted(entity_ids)):
        found.update(session.execute(select(Entity.id, Entity.legal_name).where(Entity.id.in_(chunk))).all())
    return found


def flat(params):
    """Whether every parameter is a single value (text, number, date...), not a list or a mapping."""
    return all(isinstance(value, SCALARS) for value in params.values())


def json_values(params):
    """The parameters as JSON values (dates as ISO text): directly when flat, as events mostly are (a sweep writes
    tens of thousands), else through JSON text."""
    if flat(params):
        return {name: json_default(value) if isinstance(value, (date, Decimal)) else value
                for name, value in params.items()}
    return json.loads(json.dumps(params, default=json_default, sort_keys=True))


def write(session, events):
    """The outbox phase: one row per event and organisation, for every event noted in the transaction."""
    wide = [event for event in events if event.organisation_id is None]
    followers = audiences(session, {e.entity_id for e in wide if e.audience == FOLLOWERS}, registrar=False)
    with_registrar = audiences(session, {e.entity_id for e in wide if e.audience == REGISTRAR}, registrar=True)
    legal_names = names(session, {event.entity_id for event in events if event.entity_id is not None})
    now = utcnow()
    rows, seen = [], set()
    for event in events:
        if event.organisation_id is not None:
            organisations = [event.organisation_id]
        else:
            audience = followers if event.audience == FOLLOWERS else with_registrar
            organisations = sorted(audience.get(event.entity_id, ()))
        params = json_values(event.params)
        if event.entity_id is not None:
            params.setdefault("entity_name", legal_names.get(event.entity_id))
        # A repeat within the transaction is written once.
        same = tuple(sorted(params.items())) if flat(params) else json.dumps(params, sort_keys=True)
        for organisation_id in organisations:
            key = (event.kind, organisation_id, event.entity_id, same)
            if key in seen:
                continue
            seen.add(key)
            rows.append({"kind": event.kind, "organisation_id": organisation_id, "entity_id": event.entity_id,
                         "payload": {"message": f"notify.{event.kind}", "params": params},
                         "created_at": event.at or now, "fanned_out_at": None})
    insert_rows(session, OutboxEvent.__table__, rows)
