"""registry generation: what changed since a reader last looked; list-filter indexes dropped

Lists are filtered in each process's listing now, so the indexes that served SQL filters only slowed writes.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


DROPPED_COLUMNS = [
    ("entities", "ix_entities_certification_status", ["certification_status"]),
    ("entities", "ix_entities_kind_country", ["kind", "country"]),
    ("entity_sectors", "ix_entity_sectors_sector", ["sector"]),
    ("licences", "ix_licences_authority_id", ["authority_id"]),
    ("licences", "ix_licences_number_key", ["number_key"]),
    ("licences", "ix_licences_status", ["status"]),
    ("licence_destinations", "ix_licence_destinations_country", ["country"]),
]
DROPPED = [(table, index) for table, index, _ in DROPPED_COLUMNS]


def upgrade():
    op.create_table("registry_state",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("generation", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_state")))
    op.execute("INSERT INTO registry_state (id, generation) VALUES (1, 1)")
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("generation", sa.BigInteger(), nullable=False, server_default="1"))
        batch.create_index(batch.f("ix_entities_generation"), ["generation"], unique=False)
    with op.batch_alter_table("entities") as batch:
        batch.alter_column("generation", server_default=None)
    for table, index in DROPPED:
        op.drop_index(index, table_name=table)


def downgrade():
    for table, index, columns in DROPPED_COLUMNS:
        op.create_index(index, table, columns, unique=False)
    with op.batch_alter_table("entities") as batch:
        batch.drop_index(batch.f("ix_entities_generation"))
        batch.drop_column("generation")
    op.drop_table("registry_state")
