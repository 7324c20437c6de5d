"""The delivery sweep: outbox events fanned out to one delivery per subscription that wants them, then sent,
retried with exponential backoff, and dead after too many tries (an admin may retry them).

Each step claims a batch (FOR UPDATE SKIP LOCKED on PostgreSQL) and commits before anything is sent: a claimed
delivery's next_attempt_at moves a lease ahead, so no other process takes it while it is sent, and the sending
itself holds no transaction (SQLite's write lock, a PostgreSQL connection). A process killed mid-send leaves its
claimed deliveries to be tried again when the lease ends; the receiver knows a repeat by its Idempotency-Key.
Events whose deliveries are all done are deleted with them after NOTIFY_KEEP_DAYS; dead letters are kept.
"""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta, timezone
import logging
import uuid

from sqlalchemy import bindparam, delete, exists, select, update

from app.audits import notify
from app.audits.outbox_models import Delivery, OutboxEvent, Subscription
from app.audits.subscriptions import webhook_problem
from app.accounts.models import User
from app.bulk import insert_rows, skip_locked

log = logging.getLogger(__name__)
DIGEST = "digest"
# Old events deleted at once (with their deliveries), one transaction each.
CLEAN_UP_BATCH = 1000


def deliver_due(session, now, config):
    """Fan out new outbox events and send every delivery due at `now`; returns how many were handled."""
    fanned = fan_out(session, now, config["NOTIFY_BATCH"], config["DIGEST_HOUR"])
    sent = failed = 0
    for digest in (False, True):
        while claimed := claim(session, now, config, digest):
            outcomes = send(claimed, config, digest)
            record(session, now, config, claimed, outcomes)
            failed += sum(1 for problem in outcomes.values() if problem)
            sent += len(outcomes)
    removed = clean_up(session, now, config["NOTIFY_KEEP_DAYS"])
    if fanned or sent or removed:
        log.info("notify.swept fanned_out=%s attempted=%s failed=%s removed=%s", fanned, sent, failed, removed)
    return fanned + sent + removed


def clean_up(session, now, keep_days, batch=CLEAN_UP_BATCH):
    """Delete the events written more than `keep_days` before `now` whose deliveries are all done (delivered or
    cancelled, none in the last `keep_days`), with their deliveries; an event with a pending or dead delivery
    stays. Returns how many events went."""
    cutoff = now - timedelta(days=keep_days)
    unfinished = exists().where(Delivery.event_id == OutboxEvent.id,
                                Delivery.state.in_(("pending", "dead")) | (Delivery.delivered_at >= cutoff))
    total = 0
    while ids := session.scalars(skip_locked(session, select(OutboxEvent.id).where(
            OutboxEvent.fanned_out_at.isnot(None), OutboxEvent.created_at < cutoff, ~unfinished)
            .order_by(OutboxEvent.id).limit(batch))).all():
        session.execute(delete(Delivery.__table__).where(Delivery.event_id.in_(ids)))
        session.execute(delete(OutboxEvent.__table__).where(OutboxEvent.id.in_(ids)))
        session.commit()
        total += len(ids)
    session.commit()
    return total


def digest_time(created_at, hour):
    """When the digest with an event goes out: the next day's DIGEST_HOUR (UTC)."""
    return datetime.combine(created_at.astimezone(timezone.utc).date() + timedelta(days=1), time(hour),
                            tzinfo=timezone.utc)


def fan_out(session, now, batch, digest_hour):
    """One delivery per new event and active subscription of its organisation that wants its kind."""
    total = 0
    while True:
        events = session.execute(skip_locked(session, select(
            OutboxEvent.id, OutboxEvent.kind, OutboxEvent.organisation_id, OutboxEvent.created_at)
            .where(OutboxEvent.fanned_out_at.is_(None)).order_by(OutboxEvent.id).limit(batch))).all()
        if not events:
            return total
        subscriptions = {}
        for row in session.execute(select(Subscription.id, Subscription.organisation_id, Subscription.channel,
                                          Subscription.events)
                                   .where(Subscription.organisation_id.in_({e.organisation_id for e in events}),
                                          Subscription.deleted_at.is_(None))):
            subscriptions.setdefault(row.organisation_id, []).append(row)
        rows = [{"event_id": event.id, "subscription_id": sub.id, "organisation_id": event.organisation_id,
                 "channel": sub.channel, "state": "pending", "attempts": 0,
                 "next_attempt_at": digest_time(event.created_at, digest_hour) if sub.channel == DIGEST else now,
                 "last_error": None, "delivered_at": None, "idempotency_key": uuid.uuid4().hex, "created_at": now}
                for event in events for sub in subscriptions.get(event.organisation_id, ())
                if event.kind in sub.events]
        insert_rows(session, Delivery.__table__, rows)
        session.execute(update(OutboxEvent.__table__).where(OutboxEvent.id.in_([e.id for e in events]))
                        .values(fanned_out_at=now))
        session.commit()
        total += len(events)


