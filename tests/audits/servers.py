"""Real servers on loopback for the notification and scheduler tests: a webhook endpoint, an SMTP server (aiosmtpd)
and a file server answering conditional GETs."""
from email import message_from_bytes, policy
from email.utils import formatdate
import hashlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import socket
import threading
import time

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops concurrent connections, which then wait a second to retry
    daemon_threads = True


class Served:
    """An HTTP server in a thread, with a handler class bound to this object."""

    def __init__(self, handler):
        self.server = Server(("127.0.0.1", 0), type("Handler", (handler,), {"owner": self}))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


class Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


class WebhookHandler(Quiet):
    def do_POST(self):
        owner = self.owner
        data = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(owner.delay)
        with owner.lock:
            status = owner.statuses.pop(0) if owner.statuses else 200
            owner.received.append({"status": status, "headers": self.headers, "body": data})  # any case
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Webhook(Served):
    """A webhook endpoint: records every POST, answers the statuses queued in `statuses`, then 200."""

    def __init__(self, statuses=(), delay=0.0):
        super().__init__(WebhookHandler)
        self.delay = delay  # seconds each answer takes, as a real endpoint's would
        self.lock = threading.Lock()
        self.statuses = list(statuses)
        self.received = []

    def delivered(self):
        """The requests answered 2xx."""
        return [r for r in self.received if 200 <= r["status"] < 300]


class FileHandler(Quiet):
    def do_GET(self):
        owner = self.owner
        data = owner.files.get(self.path)
        owner.requests.append({"path": self.path, "headers": self.headers})
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", owner.modified)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Files(Served):
    """Serves `files` ({path: bytes}) with an ETag, answering 304 to a matching If-None-Match."""

    def __init__(self, files):
        super().__init__(FileHandler)
        self.files = dict(files)
        self.requests = []
        self.modified = formatdate(usegmt=True)


class Mailbox:
    """What an aiosmtpd server received: (recipients, parsed message) per e-mail."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


class Smtp:
    """A real SMTP server on a loopback port; start() and stop() it to play an outage."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None
