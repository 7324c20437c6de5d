"""The outbox delivering notifications to local endpoints, and two processes sharing the deliveries when one of
them is killed.

1. deliver: 10,000 outbox events (written by the commit pipeline), fanned out to a webhook subscription (a local
   HTTP server that checks every signature) and sent by one delivery sweep; then the same to an e-mail
   subscription through a local SMTP server (aiosmtpd, from the test extras). Target > 200 notifications/s.
2. kill: 10,000 due deliveries, two processes sweeping them together (FOR UPDATE SKIP LOCKED), one killed with
   SIGKILL mid-sweep; the other finishes, taking over what the killed one had claimed once its lease ends.
   Nothing may be lost or recorded twice; the requests the killed process had in flight may reach the endpoint
   again, with the same Idempotency-Key, and are counted.

    python bench_outbox.py [deliver|kill] [--backend sqlite|postgresql|both] [--count N]
                           [--database-url postgresql+psycopg://...]   (a database to drop, create and use)
"""
import argparse
from datetime import date
import hashlib
import hmac
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from common import OUT, app_for, fresh_database  # noqa: I001 (puts the project on sys.path)
from app import db
from app.accounts import service as accounts
from app.accounts.audit import set_actor
from app.accounts.auth import actor_for
from app.audits import deliver, outbox, subscriptions
from app.audits.outbox_models import Delivery
from app.db import utcnow
from app.registry import service as registry

TARGET = 200  # notifications per second
LEASE = 5     # seconds before a killed process's claimed deliveries are taken again (the bench's setting)


class Endpoint(BaseHTTPRequestHandler):
    """A webhook receiver that checks the signature and records the Idempotency-Key of each request."""

    def do_POST(self):
        data = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(self.server.secret.encode(), data, hashlib.sha256).hexdigest()
        with self.server.lock:
            self.server.keys.append(self.headers["Idempotency-Key"])
            self.server.bad_signatures += not hmac.compare_digest(expected, self.headers["X-FairRecruit-Signature"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops concurrent connections, which then wait a second to retry


def endpoint():
    server = Server(("127.0.0.1", 0), Endpoint)
    server.lock, server.keys, server.bad_signatures, server.secret = threading.Lock(), [], 0, ""
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def fresh(backend, url):
    """A migrated app on a new database: the given PostgreSQL URL, or the bench's own."""
    if url and backend == "postgresql":
        server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
        server.dispose()
    else:
        url = fresh_database(backend, "outbox")
    return url, app_for(url)


def setup(app, count, channel, target):
    """An organisation, an agency, a subscription and `count` outbox events: the subscription's secret."""
    with app.app_context(), db.writing():
        session = db.Session()
        organisation = accounts.create_organisation(session, name=f"Brand {channel}", kind="business")
        admin = accounts.create_user(session, organisation_id=organisation.id, email=f"{channel}@brand.example",
                                     name="Compliance", role="admin", password="a long bench password")
        set_actor(session, None, None)
        agency = registry.create_entity(session, None, "agency", {"legal_name": f"Bench {channel} Overseas",
                                                                  "country": "NP"})
        session.commit()
        data = {"channel": channel, "events": ["task_due"]}
        data.update({"url": target} if channel == "webhook" else {"user_id": admin.id})
        subscription, secret = subscriptions.create_subscription(session, actor_for(session, admin), data,
                                                                 development=True)
        outbox.later(session, [outbox.task_due(organisation.id, agency.id, task_id=n, reason="periodic review",
                                               due_on=date(2027, 1, 1)) for n in range(count)])
        session.commit()
        db.Session.remove()
        return subscription.id, secret


def delivered(app, subscription_id):
    with app.app_context():
        rows = db.Session().execute(select(Delivery.state, func.count()).where(
            Delivery.subscription_id == subscription_id).group_by(Delivery.state)).all()
        db.Session.remove()
    return dict(rows)


def run_deliver(backend, count, url):
    url, app = fresh(backend, url)
    server = endpoint()
    subscription_id, server.secret = setup(app, count, "webhook", f"http://127.0.0.1:{server.server_port}/hook")
    with app.app_context(), db.writing():
        started = time.perf_counter()
        deliver.deliver_due(db.Session(), utcnow(), app.config)
        seconds = time.perf_counter() - started
        db.Session.remove()
    states = delivered(app, subscription_id)
    print(f"[{backend}] webhook: {count} events fanned out and sent in {seconds:.1f} s "
          f"({count / seconds:.0f}/s); states {states}; requests {len(server.keys)}, distinct keys "
          f"{len(set(server.keys))}, bad signatures {server.bad_signatures}")
    rate(f"[{backend}] webhook", count / seconds)
    server.shutdown()
    try:
        from aiosmtpd.controller import Controller  # noqa: PLC0415 (a test extra)
    except ImportError:
        print("aiosmtpd is not installed (pip install -e '.[test]'): e-mail skipped")
        return
    received = []

    class Mailbox:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.rcpt_tos)
            return "250 OK"

    port = free_port()
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    subscription_id, _ = setup(app, count, "email", None)
    config = dict(app.config, SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    with app.app_context(), db.writing():
        started = time.perf_counter()
        deliver.deliver_due(db.Session(), utcnow(), config)
        seconds = time.perf_counter() - started
        db.Session.remove()
    controller.stop()
    print(f"[{backend}] e-mail: {count} events fanned out and sent in {seconds:.1f} s ({count / seconds:.0f}/s); "
          f"states {delivered(app, subscription_id)}; messages received {len(received)}")
    rate(f"[{backend}] e-mail", count / seconds)
    app.extensions["engine"].dispose()


def rate(label, per_second):
    """One line: notifications per second beside the target."""
    print(f"{label}: {per_second:.0f} notifications/s (target > {TARGET}/s): "
          f"{'meets' if per_second > TARGET else 'MISSES'}")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker(url):
    """One sweeping process: deliver what is due until nothing is pending (a killed partner's lease included)."""
    from app import create_app  # noqa: PLC0415
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "LOG_LEVEL": "ERROR",
                      "NOTIFY_LEASE_SECONDS": LEASE, "NOTIFY_BATCH": 50})
    sent = 0
    with app.app_context(), db.writing():
        session = db.Session()
        while True:
            sent += deliver.deliver_due(session, utcnow(), app.config)
            pending = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.state == "pending"))
            session.commit()
            if not pending:
                break
            time.sleep(0.2)
    print(json.dumps({"pid": os.getpid(), "sent": sent}), flush=True)


