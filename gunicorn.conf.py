"""gunicorn settings for production: `gunicorn 'app:create_app()'` reads this file from the working directory."""
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# A worker builds its listing of the registry and its name indexes before taking requests (seconds for
# 100,000 agencies and the usual watchlists).
timeout = 120


def post_worker_init(worker):
    from app.registry import listing  # noqa: PLC0415 (the app is loaded by now)
    from app.screening import indexes  # noqa: PLC0415
    listing.warm(worker.wsgi)
    indexes.warm(worker.wsgi)
