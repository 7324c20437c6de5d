"""FairRecruit: ethical-recruitment due diligence."""
from flask import Flask, current_app, request


def create_app(overrides=None, instance_path=None):
    """Create the FairRecruit service."""
    # Imported here, not with the package: `fairrecruit --help` and the pure engines' users need none of it.
    from app import cli, config, db, errors, headers, health, inputs, logs, openapi, pipeline, web  # noqa: PLC0415
    from app.accounts import api as accounts_api, auth, throttle  # noqa: PLC0415
    from app.audits import api as audits_api, calendar, notifications_api, tasks_api  # noqa: PLC0415
    from app.registry import api as registry_api, private_api  # noqa: PLC0415
    from app.reports import api as reports_api  # noqa: PLC0415
    from app.scoring import api as scoring_api  # noqa: PLC0415
    from app.screening import api as screening_api  # noqa: PLC0415
    from app.secret import instance_secret  # noqa: PLC0415

    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_path=instance_path,
                instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(config.from_environment())
    app.config.update(overrides or {})
    if not app.config["SECRET_KEY"] and app.config["FAIRRECRUIT_ENV"] != "production":
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    config.check(app.config)
    logs.init_app(app)
    db.init_app(app)
    pipeline.init_app(app)
    inputs.init_app(app)
    api = openapi.Api(app)
    api_blueprints = (accounts_api.blp, registry_api.blp, private_api.blp, scoring_api.blp, screening_api.blp,
                      audits_api.blp, tasks_api.blp, notifications_api.blp, reports_api.blp)
    for blueprint in api_blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(calendar.bp)
    app.before_request(limit_json_body)
    app.before_request(inputs.check_request)
    app.before_request(auth.load_actor)
    throttle.init_app(app)
    headers.init_app(app)
    health.init_app(app)
    api.document_probes(app)
    web.init_app(app, api_blueprints=api_blueprints)
    errors.init_app(app)
    cli.init_app(app)
    return app


# Imports take large files; reports carry their attachments (base64) in the JSON.
LARGE_BODIES = ("registry.import_registry", "scoring.import_evidence", "screening.import_version",
                "reports.import_reports")
REPORT_BODIES = ("reports.send_report", "reports.Reports", "reports.add_to_report")


def limit_json_body():
    """Ordinary JSON requests are small; imports and reports with attachments are not."""
    if request.endpoint in REPORT_BODIES:
        config = current_app.config
        # Base64 takes 4 bytes for 3; the rest of a report fits in the ordinary limit.
        request.max_content_length = (config["REPORTS_ATTACHMENT_MAX_BYTES"] * config["REPORTS_MAX_ATTACHMENTS"]
                                      * 4 // 3 + config["JSON_MAX_BYTES"])
    elif request.endpoint not in LARGE_BODIES:
        request.max_content_length = current_app.config["JSON_MAX_BYTES"]
