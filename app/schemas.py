"""Schema pieces shared by every capability."""
from marshmallow import Schema, ValidationError, fields, validate

from app.registry.vocab import country_name

# The largest value an INTEGER column holds on PostgreSQL (SQLite's hold more; the API is the same on both).
MAX_INT = 2**31 - 1


class Integer(fields.Integer):
    """The API's integer: refuses fractions (JSON's 1.5 must not become 1) and values no column holds.

    Digit strings are still read, as query strings and forms carry nothing else.
    """

    default_error_messages = {"invalid": "Not a valid integer."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Range(min=-MAX_INT - 1, max=MAX_INT))

    def _validated(self, value):
        if isinstance(value, float):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class Boolean(fields.Boolean):
    """The API's boolean: refuses numbers (JSON's 0 must not become false, nor 2 true).

    Text is still read ("true", "false", "1", "0", ...), as query strings and forms carry nothing else.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Secret(fields.String):
    """A password or token: load-only, and its errors never repeat what was sent (they reach logs and screens)."""

    def __init__(self, **kwargs):
        super().__init__(load_only=True, **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        try:
            return super().deserialize(value, attr, data, **kwargs)
        except ValidationError as err:
            raise ValidationError([hidden(message, value) for message in err.messages]) from None


def hidden(message, value):
    """The message without the value in it (in any of the ways a message may quote it)."""
    if isinstance(value, str) and value:
        for shown in (repr(value), value):
            message = message.replace(shown, "(hidden)")
    return message


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code; the error names the bad value."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if country_name(code) is None:
            raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. NP, QA, PH).")
        return code


class Id(Integer):
    """The id of a row another field refers to: 1 or more."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Range(min=1))


def one_of(choices):
    """A OneOf validator whose message lists the allowed values."""
    return validate.OneOf(choices, error="Must be one of: {choices}; got {input!r}.")


class PageArgs(Schema):
    page = Integer(load_default=1, validate=validate.Range(min=1))
    per_page = Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageMeta(Schema):
    page = Integer()
    per_page = Integer()
    total = Integer()
