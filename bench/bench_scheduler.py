"""The scheduler's sweeps at scale. Part 1: the review sweep computing due work for 100,000 agencies (target:
under 10 s on SQLite and on PostgreSQL), then the same sweep again, when nothing changes (no target).

A base database is built once (the generated agencies, imported, then what the review policy reads: regulators
of every authority, three brands following 5% of the agencies each, certifications with end dates, two scores
per agency, open major findings, confirmed hits, registration dates over ten years, and 3% of the licences in
force ending within 90 days or lately ended); each run sweeps a fresh copy of it, so the first sweep always
starts from the same state (licences to record expired, tasks to create).
"""
import argparse
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
import random
import shutil
import time

from common import OUT, POSTGRES, app_for, report
from generate_agencies import AUTHORITIES, generate
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from app import db
from app.accounts.cli import OPERATOR
from app.accounts.models import Organisation, OrganisationAuthority
from app.audits import sweep as review_sweep
from app.audits.tasks_models import ReviewTask
from app.bulk import insert_rows, refresh_statistics
from app.registry import importer
from app.registry.models import Authority, Entity, PortfolioEntry
from app.scoring.models import AuditFinding, Score
from app.screening.models import Hit, WatchlistEntry, WatchlistSource, WatchlistVersion

NOW = date(2026, 12, 1)
AGENCIES = 100_000
TIERS = ("low", "medium", "high", "critical")


def at(day):
    return datetime(day.year, day.month, day.day, 8, tzinfo=timezone.utc)


def base_url(backend, given):
    """The base database's URL: --database-url on PostgreSQL, else the benchmark naming."""
    if backend == "postgresql" and given:
        return make_url(given.replace("postgresql://", "postgresql+psycopg://", 1)).render_as_string(
            hide_password=False)
    if backend == "sqlite":
        OUT.mkdir(exist_ok=True)
        return f"sqlite:///{OUT / 'sweep_base.sqlite'}"
    return make_url(POSTGRES).set(database="fairrecruit_bench_sweep_base").render_as_string(hide_password=False)


