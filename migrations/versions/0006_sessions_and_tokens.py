"""sessions and tokens: users carry a session epoch and a version; API tokens may be read-only

A user's signed cookies name the epoch they were issued in; raising it (sign-out, password change, disabling)
ends every session issued before.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_epoch", server_default=None)
        batch.alter_column("version", server_default=None)
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("read_only", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("read_only", server_default=None)


def downgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("read_only")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("version")
        batch.drop_column("session_epoch")
