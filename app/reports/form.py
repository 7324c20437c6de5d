"""The public report form's fields: read into what the intake service takes, and its problems put beside the
fields in the reader's language. The rules are the API's (app/reports/schemas.py); only the words differ."""
from flask_babel import gettext
from marshmallow import ValidationError

from app.errors import flatten
from app.registry.names import latin_digits
from app.reports.schemas import IntakeSchema

# The questions answered yes or no (left unanswered: not said).
FLAGS = ("documents_kept", "wages_withheld", "deceived", "threats_or_violence", "in_debt")
# Room for two payments on a small screen; more go in the account.
FEE_ROWS = 2
CONTACT = ("name", "phone", "email", "other")
CONSENT = {"consent_regulator": "share_with_regulator", "consent_figures": "count_in_figures",
           "consent_contact": "may_contact"}
# The countries most workers in these corridors leave from and go to, in the list order; others go in the account.
ORIGINS = ("NP", "BD", "IN", "LK", "PK", "PH", "ID", "MM", "KH", "VN", "ET", "KE", "UG")
DESTINATIONS = ("QA", "AE", "SA", "KW", "BH", "OM", "JO", "LB", "MY", "SG", "KR", "JP", "HK", "TW", "IL")


def western_digits(text):
    """Amounts typed with any script's digits (१५००, ১৫০০, ١٥٠٠) as 1500; thousands separators dropped."""
    return "".join(ch for ch in latin_digits(text) if ch not in ", \u00a0\u066c")


def given(form, name):
    return (form.get(name) or "").strip()


def read_report(form):
    """(the report as the intake service takes it, problems by path); uploads are added by the caller."""
    raw = {"receiver_id": given(form, "receiver_id") or None, "agency": {}, "consent": {}}
    for field, name in (("entity_id", "agency_id"), ("licence_number", "agency_licence"), ("name", "agency_name")):
        if given(form, name):
            raw["agency"][field] = given(form, name)
    if given(form, "employer_name"):
        raw["employer"] = {"name": given(form, "employer_name")}
    for name in ("origin_country", "destination_country", "period_from", "period_until", "contract", "account"):
        if given(form, name):
            raw[name] = given(form, name)
    for name in FLAGS:
        if given(form, name) in ("yes", "no"):
            raw[name] = given(form, name) == "yes"
    fees = []
    for row in range(FEE_ROWS):
        fee = {key: given(form, f"fee_{key}_{row}") for key in ("amount", "currency", "paid_to")}
        if any(fee.values()):
            fees.append({**fee, "amount": western_digits(fee["amount"]), "repaid": bool(form.get(f"fee_repaid_{row}"))})
    if fees:
        raw["fees"] = fees
    contact = {key: given(form, f"contact_{key}") for key in CONTACT if given(form, f"contact_{key}")}
    if contact:
        raw["contact"] = contact
    for name, field in CONSENT.items():
        raw["consent"][field] = bool(form.get(name))
    if given(form, "website"):
        raw["website"] = given(form, "website")
    try:
        return IntakeSchema().load(raw), {}
    except ValidationError as err:
        return None, flatten(err.messages)


def field_of(path):
    """The form field a problem's path (agency.name, fees[1].amount, attachments[0].content) belongs beside."""
    if path.startswith("fees["):
        row, key = path[5:].split("].", 1) if "]." in path else (path[5:-1], "amount")
        return f"fee_{key}_{row}" if key in ("amount", "currency", "paid_to") else f"fee_amount_{row}"
    if path.startswith("agency"):
        return "agency_name"
    if path.startswith("attachments"):
        return "attachments"
    if path.startswith("contact."):
        return "contact_" + path.split(".", 1)[1]
    if path == "contact":
        return "consent_contact"
    return {"employer.name": "employer_name", "employer": "employer_name", "receiver_id": "receiver_id"}.get(
        path, path)


def message_for(field, limits):
    """What the field needs, in the reader's language (never the value sent: it may be confidential)."""
    if field.startswith("fee_amount_"):
        return gettext("Write the amount in figures, for example 1500.")
    if field.startswith("fee_currency_"):
        return gettext("Write the currency in three letters, for example NPR, USD or QAR.")
    if field.startswith("fee_paid_to_"):
        return gettext("Choose who you paid.")
    if field.startswith("contact_"):
        return gettext("This is too long.")
    messages = {
        "receiver_id": gettext("Choose the organisation that will receive your report."),
        "agency_name": gettext("Name the agency: its licence number or its name."),
        "employer_name": gettext("This is too long."),
        "origin_country": gettext("Choose a country from the list."),
        "destination_country": gettext("Choose a country from the list."),
        "period_from": gettext("Write a date such as 2026-03-01 (year, month, day), not in the future."),
        "period_until": gettext("Write a date such as 2026-06-30, not before the first date and not in the "
                                "future."),
        "account": gettext("Write at most 20,000 characters."),
        "consent_contact": gettext("Tick this box to leave your contact details, or leave them empty."),
        "attachments": gettext("Only JPEG or PNG pictures and PDF documents are taken, at most %(count)s files "
                               "of %(size)s MB each. Choose the files again.",
                               count=limits[1], size=limits[0] // (1024 * 1024)),
        "receipt": gettext("No report has that receipt code. Check it and try again."),
        "confirm": gettext("Tick this box to confirm that you want to withdraw the report."),
        "more": gettext("Write more about what happened, or choose a file."),
    }
    return messages.get(field, gettext("Check this answer."))


def beside_fields(problems, limits):
    """{form field: [message]} for problems by path (the schema's or the service's)."""
    found = {}
    for path in problems:
        field = field_of(path)
        found.setdefault(field, [message_for(field, limits)])
    return found
