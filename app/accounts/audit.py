"""The audit log: every flushed change of an audited model becomes an AuditEvent row."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, insert, inspect

from app import db
from app.accounts.models import AuditEvent
from app.db import utcnow

# Private rows carry the organisation they belong to; the audit event is then readable by that organisation.
PRIVATE_OWNER_FIELD = "organisation_id"


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


def snapshot(obj, state=None, before=False):
    """The column values of obj, now or (before=True) as they were loaded."""
    state = state or inspect(obj)
    excluded = getattr(type(obj), "__audit_exclude__", ())
    values = {}
    for attr in state.mapper.column_attrs:
        if attr.key in excluded:
            continue
        if before:
            history = state.attrs[attr.key].history
            if history.deleted:
                values[attr.key] = plain(history.deleted[0])
                continue
        values[attr.key] = plain(getattr(obj, attr.key))
    return values


def changed_columns(state):
    """Names of the column attributes that changed in this flush."""
    return [a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()]


def event_row(acting, action, obj, before, after):
    """An audit_events row for one object."""
    ident = inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "at": utcnow(),
        "actor_user_id": acting.user_id,
        "actor_organisation_id": acting.organisation_id,
        "organisation_id": getattr(obj, PRIVATE_OWNER_FIELD, None),
        "action": action,
        "object_type": obj.__tablename__,
        "object_id": ",".join(str(i) for i in ident),
        "before": before,
        "after": after,
    }


def on_before_flush(session, flush_context, instances):
    """Refuse to change or delete append-only rows; remember what is about to change."""
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(type(obj), "__append_only__", False) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError(f"{obj.__tablename__} rows are append-only")
    pending = session.info.setdefault("audit_pending", [])
    for obj in session.dirty:
        if getattr(type(obj), "__audited__", False):
            state = inspect(obj)
            fields = changed_columns(state)
            if fields:
                before = snapshot(obj, state, before=True)
                pending.append(("update", obj, {k: before[k] for k in fields if k in before}, fields))
    for obj in session.deleted:
        if getattr(type(obj), "__audited__", False):
            pending.append(("delete", obj, snapshot(obj, before=True), None))
    for obj in session.new:
        if getattr(type(obj), "__audited__", False):
            pending.append(("create", obj, None, None))


def on_after_flush(session, flush_context):
    """Write one audit row per created, changed or deleted object."""
    pending = session.info.pop("audit_pending", [])
    if not pending:
        return
    acting = session.info.get("acting", Acting())
    rows = []
    for action, obj, before, fields in pending:
        if action == "create":
            rows.append(event_row(acting, action, obj, None, snapshot(obj)))
        elif action == "update":
            now = snapshot(obj)
            rows.append(event_row(acting, action, obj, before, {k: now[k] for k in fields if k in now}))
        else:
            rows.append(event_row(acting, action, obj, before, None))
    session.connection().execute(insert(AuditEvent), rows)


def acting(session):
    """Who the session's changes are attributed to."""
    return session.info.get("acting", Acting())


def event_rows(acting, changes, organisation_id=None):
    """Audit rows for changes made outside the ORM's unit of work (bulk import).

    `changes` are (action, object_type, object_id, after) tuples.
    """
    now = utcnow()
    return [{"at": now, "actor_user_id": acting.user_id, "actor_organisation_id": acting.organisation_id,
             "organisation_id": organisation_id, "action": action, "object_type": object_type,
             "object_id": str(object_id), "before": None, "after": after}
            for action, object_type, object_id, after in changes]


def init_app(app):
    """Listen to every flush of the app's sessions (once per process)."""
    factory = db.Session.session_factory
    if not event.contains(factory, "before_flush", on_before_flush):
        event.listen(factory, "before_flush", on_before_flush)
        event.listen(factory, "after_flush", on_after_flush)
