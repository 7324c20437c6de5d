"""Several processes on one database (PostgreSQL, or one SQLite file, whichever the run uses): two
`fairrecruit scheduler` processes, of which one leads and the other takes over when the first is killed with
SIGKILL; two processes claiming the same deliveries, each sent exactly once."""
from datetime import date
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import select, update

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.accounts.audit import set_actor
from app.audits import deliver, outbox, subscriptions
from app.audits.outbox_models import Delivery, Subscription
from app.db import utcnow
from app.registry import service as registry
from tests.audits.servers import Webhook
from tests.conftest import PASSWORD, fresh_database_url, make_app

ROOT = Path(__file__).resolve().parents[2]
FAIRRECRUIT = Path(sys.executable).parent / "fairrecruit"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A migrated database of its own (the processes cannot see a test's rolled-back transaction)."""
    url = fresh_database_url(tmp_path_factory.mktemp("processes"), "processes")
    app = make_app(url)
    with app.app_context():
        session = db.Session()
        organisation = accounts.create_organisation(session, name="Brand", kind="business")
        admin = accounts.create_user(session, organisation_id=organisation.id, email="admin@brand.example",
                                     name="Admin", role="admin", password=PASSWORD)
        set_actor(session, None, None)
        agency = registry.create_entity(session, None, "agency", {"legal_name": "Process Overseas", "country": "NP"})
        session.commit()
        ids = {"organisation": organisation.id, "agency": agency.id, "admin": admin.id}
        db.Session.remove()
    yield url, app, ids
    app.extensions["engine"].dispose()


def environment(url, **extra):
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "processes-" + "x" * 32, "LOG_LEVEL": "INFO",
            "FAIRRECRUIT_ENV": "development", **extra}


def subscribe(app, ids, url):
    """A webhook subscription of the brand to task_due events, its only one: its id."""
    with app.app_context(), db.writing():
        session = db.Session()
        session.execute(update(Subscription).values(deleted_at=utcnow()))  # an earlier test's
        actor = actor_for(session, session.get(accounts.User, ids["admin"]))
        subscription, _ = subscriptions.create_subscription(
            session, actor, {"channel": "webhook", "events": ["task_due"], "url": url}, development=True)
        session.commit()
        db.Session.remove()
        return subscription.id


def note_events(app, ids, count, first_task=1):
    # As a writer: SQLite's write lock is taken up front, waiting for a sweep's (see db.writes_intended).
    with app.app_context(), db.writing():
        session = db.Session()
        outbox.later(session, [outbox.task_due(ids["organisation"], ids["agency"], task_id=task, reason="periodic",
                                               due_on=date(2027, 1, 1)) for task in range(first_task, first_task + count)])
        session.commit()
        db.Session.remove()


def states(app, subscription_id):
    with app.app_context():
        rows = db.Session().execute(select(Delivery.state, Delivery.attempts)
                                    .where(Delivery.subscription_id == subscription_id)).all()
        db.Session.remove()
        return rows


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout} s for {what}")


class Scheduler:
    """`fairrecruit scheduler` in a process of its own, logging to a file."""

    def __init__(self, url, log_path):
        self.log_path = log_path
        self.log = open(log_path, "ab")  # noqa: SIM115 (closed in stop)
        env = environment(url, SCHEDULER_STANDBY_SECONDS="1",
                          SCHEDULER_INTERVALS=json.dumps({"outbox": 1, "stale-scores": 1, "watchlists": 1}))
        self.process = subprocess.Popen([str(FAIRRECRUIT), "scheduler"], cwd=ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def logged(self, words):
        return Path(self.log_path).read_text().count(words)

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        self.log.close()


def test_one_scheduler_leads_and_the_standby_takes_over_when_it_is_killed(database, tmp_path):
    url, app, ids = database
    with Webhook() as endpoint:
        subscription_id = subscribe(app, ids, endpoint.url("/hook"))
        first = Scheduler(url, tmp_path / "first.log")
        second = None
        try:
            wait_for(lambda: first.logged("scheduler.leader"), 60, "the first scheduler to lead")
            second = Scheduler(url, tmp_path / "second.log")
            wait_for(lambda: second.logged("scheduler.standby"), 60, "the second scheduler to stand by")
            note_events(app, ids, 3)
            wait_for(lambda: states(app, subscription_id) == [("delivered", 1)] * 3, 30, "the leader to deliver")
            wait_for(lambda: first.logged("sweep=outbox") >= 3, 30, "more sweeps by the leader")
            assert second.logged("scheduler.swept") == 0 and second.logged("scheduler.leader") == 0

            first.kill()
            wait_for(lambda: second.logged("scheduler.leader"), 30, "the standby to take over")
            note_events(app, ids, 2, first_task=4)
            wait_for(lambda: states(app, subscription_id) == [("delivered", 1)] * 5, 30, "the new leader to deliver")
            wait_for(lambda: second.logged("sweep=outbox") >= 1, 30, "the new leader's sweep to end")
        finally:
            first.stop()
            if second:
                second.stop()
    keys = [request["headers"]["Idempotency-Key"] for request in endpoint.received]
    assert len(keys) == len(set(keys)) == 5  # nothing lost, nothing sent twice
    assert states(app, subscription_id) == [("delivered", 1)] * 5


def test_two_processes_claiming_the_same_deliveries_send_each_exactly_once(database, tmp_path):
    url, app, ids = database
    count = 300
    with Webhook(delay=0.002) as endpoint:
        subscription_id = subscribe(app, ids, endpoint.url("/claims"))
        note_events(app, ids, count, first_task=1000)
        with app.app_context(), db.writing():
            deliver.fan_out(db.Session(), utcnow(), 1000, 6)
            db.Session.remove()
        env = environment(url, NOTIFY_BATCH="10", NOTIFY_WORKERS="2", LOG_LEVEL="WARNING")
        go, outs = tmp_path / "go", [str(tmp_path / f"worker{n}.json") for n in (1, 2)]
        workers = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "audits" / "claim_worker.py"), str(go), out],
                                    cwd=ROOT, env=dict(env, PYTHONPATH=str(ROOT))) for out in outs]
        try:
            wait_for(lambda: all(os.path.exists(out + ".ready") for out in outs), 60, "both workers to start")
            go.touch()  # both sweep from the same moment
            for worker in workers:
                assert worker.wait(timeout=120) == 0
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
    handled = [json.loads(Path(out).read_text())["handled"] for out in outs]
    received = [request["headers"]["Idempotency-Key"] for request in endpoint.received
                if request["headers"]["Idempotency-Key"]]
    assert sum(handled) == count and all(n > 0 for n in handled), handled  # both took a share
    assert len(received) == len(set(received)) == count
    assert states(app, subscription_id) == [("delivered", 1)] * count


@pytest.mark.parametrize("in_process", [True, False])
def test_the_dev_server_runs_the_scheduler_in_a_thread_when_configured(database, tmp_path, in_process):
    url = database[0]
    port = free_port()
    log_path = tmp_path / "run.log"
    with open(log_path, "ab") as log:
        server = subprocess.Popen([str(FAIRRECRUIT), "run", "--port", str(port), "--no-reload"], cwd=ROOT,
                                  env=environment(url, SCHEDULER_IN_PROCESS=str(in_process).lower()),
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(lambda: answers(port), 60, "the dev server to answer")
            if in_process:
                wait_for(lambda: "sweep=outbox" in log_path.read_text(), 60, "the in-process scheduler to sweep")
            else:
                time.sleep(3)  # time enough for a scheduler to have started, were there one
                assert "scheduler." not in log_path.read_text()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
