"""What the reports API accepts and returns. Confidential fields are load-only, and their errors never repeat
what was sent (errors reach logs and screens)."""
import base64
import binascii

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.registry import expiry
from app.reports.vocab import CONTRACT, FEE_CATEGORIES, PAYEES, STATES
from app.schemas import Boolean, CountryCode, Id, Integer, Secret, one_of
from app.scoring.schemas import Amount, CurrencyCode, NON_NEGATIVE


class Confidential(Secret):
    """A field of the worker's own words or details: load-only, errors without the value."""


class Base64(fields.String):
    """Bytes sent as base64 text; the error never quotes them."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("Not base64 (send the file's bytes base64-encoded).") from None


class AgencySchema(Schema):
    entity_id = Id(metadata={"description": "The agency as registered (from the lookup)"})
    licence_number = fields.String(validate=validate.Length(min=1, max=100),
                                   metadata={"description": "As printed on a receipt or the licence"})
    name = fields.String(validate=validate.Length(min=1, max=300),
                         metadata={"description": "The agency's name in the worker's words, when not registered"})

    @validates_schema
    def named(self, data, **kwargs):
        if not data:
            raise ValidationError("Name the agency: entity_id, licence_number or name.", "_schema")


class EmployerSchema(Schema):
    entity_id = Id()
    name = fields.String(validate=validate.Length(min=1, max=300))


class FeeSchema(Schema):
    amount = Amount(required=True, places=2, validate=NON_NEGATIVE)
    currency = CurrencyCode(required=True)
    paid_to = fields.String(required=True, validate=one_of(PAYEES))
    category = fields.String(validate=one_of(FEE_CATEGORIES))
    repaid = Boolean(load_default=False)


class ContactSchema(Schema):
    name = Confidential(validate=validate.Length(max=200))
    phone = Confidential(validate=validate.Length(max=50))
    email = Confidential(validate=validate.Length(max=254))
    other = Confidential(validate=validate.Length(max=500), metadata={"description": "Another way to reach them"})


class ConsentSchema(Schema):
    share_with_regulator = Boolean(load_default=False)
    count_in_figures = Boolean(load_default=False)
    may_contact = Boolean(load_default=False)


class AttachmentSchema(Schema):
    name = Confidential(load_default="attachment", validate=validate.Length(min=1, max=200))
    content = Base64(required=True, load_only=True,
                     metadata={"description": "The file, base64: a JPEG or PNG picture or a PDF"})


class AnswersSchema(Schema):
    """What happened, in structured answers; every one may be left out (not said)."""

    fees = fields.List(fields.Nested(FeeSchema), validate=validate.Length(max=20))
    documents_kept = Boolean(allow_none=True, metadata={"description": "Passport or documents kept from you"})
    contract = fields.String(allow_none=True, validate=one_of(CONTRACT))
    wages_withheld = Boolean(allow_none=True)
    deceived = Boolean(allow_none=True, metadata={"description": "Deceived about the job or its conditions"})
    threats_or_violence = Boolean(allow_none=True)
    in_debt = Boolean(allow_none=True, metadata={"description": "In debt because of the recruitment"})


class ReportSchema(AnswersSchema):
    """A report as a partner organisation files it."""

    agency = fields.Nested(AgencySchema, required=True)
    employer = fields.Nested(EmployerSchema)
    origin_country = CountryCode()
    destination_country = CountryCode()
    period_from = fields.Date(metadata={"description": "When it began (recruitment, departure)"})
    period_until = fields.Date()
    account = Confidential(validate=validate.Length(max=20_000), metadata={"description": "What happened, "
                                                                          "in the worker's words"})
    contact = fields.Nested(ContactSchema, load_only=True)
    consent = fields.Nested(ConsentSchema, load_default=lambda: ConsentSchema().load({}))
    attachments = fields.List(fields.Nested(AttachmentSchema), load_only=True)
    reporter_ref = Confidential(validate=validate.Length(min=1, max=200), metadata={
        "description": "The partner's own reference for the worker: reports of one worker count once in the "
                       "public figures (only a keyed digest is kept)"})

    @validates_schema(skip_on_field_errors=False)  # every problem at once, not in two rounds
    def consistent(self, data, **kwargs):
        today, problems = expiry.today(), {}
        for name in ("period_from", "period_until"):
            if data.get(name) and data[name] > today:
                problems[name] = ["Must not be in the future."]
        if data.get("period_from") and data.get("period_until") and data["period_until"] < data["period_from"]:
            problems["period_until"] = ["Must not be before period_from."]
        if any((data.get("contact") or {}).values()) and not (data.get("consent") or {}).get("may_contact"):
            problems["contact"] = ["Contact details are kept only with consent.may_contact true."]
        if problems:
            raise ValidationError(problems)


class IntakeSchema(ReportSchema):
    """A report as a worker sends it, without an account."""

    receiver_id = Id(required=True, metadata={"description": "The organisation to send it to (GET /reports/receivers)"})
    website = fields.String(load_only=True, metadata={"description": "Leave empty (a trap for robots)"})

    class Meta:
        exclude = ("reporter_ref",)


class ReceiptSchema(Schema):
    receipt = Secret(required=True, validate=validate.Length(min=1, max=64),
                     metadata={"description": "The receipt code given when the report was sent"})


class AdditionSchema(ReceiptSchema):
    account = Confidential(validate=validate.Length(min=1, max=20_000))
    attachments = fields.List(fields.Nested(AttachmentSchema), load_only=True)

    @validates_schema
    def something(self, data, **kwargs):
        if not data.get("account") and not data.get("attachments"):
            raise ValidationError("Send more of the account, attachments, or both.", "_schema")


class ReceiptGivenSchema(Schema):
    receipt = fields.String(metadata={"description": "Shown once: keep it to check, add to or withdraw the report"})


class FiledSchema(ReceiptGivenSchema):
    id = Integer(metadata={"description": "The report"})


class StatusSchema(Schema):
    state = fields.String(metadata={"description": "One of: " + ", ".join(STATES)})
    received_on = fields.Date()
    withdrawn = fields.Boolean(metadata={"description": "Withdrawn, and its personal data erased"})


class ReceiverSchema(Schema):
    id = Integer()
    name = fields.String()
    kind = fields.String()


class FiguresQuerySchema(Schema):
    kind = fields.String(load_default="agency", validate=one_of(("agency", "corridor")))
    year = Integer(validate=validate.Range(min=1900, max=9999))
    subject = fields.String(validate=validate.Length(min=1, max=20),
                            metadata={"description": "An agency's entity id, or a corridor such as NP-QA"})


class FigureSchema(Schema):
    kind = fields.String()
    year = Integer()
    subject = fields.String()
    category = fields.String()
    reports = Integer()


class FiguresSchema(Schema):
    min_reporters = Integer(metadata={"description": "A figure is shown only where this many distinct workers "
                                                     "reported; a missing figure is fewer, or withheld so that "
                                                     "none can be worked out from the totals"})
    computed_at = fields.DateTime(allow_none=True)
    items = fields.List(fields.Nested(FigureSchema))


class ImportedSchema(Schema):
    row = Integer()
    id = Integer()
    receipt = fields.String()


class ReportImportSchema(Schema):
    rows = Integer()
    imported = Integer()
    reports = fields.List(fields.Nested(ImportedSchema), metadata={
        "description": "Each row's report and receipt code (shown once: give it to the worker)"})
