"""A case handler's logged read while another request writes, on a real committed database: the read waits its
turn for the write lock (SQLite) instead of answering 503."""
import threading
import time

from sqlalchemy import update

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.accounts.models import Organisation
from app.reports import intake, keys
from app.reports.schemas import ReportSchema
from tests.conftest import KEYRING, PASSWORD, fresh_database_url, make_app
from tests.reports.conftest import report_body


def test_a_logged_read_waits_for_a_concurrent_writer_instead_of_failing(tmp_path_factory):
    app = make_app(fresh_database_url(tmp_path_factory.mktemp("busy"), "busy"))
    db.Session.configure(bind=app.extensions["engine"])
    try:
        session = db.Session()
        ngo = accounts.create_organisation(session, name="Busy NGO", kind="civil_society")
        handler = accounts.create_user(session, organisation_id=ngo.id, email="handler@busy.example", name="H",
                                       role="case_handler", password=PASSWORD)
        session.flush()
        _, raw = accounts.create_token(session, actor_for(session, handler), name="busy")
        report, _ = intake.submit(session, keys.parse(KEYRING, "test"), ReportSchema().load(report_body()),
                                  receiver_id=ngo.id, channel="public", limits=(10**6, 5))
        session.commit()
        db.Session.remove()
        locked, done = threading.Event(), threading.Event()

        def writer():
            # Another request's transaction: it holds the write lock for a second, then commits.
            with db.writing(), app.extensions["engine"].begin() as conn:
                conn.execute(update(Organisation).where(Organisation.id == ngo.id).values(name="Busy NGO 2"))
                locked.set()
                time.sleep(1)
            done.set()

        thread = threading.Thread(target=writer)
        thread.start()
        assert locked.wait(10)
        answer = app.test_client().get(f"/api/v1/reports/{report.id}/confidential",
                                       headers={"Authorization": f"Bearer {raw}"})
        thread.join()
        assert done.is_set()
        assert answer.status_code == 200, answer.json
        assert answer.json["account"] == "They took my passport at the airport."
    finally:
        db.Session.remove()
        app.extensions["engine"].dispose()
