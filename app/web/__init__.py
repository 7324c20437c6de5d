"""The web pages: the public lookup, sign-in, the console, and the offline API docs; CSRF on every form,
every string through gettext (app/web/i18n.py), static files linked by content so browsers cache them."""
from functools import lru_cache
import hashlib
import os
from pathlib import Path

from flask import send_from_directory
from flask_wtf.csrf import CSRFProtect
import swagger_ui_bundle

from app.accounts import views as account_views
from app.audits import tasks_views, views as audit_views
from app.registry import views as registry_views
from app.reports import views as report_views
from app.scoring import views as scoring_views
from app.screening import views as screening_views
from app.web import console, i18n, views

csrf = CSRFProtect()


def init_app(app, api_blueprints=()):
    """Register the page blueprints; the token-authenticated API is exempt from CSRF."""
    csrf.init_app(app)
    i18n.init_app(app)
    for blueprint in api_blueprints:
        csrf.exempt(blueprint)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(registry_views.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(scoring_views.bp)
    app.register_blueprint(screening_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(tasks_views.bp)
    app.register_blueprint(report_views.bp)
    static = Path(swagger_ui_bundle.swagger_ui_path)

    @app.get("/api/docs/static/<path:filename>")
    def swagger_static(filename):
        return send_from_directory(static, filename)

    @app.url_defaults
    def version_static(endpoint, values):
        if endpoint == "static" and "filename" in values:
            path = Path(app.static_folder) / values["filename"]
            if path.is_file():
                values["v"] = content_hash(str(path), os.stat(path).st_mtime_ns)


@lru_cache(maxsize=256)
def content_hash(path, mtime):
    """A short hash of a static file's content (mtime: a changed file is hashed again)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
