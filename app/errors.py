"""One error family; JSON for the API, HTML pages for the web, never a traceback."""
import logging

from flask import jsonify, render_template, request
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error a client can act on, carrying its HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message, errors=None, status=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if status:
            self.status = status


class Invalid(AppError):
    status = 422
    code = "invalid"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid",
         428: "precondition_required", 429: "too_many_requests"}


def flatten(messages, prefix=""):
    """Turn marshmallow's nested messages into {"a.b[0].c": ["..."]}."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": messages}
    flat = {}
    items = messages.items() if isinstance(messages, dict) else enumerate(messages)
    for key, value in items:
        if isinstance(key, int):
            path = f"{prefix}[{key}]"
        elif key == "_schema":
            path = prefix or "_schema"
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, (dict, list)) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            flat.update(flatten(value, path))
        else:
            flat.setdefault(path, []).extend(value if isinstance(value, list) else [value])
    return flat


def invalid_from(err: ValidationError, message="The input is not valid."):
    """An Invalid error from a marshmallow ValidationError, with field paths."""
    return Invalid(message, flatten(err.messages))


# PostgreSQL SQLSTATEs of a transaction that lost a race: serialisation failure, deadlock; and of constraints.
RACE_STATES = {"40001", "40P01"}
UNIQUE_STATE, FOREIGN_KEY_STATE = "23505", "23503"


def database_answer(err):
    """(status, code, message) for a database error caused by a concurrent request or a bad value, else None."""
    state = getattr(err.orig, "sqlstate", None)
    text = str(err.orig)
    if state in RACE_STATES:
        return 409, "conflict", "Another change to the same records was being saved at the same time; try again."
    if isinstance(err, IntegrityError) and (state == UNIQUE_STATE or "UNIQUE constraint failed" in text):
        # Two requests passed the duplicate check together; the database let only one of them in.
        return 409, "conflict", "A record with the same unique values was saved at the same time; read it again."
    if isinstance(err, IntegrityError) and (state == FOREIGN_KEY_STATE or "FOREIGN KEY constraint failed" in text):
        return 409, "conflict", "A record this change refers to was removed meanwhile; read it again."
    if isinstance(err, DataError):
        return 422, "invalid", "A value does not fit the field it is for (too long, too large or not allowed)."
    if "database is locked" in text:
        # SQLite's busy timeout ran out behind a long writer; the request did nothing and may be repeated.
        return 503, "busy", "The database is busy; try again in a moment."
    return None


def wants_json():
    """API paths and JSON clients get JSON errors."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render(status, code, message, errors=None):
    """Render one error in the shape the client expects."""
    if wants_json():
        body = {"code": code, "status": status, "message": message, "errors": errors or {}}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, errors=errors or {}), status


def init_app(app):
    """Register the handlers."""

    @app.errorhandler(AppError)
    def handle_app_error(err):
        body, status = render(err.status, err.code, err.message, err.errors)
        if status == 401:
            return body, status, {"WWW-Authenticate": "Bearer"}
        return body, status

    @app.errorhandler(HTTPException)
    def handle_http(err):
        errors = {}
        message = err.description or err.name
        data = getattr(err, "data", None) or {}
        messages = data.get("messages")
        if messages:
            # webargs nests messages under the location ("json", "query", ...); the location is noise to a client.
            if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in (
                    "json", "query", "form", "files", "headers"):
                messages = next(iter(messages.values()))
            errors = flatten(messages)
            message = "The input is not valid."
        if err.code == 413:
            message = "The request body is too large."
        body, status = render(err.code, CODES.get(err.code, "error"), message, errors)
        # Keep the exception's own headers (405's Allow, for one) but not its HTML content type.
        headers = [(name, value) for name, value in err.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(StaleDataError)
    def handle_stale(err):
        # Another request changed the row between this one's read and its write (version_id_col).
        return render(409, "conflict", "This record changed while your change was being saved; read it again.",
                      {"version": ["stale"]})

    @app.errorhandler(DBAPIError)
    def handle_database(err):
        answer = database_answer(err)
        if answer is None:
            return handle_unexpected(err)
        log.warning("request.database_refused path=%s error=%s", request.path, type(err.orig).__name__)
        body, status = render(*answer)
        return body, status, {"Retry-After": "1"} if status == 503 else {}

    @app.errorhandler(Exception)
    def handle_unexpected(err):
        log.exception("request.failed path=%s", request.path)
        return render(500, "internal_error", "Something went wrong on our side; it has been logged.")
