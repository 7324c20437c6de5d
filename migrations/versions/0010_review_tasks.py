"""review tasks: what an organisation has to review about an entity and by when; entities' next review dates
and certification end dates

Revision ID: 0010
Revises: 0009 (relinked after 0008 when both branches meet)
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LIVE = sa.text("state IN ('open', 'claimed', 'snoozed')")


def fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("certification_valid_until", sa.Date(), nullable=True))
    op.create_table("entity_reviews",
                    sa.Column("entity_id", sa.Integer(), nullable=False),
                    sa.Column("next_review_on", sa.Date(), nullable=True),
                    fk("entity_reviews", "entity_id", "entities"),
                    sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_entity_reviews")))
    op.create_table("review_tasks",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("entity_id", sa.Integer(), nullable=False),
                    sa.Column("reason", sa.String(length=40), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("trigger_key", sa.String(length=120), nullable=False),
                    sa.Column("due_on", sa.Date(), nullable=False),
                    sa.Column("state", sa.String(length=20), nullable=False),
                    sa.Column("explanation", sa.JSON(), nullable=False),
                    sa.Column("claimed_by_user_id", sa.Integer(), nullable=True),
                    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
                    sa.Column("snoozed_until", sa.Date(), nullable=True),
                    sa.Column("snooze_reason", sa.Text(), nullable=True),
                    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
                    sa.Column("closed_by_user_id", sa.Integer(), nullable=True),
                    sa.Column("close_note", sa.Text(), nullable=True),
                    sa.Column("closed_by_sweep", sa.Boolean(), nullable=False),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("version", sa.Integer(), nullable=False),
                    fk("review_tasks", "entity_id", "entities"),
                    fk("review_tasks", "organisation_id", "organisations"),
                    fk("review_tasks", "claimed_by_user_id", "users"),
                    fk("review_tasks", "closed_by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_review_tasks")))
    op.create_index("uq_review_tasks_live", "review_tasks", ["entity_id", "reason", "organisation_id"], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)
    op.create_index("ix_review_tasks_organisation_state_due", "review_tasks", ["organisation_id", "state", "due_on"])
    op.create_index("ix_review_tasks_entity", "review_tasks", ["entity_id", "state"])


def downgrade():
    op.drop_table("review_tasks")
    op.drop_table("entity_reviews")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("certification_valid_until")
