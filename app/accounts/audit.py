"""The audit log: every flushed change of an audited model becomes an AuditEvent row, written by the commit's
last phase (app/pipeline.py). A model opts in with `__audited__ = Audited(...)` (app/db.py): the log copies only
the fields it names, says that a redacted field changed without its value, and is private to the organisation
its rule names."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect

from app.accounts.models import AuditEvent
from app.bulk import insert_rows
from app.db import utcnow

REDACTED = "[redacted]"


@dataclass(frozen=True)
class Acting:
    """Who is behind the changes of a session: a user (and their organisation) or the system."""

    user_id: int | None = None
    organisation_id: int | None = None


def set_actor(session, user_id, organisation_id):
    """Attribute the session's next changes to this user."""
    session.info["acting"] = Acting(user_id, organisation_id)


def plain(value):
    """A JSON-safe copy of a column value."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def audited(obj):
    """The model's audit rule, or None when it is not audited."""
    return getattr(type(obj), "__audited__", None)


def snapshot(obj, rule, fields, state=None, before=False):
    """The values of these fields of obj, now or (before=True) as they were loaded; redacted ones masked."""
    state = state or inspect(obj)
    values = {}
    for key in fields:
        if key in rule.redacted:
            values[key] = REDACTED
            continue
        history = state.attrs[key].history
        if before and history.deleted:
            values[key] = plain(history.deleted[0])
        else:
            values[key] = plain(getattr(obj, key))
    return values


def changed_fields(rule, state):
    """The audited and redacted fields that changed in this flush."""
    return [key for key in rule.fields + rule.redacted if state.attrs[key].history.has_changes()]


def event_row(acting, action, obj, rule, before, after):
    """An audit_events row for one object."""
    ident = inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "at": utcnow(),
        "actor_user_id": acting.user_id,
        "actor_organisation_id": acting.organisation_id,
        "organisation_id": getattr(obj, rule.private_to) if rule.private_to else None,
        "action": action,
        "object_type": obj.__tablename__,
        "object_id": ",".join(str(i) for i in ident),
        "before": before,
        "after": after,
    }


def refuse_append_only_changes(session):
    """Append-only rows (history, the audit log itself) are never changed or deleted."""
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(type(obj), "__append_only__", False) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError(f"{obj.__tablename__} rows are append-only")


def flushed_events(session):
    """Audit rows for what this flush wrote (called after it, while the flushed changes' history remains)."""
    acting_now = acting(session)
    rows = []
    for obj in session.new:
        if rule := audited(obj):
            rows.append(event_row(acting_now, "create", obj, rule, None, snapshot(obj, rule, rule.fields)))
    for obj in session.dirty:
        if (rule := audited(obj)) and (fields := changed_fields(rule, state := inspect(obj))):
            rows.append(event_row(acting_now, "update", obj, rule, snapshot(obj, rule, fields, state, before=True),
                                  snapshot(obj, rule, fields, state)))
    for obj in session.deleted:
        if rule := audited(obj):
            rows.append(event_row(acting_now, "delete", obj, rule,
                                  snapshot(obj, rule, rule.fields, before=True), None))
    return rows


def write(session, rows):
    """Append the transaction's audit rows (the last phase of a commit), in bulk: an import logs thousands."""
    insert_rows(session, AuditEvent.__table__, rows)


def acting(session):
    """Who the session's changes are attributed to."""
    return session.info.get("acting", Acting())


def updated(acting, model, changes):
    """The events an ORM update would log, for rows a bulk UPDATE changed: `changes` are (id, before, after)."""
    rule, now = model.__audited__, utcnow()
    return [{"at": now, "actor_user_id": acting.user_id, "actor_organisation_id": acting.organisation_id,
             "organisation_id": None if rule.private_to is None else after.get(rule.private_to), "action": "update",
             "object_type": model.__tablename__, "object_id": str(row_id), "before": before, "after": after}
            for row_id, before, after in changes]


def inserted(acting, model, rows):
    """The events an ORM insert of these rows would log, for rows a bulk import wrote (each with its id)."""
    rule, now = model.__audited__, utcnow()
    return [{"at": now, "actor_user_id": acting.user_id, "actor_organisation_id": acting.organisation_id,
             "organisation_id": row.get(rule.private_to) if rule.private_to else None, "action": "create",
             "object_type": model.__tablename__, "object_id": str(row["id"]), "before": None,
             "after": {key: REDACTED if key in rule.redacted else plain(row.get(key)) for key in rule.fields}}
            for row in rows]