def claim(session, now, config, digest):
    """Take a batch of due deliveries (digests, or all others) for this process, committed: their next try moves
    a lease ahead and counts as an attempt. Returns what sending needs, oldest due first."""
    channel = Delivery.channel == DIGEST if digest else Delivery.channel != DIGEST
    ids = session.scalars(skip_locked(session, select(Delivery.id)
                          .where(Delivery.state == "pending", Delivery.next_attempt_at <= now, channel)
                          .order_by(Delivery.next_attempt_at, Delivery.id).limit(config["NOTIFY_BATCH"]))).all()
    if not ids:
        session.commit()
        return []
    session.execute(update(Delivery.__table__).where(Delivery.id.in_(ids)).values(
        attempts=Delivery.attempts + 1, next_attempt_at=now + timedelta(seconds=config["NOTIFY_LEASE_SECONDS"])))
    rows = session.execute(
        select(Delivery.id, Delivery.idempotency_key, Delivery.attempts, Delivery.channel, Delivery.subscription_id,
               Subscription.url, Subscription.secret, User.email, OutboxEvent.id.label("event_id"),
               OutboxEvent.kind, OutboxEvent.organisation_id, OutboxEvent.entity_id, OutboxEvent.created_at,
               OutboxEvent.payload)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .outerjoin(User, User.id == Subscription.user_id)
        .where(Delivery.id.in_(ids)).order_by(Delivery.id)).all()
    session.commit()
    return rows


def event_of(row):
    """The event as a webhook body and a message show it."""
    return {"id": row.event_id, "kind": row.kind, "organisation_id": row.organisation_id, "entity_id": row.entity_id,
            "created_at": row.created_at.isoformat(), "message": row.payload.get("message"),
            "params": row.payload.get("params") or {}}


def send(claimed, config, digest):
    """Send the claimed deliveries, no transaction open: {delivery id: None when delivered, else the problem}."""
    if digest:
        return send_digests(claimed, config)
    outcomes = {}
    webhooks = [row for row in claimed if row.channel == "webhook"]
    development = config["FAIRRECRUIT_ENV"] != "production"

    def post(row):
        problem = webhook_problem(row.url, development)
        if problem:
            return row.id, f"the webhook URL is no longer allowed: {problem}"
        outgoing = notify.Outgoing(row.id, row.idempotency_key, event_of(row))
        return row.id, notify.send_webhook(row.url, row.secret, outgoing, config["NOTIFY_TIMEOUT"])

    if webhooks:
        with ThreadPoolExecutor(max_workers=min(config["NOTIFY_WORKERS"], len(webhooks))) as pool:
            outcomes.update(pool.map(post, webhooks))
    mails = {row.idempotency_key: row for row in claimed if row.channel == "email"}
    sent = notify.send_mails(config, [notify.event_mail(key, row.email, event_of(row)) for key, row in mails.items()])
    outcomes.update({mails[key].id: problem for key, problem in sent.items()})
    return outcomes


def send_digests(claimed, config):
    """One e-mail per digest subscription with all its claimed events: every delivery shares the mail's outcome."""
    groups = {}
    for row in claimed:
        groups.setdefault(row.subscription_id, []).append(row)
    mails, members = [], {}
    for rows in groups.values():
        key = rows[0].idempotency_key
        days = sorted({row.created_at.astimezone(timezone.utc).date().isoformat() for row in rows})
        day = days[0] if len(days) == 1 else f"{days[0]} to {days[-1]}"
        mails.append(notify.digest_mail(key, rows[0].email, [event_of(row) for row in rows], day))
        members[key] = rows
    outcomes = {}
    for key, problem in notify.send_mails(config, mails).items():
        outcomes.update(dict.fromkeys((row.id for row in members[key]), problem))
    return outcomes


def backoff(config, attempts):
    """How long to wait after the attempts-th failed try."""
    return timedelta(seconds=min(config["NOTIFY_BACKOFF_SECONDS"] * 2 ** (attempts - 1),
                                 config["NOTIFY_BACKOFF_MAX_SECONDS"]))


def record(session, now, config, claimed, outcomes):
    """Write what sending did: delivered; or tried again later; or dead after NOTIFY_MAX_ATTEMPTS tries."""
    rows = []
    for row in claimed:
        problem = outcomes.get(row.id, "not sent")
        if problem is None:
            rows.append({"b_id": row.id, "b_state": "delivered", "b_next": now, "b_error": None, "b_at": now})
            continue
        dead = row.attempts >= config["NOTIFY_MAX_ATTEMPTS"]
        log.warning("notify.failed delivery=%s attempt=%s dead=%s problem=%s", row.id, row.attempts, dead, problem)
        rows.append({"b_id": row.id, "b_state": "dead" if dead else "pending", "b_error": problem[:300],
                     "b_next": now if dead else now + backoff(config, row.attempts), "b_at": None})
    table = Delivery.__table__
    session.execute(update(table).where(table.c.id == bindparam("b_id"), table.c.state == "pending").values(
        state=bindparam("b_state"), next_attempt_at=bindparam("b_next"), last_error=bindparam("b_error"),
        delivered_at=bindparam("b_at")), rows)
    session.commit()
