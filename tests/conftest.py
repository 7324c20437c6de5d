"""Fixtures: one migrated database per run (SQLite, or PostgreSQL with TEST_DATABASE_URL), a rolled-back
transaction per test, and small factories."""
from contextlib import contextmanager
import os
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app, db, migrate
from app.accounts import service as accounts, throttle
from app.accounts.audit import set_actor
from app.accounts.auth import actor_for
from app.registry import listing, service as registry
from app.registry.models import Authority
from app.reports import keys
from app.screening import indexes

PASSWORD = "correct horse battery"
# Worker reports' master keys for this run: never the instance folder's.
KEYRING = keys.dump(keys.fresh())


def count(session, model):
    """How many rows a table has, as the test's transaction sees it."""
    return session.scalar(select(func.count()).select_from(model))


def fresh_database_url(tmp_dir, name):
    """A new empty database: a SQLite file, or a PostgreSQL database beside TEST_DATABASE_URL's (one per
    pytest-xdist worker: the workers run at the same time)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_dir}/{name}.sqlite"
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    database = f"{url.database}_{name}{os.environ.get('PYTEST_XDIST_WORKER', '')}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    server.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def make_app(url):
    """A migrated app on an empty database."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test-" + uuid.uuid4().hex, "TESTING": True,
                      "LOG_LEVEL": "WARNING", "REPORTS_KEYRING": KEYRING})
    with app.app_context():
        migrate.upgrade(app)
    return app


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = make_app(fresh_database_url(tmp_path_factory.mktemp("db"), "main"))
    yield app
    app.extensions["engine"].dispose()


@contextmanager
def rolled_back(app):
    """A session whose commits land in savepoints of an outer transaction rolled back at the end.

    No app context is held open: each request pushes its own and removes its session at the end, as in
    production, so a failed request's uncommitted changes are really rolled back.
    """
    # Writes are rolled back under the process's listing and name indexes: start with none.
    listing.forget()
    indexes.forget()
    with app.extensions["engine"].connect() as conn:
        outer = conn.begin()
        db.Session.configure(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield db.Session()
        finally:
            db.Session.remove()
            outer.rollback()
            db.Session.configure(bind=app.extensions["engine"])


@pytest.fixture
def session(app):
    """A session whose commits are rolled back after the test (see rolled_back)."""
    with rolled_back(app) as session:
        yield session


@pytest.fixture
def client(app, session):
    """A test client; sign-in and token attempts counted by earlier tests are forgotten."""
    throttle.reset()
    return app.test_client()


@pytest.fixture
def runner(app, session):
    return app.test_cli_runner()


@pytest.fixture
def make_org(session):
    def make(kind="business", name=None, authority_codes=()):
        ids = [session.query(Authority).filter_by(code=c).one().id for c in authority_codes]
        organisation = accounts.create_organisation(session, name=name or f"{kind}-{uuid.uuid4().hex[:8]}",
                                                    kind=kind, authority_ids=ids)
        session.commit()
        return organisation
    return make


@pytest.fixture
def make_user(session, make_org):
    def make(role="analyst", organisation=None, kind="business", **fields):
        organisation = organisation or make_org(kind)
        fields.setdefault("email", f"{role}-{uuid.uuid4().hex[:8]}@example.org")
        fields.setdefault("name", role.title())
        user = accounts.create_user(session, organisation_id=organisation.id, role=role, password=PASSWORD, **fields)
        session.commit()
        return user
    return make


@pytest.fixture
def make_token(session, make_user):
    """Headers with a fresh bearer token for a new user of this role (and organisation kind)."""
    def make(role="analyst", organisation=None, kind="business"):
        user = make_user(role, organisation=organisation, kind=kind)
        _, raw = accounts.create_token(session, actor_for(session, user), name="test")
        session.commit()
        return {"Authorization": f"Bearer {raw}"}
    return make


@pytest.fixture
def authority(session):
    """The Nepal Department of Foreign Employment, as a licensing authority."""
    found = session.query(Authority).filter_by(code="NP-DOFE").one_or_none()
    if found is None:
        found = Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP")
        session.add(found)
        session.commit()
    return found


@pytest.fixture
def make_agency(session, authority):
    """Register an agency through the service; overrides change its fields."""
    counter = iter(range(1, 10_000))

    def make(kind="agency", **overrides):
        n = next(counter)
        data = {"legal_name": f"Test Overseas {uuid.uuid4().hex[:6]} Pvt Ltd", "country": "NP",
                "aliases": [], "identifiers": [], "addresses": [], "sectors": ["construction"], "people": [],
                "licences": [{"authority": authority.code, "number": f"T-{uuid.uuid4().hex[:8]}-{n}",
                              "type": "full", "status": "valid", "destinations": ["QA"], "sectors": []}]}
        data.update(overrides)
        set_actor(session, None, None)
        entity = registry.create_entity(session, None, kind, data)
        session.commit()
        return entity
    return make


@pytest.fixture
def registrar(make_token, make_org, authority):
    """Headers of a registrar of the regulator that issues NP-DOFE licences (a steward of what it licenses)."""
    return make_token("registrar", organisation=make_org("government", authority_codes=[authority.code]))
