"""Commands for operators: organisations and users."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app import db
from app.accounts import service
from app.accounts.auth import Actor
from app.accounts.models import ORGANISATION_KINDS, ROLES, Organisation
from app.errors import AppError

# Commands run by the operator of the installation act with platform rights.
OPERATOR = Actor(user_id=None, email="operator@cli", role="admin", organisation_id=None,
                 organisation_kind="platform")


@click.group()
def users():
    """Organisations and users."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--organisation", "organisation_name", required=True, help="Created if it does not exist.")
@click.option("--kind", type=click.Choice(ORGANISATION_KINDS), default="business", show_default=True,
              help="Kind of a new organisation.")
@click.password_option()
@with_appcontext
def create(email, name, role, organisation_name, kind, password):
    """Add a user (and their organisation if new)."""
    if len(password) < 12:
        raise click.BadParameter("use 12 characters or more", param_hint="--password")
    session = db.Session()
    try:
        organisation = session.scalar(select(Organisation).where(Organisation.name == organisation_name))
        if organisation is None:
            organisation = service.create_organisation(session, name=organisation_name, kind=kind)
        user = service.create_user(session, organisation_id=organisation.id, email=email, name=name, role=role,
                                   password=password)
    except AppError as err:
        session.rollback()
        raise click.ClickException(err.message) from None
    session.commit()
    click.echo(f"user {user.id} {user.email} ({role}) in {organisation.name}")
