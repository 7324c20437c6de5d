"""The OpenAPI document says what the service does: our error shape, who must sign in, what can fail."""
from apispec import BasePlugin
import flask_smorest
from marshmallow import Schema, fields

from app.accounts import permissions

BEARER_ONLY = [{"bearer": []}]
WRITES = ("post", "put", "patch", "delete")


class ErrorSchema(Schema):
    """Every error the API returns (see app.errors.render)."""

    code = fields.String(required=True, metadata={"description": "A stable machine-readable code, e.g. not_found"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "Problems by field path (e.g. licences[0].number)"})


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app):
        super().__init__(app, spec_kwargs={"extra_plugins": [OperationsPlugin(app)]})

    def document_probes(self, app):
        """Add the anonymous health probes to the document."""
        for endpoint in ("healthz", "readyz"):
            rule = next(app.url_map.iter_rules(endpoint))
            self.spec.path(rule=rule, operations={"get": {
                "summary": app.view_functions[endpoint].__doc__ or endpoint, "security": [],
                "tags": ["health"], "responses": {"200": {"description": "OK"},
                                                  "503": {"description": "Not ready"}}}})


def file_upload(description):
    """The request body of an operation that reads one file from multipart field `file` (from request.files)."""
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": description}}}}}}


def protected(function):
    """True when the view (or a function it wraps) is guarded by require() with actions anonymous users lack."""
    while function is not None:
        actions = getattr(function, "permissions", None)
        if actions is not None:
            return all(permissions.RULES[action].roles is not None for action in actions)
        function = getattr(function, "__wrapped__", None)
    return False


class OperationsPlugin(BasePlugin):
    """Mark each operation's security and the error statuses it can answer, from the view itself."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def operation_helper(self, path=None, operations=None, rule=None, **kwargs):
        view = self.app.view_functions.get(rule.endpoint) if rule is not None else None
        if view is None:
            return
        view_class = getattr(view, "view_class", None)
        for method, operation in operations.items():
            function = getattr(view_class, method, None) if view_class else view
            responses = operation.setdefault("responses", {})
            if protected(function):
                operation["security"] = BEARER_ONLY
                responses.setdefault(401, "UNAUTHORIZED")
                responses.setdefault(403, "FORBIDDEN")
            if rule.arguments:
                responses.setdefault(404, "NOT_FOUND")
            if method in WRITES:
                # A write can lose a race with another one (a stale version, a unique value taken meanwhile).
                responses.setdefault(409, "CONFLICT")
