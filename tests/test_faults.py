"""Faults (issue 9): the real service, run by gunicorn as a subprocess, killed in the middle of an import, and
its PostgreSQL stopped and started under it."""
import glob
import http.client
import json
import os
from pathlib import Path
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.accounts.models import AuditEvent
from app.registry.models import Authority, Entity, Licence, RegistryState
from bench.generate_agencies import AUTHORITIES, generate
from tests.conftest import PASSWORD, fresh_database_url, make_app

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
# Enough rows that the import is still writing well after it took the write lock (about 0.3 s here).
IMPORT_ROWS = 20_000


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(port, method, path, body=None, headers=None):
    """One request to the service: (status, parsed JSON body or text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = dict(headers or {})
        if body is not None:
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        raw = response.read().decode()
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, json.loads(raw) if is_json else raw
    finally:
        connection.close()


class Service:
    """gunicorn with the repository's gunicorn.conf.py on a free port, in a process group of its own."""

    def __init__(self, url, log_path, workers=1, options=(), snapshots=False):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "faults-" + "x" * 32, "LOG_LEVEL": "WARNING",
               "WEB_CONCURRENCY": str(workers), "BIND": f"127.0.0.1:{self.port}",
               # Off unless asked: the master's child writing one would pass for a worker (workers()).
               "SNAPSHOTS": "1" if snapshots else "0", "SNAPSHOT_DIR": str(Path(log_path).parent / "snapshots")}
        self.log = open(log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([str(GUNICORN), "app:create_app()", *options], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready()

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited while starting; see its log"
            try:
                if call(self.port, "GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the service did not become ready")

    def workers(self):
        """The pids of gunicorn's workers (Linux: the master's children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return set(children.read_text().split()) if children.exists() else None

    def kill(self):
        """SIGKILL to the master and its workers at once, as when the machine or container dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def admin_token(url, authorities=False):
    """Migrate the database, add a platform admin and return their bearer token (and the licensing
    authorities the generated rows name, if asked)."""
    app = make_app(url)
    with app.app_context():
        session = db.Session()
        if authorities:
            session.add_all(Authority(code=code, name=name, country=origin) for origin, code, name in AUTHORITIES)
        organisation = accounts.create_organisation(session, name="FairRecruit Platform", kind="platform")
        user = accounts.create_user(session, organisation_id=organisation.id, email="admin@faults.example",
                                    name="Admin", role="admin", password=PASSWORD)
        _, raw = accounts.create_token(session, actor_for(session, user), name="faults")
        session.commit()
        db.Session.remove()
    app.extensions["engine"].dispose()
    return {"Authorization": f"Bearer {raw}"}


def multipart_import(port, headers, data):
    """The raw HTTP request of a CSV import, sent whole; returns the open socket awaiting the response."""
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="agencies.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    head = (f"POST /api/v1/registry/import HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: {headers['Authorization']}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(head + body)
    return sock


def writing(url):
    """Whether another connection holds an open write transaction on the database."""
    if url.startswith("sqlite"):
        probe = sqlite3.connect(make_url(url).database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as err:
            assert "locked" in str(err)
            return True
        finally:
            probe.close()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")) > 0
    finally:
        engine.dispose()


def registry_state(url):
    """What an import would change: counts of entities, licences and audit events, and the generation."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {"entities": conn.scalar(select(func.count()).select_from(Entity)),
                    "licences": conn.scalar(select(func.count()).select_from(Licence)),
                    "audit_events": conn.scalar(select(func.count()).select_from(AuditEvent)),
                    "generation": conn.scalar(select(RegistryState.generation))}
    finally:
        engine.dispose()


def test_server_killed_during_an_import_leaves_nothing_of_it(tmp_path):
    url = fresh_database_url(tmp_path, "faults_kill")
    headers = admin_token(url, authorities=True)
    rows = generate(IMPORT_ROWS, tmp_path / "agencies.csv").read_bytes()
    before = registry_state(url)
    service = Service(url, tmp_path / "gunicorn.log")
    try:
        sock = multipart_import(service.port, headers, rows)
        # Mid-way: the import holds its write transaction (it took the lock when it began inserting) and
        # still holds it a moment later.
        deadline, seen = time.monotonic() + 60, 0
        while seen < 3:
            assert time.monotonic() < deadline, "the import never started writing"
            seen = seen + 1 if writing(url) else 0
            time.sleep(0.1)
        service.kill()
        sock.settimeout(5)
        try:
            answer = sock.recv(100)
        except ConnectionResetError:
            answer = b""
        sock.close()
        assert answer == b"", f"the import finished before the kill ({answer!r}): raise IMPORT_ROWS"
    finally:
        service.stop()

    assert registry_state(url) == before
    service = Service(url, tmp_path / "gunicorn.log")
    try:
        sample = generate(50, tmp_path / "sample.csv").read_bytes()
        sock = multipart_import(service.port, headers, sample)
        with sock.makefile("rb") as response:
            status_line = response.readline()
            answer = response.read()
        sock.close()
        assert status_line.split()[1] == b"200", answer
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["created"] == 50
        assert call(service.port, "GET", "/api/v1/agencies?per_page=1")[1]["meta"]["total"] == 50
        after = registry_state(url)
        assert after["entities"] == 50 and after["generation"] > before["generation"]
    finally:
        service.stop()


# ---- PostgreSQL stopped and started under the running service ----

def postgres_binaries():
    """initdb and pg_ctl of a PostgreSQL installation, or None."""
    found = shutil.which("initdb")
    candidates = [found] if found else sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    for initdb in candidates:
        pg_ctl = Path(initdb).resolve().parent / "pg_ctl"
        if pg_ctl.exists():
            return initdb, str(pg_ctl)
    return None


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder on a free port (as the postgres user under root)."""

    def __init__(self, initdb, pg_ctl):
        self.pg_ctl, self.port = pg_ctl, free_port()
        self.folder = tempfile.mkdtemp(prefix="fr_faults_pg_")
        self.owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self.owner:
            os.chown(self.folder, self.owner.pw_uid, self.owner.pw_gid)
        self.data = os.path.join(self.folder, "data")
        self.run(initdb, "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command):
        prefix = ["runuser", "-u", "postgres", "--"] if self.owner else []
        subprocess.run(prefix + list(command), check=True, capture_output=True, timeout=60)

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(self.pg_ctl, "-D", self.data, "-l", os.path.join(self.folder, "log"), "-o", options, "-w", "start")

    def stop(self, mode="fast"):
        self.run(self.pg_ctl, "-D", self.data, "-m", mode, "-w", "stop")

    def remove(self):
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster():
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("initdb is not installed, so no private PostgreSQL cluster can be started")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run a private cluster as")
    cluster = Cluster(*binaries)
    yield cluster
    cluster.remove()


LEAKS = ("traceback", 'file "', ".py", str(ROOT).lower(), "select ", "insert ", "psycopg", "sqlalchemy",
         "127.0.0.1")


def assert_plain_error(status, body):
    """A 5xx in the API's one error shape, telling nothing of the code or the database behind it."""
    assert status >= 500, (status, body)
    assert isinstance(body, dict) and body["status"] == status and body["message"], body
    leaked = [word for word in LEAKS if word in json.dumps(body).lower()]
    assert not leaked, (leaked, body)


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                    reason="runs once, in the SQLite run: it always uses a private PostgreSQL cluster of its own")
def test_postgresql_restarted_under_the_service_makes_it_unready_then_ready_again(cluster, tmp_path):
    headers = admin_token(cluster.url)
    service = Service(cluster.url, tmp_path / "gunicorn.log", workers=2)
    try:
        workers = service.workers()
        agency = {"legal_name": "Koshi Fault Overseas Pvt Ltd", "country": "NP", "sectors": ["construction"]}
        assert call(service.port, "GET", "/readyz")[0] == 200
        status, created = call(service.port, "POST", "/api/v1/agencies", agency, headers)
        assert status == 201, created

        cluster.stop()
        # A worker replaced during the outage (a crash, a timeout, max_requests) cannot build its listing
        # before serving: it must still boot, not make gunicorn shut the whole service down.
        killed = sorted(workers)[0]
        os.kill(int(killed), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(service.workers() or ()) < 2 or killed in service.workers():
            assert service.process.poll() is None, "gunicorn shut down when a worker could not reach the database"
            assert time.monotonic() < deadline, "gunicorn did not replace the worker"
            time.sleep(0.1)
        workers = service.workers()
        time.sleep(1)
        assert service.process.poll() is None, "gunicorn shut down when a worker could not reach the database"
        for _ in range(4):  # each worker answers some of them
            status, body = call(service.port, "GET", "/readyz")
            assert status == 503 and body["status"] == "unavailable", body
            assert not [word for word in LEAKS if word in json.dumps(body).lower()], body
            assert_plain_error(*call(service.port, "GET", "/api/v1/agencies?q=koshi"))
            assert_plain_error(*call(service.port, "GET", f"/api/v1/agencies/{created['id']}"))
            assert_plain_error(*call(service.port, "POST", "/api/v1/agencies",
                                     {**agency, "legal_name": "Never Written Pvt Ltd"}, headers))

        cluster.start()
        deadline, ready = time.monotonic() + 30, 0
        while ready < 4:
            assert time.monotonic() < deadline, "the service did not become ready again"
            ready = ready + 1 if call(service.port, "GET", "/readyz")[0] == 200 else 0
            time.sleep(0.1)
        for n in range(4):
            status, body = call(service.port, "POST", "/api/v1/agencies",
                                {**agency, "legal_name": f"Recovered {n} Overseas Pvt Ltd"}, headers)
            assert status == 201, body
            status, body = call(service.port, "GET", f"/api/v1/agencies/{created['id']}")
            assert status == 200 and body["legal_name"] == agency["legal_name"], body
        status, body = call(service.port, "GET", "/api/v1/agencies?per_page=10")
        assert status == 200 and body["meta"]["total"] == 5, body
        assert service.process.poll() is None
        assert service.workers() == workers, "a worker was restarted"
    finally:
        service.stop()
