"""gunicorn's master saves the listing and name indexes it built, and its next start loads them and catches up
instead of building them again (app/snapshot.py, app/prefork.py): with the same answers as a fresh build, and
never from a file of other code, another key or another history of the database."""
import logging
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy.orm import Session

from app import create_app, prefork, snapshot
from app.db import make_engine
from app.registry import listing
from app.screening import indexes
from tests.conftest import KEYRING, fresh_database_url
from tests.test_faults import Service, admin_token, call
from tests.test_prefork import AGENCY, TYPED, built  # noqa: F401 (built: the fixture)

AGENCIES = ["Zephyrine Lantern Overseas Pvt Ltd", "Marigold Bridge Manpower", "Kestrel Harbour Recruiting"]
# Typos, a licence-free name search and the listing's own order: the name index and the listing both answer.
SEARCHES = ["/api/v1/agencies?q=Zephirine%20Lanterns", "/api/v1/agencies?q=Kestrel%20Harbor",
            "/api/v1/agencies?q=Marygold%20Bridge", "/api/v1/agencies?sort=legal_name", "/api/v1/agencies?q=Orchid"]


def service_app(url, folder):
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "s" * 40, "LOG_LEVEL": "WARNING", "SNAPSHOT_DIR": str(folder),
                       "REPORTS_KEYRING": KEYRING})


def registered(app, headers, names):
    """Register agencies through the API; their ids."""
    client = app.test_client()
    return [client.post("/api/v1/agencies", json={"legal_name": name, "country": "NP"}, headers=headers)
            .get_json()["id"] for name in names]


def answers(app, headers):
    """What the searches answer, as the process holds its listing and indexes now."""
    client = app.test_client()
    return [[item["id"] for item in client.get(search, headers=headers).get_json()["items"]] for search in SEARCHES]


def start(app):
    """A master's start in this process: nothing held before; waits for the snapshot's writer, if any."""
    listing.forget()
    indexes.forget()
    saver = prefork.before_fork(app, logging.getLogger("master"))
    if saver:
        assert os.waitpid(saver, 0)[1] == 0, "the snapshot's writer failed"
    return saver


def fresh_answers(app, headers):
    """The searches' answers from a listing and indexes built from scratch."""
    listing.forget()
    indexes.forget()
    return answers(app, headers)


@pytest.fixture
def service(tmp_path, built):  # noqa: F811
    url = fresh_database_url(tmp_path, "snapshot")
    headers = admin_token(url)
    app = service_app(url, tmp_path / "snapshots")
    registered(app, headers, AGENCIES)
    yield app, headers, url
    app.extensions["engine"].dispose()


def test_the_next_start_loads_the_snapshot_and_catches_up_with_what_changed_since(service, caplog):
    app, headers, _ = service
    caplog.set_level(logging.INFO, "master")

    assert start(app), "the first start builds and saves"
    [path] = Path(app.config["SNAPSHOT_DIR"]).iterdir()
    assert path.stat().st_mode & 0o777 == 0o600
    assert "snapshot.not_loaded reason='no snapshot yet'" in caplog.text
    assert "run `fairrecruit snapshot` before starting" in caplog.text

    # A start with nothing new loads it and has nothing to save.
    caplog.clear()
    assert start(app) is None
    assert "snapshot.loaded" in caplog.text
    assert answers(app, headers) == fresh_answers(app, headers)

    # Changes after the snapshot: an agency registered, one renamed. The next start loads, catches up, saves.
    [orchid] = registered(app, headers, ["Orchid Lane Employment"])
    first = app.test_client().get("/api/v1/agencies?q=Zephyrine", headers=headers).get_json()["items"][0]
    renamed = app.test_client().patch(f"/api/v1/agencies/{first['id']}", headers=headers,
                                      json={"legal_name": "Saffron Gate Placements", "version": first["version"]})
    assert renamed.status_code == 200, renamed.get_json()
    caplog.clear()
    assert start(app), "the start that caught up saves again"
    assert "snapshot.loaded" in caplog.text
    held = answers(app, headers)
    assert held == fresh_answers(app, headers)
    assert held[4] == [orchid] and held[0] == []


