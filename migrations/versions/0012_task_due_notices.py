"""review tasks: the due date a task was last announced for (the review sweep's task_due notification)

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_tasks") as batch:
        batch.add_column(sa.Column("due_notified_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("review_tasks") as batch:
        batch.drop_column("due_notified_on")
