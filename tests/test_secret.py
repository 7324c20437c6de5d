"""The secret key: made once per installation into instance/, never the old fixed development key."""
import os
import stat

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
import pytest

from app import create_app, db, migrate
from app.accounts import service as accounts
from app.secret import instance_secret
from tests.conftest import PASSWORD, fresh_database_url
from tests.web.test_sign_in import sign_in

OLD_DEFAULT = "dev-only-not-secret"


def cookie_signed_with(secret, data):
    """A session cookie as a Flask app with this secret would sign it."""
    forger = Flask("forger")
    forger.secret_key = secret
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(data)


def test_the_first_start_writes_a_private_secret_that_later_starts_reuse(tmp_path):
    folder = tmp_path / "instance"
    first = instance_secret(str(folder))
    assert len(first) >= 32 and first != OLD_DEFAULT
    assert stat.S_IMODE(os.stat(folder / "secret_key").st_mode) == 0o600
    assert instance_secret(str(folder)) == first
    assert os.listdir(folder) == ["secret_key"]
    assert instance_secret(str(tmp_path / "elsewhere")) != first


def test_a_cookie_signed_with_the_old_default_secret_signs_nobody_in(app, tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    url = fresh_database_url(tmp_path, "secret")
    folder = str(tmp_path / "instance")
    first = create_app({"DATABASE_URL": url, "TESTING": True, "LOG_LEVEL": "WARNING"}, instance_path=folder)
    second = create_app({"DATABASE_URL": url, "TESTING": True, "LOG_LEVEL": "WARNING"}, instance_path=folder)
    try:
        assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] != OLD_DEFAULT
        with first.app_context():
            migrate.upgrade(first)
            session = db.Session()
            organisation = accounts.create_organisation(session, name="Secret Test", kind="business")
            user = accounts.create_user(session, organisation_id=organisation.id, email="a@secret.example",
                                        name="A", role="analyst", password=PASSWORD)
            session.commit()
        browser = first.test_client()
        assert sign_in(browser, user.email).status_code == 302
        # The same cookie works on the second process: they share the secret.
        shared = second.test_client()
        shared.set_cookie("session", browser.get_cookie("session").value)
        assert shared.get("/api/v1/me").json["email"] == user.email
        claims = {"user_id": user.id, "epoch": 0}
        forged = second.test_client()
        forged.set_cookie("session", cookie_signed_with(OLD_DEFAULT, claims))
        assert forged.get("/api/v1/me").status_code == 401
        # The same claims signed with the installation's secret would sign in: only the key differs.
        genuine = second.test_client()
        genuine.set_cookie("session", cookie_signed_with(second.config["SECRET_KEY"], claims))
        assert genuine.get("/api/v1/me").status_code == 200
    finally:
        db.Session.remove()
        for made in (first, second):
            made.extensions["engine"].dispose()
        db.Session.configure(bind=app.extensions["engine"])


def test_production_never_makes_a_secret_of_its_own(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"FAIRRECRUIT_ENV": "production", "DATABASE_URL": "sqlite://"}, instance_path=str(tmp_path))
    assert not (tmp_path / "secret_key").exists()


def test_a_secret_from_the_environment_wins(app, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    made = create_app({"DATABASE_URL": "sqlite://"}, instance_path=str(tmp_path))
    assert made.config["SECRET_KEY"] == "s" * 40
    assert not (tmp_path / "secret_key").exists()
    made.extensions["engine"].dispose()
    db.Session.configure(bind=app.extensions["engine"])
