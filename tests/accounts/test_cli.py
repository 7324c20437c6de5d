"""Operator commands for users."""
from sqlalchemy import select

from app.accounts.models import Organisation, User


def test_users_create_adds_the_user_and_their_organisation(runner, session):
    result = runner.invoke(args=["users", "create", "--email", "Reg@DoFE.example", "--name", "Registrar",
                                 "--role", "registrar", "--organisation", "DoFE Nepal", "--kind", "government",
                                 "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "reg@dofe.example"))
    assert user.role == "registrar"
    assert session.get(Organisation, user.organisation_id).kind == "government"


def test_users_create_refuses_bad_arguments_and_writes_nothing(runner, session):
    short = runner.invoke(args=["users", "create", "--email", "a@b.example", "--name", "A", "--role", "viewer",
                                "--organisation", "Org", "--password", "short"])
    assert short.exit_code == 2 and "12 characters" in short.output
    role = runner.invoke(args=["users", "create", "--email", "a@b.example", "--name", "A", "--role", "boss",
                               "--organisation", "Org", "--password", "a long enough password"])
    assert role.exit_code == 2 and "'boss' is not one of" in role.output
    assert session.scalar(select(User).where(User.email == "a@b.example")) is None
    assert session.scalar(select(Organisation).where(Organisation.name == "Org")) is None


def test_users_create_refuses_a_taken_email(runner, make_user, session):
    user = make_user("viewer")
    result = runner.invoke(args=["users", "create", "--email", user.email, "--name", "B", "--role", "viewer",
                                 "--organisation", "New Org", "--password", "a long enough password"])
    assert result.exit_code == 1 and "exists already" in result.output
    assert session.scalar(select(Organisation).where(Organisation.name == "New Org")) is None
