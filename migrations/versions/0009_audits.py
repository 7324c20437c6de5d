"""audits and corrective actions; findings belong to an audit

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade():
    op.create_table("audits",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("entity_id", sa.Integer(), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("reference", sa.String(length=60), nullable=True),
                    sa.Column("kind", sa.String(length=20), nullable=False),
                    sa.Column("lead_auditor", sa.String(length=200), nullable=True),
                    sa.Column("scope", sa.String(length=7), nullable=False),
                    sa.Column("document_review", sa.Boolean(), nullable=False),
                    sa.Column("management_interviews", sa.Integer(), nullable=False),
                    sa.Column("worker_interviews", sa.Integer(), nullable=False),
                    sa.Column("planned_on", sa.Date(), nullable=False),
                    sa.Column("fieldwork_started_on", sa.Date(), nullable=True),
                    sa.Column("fieldwork_ended_on", sa.Date(), nullable=True),
                    sa.Column("reported_on", sa.Date(), nullable=True),
                    sa.Column("closed_on", sa.Date(), nullable=True),
                    sa.Column("state", sa.String(length=20), nullable=False),
                    sa.Column("summary", sa.Text(), nullable=True),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("created_by_user_id", sa.Integer(), nullable=True),
                    sa.Column("version", sa.Integer(), nullable=False),
                    fk("audits", "entity_id", "entities"),
                    fk("audits", "organisation_id", "organisations"),
                    fk("audits", "created_by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_audits")),
                    sa.UniqueConstraint("organisation_id", "reference", name=op.f("uq_audits_organisation_id_reference")))
    with op.batch_alter_table("audits") as batch:
        batch.create_index(batch.f("ix_audits_entity_id"), ["entity_id"], unique=False)
        batch.create_index(batch.f("ix_audits_organisation_id"), ["organisation_id"], unique=False)
    with op.batch_alter_table("audit_findings") as batch:
        batch.add_column(sa.Column("audit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_audit_findings_audit_id_audits"), "audits", ["audit_id"], ["id"])
        batch.create_index(batch.f("ix_audit_findings_audit_id"), ["audit_id"], unique=False)
    op.create_table("corrective_actions",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("finding_id", sa.Integer(), nullable=False),
                    sa.Column("description", sa.Text(), nullable=False),
                    sa.Column("owner", sa.String(length=200), nullable=True),
                    sa.Column("owner_entity_id", sa.Integer(), nullable=True),
                    sa.Column("deadline", sa.Date(), nullable=False),
                    sa.Column("state", sa.String(length=20), nullable=False),
                    sa.Column("completion_evidence", sa.Text(), nullable=True),
                    sa.Column("completed_on", sa.Date(), nullable=True),
                    sa.Column("completed_by_user_id", sa.Integer(), nullable=True),
                    sa.Column("verified_on", sa.Date(), nullable=True),
                    sa.Column("verified_by_user_id", sa.Integer(), nullable=True),
                    sa.Column("verification_note", sa.Text(), nullable=True),
                    sa.Column("rejected_on", sa.Date(), nullable=True),
                    sa.Column("rejection_note", sa.Text(), nullable=True),
                    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("created_by_user_id", sa.Integer(), nullable=True),
                    sa.Column("version", sa.Integer(), nullable=False),
                    fk("corrective_actions", "finding_id", "audit_findings"),
                    fk("corrective_actions", "owner_entity_id", "entities"),
                    fk("corrective_actions", "completed_by_user_id", "users"),
                    fk("corrective_actions", "verified_by_user_id", "users"),
                    fk("corrective_actions", "created_by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_actions")))
    with op.batch_alter_table("corrective_actions") as batch:
        batch.create_index(batch.f("ix_corrective_actions_finding_id"), ["finding_id"], unique=False)
        batch.create_index("ix_corrective_actions_state_deadline", ["state", "deadline"], unique=False)


def downgrade():
    op.drop_table("corrective_actions")
    with op.batch_alter_table("audit_findings") as batch:
        batch.drop_index(batch.f("ix_audit_findings_audit_id"))
        batch.drop_constraint(batch.f("fk_audit_findings_audit_id_audits"), type_="foreignkey")
        batch.drop_column("audit_id")
    op.drop_table("audits")
