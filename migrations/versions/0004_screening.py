"""screening: watchlist sources, versions, entries and each version's changes

Sources and versions point at each other, so the source's current-version constraint is added last.

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("watchlist_sources",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("name", sa.String(length=60), nullable=False),
                    sa.Column("title", sa.String(length=200), nullable=False),
                    sa.Column("publisher", sa.String(length=200), nullable=True),
                    sa.Column("kind", sa.String(length=20), nullable=False),
                    sa.Column("format", sa.String(length=30), nullable=False),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("current_version_id", sa.Integer(), nullable=True),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_sources")),
                    sa.UniqueConstraint("name", name=op.f("uq_watchlist_sources_name")))
    op.create_table("watchlist_versions",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("source_id", sa.Integer(), nullable=False),
                    sa.Column("number", sa.Integer(), nullable=False),
                    sa.Column("format", sa.String(length=30), nullable=False),
                    sa.Column("files", sa.JSON(), nullable=False),
                    sa.Column("sha256", sa.String(length=64), nullable=False),
                    sa.Column("entry_count", sa.Integer(), nullable=False),
                    sa.Column("added", sa.Integer(), nullable=False),
                    sa.Column("changed", sa.Integer(), nullable=False),
                    sa.Column("removed", sa.Integer(), nullable=False),
                    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("imported_by", sa.Integer(), nullable=True),
                    sa.Column("status", sa.String(length=20), nullable=False),
                    sa.ForeignKeyConstraint(["imported_by"], ["users.id"],
                                            name=op.f("fk_watchlist_versions_imported_by_users")),
                    sa.ForeignKeyConstraint(["source_id"], ["watchlist_sources.id"],
                                            name=op.f("fk_watchlist_versions_source_id_watchlist_sources")),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_versions")),
                    sa.UniqueConstraint("source_id", "number", name=op.f("uq_watchlist_versions_source_id_number")))
    with op.batch_alter_table("watchlist_sources") as batch:
        batch.create_foreign_key(batch.f("fk_watchlist_sources_current_version_id_watchlist_versions"),
                                 "watchlist_versions", ["current_version_id"], ["id"])
    op.create_table("watchlist_entries",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("source_id", sa.Integer(), nullable=False),
                    sa.Column("entry_id", sa.String(length=100), nullable=False),
                    sa.Column("kind", sa.String(length=20), nullable=False),
                    sa.Column("name", sa.Text(), nullable=False),
                    sa.Column("aliases", sa.JSON(), nullable=False),
                    sa.Column("weak_aliases", sa.JSON(), nullable=False),
                    sa.Column("countries", sa.JSON(), nullable=False),
                    sa.Column("identifiers", sa.JSON(), nullable=False),
                    sa.Column("listed_on", sa.Date(), nullable=True),
                    sa.Column("reason", sa.Text(), nullable=True),
                    sa.Column("details", sa.JSON(), nullable=False),
                    sa.Column("content_hash", sa.String(length=64), nullable=False),
                    sa.Column("revision", sa.Integer(), nullable=False),
                    sa.Column("first_version_id", sa.Integer(), nullable=False),
                    sa.Column("last_changed_version_id", sa.Integer(), nullable=False),
                    sa.Column("removed_version_id", sa.Integer(), nullable=True),
                    sa.ForeignKeyConstraint(["first_version_id"], ["watchlist_versions.id"],
                                            name=op.f("fk_watchlist_entries_first_version_id_watchlist_versions")),
                    sa.ForeignKeyConstraint(["last_changed_version_id"], ["watchlist_versions.id"],
                                            name=op.f("fk_watchlist_entries_last_changed_version_id_watchlist_versions")),
                    sa.ForeignKeyConstraint(["removed_version_id"], ["watchlist_versions.id"],
                                            name=op.f("fk_watchlist_entries_removed_version_id_watchlist_versions")),
                    sa.ForeignKeyConstraint(["source_id"], ["watchlist_sources.id"],
                                            name=op.f("fk_watchlist_entries_source_id_watchlist_sources")),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_entries")),
                    sa.UniqueConstraint("source_id", "entry_id", name=op.f("uq_watchlist_entries_source_id_entry_id")))
    op.create_table("watchlist_changes",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("version_id", sa.Integer(), nullable=False),
                    sa.Column("watchlist_entry_id", sa.Integer(), nullable=False),
                    sa.Column("kind", sa.String(length=10), nullable=False),
                    sa.Column("revision", sa.Integer(), nullable=False),
                    sa.Column("previous_hash", sa.String(length=64), nullable=True),
                    sa.Column("previous", sa.JSON(), nullable=True),
                    sa.ForeignKeyConstraint(["version_id"], ["watchlist_versions.id"],
                                            name=op.f("fk_watchlist_changes_version_id_watchlist_versions")),
                    sa.ForeignKeyConstraint(["watchlist_entry_id"], ["watchlist_entries.id"],
                                            name=op.f("fk_watchlist_changes_watchlist_entry_id_watchlist_entries")),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_changes")))
    with op.batch_alter_table("watchlist_changes") as batch:
        batch.create_index("ix_watchlist_changes_version_kind", ["version_id", "kind"], unique=False)
        batch.create_index(batch.f("ix_watchlist_changes_watchlist_entry_id"), ["watchlist_entry_id"], unique=False)


def downgrade():
    op.drop_table("watchlist_changes")
    op.drop_table("watchlist_entries")
    with op.batch_alter_table("watchlist_sources") as batch:
        batch.drop_constraint(batch.f("fk_watchlist_sources_current_version_id_watchlist_versions"),
                              type_="foreignkey")
    op.drop_table("watchlist_versions")
    op.drop_table("watchlist_sources")
