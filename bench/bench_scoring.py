"""Scoring from the database over the 100,000 agencies of bench_import.py, with synthetic evidence for most of
them: re-scoring everyone and writing their score rows (target: under 60 s on SQLite and on PostgreSQL), and
scoring one entity through the API (target: median under 20 ms)."""
import argparse
from datetime import date
import random
import time

from bench_api import ensure_database, token
from bench_evaluate import fee_line
from common import app_for, median_ms, p99_ms, report
from sqlalchemy import delete, func, select

from app import db
from app.bulk import insert_rows
from app.db import utcnow
from app.registry.models import Entity
from app.scoring import service
from app.scoring.models import AuditFinding, FeeLine, PracticeAssessment, Score

PRACTICE_NAMES = ("written_contract", "contract_in_worker_language", "grievance_mechanism", "data_protection_policy",
                  "minimum_age_checked")


def add_evidence(session):
    """Practices for 70% of the agencies, fee lines for 40%, findings for 20% (once per database)."""
    if session.scalar(select(func.count()).select_from(PracticeAssessment)):
        return
    rng = random.Random(5)
    ids = session.scalars(select(Entity.id).where(Entity.kind == "agency")).all()
    practices, fees, findings = [], [], []
    for entity_id in ids:
        if rng.random() < 0.7:
            practices.append({"entity_id": entity_id, "source": rng.choice(["audit", "self_assessment"]),
                              "assessed_on": date(2026, rng.randint(1, 10), 1), "fee_survey_done": rng.random() < 0.6,
                              "documents_retained": rng.random() < 0.05, "contract_substitution_found": False,
                              "deposits_demanded": rng.random() < 0.05, "uses_subagents": rng.random() < 0.3,
                              "subagents_unlicensed": 0, "contract_days_before_departure": rng.randint(0, 21),
                              "grievance_channels": rng.randint(0, 3),
                              **{name: rng.random() < 0.85 for name in PRACTICE_NAMES}})
        if rng.random() < 0.4:
            fees += [{"entity_id": entity_id, "source": "worker_interviews", **fee_line(rng)}
                     for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.2:
            findings.append({"entity_id": entity_id, "source": "audit", "principle": rng.choice("ABCDEFG"),
                             "grade": rng.choice(["major", "minor"]), "status": rng.choice(["open", "closed"]),
                             "description": "synthetic finding", "found_on": date(2026, 5, 1), "version": 1})
    now = utcnow()
    for model, rows in ((PracticeAssessment, practices), (FeeLine, fees), (AuditFinding, findings)):
        insert_rows(session, model.__table__, [{**row, "recorded_at": now} for row in rows])
    session.commit()


def run(backend, requests):
    app = app_for(ensure_database(backend), migrate_first=True)
    with app.app_context():
        session = db.Session()
        add_evidence(session)
        session.execute(delete(Score))
        session.commit()
        start = time.perf_counter()
        scored = service.rescore(session, "agency", "benchmark")
        session.commit()
        report(f"{backend}: re-score {scored:,} agencies, writing score rows", time.perf_counter() - start, 60, "s")
        ids = session.scalars(select(Entity.id).where(Entity.kind == "agency").limit(5000)).all()
        db.Session.remove()
    headers, _ = token(app)
    client = app.test_client()
    rng = random.Random(3)
    times = []
    for entity_id in rng.sample(ids, requests):
        begin = time.perf_counter()
        response = client.post(f"/api/v1/entities/{entity_id}/score", headers=headers)
        times.append(time.perf_counter() - begin)
        assert response.status_code == 201, response.get_data(as_text=True)[:300]
    report(f"{backend}: POST /entities/{{id}}/score median", median_ms(times[20:]), 20, "ms")
    print(f"{'':58} p99 {p99_ms(times[20:]):.2f} ms", flush=True)
    app.extensions["engine"].dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--requests", type=int, default=220)
    args = parser.parse_args()
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        run(backend, args.requests)


if __name__ == "__main__":
    main()
