"""authorities: contact details and what their law says about fees (for the public agency page); licence
number keys read digits of any script as 0-9

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

from app.registry.names import licence_key

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("authorities") as batch:
        batch.add_column(sa.Column("website", sa.String(300), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(60), nullable=True))
        batch.add_column(sa.Column("email", sa.String(200), nullable=True))
        batch.add_column(sa.Column("fee_law", sa.Text(), nullable=True))
    # Numbers written with other digits (Devanagari, Bengali...) had those digits dropped from their key.
    connection = op.get_bind()
    licences = sa.table("licences", sa.column("id", sa.Integer), sa.column("number", sa.String),
                        sa.column("number_key", sa.String))
    for licence_id, number, key in connection.execute(sa.select(licences.c.id, licences.c.number,
                                                                licences.c.number_key)):
        if not number.isascii() and licence_key(number) != key:
            connection.execute(licences.update().where(licences.c.id == licence_id)
                               .values(number_key=licence_key(number)))


def downgrade():
    with op.batch_alter_table("authorities") as batch:
        batch.drop_column("fee_law")
        batch.drop_column("email")
        batch.drop_column("phone")
        batch.drop_column("website")
