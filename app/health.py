"""Liveness and readiness probes for load balancers and orchestrators."""
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.migrate import alembic_config


def init_app(app):
    """Add /healthz and /readyz."""

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        try:
            with current_app.extensions["engine"].connect() as conn:
                conn.execute(text("SELECT 1"))
                current = set(MigrationContext.configure(conn).get_current_heads())
        except SQLAlchemyError as err:
            return jsonify(status="unavailable", database="unreachable", detail=type(err).__name__), 503
        expected = set(ScriptDirectory.from_config(alembic_config(current_app)).get_heads())
        if current != expected:
            return jsonify(status="unavailable", database="reachable", migrations="behind",
                           current=sorted(current), expected=sorted(expected)), 503
        return jsonify(status="ok", database="reachable", migrations="current")
