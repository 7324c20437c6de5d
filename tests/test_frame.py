"""The frame: migrations match the models, configuration safety, probes, error pages."""
from datetime import date, datetime, timezone
from decimal import Decimal
import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
import pytest
from sqlalchemy import inspect

from app import create_app, migrate
from app.db import Base, to_json
import app.models  # noqa: F401
from tests.conftest import fresh_database_url


def test_migrations_produce_exactly_the_schema_of_the_models(tmp_path):
    app = create_app({"DATABASE_URL": fresh_database_url(tmp_path, "schema"), "LOG_LEVEL": "WARNING"})
    engine = app.extensions["engine"]
    with app.app_context():
        migrate.upgrade(app)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) == []
        migrate.downgrade(app, "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        migrate.upgrade(app)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_readyz_says_when_migrations_are_behind(tmp_path):
    app = create_app({"DATABASE_URL": fresh_database_url(tmp_path, "behind"), "LOG_LEVEL": "WARNING"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["migrations"] == "behind"
    app.extensions["engine"].dispose()


def test_readyz_says_when_the_database_is_unreachable():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "LOG_LEVEL": "WARNING"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


@pytest.mark.parametrize("secret", [None, "dev-only-not-secret", "short"])
def test_production_refuses_to_start_without_a_real_secret(secret, monkeypatch):
    overrides = {"FAIRRECRUIT_ENV": "production", "DATABASE_URL": "sqlite://"}
    if secret:
        overrides["SECRET_KEY"] = secret
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(overrides)


def test_production_starts_with_a_real_secret_and_secure_cookies():
    app = create_app({"FAIRRECRUIT_ENV": "production", "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("processes", [0, -2])
def test_no_screening_processes_is_refused_naming_the_setting(processes):
    with pytest.raises(RuntimeError, match=f"SCREENING_PROCESSES must be 1 or more, not {processes}"):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40, "SCREENING_PROCESSES": processes})


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite")
    monkeypatch.setenv("PAGE_SIZE", "25")
    app = create_app()
    assert str(app.extensions["engine"].url).endswith("env.sqlite")
    assert app.config["PAGE_SIZE"] == 25


def test_pages_get_html_errors_and_the_api_gets_json(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "FairRecruit" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json["code"] == "not_found"


def test_unexpected_errors_hide_the_traceback(client, app, monkeypatch):
    from app.registry import service
    def explode(*args, **kwargs):
        raise ValueError("secret internals")
    monkeypatch.setattr(service, "list_entities", explode)
    response = client.get("/api/v1/agencies")
    assert response.status_code == 500
    assert response.json == {"code": "internal_error", "status": 500,
                             "message": "Something went wrong on our side; it has been logged.", "errors": {}}


def test_openapi_document_lists_the_registry(client):
    spec = client.get("/api/openapi.json").json
    assert "/api/v1/agencies" in spec["paths"] and "/api/v1/registry/import" in spec["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"/api/docs/static/" in docs.data
    with client.get("/api/docs/static/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.data


def test_json_columns_keep_dates_decimals_non_ascii_and_number_keys_as_the_api_reads_them():
    value = {"on": date(2026, 12, 3), "at": datetime(2026, 12, 3, 7, 5, 1, 250, tzinfo=timezone.utc),
             "amount": Decimal("1250.50"), "name": "श्री गणेश मेनपावर", 7: [1.5, None, True]}
    assert json.loads(to_json(value)) == {"on": "2026-12-03", "at": "2026-12-03T07:05:01.000250+00:00",
                                          "amount": "1250.50", "name": "श्री गणेश मेनपावर", "7": [1.5, None, True]}
    with pytest.raises(TypeError, match="not JSON serial"):
        to_json({"ids": {1, 2}})
