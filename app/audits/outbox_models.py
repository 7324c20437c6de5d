"""Notifications: the transactional outbox, what each organisation subscribes to, deliveries, calendar feeds."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Audited, Base, utcnow

EVENT_KINDS = ("task_due", "licence_expiring", "licence_expired", "tier_changed", "new_hit", "action_overdue")
CHANNELS = ("email", "webhook", "digest")
DELIVERY_STATES = ("pending", "delivered", "dead", "cancelled")


class OutboxEvent(Base):
    """Something an organisation may want to hear about, written in the same transaction as its cause."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_waiting", "fanned_out_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    # {"message": message id, "params": {...}}: rendered in the reader's language when sent (app/audits/notify.py).
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the delivery sweep has made this event's deliveries, one per subscription that wants it.
    fanned_out_at: Mapped[datetime | None]


class Subscription(Base):
    """An organisation's choice of events and where they go: an e-mail to a user, a webhook, a daily digest."""

    __tablename__ = "notification_subscriptions"
    __audited__ = Audited(("organisation_id", "channel", "events", "user_id", "url", "created_by_user_id",
                           "deleted_at"), redacted=("secret",), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    events: Mapped[list] = mapped_column(JSON)
    # E-mail and digest: the user whose address receives them (a user of the organisation).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    url: Mapped[str | None] = mapped_column(String(500))
    # Signs each webhook body (HMAC-SHA256); kept as it is because signing needs it, shown to the client once.
    secret: Mapped[str | None] = mapped_column(String(100))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]


class Delivery(Base):
    """One event sent (or to be sent) through one subscription, with its attempts; the same key on every try."""

    __tablename__ = "notification_deliveries"
    __audited__ = Audited(("event_id", "subscription_id", "state", "attempts", "next_attempt_at"),
                          private_to="organisation_id")
    __table_args__ = (UniqueConstraint("event_id", "subscription_id"),
                      Index("ix_notification_deliveries_due", "state", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"))
    subscription_id: Mapped[int] = mapped_column(ForeignKey("notification_subscriptions.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # When it may be tried next. A sweep that claims it moves this a lease ahead, so no other process takes it
    # while it is being sent, and a process killed mid-send leaves it to be tried again when the lease ends.
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None]
    # Sent as the Idempotency-Key header (webhooks) and in the Message-ID (e-mail): receivers drop repeats.
    idempotency_key: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarToken(Base):
    """The secret in the URL of an organisation's iCalendar feed; only its SHA-256 is stored."""

    __tablename__ = "calendar_tokens"
    __audited__ = Audited(("organisation_id", "name", "prefix", "created_by_user_id", "revoked_at"),
                          redacted=("token_hash",), private_to="organisation_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
