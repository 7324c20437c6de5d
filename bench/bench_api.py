"""In-process API timings over 100,000 agencies: lookup by licence number (target: median < 5 ms) and a
filtered, paginated list (target: median < 20 ms). Uses the database bench_import.py left, or builds it."""
import argparse
import random
import time

from common import OUT, app_for, database_url, median_ms, p99_ms, report
from sqlalchemy import create_engine, func, inspect, select

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.registry.models import Entity, Licence

FILTERS = ["corridor=NP-QA&licence_status=valid&sector=construction", "country=PH&licence_status=suspended",
           "corridor=BD-MY&sort=-created_at", "licence_status=expired&sector=domestic_work&country=ID",
           "corridor=IN-AE&licence_status=valid&page=3", "sector=fishing&sort=legal_name&page=2",
           "country=ET&licence_status=valid&sort=-legal_name", "corridor=MM-TH&sector=agriculture"]


def ensure_database(backend):
    """The URL of a database holding the 100,000 agencies (imported now if it is not there)."""
    url = database_url(backend, "registry")
    engine = create_engine(url)
    try:
        # Closed before the engine is disposed: bench_screening copies this database, which needs no one on it.
        with engine.connect() as conn:
            ready = inspect(conn).has_table("entities") and conn.execute(
                select(func.count()).select_from(Entity.__table__)).scalar() >= 100_000
    except Exception:  # noqa: BLE001 (no database yet)
        ready = False
    engine.dispose()
    if not ready:
        from bench_import import run  # noqa: PLC0415
        from generate_agencies import generate  # noqa: PLC0415
        run(backend, generate(100_000, OUT / "agencies-100000.csv"), reimport=False)
    return url


def token(app):
    """A bearer token of a business analyst, created once."""
    with app.app_context():
        session = db.Session()
        organisation = accounts.create_organisation(session, name=f"Bench {time.time_ns()}", kind="business")
        user = accounts.create_user(session, organisation_id=organisation.id, email=f"b{time.time_ns()}@bench.example",
                                    name="Bench", role="analyst", password="bench password long")
        _, raw = accounts.create_token(session, actor_for(session, user), name="bench")
        session.commit()
        numbers = session.scalars(select(Licence.number).order_by(Licence.id)).all()
        db.Session.remove()
    return {"Authorization": f"Bearer {raw}"}, numbers


def sample(client, urls, headers=None):
    """Per-request seconds for each URL, after one warm-up round."""
    for url in urls[:20]:
        client.get(url, headers=headers)
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
    return times


def run(backend, requests):
    app = app_for(ensure_database(backend))
    headers, numbers = token(app)
    rng = random.Random(7)
    client = app.test_client()
    start = time.perf_counter()
    client.get("/api/v1/agencies?per_page=1")
    print(f"{backend}: first list request of a new process (builds its listing of 100,000): "
          f"{time.perf_counter() - start:.2f} s (no target)", flush=True)
    lookups = [f"/api/v1/agencies?licence_number={n}" for n in rng.sample(numbers, requests)]
    first = client.get(lookups[0]).get_json()
    assert first["meta"]["total"] == 1, first
    times = sample(client, lookups)
    report(f"{backend}: GET /agencies?licence_number= (anonymous) median", median_ms(times), 5, "ms")
    print(f"{'':58} p99 {p99_ms(times):.2f} ms", flush=True)
    lists = [f"/api/v1/agencies?{rng.choice(FILTERS)}&per_page=50" for _ in range(requests)]
    times = sample(client, lists, headers)
    report(f"{backend}: filtered, paginated list (analyst) median", median_ms(times), 20, "ms")
    print(f"{'':58} p99 {p99_ms(times):.2f} ms", flush=True)
    app.extensions["engine"].dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        run(backend, args.requests)


if __name__ == "__main__":
    main()