def test_a_snapshot_of_another_key_or_code_or_a_damaged_one_is_not_loaded(service, tmp_path, monkeypatch):
    app, headers, _ = service
    start(app)
    [path] = (tmp_path / "snapshots").iterdir()

    listing.forget()
    indexes.forget()
    monkeypatch.setitem(app.config, "SECRET_KEY", "o" * 40)
    assert snapshot.load(app) == "not signed with this SECRET_KEY"
    monkeypatch.undo()
    assert listing.LISTINGS == {} and indexes.INDEXES == {}
    assert snapshot.load(app) == snapshot.LOADED

    monkeypatch.setattr(snapshot, "code_version", lambda: "a later release")
    assert snapshot.load(app) == "made by other code or libraries"
    monkeypatch.undo()

    elsewhere = make_engine(fresh_database_url(tmp_path, "elsewhere"))
    with Session(elsewhere) as session:
        assert snapshot.install(session, snapshot.key_of(app), path) == "made for another database"
    elsewhere.dispose()

    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 1
    path.write_bytes(damaged)
    assert snapshot.load(app) == "not signed with this SECRET_KEY"
    path.write_bytes(b"nothing like a snapshot")
    assert snapshot.load(app) == "not signed with this SECRET_KEY"

    # A master whose snapshot is refused builds afresh and serves the same answers.
    listing.forget()
    indexes.forget()
    assert start(app)
    assert answers(app, headers) == fresh_answers(app, headers)


def test_a_database_seeded_again_the_same_way_is_built_afresh(tmp_path, built):  # noqa: F811
    # The same steps give the same ids and generations: only the audit trail tells the databases apart.
    folder = tmp_path / "snapshots"
    url = fresh_database_url(tmp_path, "reseeded")
    headers = admin_token(url)
    app = service_app(url, folder)
    registered(app, headers, AGENCIES)
    start(app)
    app.extensions["engine"].dispose()
    kept = tmp_path / "kept.pickle"
    shutil.copy(next(folder.iterdir()), kept)

    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink()
    url = fresh_database_url(tmp_path, "reseeded")   # (PostgreSQL: dropped and created again)
    headers = admin_token(url)
    app = service_app(url, folder)
    registered(app, headers, AGENCIES)

    assert snapshot.load(app, kept) == "the database's history differs from what it saw"
    app.extensions["engine"].dispose()


def test_history_continues_only_where_every_entity_kept_or_moved_past_its_generation():
    saved = {"event": (7, "then"), "versions": [(1, "a"), (2, "b")], "entities": ([1, 2, 3], [4, 5, 9])}

    def now(entities, versions=((1, "a"), (2, "b")), event=(7, "then")):
        return {"event": event, "versions": list(versions), "entities": tuple(map(list, zip(*entities)))}

    assert snapshot.continues(saved, now([(1, 4), (2, 5), (3, 9)]), 2, 5)
    # Entity 2 changed after the snapshot's generation 5, entity 4 is new: caught up, not refused.
    assert snapshot.continues(saved, now([(1, 4), (2, 8), (3, 9), (4, 6)]), 2, 5)
    # A list version added after the snapshot is caught up too.
    assert snapshot.continues(saved, now([(1, 4), (2, 5), (3, 9)], [(1, "a"), (2, "b"), (3, "c")]), 2, 5)

    assert not snapshot.continues(saved, now([(1, 3), (2, 5), (3, 9)]), 2, 5)      # entity 1 at another generation
    assert not snapshot.continues(saved, now([(2, 5), (3, 9)]), 2, 5)              # entity 1 gone
    assert not snapshot.continues(saved, now([(1, 4), (2, 5), (3, 9), (4, 2)]), 2, 5)  # another at or below it
    assert not snapshot.continues(saved, now([(1, 4), (2, 5), (3, 9)], [(1, "a"), (2, "x")]), 2, 5)
    assert not snapshot.continues(saved, now([(1, 4), (2, 5), (3, 9)], event=(7, "later")), 2, 5)
    assert not snapshot.continues(saved, now([(1, 4), (2, 5), (3, 9)], event=None), 2, 5)