def run_kill(backend, count, url):
    url, app = fresh(backend, url)
    server = endpoint()
    subscription_id, server.secret = setup(app, count, "webhook", f"http://127.0.0.1:{server.server_port}/hook")
    with app.app_context(), db.writing():
        deliver.fan_out(db.Session(), utcnow(), 5000, 6)  # 10,000 due deliveries
        db.Session.remove()
    command = [sys.executable, __file__, "worker", "--database-url", url]
    started = time.perf_counter()
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    while len(server.keys) < count // 5:
        time.sleep(0.01)
    os.kill(workers[0].pid, signal.SIGKILL)
    killed_at = len(server.keys)
    survivor = json.loads(workers[1].communicate(timeout=600)[0].strip().splitlines()[-1])
    workers[0].wait()
    seconds = time.perf_counter() - started
    states = delivered(app, subscription_id)
    with app.app_context():
        attempts = db.Session().execute(select(Delivery.attempts, func.count()).group_by(Delivery.attempts)).all()
        db.Session.remove()
    distinct = len(set(server.keys))
    print(f"[{backend}] two processes, one killed with SIGKILL after {killed_at} requests: all done in "
          f"{seconds:.1f} s (lease {LEASE} s); the survivor sent {survivor['sent']}")
    print(f"[{backend}] deliveries by state {states}; by attempts {dict(attempts)}")
    print(f"[{backend}] requests received {len(server.keys)}, distinct Idempotency-Keys {distinct} "
          f"(lost: {count - distinct}); sent again after the kill (in flight, same key): "
          f"{len(server.keys) - distinct}; bad signatures {server.bad_signatures}")
    server.shutdown()
    app.extensions["engine"].dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", default="all", choices=("all", "deliver", "kill", "worker"))
    parser.add_argument("--backend", default="both", choices=("sqlite", "postgresql", "both"))
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.part == "worker":
        return worker(args.database_url)
    OUT.mkdir(exist_ok=True)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        if args.part in ("all", "deliver"):
            run_deliver(backend, args.count, args.database_url)
        if args.part in ("all", "kill"):
            run_kill(backend, args.count, args.database_url)
    return None


if __name__ == "__main__":
    main()
