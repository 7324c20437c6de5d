"""Worker reports: the anonymous intake through the API, and recomputing the public figures from 1,000,000
reports.

1. intake: N reports (one in ten with a small picture, cleaned and sealed) POSTed in-process to
   /api/v1/reports/intake, each committed with its audit events; reports per second.
2. figures: 1,000,000 triaged reports (written in bulk, about 300 agencies with a long tail of small ones,
   8 corridors, 5 years, 600,000 distinct reporters, 1 to 3 categories each), then `recompute_figures` (read,
   tabulate, suppress, write the published cells) timed.

    python bench_reports.py [intake|figures|both] [--backend sqlite|postgresql|both] [--count N] [--reports N]
"""
import argparse
import base64
import io
import os
import random

from PIL import Image

from common import app_for, fresh_database, report, timed  # noqa: I001 (puts the project on sys.path)
from app import db
from app.accounts import service as accounts
from app.accounts.cli import OPERATOR
from app.bulk import insert_rows, paused_gc
from app.db import utcnow
from app.registry import service as registry
from app.reports import aggregates, keys
from app.reports.models import Report
from app.reports.vocab import CATEGORIES

CORRIDORS = ("NP-QA", "PH-SA", "BD-MY", "ID-TW", "IN-AE", "ET-LB", "MM-TH", "GT-US")


def setup(backend, name):
    app = app_for(fresh_database(backend, name))
    # One client sends everything: the limits per address and per agency would stop it after five.
    app.config.update(REPORTS_KEYRING=keys.dump(keys.fresh()), REPORTS_ADDRESS_LIMITS="10000000 per hour",
                      REPORTS_AGENCY_LIMITS="10000000 per hour")
    with app.app_context():
        session = db.Session()
        receiver = accounts.create_organisation(session, name="Bench NGO", kind="civil_society")
        accounts.create_user(session, organisation_id=receiver.id, role="case_handler", password="bench password 1",
                             email="handler@bench.example", name="Handler")
        session.commit()
        return app, receiver.id


def png():
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 120, 200)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def intake(backend, count):
    app, receiver_id = setup(backend, "reports_intake")
    picture, client = png(), app.test_client()
    body = {"receiver_id": receiver_id, "agency": {"name": "Bench Manpower"}, "origin_country": "NP",
            "destination_country": "QA", "period_from": "2026-01-01", "documents_kept": True,
            "fees": [{"amount": 900, "currency": "USD", "paid_to": "agency"}],
            "account": "They kept my passport. " * 20, "contact": {"phone": "+977 980 000 0000"},
            "consent": {"share_with_regulator": True, "count_in_figures": True, "may_contact": True}}

    def run():
        for n in range(count):
            extra = {"attachments": [{"name": "receipt.png", "content": picture}]} if n % 10 == 0 else {}
            answer = client.post("/api/v1/reports/intake", json={**body, **extra})
            assert answer.status_code == 201, answer.json
    seconds, _ = timed(run)
    report(f"intake {backend}: {count} reports, {count / seconds:.0f}/s", seconds / count * 1000, 100, "ms")
    app.extensions["engine"].dispose()


def synthetic_reports(count, receiver_id, agency_ids, seed=12):
    rng = random.Random(seed)
    now = utcnow()
    for n in range(count):
        # A long tail: a few agencies get most reports, many get a handful (their cells are suppressed).
        agency = agency_ids[min(int(rng.paretovariate(0.9)) - 1, len(agency_ids) - 1)]
        corridor = rng.choice(CORRIDORS)
        year = rng.randint(2022, 2026)
        cats = sorted(rng.sample(CATEGORIES, rng.randint(1, 3)))
        yield {"receiving_organisation_id": receiver_id, "channel": "import", "received_at": now,
               "agency_entity_id": agency if rng.random() < 0.8 else None, "origin_country": corridor[:2],
               "destination_country": corridor[3:], "period_from": now.date().replace(year=year, month=1, day=1),
               "categories": ",".join(cats), "consent_regulator": False, "consent_figures": rng.random() < 0.9,
               "consent_contact": False, "receipt_hash": f"{n:064x}", "state": "triaged", "version": 1,
               "reporter_key": f"r{rng.randint(0, 600_000)}"}


def figures(backend, count):
    app, receiver_id = setup(backend, "reports_figures")
    with app.app_context():
        session = db.Session()
        agency_ids = [registry.create_entity(session, OPERATOR, "agency", {
            "legal_name": f"Bench Agency {n} Pvt Ltd", "country": "NP", "sectors": ["construction"]}).id
            for n in range(300)]
        session.commit()
        with paused_gc():
            batch = []
            for row in synthetic_reports(count, receiver_id, agency_ids):
                batch.append(row)
                if len(batch) == 50_000:
                    insert_rows(session, Report.__table__, batch)
                    batch = []
            insert_rows(session, Report.__table__, batch)
        session.commit()
        seconds, cells = timed(lambda: aggregates.recompute_figures(session, 5))
        session.commit()
        report(f"figures {backend}: {count:,} reports -> {cells:,} published cells", seconds, 60, "s")
    app.extensions["engine"].dispose()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("part", nargs="?", default="both", choices=("intake", "figures", "both"))
    parser.add_argument("--backend", default="both", choices=("sqlite", "postgresql", "both"))
    parser.add_argument("--count", type=int, default=2000, help="reports sent through the intake")
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports behind the figures")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        if args.part in ("intake", "both"):
            intake(backend, args.count)
        if args.part in ("figures", "both"):
            figures(backend, args.reports)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
