"""Parallel writers through the real app on a real committed database: they queue or get 409, never 500."""
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from app import db
from app.accounts import service as accounts
from app.accounts.audit import set_actor
from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.registry import service as registry
from app.cli import leaf_commands
from app.errors import database_answer
from app.registry.models import Authority
from app.screening.importer import import_watchlist
from tests.conftest import fresh_database_url, make_app

WRITERS = 20
SOURCES = Path(__file__).resolve().parent / "data" / "screening" / "sources"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """An app on its own database (commits are real), a platform admin's token and 2 x WRITERS + 1 agencies."""
    app = make_app(fresh_database_url(tmp_path_factory.mktemp("concurrency"), "concurrency"))
    db.Session.configure(bind=app.extensions["engine"])
    session = db.Session()
    platform = accounts.create_organisation(session, name="Concurrency Platform", kind="platform")
    admin = accounts.create_user(session, organisation_id=platform.id, email="admin@platform.example",
                                 name="Admin", role="admin", password="correct horse battery")
    session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP"))
    session.flush()
    _, raw = accounts.create_token(session, actor_for(session, admin), name="concurrency")
    set_actor(session, None, None)
    ids = [registry.create_entity(session, None, "agency", {
        "legal_name": f"Parallel Overseas {n} Pvt Ltd", "country": "NP", "sectors": ["construction"]}).id
        for n in range(2 * WRITERS + 1)]
    session.commit()
    db.Session.remove()
    yield app, {"Authorization": f"Bearer {raw}"}, ids
    app.extensions["engine"].dispose()


@pytest.fixture
def parallel(shared):
    """Run one request per argument, all released at once, each in its own thread; their responses."""
    app, headers, _ = shared
    db.Session.configure(bind=app.extensions["engine"])

    def run(send, arguments):
        start = threading.Barrier(len(arguments))

        def one(argument):
            client = app.test_client()
            start.wait()
            response = send(client, headers, argument)
            return response.status_code, response.json

        with ThreadPoolExecutor(len(arguments)) as pool:
            return list(pool.map(one, arguments))
    return run


def patch_website(client, headers, argument):
    entity_id, n = argument
    return client.patch(f"/api/v1/agencies/{entity_id}", json={"version": 1, "website": f"https://{n}.example"},
                        headers=headers)


def test_parallel_writers_of_one_record_with_one_version_let_exactly_one_win(shared, parallel):
    entity_id = shared[2][0]
    results = parallel(patch_website, [(entity_id, n) for n in range(WRITERS)])
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (WRITERS - 1)
    assert all(body["code"] == "conflict" and "version" in body["errors"] for status, body in results
               if status == 409)


def test_parallel_writers_of_different_records_all_win(shared, parallel):
    ids = shared[2][1:WRITERS + 1]
    results = parallel(patch_website, list(zip(ids, range(WRITERS))))
    assert [status for status, _ in results] == [200] * WRITERS
    assert sorted(body["website"] for _, body in results) == sorted(f"https://{n}.example" for n in range(WRITERS))


def test_parallel_follows_of_one_agency_store_it_once_and_the_rest_conflict(shared, parallel):
    entity_id = shared[2][-1]
    results = parallel(lambda client, headers, _: client.post("/api/v1/portfolio", json={"entity_id": entity_id},
                                                               headers=headers), range(WRITERS))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (WRITERS - 1)


def test_readers_do_not_wait_for_a_writer_holding_the_lock(shared):
    app, headers, ids = shared
    engine = app.extensions["engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers")
    db.Session.configure(bind=engine)
    session = db.Session()
    import_watchlist(session, "np-banned", "generic-csv", [SOURCES / "banned_v1.csv"], actor=OPERATOR,
                     kind="banned_agency")
    session.commit()
    db.Session.remove()
    with engine.connect() as writer, db.writing(), writer.begin() as holding:
        started = time.perf_counter()
        response = app.test_client().get(f"/api/v1/agencies/{ids[-1]}", headers=headers)
        assert response.status_code == 200 and time.perf_counter() - started < 2
        # Screening a name and scoring posted facts are POSTs that only read.
        started = time.perf_counter()
        response = app.test_client().post("/api/v1/screen", json={"name": "Himal Fake Overseas"}, headers=headers)
        assert response.status_code == 200 and time.perf_counter() - started < 2
        assert [hit["entry_id"] for hit in response.json["hits"]] == ["NP-B-001"]
        started = time.perf_counter()
        response = app.test_client().post("/api/v1/score/what-if", headers=headers, json={
            "kind": "agency", "country": "NP", "facts": {"licence_status": "valid", "documents_retained": True}})
        assert response.status_code == 200 and time.perf_counter() - started < 2
        assert response.json["tier"] == "critical"
        holding.rollback()


def test_write_requests_and_writing_commands_begin_as_writers(app):
    for method, writes in (("GET", False), ("HEAD", False), ("POST", True), ("PATCH", True), ("DELETE", True)):
        with app.test_request_context(method=method):
            assert db.writes_intended() is writes
    # A POST marked as only reading.
    for path in ("/api/v1/screen", "/api/v1/score/what-if"):
        with app.test_request_context(path, method="POST"):
            assert db.writes_intended() is False
    with app.test_request_context("/api/v1/watchlists/np-banned/versions", method="POST"):
        assert db.writes_intended() is True
    assert db.writes_intended() is False
    with db.writing():
        assert db.writes_intended() is True
    commands = dict(leaf_commands(app.cli))
    assert getattr(commands["registry import"].callback, "writes", False)
    assert getattr(commands["users create"].callback, "writes", False)
    assert not getattr(commands["registry export"].callback, "writes", False)


class LostRace(Exception):
    def __init__(self, sqlstate):
        super().__init__("could not serialize access")
        self.sqlstate = sqlstate


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])
def test_a_postgresql_serialisation_failure_or_deadlock_is_a_conflict(sqlstate):
    status, code, _ = database_answer(OperationalError("UPDATE entities ...", {}, LostRace(sqlstate)))
    assert (status, code) == (409, "conflict")


def test_other_database_failures_stay_failures():
    assert database_answer(OperationalError("SELECT 1", {}, LostRace("08006"))) is None
