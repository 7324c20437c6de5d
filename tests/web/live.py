"""A live server and a real browser for the page tests: the app on a free loopback port, Debian's Chromium."""
from contextlib import contextmanager
import shutil
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import db
from tests.conftest import fresh_database_url, make_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def fresh_app(tmp_path_factory, name):
    """A migrated app on a database of its own, this thread's session bound to it (tests commit their data)."""
    app = make_app(fresh_database_url(tmp_path_factory.mktemp(name), name))
    db.Session.configure(bind=app.extensions["engine"])
    return app


@contextmanager
def served(app):
    """The app served by a thread of this process until the block ends; yields its base URL."""
    db.Session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        app.extensions["engine"].dispose()


@contextmanager
def chromium():
    """A headless Chromium, closed when the block ends."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
