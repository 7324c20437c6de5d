"""Bulk import of 100,000 agencies from CSV (target: under 60 s on SQLite and on PostgreSQL), then the re-import."""
import argparse

from common import OUT, app_for, fresh_database, report, timed
from generate_agencies import AUTHORITIES, generate

from app import db
from app.accounts.cli import OPERATOR
from app.registry import importer
from app.registry.models import Authority


def add_authorities(session):
    """The licensing authorities the generated licences name."""
    for origin, code, name in AUTHORITIES:
        session.add(Authority(code=code, name=name, country=origin))
    session.commit()


def run(backend, path, reimport):
    url = fresh_database(backend, "registry")
    app = app_for(url)
    data = path.read_bytes()
    with app.app_context():
        session = db.Session()
        add_authorities(session)

        def once():
            result = importer.import_file(session, OPERATOR, data, fmt="csv", default_kind="agency")
            session.commit()
            return result
        seconds, result = timed(once)
        report(f"{backend}: import {result['rows']:,} rows (created {result['created']:,})", seconds, 60, "s")
        if reimport:
            seconds, result = timed(once)
            print(f"{backend}: re-import of the same file: {seconds:.1f} s, created {result['created']}, "
                  f"updated {result['updated']}, unchanged {result['unchanged']:,} (no target)", flush=True)
        db.Session.remove()
    app.extensions["engine"].dispose()
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--no-reimport", action="store_true")
    args = parser.parse_args()
    path = generate(args.rows, OUT / f"agencies-{args.rows}.csv")
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        run(backend, path, not args.no_reimport)


if __name__ == "__main__":
    main()
