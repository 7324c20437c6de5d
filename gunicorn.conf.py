"""gunicorn settings for production: `gunicorn 'app:create_app()'` reads this file from the working directory."""
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# The master loads the app and builds the listing of the registry and the name indexes once (seconds for 100,000
# agencies and the usual watchlists), then forks the workers, which share those pages with it instead of each
# building its own (app/prefork.py). A new release needs a restart: HUP re-forks workers from the same code.
preload_app = True
timeout = 120
# Workers never run the scheduler: it is a process of its own, `fairrecruit scheduler`, beside them (README,
# "Deploying at scale"); only the dev server (`fairrecruit run`) starts one in-process, for the demo.


def when_ready(server):
    from app import prefork  # noqa: PLC0415 (the app is loaded by now)
    prefork.before_fork(server.app.wsgi(), server.log)


def post_fork(server, worker):
    from app import prefork  # noqa: PLC0415
    prefork.after_fork(server.app.wsgi())


def post_worker_init(worker):
    # Catches up with what changed since the master built: a few queries, unless the master could not build.
    from app import prefork  # noqa: PLC0415
    prefork.warm(worker.wsgi, worker.log)
