"""What every request's input must pass before a view reads it: ids in URLs, JSON depth, control characters,
and only the query parameters the API operation declares."""
from functools import cache
import re

from flask import current_app, request
from werkzeug.routing import IntegerConverter

from app.errors import AppError, Invalid, NotFound
from app.schemas import MAX_INT

# Deeper than any body the API takes; Python's own JSON parser fails near 1,000 levels.
MAX_JSON_DEPTH = 64
# C0 controls except tab, line feed and carriage return, and DEL: PostgreSQL refuses NUL, and none is text;
# lone surrogates (JSON's "\ud800") cannot even be encoded to reach the database.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
CONTROL_MESSAGE = ("Contains a control character (such as NUL) or a lone surrogate; of the control characters only "
                   "tab, line feed and carriage return are allowed.")


class IdConverter(IntegerConverter):
    """Flask's `int`, refusing 0 and anything an id column cannot hold: such an id names nothing, so the route 404s.

    The columns are PostgreSQL INTEGERs, which refuse a larger value even in a comparison (with an error, not
    "no row"); a 64-bit bound would still let 2**31 through to that error.
    """

    def __init__(self, map, *args, min=1, max=MAX_INT, **kwargs):
        super().__init__(map, *args, min=min, max=max, **kwargs)


def init_app(app):
    """Use IdConverter for `<int:...>`; call before the blueprints are registered."""
    app.url_map.converters["int"] = IdConverter


def check_request():
    """Refuse input no view should see; runs after the body size limit is set."""
    for name, value in request.view_args.items() if request.view_args else ():
        if isinstance(value, str) and CONTROL.search(value):
            raise NotFound("Nothing has that name.", {name: ["contains a control character"]})
    problems = {}
    for location in (request.args, request.form):
        for name, values in location.lists():
            if name is None:
                # A multipart part without a name (Werkzeug files it under None): nothing could read it.
                problems["_schema"] = ["A form part has no name (Content-Disposition: form-data; name=\"...\")."]
            elif any(CONTROL.search(text) for text in (name, *values)):
                problems[printable(name)] = [CONTROL_MESSAGE]
    if request.is_json:
        problems.update(json_problems(parsed_json()))
    if problems:
        raise Invalid("The input contains control characters; remove them and send it again.", problems)
    function = operation(request.endpoint, request.method)
    unknown = sorted(set(request.args) - allowed_query(function)) if function else ()
    if unknown:
        raise Invalid("Unknown query parameter(s): " + ", ".join(unknown) + ".",
                      {name: ["Unknown parameter."] for name in unknown})


def parsed_json():
    """The JSON body (None when it does not parse: the view's parser reports that); too deep is 400."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise too_deep("_schema") from None


def json_problems(body):
    """{field path: [message]} for every text with a control character; AppError when too deep."""
    problems = {}
    stack = [(body, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise too_deep(path or "_schema")
        if isinstance(value, str):
            if CONTROL.search(value):
                problems[path or "_schema"] = [CONTROL_MESSAGE]
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{printable(key)}" if path else printable(key)
                if CONTROL.search(key):
                    problems[child] = ["The field name contains a control character."]
                stack.append((item, child, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value))
    return problems


def too_deep(path):
    """The 400 for a body nested deeper than MAX_JSON_DEPTH (a RecursionError would be a 500)."""
    return AppError(f"The JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels).",
                    {path: ["too deeply nested"]})


def printable(text):
    """Text with control characters written as escapes, fit to name a field in an error."""
    return CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)



def operation(endpoint, method):
    """The flask-smorest view function serving this endpoint and method, or None (pages, docs)."""
    view = current_app.view_functions.get(endpoint)
    view_class = getattr(view, "view_class", None)
    function = getattr(view_class, method.lower(), None) if view_class else view
    if method == "HEAD" and function is None and view_class:
        function = getattr(view_class, "get", None)
    return function if hasattr(function, "_apidoc") else None


@cache
def allowed_query(function):
    """The query parameters an API operation declares through @blp.arguments(..., location="query")."""
    parameters = function._apidoc.get("arguments", {}).get("parameters", [])
    names = set()
    for parameter in parameters:
        if parameter["in"] == "query":
            schema = parameter["schema"]
            schema = schema() if isinstance(schema, type) else schema
            names.update(field.data_key or name for name, field in schema.fields.items() if not field.dump_only)
    return frozenset(names)
