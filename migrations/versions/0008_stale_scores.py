"""stale scores: an entity whose facts changed while its rule set could not be loaded says so

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("score_stale_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("score_problem", sa.String(300), nullable=True))


def downgrade():
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("score_problem")
        batch.drop_column("score_stale_since")
