"""Alembic, driven from the app's configuration."""
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(app):
    """An Alembic Config pointing at migrations/ and the app's database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = app.extensions["engine"]
    return config


def upgrade(app, revision="head"):
    """Bring the database schema up to a revision."""
    command.upgrade(alembic_config(app), revision)


def downgrade(app, revision):
    """Take the schema back to a revision."""
    command.downgrade(alembic_config(app), revision)


def revision(app, message):
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(app), message=message, autogenerate=True)
