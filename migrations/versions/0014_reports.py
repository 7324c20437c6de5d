"""worker reports: reports with their sealed parts, case history, referrals, reads, and the public figures

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def fk(table, column, target, ondelete=None):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete=ondelete)


def when(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def sealed_part(table):
    """The columns every sealed piece of a report has (app/reports/models.py, Sealed)."""
    return [sa.Column("report_id", sa.Integer(), nullable=False),
            sa.Column("organisation_id", sa.Integer(), nullable=False),
            when("added_at", nullable=False),
            fk(table, "report_id", "reports", ondelete="CASCADE"),
            fk(table, "organisation_id", "organisations")]


def upgrade():
    op.create_table("reports",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("receiving_organisation_id", sa.Integer(), nullable=False),
                    sa.Column("channel", sa.String(length=10), nullable=False),
                    sa.Column("filed_by_user_id", sa.Integer(), nullable=True),
                    when("received_at", nullable=False),
                    sa.Column("agency_entity_id", sa.Integer(), nullable=True),
                    sa.Column("agency_licence_number", sa.String(length=100), nullable=True),
                    sa.Column("agency_name", sa.String(length=300), nullable=True),
                    sa.Column("employer_entity_id", sa.Integer(), nullable=True),
                    sa.Column("employer_name", sa.String(length=300), nullable=True),
                    sa.Column("origin_country", sa.String(length=2), nullable=True),
                    sa.Column("destination_country", sa.String(length=2), nullable=True),
                    sa.Column("period_from", sa.Date(), nullable=True),
                    sa.Column("period_until", sa.Date(), nullable=True),
                    sa.Column("fees", sa.JSON(), nullable=True),
                    sa.Column("documents_kept", sa.Boolean(), nullable=True),
                    sa.Column("contract", sa.String(length=12), nullable=True),
                    sa.Column("wages_withheld", sa.Boolean(), nullable=True),
                    sa.Column("deceived", sa.Boolean(), nullable=True),
                    sa.Column("threats_or_violence", sa.Boolean(), nullable=True),
                    sa.Column("in_debt", sa.Boolean(), nullable=True),
                    sa.Column("categories", sa.String(length=200), nullable=False),
                    sa.Column("consent_regulator", sa.Boolean(), nullable=False),
                    sa.Column("consent_figures", sa.Boolean(), nullable=False),
                    sa.Column("consent_contact", sa.Boolean(), nullable=False),
                    sa.Column("key_id", sa.String(length=20), nullable=True),
                    sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
                    sa.Column("sealed_account", sa.LargeBinary(), nullable=True),
                    sa.Column("sealed_contact", sa.LargeBinary(), nullable=True),
                    sa.Column("receipt_hash", sa.String(length=64), nullable=False),
                    sa.Column("reporter_key", sa.String(length=64), nullable=True),
                    sa.Column("state", sa.String(length=15), nullable=False),
                    sa.Column("assigned_to_user_id", sa.Integer(), nullable=True),
                    sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
                    sa.Column("verified_categories", sa.String(length=200), nullable=True),
                    when("verified_at"),
                    sa.Column("verified_by_user_id", sa.Integer(), nullable=True),
                    when("withdrawn_at"),
                    sa.Column("version", sa.Integer(), nullable=False),
                    fk("reports", "receiving_organisation_id", "organisations"),
                    fk("reports", "filed_by_user_id", "users"),
                    fk("reports", "agency_entity_id", "entities"),
                    fk("reports", "employer_entity_id", "entities"),
                    fk("reports", "assigned_to_user_id", "users"),
                    fk("reports", "duplicate_of_id", "reports"),
                    fk("reports", "verified_by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
                    sa.UniqueConstraint("receipt_hash", name=op.f("uq_reports_receipt_hash")))
    op.create_index("ix_reports_receiver_state", "reports", ["receiving_organisation_id", "state"])
    op.create_index(op.f("ix_reports_agency_entity_id"), "reports", ["agency_entity_id"])
    op.create_table("report_attachments",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("media_type", sa.String(length=40), nullable=False),
                    sa.Column("size", sa.Integer(), nullable=False),
                    sa.Column("sealed_name", sa.LargeBinary(), nullable=False),
                    sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
                    *sealed_part("report_attachments"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_attachments")))
    op.create_table("report_additions",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("sealed_text", sa.LargeBinary(), nullable=False),
                    *sealed_part("report_additions"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_additions")))
    op.create_table("report_notes",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("by_user_id", sa.Integer(), nullable=True),
                    sa.Column("sealed_text", sa.LargeBinary(), nullable=False),
                    *sealed_part("report_notes"),
                    fk("report_notes", "by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_notes")))
    for table in ("report_attachments", "report_additions", "report_notes"):
        op.create_index(op.f(f"ix_{table}_report_id"), table, ["report_id"])
    op.create_table("report_state_changes",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("report_id", sa.Integer(), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("from_state", sa.String(length=15), nullable=True),
                    sa.Column("to_state", sa.String(length=15), nullable=False),
                    when("at", nullable=False),
                    sa.Column("by_user_id", sa.Integer(), nullable=True),
                    fk("report_state_changes", "report_id", "reports", ondelete="CASCADE"),
                    fk("report_state_changes", "organisation_id", "organisations"),
                    fk("report_state_changes", "by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_state_changes")))
    op.create_index(op.f("ix_report_state_changes_report_id"), "report_state_changes", ["report_id"])
    op.create_table("report_referrals",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("report_id", sa.Integer(), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("regulator_id", sa.Integer(), nullable=False),
                    when("referred_at", nullable=False),
                    sa.Column("by_user_id", sa.Integer(), nullable=True),
                    fk("report_referrals", "report_id", "reports", ondelete="CASCADE"),
                    fk("report_referrals", "organisation_id", "organisations"),
                    fk("report_referrals", "regulator_id", "organisations"),
                    fk("report_referrals", "by_user_id", "users"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_referrals")))
    op.create_index(op.f("ix_report_referrals_report_id"), "report_referrals", ["report_id"])
    op.create_index(op.f("ix_report_referrals_regulator_id"), "report_referrals", ["regulator_id"])
    op.create_table("report_reads",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("report_id", sa.Integer(), nullable=False),
                    sa.Column("organisation_id", sa.Integer(), nullable=False),
                    sa.Column("reader_user_id", sa.Integer(), nullable=True),
                    sa.Column("reader_organisation_id", sa.Integer(), nullable=True),
                    sa.Column("what", sa.String(length=40), nullable=False),
                    when("at", nullable=False),
                    fk("report_reads", "report_id", "reports", ondelete="CASCADE"),
                    fk("report_reads", "organisation_id", "organisations"),
                    fk("report_reads", "reader_user_id", "users"),
                    fk("report_reads", "reader_organisation_id", "organisations"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reads")))
    op.create_index(op.f("ix_report_reads_report_id"), "report_reads", ["report_id"])
    op.create_table("report_figures",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("kind", sa.String(length=10), nullable=False),
                    sa.Column("year", sa.Integer(), nullable=False),
                    sa.Column("subject", sa.String(length=20), nullable=False),
                    sa.Column("category", sa.String(length=30), nullable=False),
                    sa.Column("reports", sa.Integer(), nullable=False),
                    when("computed_at", nullable=False),
                    sa.Column("min_reporters", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_figures")))
    op.create_index("ix_report_figures_lookup", "report_figures", ["kind", "year", "subject"])


def downgrade():
    for table in ("report_figures", "report_reads", "report_referrals", "report_state_changes", "report_notes",
                  "report_additions", "report_attachments", "reports"):
        op.drop_table(table)
