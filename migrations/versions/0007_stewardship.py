"""stewardship of shared records: who registered and who certifies an entity, withdrawals, public licence
history reasons, and change requests

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("registered_by_organisation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("certified_by_organisation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("withdrawn_by_user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
        batch.create_foreign_key(batch.f("fk_entities_registered_by_organisation_id_organisations"),
                                 "organisations", ["registered_by_organisation_id"], ["id"])
        batch.create_foreign_key(batch.f("fk_entities_certified_by_organisation_id_organisations"),
                                 "organisations", ["certified_by_organisation_id"], ["id"])
        batch.create_foreign_key(batch.f("fk_entities_withdrawn_by_user_id_users"),
                                 "users", ["withdrawn_by_user_id"], ["id"])
        batch.create_index(batch.f("ix_entities_registered_by_organisation_id"), ["registered_by_organisation_id"])
    with op.batch_alter_table("licence_status_changes") as batch:
        batch.add_column(sa.Column("reason_public", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table("change_requests",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("entity_id", sa.Integer(), nullable=False),
                    sa.Column("proposed_by_user_id", sa.Integer(), nullable=True),
                    sa.Column("proposed_by_organisation_id", sa.Integer(), nullable=True),
                    sa.Column("fields", sa.JSON(), nullable=False),
                    sa.Column("reason", sa.Text(), nullable=False),
                    sa.Column("entity_version", sa.Integer(), nullable=False),
                    sa.Column("state", sa.String(length=20), nullable=False),
                    sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
                    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
                    sa.Column("decision_reason", sa.Text(), nullable=True),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("version", sa.Integer(), nullable=False),
                    fk("change_requests", "entity_id", "entities"),
                    fk("change_requests", "proposed_by_user_id", "users"),
                    fk("change_requests", "proposed_by_organisation_id", "organisations"),
                    fk("change_requests", "decided_by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")))
    with op.batch_alter_table("change_requests") as batch:
        batch.create_index(batch.f("ix_change_requests_entity_id"), ["entity_id"], unique=False)
        batch.create_index("ix_change_requests_state", ["state", "entity_id"], unique=False)
        batch.create_index(batch.f("ix_change_requests_proposed_by_organisation_id"),
                           ["proposed_by_organisation_id"], unique=False)


def downgrade():
    op.drop_table("change_requests")
    with op.batch_alter_table("licence_status_changes") as batch:
        batch.drop_column("reason_public")
    with op.batch_alter_table("entities") as batch:
        batch.drop_index(batch.f("ix_entities_registered_by_organisation_id"))
        batch.drop_constraint(batch.f("fk_entities_withdrawn_by_user_id_users"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_entities_certified_by_organisation_id_organisations"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_entities_registered_by_organisation_id_organisations"), type_="foreignkey")
        batch.drop_column("withdrawn_reason")
        batch.drop_column("withdrawn_by_user_id")
        batch.drop_column("certified_by_organisation_id")
        batch.drop_column("registered_by_organisation_id")