def test_gunicorn_started_again_loads_the_snapshot_its_master_saved(tmp_path):
    url = fresh_database_url(tmp_path, "snapshot_gunicorn")
    headers = admin_token(url)
    log = tmp_path / "gunicorn.log"
    service = Service(url, log, workers=2, snapshots=True)
    try:
        saved_once(log, 1)
        status, created = call(service.port, "POST", "/api/v1/agencies", AGENCY, headers)
        assert status == 201, created
    finally:
        service.stop()

    service = Service(url, log, workers=2, snapshots=True)
    try:
        assert "snapshot.loaded" in log.read_text()
        # Caught up with the agency registered after the snapshot, then saved again.
        assert [item["id"] for item in call(service.port, "GET", TYPED)[1]["items"]] == [created["id"]]
        saved_once(log, 2)
    finally:
        service.stop()


def test_a_release_saves_the_snapshot_with_the_command_and_gunicorn_starts_from_it(tmp_path):
    url = fresh_database_url(tmp_path, "snapshot_release")
    headers = admin_token(url)
    app = service_app(url, tmp_path)
    [created] = registered(app, headers, [AGENCY["legal_name"]])
    app.extensions["engine"].dispose()
    log = tmp_path / "gunicorn.log"
    # The installed command, in the environment the Service below gives gunicorn (its key, its snapshot folder).
    command = [str(Path(sys.executable).parent / "fairrecruit"), "snapshot"]
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "faults-" + "x" * 32, "LOG_LEVEL": "WARNING",
           "SNAPSHOT_DIR": str(tmp_path / "snapshots")}

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built the listing and name indexes and saved them to ")
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert again.stdout.startswith("caught up the last snapshot and saved them to "), again.stderr

    service = Service(url, log, workers=2, snapshots=True)
    try:
        assert "snapshot.loaded" in log.read_text() and "snapshot.not_loaded" not in log.read_text()
        assert [item["id"] for item in call(service.port, "GET", TYPED)[1]["items"]] == [created]
    finally:
        service.stop()

    off = subprocess.run(command, env={**env, "SNAPSHOTS": "0"}, capture_output=True, text=True, timeout=120)
    assert off.returncode == 2 and "SNAPSHOTS is off" in off.stderr
    missing = f"sqlite:///{tmp_path}/no/such/folder/db.sqlite"
    unreadable = subprocess.run(command, env={**env, "DATABASE_URL": missing}, capture_output=True, text=True,
                                timeout=120)
    assert unreadable.returncode == 1
    assert f"Error: the database {missing} could not be read" in unreadable.stderr
    assert "worker.warm_skipped reason=OperationalError" in unreadable.stderr


def saved_once(log, times, timeout=30):
    """Wait until the gunicorn log says a snapshot was saved `times` times in all."""
    deadline = time.monotonic() + timeout
    while log.read_text().count("snapshot.saved") < times:
        assert "snapshot.save_failed" not in log.read_text()
        assert time.monotonic() < deadline, "no snapshot was saved"
        time.sleep(0.1)


def test_a_save_stopped_halfway_leaves_the_last_snapshot_whole(service, tmp_path, monkeypatch):
    app, _, _ = service
    start(app)
    [path] = (tmp_path / "snapshots").iterdir()
    last = path.read_bytes()

    def killed(*args):
        raise SystemExit(128 + signal.SIGTERM)   # what the saving child's handler raises when gunicorn stops

    monkeypatch.setattr(snapshot.os, "replace", killed)
    with pytest.raises(SystemExit):
        snapshot.save(app)
    assert list((tmp_path / "snapshots").iterdir()) == [path] and path.read_bytes() == last
    assert snapshot.load(app) == snapshot.LOADED
