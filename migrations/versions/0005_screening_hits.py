"""screening hits: screenings, hits with their review state, and each hit's history

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table("screenings",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("entity_id", sa.Integer(), nullable=False),
                    sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("threshold", sa.Double(), nullable=False),
                    sa.Column("list_versions", sa.JSON(), nullable=False),
                    sa.Column("hits", sa.Integer(), nullable=False),
                    sa.Column("reason", sa.String(length=200), nullable=False),
                    fk("screenings", "entity_id", "entities"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")))
    with op.batch_alter_table("screenings") as batch:
        batch.create_index(batch.f("ix_screenings_entity_id"), ["entity_id"], unique=False)
    op.create_table("hits",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("entity_id", sa.Integer(), nullable=False),
                    sa.Column("subject", sa.String(length=40), nullable=False),
                    sa.Column("person_id", sa.Integer(), nullable=True),
                    sa.Column("watchlist_entry_id", sa.Integer(), nullable=False),
                    sa.Column("source_id", sa.Integer(), nullable=False),
                    sa.Column("list_version_id", sa.Integer(), nullable=False),
                    sa.Column("entry_revision", sa.Integer(), nullable=False),
                    sa.Column("names_key", sa.String(length=64), nullable=False),
                    sa.Column("score", sa.Double(), nullable=False),
                    sa.Column("query_name", sa.Text(), nullable=False),
                    sa.Column("matched_name", sa.Text(), nullable=False),
                    sa.Column("explanation", sa.JSON(), nullable=False),
                    sa.Column("current", sa.Boolean(), nullable=False),
                    sa.Column("state", sa.String(length=20), nullable=False),
                    sa.Column("reason", sa.String(length=30), nullable=True),
                    sa.Column("note", sa.Text(), nullable=True),
                    sa.Column("decided_by", sa.Integer(), nullable=True),
                    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("version", sa.Integer(), nullable=False),
                    fk("hits", "entity_id", "entities"),
                    fk("hits", "person_id", "people"),
                    fk("hits", "watchlist_entry_id", "watchlist_entries"),
                    fk("hits", "source_id", "watchlist_sources"),
                    fk("hits", "list_version_id", "watchlist_versions"),
                    fk("hits", "decided_by", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_hits")),
                    sa.UniqueConstraint("entity_id", "subject", "watchlist_entry_id",
                                        name=op.f("uq_hits_entity_id_subject_watchlist_entry_id")))
    with op.batch_alter_table("hits") as batch:
        batch.create_index(batch.f("ix_hits_entity_id"), ["entity_id"], unique=False)
        batch.create_index(batch.f("ix_hits_watchlist_entry_id"), ["watchlist_entry_id"], unique=False)
        batch.create_index("ix_hits_state_source", ["state", "source_id"], unique=False)
    op.create_table("hit_events",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("hit_id", sa.Integer(), nullable=False),
                    sa.Column("state", sa.String(length=20), nullable=False),
                    sa.Column("reason", sa.String(length=30), nullable=True),
                    sa.Column("note", sa.Text(), nullable=True),
                    sa.Column("entry_revision", sa.Integer(), nullable=False),
                    sa.Column("names_key", sa.String(length=64), nullable=False),
                    sa.Column("by_user_id", sa.Integer(), nullable=True),
                    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
                    fk("hit_events", "hit_id", "hits"),
                    fk("hit_events", "by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_events")))
    with op.batch_alter_table("hit_events") as batch:
        batch.create_index(batch.f("ix_hit_events_hit_id"), ["hit_id"], unique=False)


def downgrade():
    op.drop_table("hit_events")
    op.drop_table("hits")
    op.drop_table("screenings")
