"""Bulk import of 100,000 agencies from CSV (target: under 60 s on SQLite and on PostgreSQL), then re-imports:
the same file (target: under a third of the first import) and the file with a few percent of its rows changed."""
import argparse
import csv
import io
import time

from common import OUT, app_for, fresh_database, report, timed
from generate_agencies import AUTHORITIES, generate

from app import db
from app.accounts.cli import OPERATOR
from app.registry import importer
from app.registry.models import Authority

# One change per changed row, in turn: what a registry's daily export brings.
CHANGES = (
    lambda row, n: {**row, "website": f"https://agency-{n}.example"},
    lambda row, n: {**row, "aliases": "; ".join(filter(None, [row["aliases"], f"{row['legal_name']} Group {n}"]))},
    lambda row, n: {**row, "licence_status": "suspended", "licence_status_raw": "Suspended pending inquiry"},
    lambda row, n: {**row, "people": "; ".join(filter(None, [row["people"], f"Ramesh Khadka {n} (director)"]))},
    lambda row, n: {**row, "licence_destinations": "; ".join(filter(None, [row["licence_destinations"], "NZ"]))},
    lambda row, n: {**row, "identifiers": "; ".join(filter(None, [row["identifiers"], f"tax_id:CHANGED-{n}"]))},
)


def add_authorities(session):
    """The licensing authorities the generated licences name."""
    for origin, code, name in AUTHORITIES:
        session.add(Authority(code=code, name=name, country=origin))
    session.commit()


def changed_file(path, share):
    """The file with every (1/share)-th row changed in one way (CHANGES, in turn); returns its bytes and count."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    step = round(1 / share)
    for n, index in enumerate(range(0, len(rows), step)):
        rows[index] = CHANGES[n % len(CHANGES)](rows[index], n)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(), len(range(0, len(rows), step))


def run(backend, path, reimport, share=0.03, postgresql_url=None):
    url = fresh_database(backend, "registry", postgresql_url)
    app = app_for(url)
    data = path.read_bytes()
    with app.app_context():
        session = db.Session()
        add_authorities(session)

        def once(content):
            # This process's CPU time beside the wall time: on a loaded machine the wall time stretches with the
            # load, the CPU time much less (on PostgreSQL the server's share is not counted).
            started = time.process_time()
            result = importer.import_file(session, OPERATOR, content, fmt="csv", default_kind="agency")
            session.commit()
            return result, time.process_time() - started
        first, (result, first_cpu) = timed(lambda: once(data))
        report(f"{backend}: import {result['rows']:,} rows (created {result['created']:,}), CPU {first_cpu:.1f} s",
               first, 60, "s")
        if reimport:
            seconds, (result, cpu) = timed(lambda: once(data))
            report(f"{backend}: re-import unchanged ({result['unchanged']:,} unchanged), CPU {cpu / first_cpu:.2f} "
                   "of the first", seconds, round(first / 3, 1), "s")
            changed, count = changed_file(path, share)
            seconds, (result, cpu) = timed(lambda: once(changed))
            print(f"{backend}: re-import with {count:,} rows changed ({share:.0%}): {seconds:.1f} s, updated "
                  f"{result['updated']:,}, unchanged {result['unchanged']:,}; {seconds / first:.2f} of the first "
                  f"import, CPU {cpu / first_cpu:.2f} (no target)", flush=True)
        db.Session.remove()
    app.extensions["engine"].dispose()
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--no-reimport", action="store_true")
    parser.add_argument("--changed", type=float, default=0.03, help="Share of rows changed in the third import.")
    parser.add_argument("--database-url", help="PostgreSQL database to (re)create and use instead of "
                        "fairrecruit_bench_registry")
    args = parser.parse_args()
    path = generate(args.rows, OUT / f"agencies-{args.rows}.csv")
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        run(backend, path, not args.no_reimport, args.changed, args.database_url)


if __name__ == "__main__":
    main()
