"""Schema pieces shared by every capability."""
from marshmallow import Schema, ValidationError, fields, validate

from app.registry.vocab import country_name


class CountryCode(fields.String):
    """An ISO 3166-1 alpha-2 code; the error names the bad value."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if country_name(code) is None:
            raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. NP, QA, PH).")
        return code


def one_of(choices):
    """A OneOf validator whose message lists the allowed values."""
    return validate.OneOf(choices, error="Must be one of: {choices}; got {input!r}.")


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageMeta(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
