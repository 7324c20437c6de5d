"""One process of the claim test: builds the app, says it is ready, waits for the go file, runs the delivery
sweep once, and writes how many deliveries it sent (python tests/audits/claim_worker.py GO OUT)."""
import json
import os
from pathlib import Path
import sys
import time

from app import create_app, db
from app.audits import deliver
from app.db import utcnow


def main(go, out):
    app = create_app()
    Path(out + ".ready").touch()
    while not os.path.exists(go):
        time.sleep(0.01)
    with app.app_context(), db.writing():
        handled = deliver.deliver_due(db.Session(), utcnow(), app.config)
    Path(out).write_text(json.dumps({"handled": handled, "pid": os.getpid()}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
