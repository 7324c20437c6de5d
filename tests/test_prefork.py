"""gunicorn's master builds the listing and name indexes once and forks its workers with them (app/prefork.py,
gunicorn.conf.py); each worker still catches up with what the others change."""
import gc
import logging
import os
from pathlib import Path
import threading
import time

import pytest

from app import create_app, prefork
from app.registry import listing
from app.screening import indexes
from tests.conftest import fresh_database_url
from tests.test_faults import Service, admin_token, call

AGENCY = {"legal_name": "Zephyrine Lantern Overseas Pvt Ltd", "country": "NP", "sectors": ["construction"]}
# A typo: only the registry's name index finds it, and only agencies in the listing are answered.
TYPED = "/api/v1/agencies?q=Zephirine%20Lanterns"


@pytest.fixture
def built():
    """What a test builds as a master would is forgotten after it (the collector back to normal)."""
    yield
    gc.unfreeze()
    listing.forget()
    indexes.forget()


def test_the_master_builds_for_its_workers_and_hands_them_no_database_connection(tmp_path, built):
    url = fresh_database_url(tmp_path, "prefork")
    headers = admin_token(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x" * 40, "LOG_LEVEL": "WARNING",
                      "SNAPSHOT_DIR": str(tmp_path)})
    created = app.test_client().post("/api/v1/agencies", json=AGENCY, headers=headers).get_json()
    listing.forget()
    indexes.forget()
    engine = app.extensions["engine"]

    threads = set(threading.enumerate())

    saver = prefork.before_fork(app, logging.getLogger(__name__))
    assert os.waitpid(saver, 0)[1] == 0, "the snapshot for the next start was not saved"

    # Nothing runs beside the master's main thread to be cut off by the fork (the scheduler is a process of its own).
    assert set(threading.enumerate()) == threads
    key = str(engine.url)
    assert created["id"] in listing.LISTINGS[key]
    assert ("entity", created["id"]) in indexes.INDEXES[key].registry.by_key
    assert engine.pool.checkedin() == 0 and engine.pool.checkedout() == 0
    assert gc.get_freeze_count() > 0

    # A worker drops the pooled connections it inherited without closing them: they are the master's.
    with engine.connect() as conn:
        inherited = conn.connection.dbapi_connection
    prefork.after_fork(app)
    assert engine.pool.checkedin() == 0
    inherited.cursor().execute("SELECT 1")
    inherited.close()


def test_a_master_that_cannot_reach_the_database_starts_its_workers_anyway(tmp_path, built, caplog):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/no/such/folder/db.sqlite", "SECRET_KEY": "x" * 40,
                      "LOG_LEVEL": "WARNING", "SNAPSHOT_DIR": str(tmp_path)})

    prefork.before_fork(app, logging.getLogger(__name__))
    prefork.after_fork(app)

    assert "worker.warm_skipped reason=OperationalError" in caplog.text


def test_a_change_made_through_one_worker_is_seen_by_the_others(tmp_path):
    url = fresh_database_url(tmp_path, "prefork_workers")
    headers = admin_token(url)
    access = tmp_path / "access.log"
    service = Service(url, tmp_path / "gunicorn.log", workers=2,
                      options=["--access-logfile", str(access), "--access-logformat", "%({x-test}i)s %(p)s %(s)s"])
    try:
        # Every worker has its listing and indexes from the master before the change.
        assert call(service.port, "GET", TYPED)[1]["meta"]["total"] == 0
        status, created = call(service.port, "POST", "/api/v1/agencies", AGENCY, headers)
        assert status == 201, created

        answers = searched_by_every_worker(service, access)
        assert {tuple(answer) for answer in answers.values()} == {(created["id"],)}
    finally:
        service.stop()


def searched_by_every_worker(service, access, timeout=30):
    """The ids each search found, {request number: ids}, searching from a few connections at once until the
    access log shows that each of the service's workers answered some of them."""
    answers, numbers = {}, iter(range(10**6))
    lock = threading.Lock()
    deadline = time.monotonic() + timeout

    def search():
        for _ in range(10):
            with lock:
                number = next(numbers)
            status, body = call(service.port, "GET", TYPED, headers={"X-Test": str(number)})
            with lock:
                answers[number] = [item["id"] for item in body["items"]] if status == 200 else body

    while True:
        threads = [threading.Thread(target=search) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        answered = {line.split()[1].strip("<>") for line in Path(access).read_text().splitlines()
                    if line.split()[0] != "-" and line.split()[2] == "200"}
        if answered >= service.workers():
            return answers
        assert time.monotonic() < deadline, f"only workers {answered} of {service.workers()} answered"
