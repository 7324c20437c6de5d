"""gunicorn settings for production: `gunicorn 'app:create_app()'` reads this file from the working directory."""
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# A worker builds its listing of the registry and its name indexes before taking requests (seconds for
# 100,000 agencies and the usual watchlists).
timeout = 120
# Workers never run the scheduler: it is a process of its own, `fairrecruit scheduler`, beside them (README,
# "Deploying at scale"); only the dev server (`fairrecruit run`) starts one in-process, for the demo.


def post_worker_init(worker):
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from app.registry import listing, lookup  # noqa: PLC0415 (the app is loaded by now)
    from app.screening import indexes  # noqa: PLC0415
    try:
        listing.warm(worker.wsgi)
        indexes.warm(worker.wsgi)
        lookup.warm(worker.wsgi)
    except SQLAlchemyError as err:
        # The database is unreachable. A worker failing here makes gunicorn's master shut the whole service
        # down ("Worker failed to boot"), so serve anyway: /readyz answers 503 until the database is back, and
        # the listing and indexes are built at their first use.
        worker.log.warning("worker.warm_skipped reason=%s", type(err).__name__)