def ready(url):
    """Whether the base database is built (its last step, the findings, is there)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("entity_reviews") and conn.execute(
                select(func.count()).select_from(AuditFinding.__table__)).scalar() > 0
    except Exception:  # noqa: BLE001 (no database yet)
        return False
    finally:
        engine.dispose()


def build(backend, url):
    """Create the base database: import the agencies, then add what the review policy reads."""
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        recreate(url)
    app = app_for(url)
    with app.app_context():
        session = db.Session()
        for origin, code, name in AUTHORITIES:
            session.add(Authority(code=code, name=name, country=origin))
        session.commit()
        csv = generate(AGENCIES, OUT / f"agencies-{AGENCIES}.csv")
        start = time.perf_counter()
        importer.import_file(session, OPERATOR, csv.read_bytes(), fmt="csv", default_kind="agency")
        session.commit()
        print(f"{backend}: base registry imported in {time.perf_counter() - start:.1f} s", flush=True)
        add_review_facts(session, backend)
        session.commit()
        db.Session.remove()
    app.extensions["engine"].dispose()


def add_review_facts(session, backend):
    """Organisations, portfolios, certifications, scores, findings, hits and licence dates for the policy."""
    rng = random.Random(10)
    ids = session.scalars(select(Entity.id).order_by(Entity.id)).all()
    platform = Organisation(name="Bench Platform", kind="platform")
    brands = [Organisation(name=f"Bench Brand {n}", kind="business") for n in range(3)]
    body = Organisation(name="Bench Certification Body", kind="certification_body")
    regulators = {code: Organisation(name=f"Bench Regulator {code}", kind="government") for _, code, _ in AUTHORITIES}
    session.add_all([platform, *brands, body, *regulators.values()])
    session.flush()
    authority_ids = dict(session.execute(select(Authority.code, Authority.id)).all())
    session.add_all([OrganisationAuthority(organisation_id=organisation.id, authority_id=authority_ids[code])
                     for code, organisation in regulators.items()])
    insert_rows(session, PortfolioEntry.__table__, [
        {"organisation_id": brand.id, "entity_id": entity_id, "added_at": at(NOW)}
        for brand in brands for entity_id in rng.sample(ids, len(ids) // 20)])
    # Registered over ten years; certified agencies get their certifier and an end date within two years.
    days = "((id * 7919) % 3650)"
    session.execute(text(f"UPDATE entities SET created_at = timestamptz '2016-11-30 00:00:00+00' + {days} "
                         "* interval '1 day'"
                         if backend == "postgresql" else
                         f"UPDATE entities SET created_at = datetime('2016-11-30', {days} || ' days')"))
    session.execute(text(f"UPDATE entities SET certified_by_organisation_id = {body.id}, certification_valid_until "
                         + (f"= date '{NOW}' + ((id * 31) % 730) - 30" if backend == "postgresql" else
                            f"= date('{NOW}', (((id * 31) % 730) - 30) || ' days')")
                         + " WHERE certification_status = 'certified'"))
    # 3% of the licences in force end between 30 days ago and 90 days from NOW.
    session.execute(text("UPDATE licences SET valid_until = "
                         + (f"date '{NOW}' + ((id * 13) % 120) - 30" if backend == "postgresql" else
                            f"date('{NOW}', (((id * 13) % 120) - 30) || ' days')")
                         + " WHERE status IN ('valid', 'provisional') AND id % 33 = 0"))
    scores = []
    for entity_id in ids:
        before, latest = rng.choice(TIERS), rng.choice(TIERS)
        scored = NOW - timedelta(days=rng.randrange(60))
        for tier, day in ((before, scored - timedelta(days=30)), (latest, scored)):
            scores.append({"entity_id": entity_id, "ruleset_id": "default", "ruleset_hash": "0" * 64, "total": 50.0,
                           "tier": tier, "coverage": 1.0, "outcomes": [], "facts": {}, "reason": "bench",
                           "scored_at": at(day)})
    insert_rows(session, Score.__table__, scores)
    add_confirmed_hits(session, rng, ids)
    insert_rows(session, AuditFinding.__table__, [
        {"entity_id": entity_id, "source": "audit", "recorded_at": at(NOW), "recorded_by_organisation_id": body.id,
         "principle": rng.choice("ABCDEFG"), "grade": "major", "status": "open", "description": "bench finding",
         "found_on": NOW - timedelta(days=rng.randrange(200)), "version": 1}
        for entity_id in rng.sample(ids, len(ids) * 3 // 100)])
    refresh_statistics(session, [Entity.__table__, PortfolioEntry.__table__, Score.__table__, Hit.__table__,
                                 AuditFinding.__table__])


def add_confirmed_hits(session, rng, ids):
    """1,000 hits on a bench list, confirmed in the last 40 days."""
    source = WatchlistSource(name="bench-list", title="Bench list", kind="banned_agency", format="generic-csv")
    session.add(source)
    session.flush()
    version = WatchlistVersion(source_id=source.id, number=1, format="generic-csv", files=[], sha256="0" * 64,
                               entry_count=1000, added=1000, changed=0, removed=0)
    session.add(version)
    session.flush()
    insert_rows(session, WatchlistEntry.__table__, [
        {"source_id": source.id, "entry_id": f"B-{n}", "kind": "organization", "name": f"Bench Listed {n}",
         "aliases": [], "weak_aliases": [], "countries": [], "identifiers": [], "details": {},
         "content_hash": "0" * 64, "revision": 1, "first_version_id": version.id,
         "last_changed_version_id": version.id} for n in range(1000)])
    entries = session.scalars(select(WatchlistEntry.id).where(WatchlistEntry.source_id == source.id)).all()
    insert_rows(session, Hit.__table__, [
        {"entity_id": entity_id, "subject": "entity", "watchlist_entry_id": entry, "source_id": source.id,
         "list_version_id": version.id, "entry_revision": 1, "names_key": "0" * 64, "score": 0.9,
         "query_name": "bench", "matched_name": "Bench Listed", "explanation": {}, "current": True,
         "state": "confirmed", "decided_at": at(NOW - timedelta(days=rng.randrange(40))), "created_at": at(NOW),
         "updated_at": at(NOW), "version": 2} for entity_id, entry in zip(rng.sample(ids, 1000), entries)])


def recreate(url):
    """Drop and create a PostgreSQL database."""
    url = make_url(url)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def copy_of(backend, base):
    """A fresh copy of the base database to sweep."""
    if backend == "sqlite":
        target = OUT / "sweep.sqlite"
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(base.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"
    url = make_url(base)
    copy = url.set(database=f"{url.database}_sweep")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{copy.database}" TEMPLATE "{url.database}"'))
    server.dispose()
    return copy.render_as_string(hide_password=False)


def run(backend, given):
    base = base_url(backend, given)
    if not ready(base):
        build(backend, base)
    app = app_for(copy_of(backend, base))  # migrated: a base built before a migration still serves
    with app.app_context():
        session = db.Session()
        for attempt in ("first", "second"):
            start = time.perf_counter()
            result = review_sweep.sweep_due(session, NOW)
            session.commit()
            seconds = time.perf_counter() - start
            label = (f"{backend}: {attempt} sweep of {result.entities:,} entities (created {result.created:,} tasks, "
                     f"{result.licences_expired:,} expiries, {result.notified:,} events)")
            if attempt == "first":
                report(label, seconds, 10, "s")
            else:
                print(f"{label:58} {seconds:10.2f} s   (no target; changed: {result.updated} updated, "
                      f"{result.cancelled} cancelled, {result.next_review_changed} next review dates)", flush=True)
        tasks = session.scalar(select(func.count()).select_from(ReviewTask))
        print(f"{'':58} {tasks:,} review tasks in all", flush=True)
        db.Session.remove()
    app.extensions["engine"].dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--database-url", help="PostgreSQL base database to build (once) and copy from; default "
                        f"{make_url(POSTGRES).set(database='fairrecruit_bench_sweep_base').render_as_string()}")
    args = parser.parse_args()
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        run(backend, args.database_url)


if __name__ == "__main__":
    main()
