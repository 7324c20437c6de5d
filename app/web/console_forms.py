"""The console's filter forms (GET query strings) as schemas, their errors worded in the reader's language; built
per request because the words and the tiers on offer are the request's."""
from flask_babel import gettext
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.audits.models import STATES as AUDIT_STATES
from app.registry.jurisdiction import EXPIRY_FILTERS
from app.registry.vocab import LICENCE_STATUSES

MAX_PAGE = 10_000
MAX_TEXT = 200
EXPORT_FORMATS = ("csv", "xlsx")


def one_of(choices):
    return validate.OneOf(choices, error=gettext("Choose one of the options offered."))


def page_field():
    return fields.Integer(load_default=1, validate=validate.Range(1, MAX_PAGE, error=gettext(
        "Give a page number from 1 to %(max)s.", max=MAX_PAGE)),
        error_messages={"invalid": gettext("Give the page as a whole number, for example 2.")})


def text_field():
    return fields.String(validate=validate.Length(max=MAX_TEXT, error=gettext(
        "Type at most %(max)s characters.", max=MAX_TEXT)))


def checkbox():
    return fields.Boolean(load_default=False, truthy={"1", "on", "true", "yes"}, falsy={"0", "off", "false", "no"},
                          error_messages={"invalid": gettext("Tick the box or leave it empty.")})


def portfolio_schema(tiers):
    """The portfolio filters: tier (or "unscored"), country, text, licence expiring, open hits; page; format."""
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error=gettext(
        "Give a country as its two-letter code, for example NP.")))
    return Schema.from_dict({
        "tier": fields.String(validate=one_of(tiers)), "country": country, "q": text_field(),
        "expiring": checkbox(), "hits": checkbox(), "page": page_field(),
        "format": fields.String(load_default="csv", validate=one_of(EXPORT_FORMATS)),
    }, name="PortfolioFilterSchema")(unknown=EXCLUDE)


def licence_schema():
    """The registrar's licence filters: status as it reads today, expiry window, number or name; page."""
    return Schema.from_dict({
        "status": fields.String(validate=one_of(LICENCE_STATUSES)),
        "expiry": fields.String(validate=one_of(EXPIRY_FILTERS)), "lq": text_field(), "lpage": page_field(),
    }, name="LicenceFilterSchema")(unknown=EXCLUDE)


def audit_schema():
    """The auditor's filters: the audits' state; page."""
    return Schema.from_dict({"astate": fields.String(validate=one_of(AUDIT_STATES)), "apage": page_field()},
                            name="AuditFilterSchema")(unknown=EXCLUDE)


def parse(schema, args):
    """(values, errors): the query string read by the schema, empty fields as not sent; on errors, the defaults
    (so the page still shows everything) and {field: [messages]}."""
    sent = {name: value.strip() for name, value in args.items() if value.strip()}
    if "country" in sent:
        sent["country"] = sent["country"].upper()
    try:
        return schema.load(sent), {}
    except ValidationError as err:
        return schema.load({}), {name: list(messages) for name, messages in err.messages.items()}
