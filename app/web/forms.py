"""HTML forms read with the API's own schemas: a blank field is a field not sent, and errors come back per field
(the place they are shown beside), the common ones in the reader's language."""
from flask_babel import gettext

from app.errors import flatten


def form_data(form, names, checkboxes=()):
    """The filled-in fields among `names` (stripped), and each checkbox as "true" or "false"."""
    data = {name: form[name].strip() for name in names if form.get(name, "").strip()}
    data.update({name: "true" if form.get(name) else "false" for name in checkboxes})
    return data


def common_messages():
    """marshmallow's own messages for the mistakes a form lets people make, in the reader's language."""
    return {"Missing data for required field.": gettext("Fill this in."),
            "Not a valid date.": gettext("Give a date, for example 2026-11-30."),
            "Not a valid number.": gettext("Give a number, for example 1200 or 1200.50."),
            "Not a valid integer.": gettext("Give a whole number, for example 3."),
            "Not a valid boolean.": gettext("Choose yes or no.")}


def field_errors(messages, to_field=None):
    """{form field: [messages]} from a ValidationError's (or an AppError's) messages; `to_field` maps a schema
    path ("sectors[2]") to the form field that carries it (default: the path's first name)."""
    known = common_messages()
    errors = {}
    for path, found in flatten(messages).items():
        field = to_field(path) if to_field else path.split(".")[0].split("[")[0]
        errors.setdefault(field, []).extend(known.get(message, message) for message in found)
    return errors
