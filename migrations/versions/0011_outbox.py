"""notifications: the transactional outbox, subscriptions, deliveries, calendar feed tokens, and the state of
scheduled watchlist fetches

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def when(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table("outbox_events",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("kind", sa.String(length=30), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("entity_id", sa.Integer(), nullable=True),
                    sa.Column("payload", sa.JSON(), nullable=False),
                    when("created_at", nullable=False),
                    when("fanned_out_at"),
                    fk("outbox_events", "organisation_id", "organisations"),
                    fk("outbox_events", "entity_id", "entities"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")))
    op.create_index("ix_outbox_events_waiting", "outbox_events", ["fanned_out_at", "id"])
    op.create_index(op.f("ix_outbox_events_organisation_id"), "outbox_events", ["organisation_id"])
    op.create_table("notification_subscriptions",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("channel", sa.String(length=10), nullable=False),
                    sa.Column("events", sa.JSON(), nullable=False),
                    sa.Column("user_id", sa.Integer(), nullable=True),
                    sa.Column("url", sa.String(length=500), nullable=True),
                    sa.Column("secret", sa.String(length=100), nullable=True),
                    sa.Column("created_by_user_id", sa.Integer(), nullable=True),
                    when("created_at", nullable=False),
                    when("deleted_at"),
                    fk("notification_subscriptions", "organisation_id", "organisations"),
                    fk("notification_subscriptions", "user_id", "users"),
                    fk("notification_subscriptions", "created_by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_subscriptions")))
    op.create_index(op.f("ix_notification_subscriptions_organisation_id"), "notification_subscriptions",
                    ["organisation_id"])
    op.create_table("notification_deliveries",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("event_id", sa.Integer(), nullable=False),
                    sa.Column("subscription_id", sa.Integer(), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("channel", sa.String(length=10), nullable=False),
                    sa.Column("state", sa.String(length=10), nullable=False),
                    sa.Column("attempts", sa.Integer(), nullable=False),
                    when("next_attempt_at", nullable=False),
                    sa.Column("last_error", sa.String(length=300), nullable=True),
                    when("delivered_at"),
                    sa.Column("idempotency_key", sa.String(length=40), nullable=False),
                    when("created_at", nullable=False),
                    fk("notification_deliveries", "event_id", "outbox_events"),
                    fk("notification_deliveries", "subscription_id", "notification_subscriptions"),
                    fk("notification_deliveries", "organisation_id", "organisations"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
                    sa.UniqueConstraint("event_id", "subscription_id",
                                        name=op.f("uq_notification_deliveries_event_id_subscription_id")),
                    sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_deliveries_idempotency_key")))
    op.create_index("ix_notification_deliveries_due", "notification_deliveries", ["state", "next_attempt_at"])
    op.create_index(op.f("ix_notification_deliveries_subscription_id"), "notification_deliveries",
                    ["subscription_id"])
    op.create_index(op.f("ix_notification_deliveries_organisation_id"), "notification_deliveries",
                    ["organisation_id"])
    op.create_table("calendar_tokens",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("name", sa.String(length=100), nullable=False),
                    sa.Column("prefix", sa.String(length=12), nullable=False),
                    sa.Column("token_hash", sa.String(length=64), nullable=False),
                    sa.Column("created_by_user_id", sa.Integer(), nullable=True),
                    when("created_at", nullable=False),
                    when("revoked_at"),
                    fk("calendar_tokens", "organisation_id", "organisations"),
                    fk("calendar_tokens", "created_by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_tokens")),
                    sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_tokens_token_hash")))
    op.create_index(op.f("ix_calendar_tokens_organisation_id"), "calendar_tokens", ["organisation_id"])
    op.create_table("watchlist_fetches",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("source_name", sa.String(length=60), nullable=False),
                    sa.Column("location", sa.String(length=500), nullable=False),
                    sa.Column("etag", sa.String(length=200), nullable=True),
                    sa.Column("last_modified", sa.String(length=100), nullable=True),
                    sa.Column("sha256", sa.String(length=64), nullable=True),
                    when("checked_at"),
                    when("changed_at"),
                    sa.Column("last_error", sa.String(length=300), nullable=True),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_fetches")),
                    sa.UniqueConstraint("source_name", "location", name=op.f("uq_watchlist_fetches_source_name_location")))


def downgrade():
    op.drop_table("watchlist_fetches")
    op.drop_table("calendar_tokens")
    op.drop_table("notification_deliveries")
    op.drop_table("notification_subscriptions")
    op.drop_table("outbox_events")
