"""What the case-handling API returns and accepts: cases without their confidential part, the confidential
part itself (each read logged), updates, and what a referred regulator sees."""
from marshmallow import Schema, fields, validate

from app.reports.schemas import Confidential, FeeSchema
from app.reports.vocab import CATEGORIES, STATES
from app.schemas import Id, Integer, PageArgs, PageMeta, one_of

class StateChangeSchema(Schema):
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    at = fields.DateTime()
    by_user_id = Integer(allow_none=True)


class ReferralSchema(Schema):
    regulator_id = Id(required=True, metadata={"description": "A government organisation"})
    referred_at = fields.DateTime(dump_only=True)


class AttachmentInfoSchema(Schema):
    id = Integer()
    media_type = fields.String()
    size = Integer()


def listed(text):
    return None if text is None else [item for item in text.split(",") if item]


class ReportHeading(Schema):
    """Which report, about whom, where, and under which categories."""

    id = Integer()
    received_at = fields.DateTime()
    agency_entity_id = Integer(allow_none=True)
    agency_licence_number = fields.String(allow_none=True)
    agency_name = fields.String(allow_none=True)
    origin_country = fields.String(allow_none=True)
    destination_country = fields.String(allow_none=True)
    categories = fields.Function(lambda r: listed(r.categories), metadata={"type": "array",
                                                                         "items": {"type": "string"}})


class ReportSummarySchema(ReportHeading):
    state = fields.String()
    channel = fields.String()
    assigned_to_user_id = Integer(allow_none=True)
    verified_categories = fields.Function(lambda r: listed(r.verified_categories), metadata={
        "type": "array", "items": {"type": "string"}, "nullable": True})
    withdrawn = fields.Function(lambda r: r.withdrawn_at is not None, metadata={"type": "boolean"})
    version = Integer()


class ConsentView(Schema):
    share_with_regulator = fields.Boolean(attribute="consent_regulator")
    count_in_figures = fields.Boolean(attribute="consent_figures")
    may_contact = fields.Boolean(attribute="consent_contact")


class FeeView(FeeSchema):
    repaid = fields.Boolean()


class ReportFactsView(ReportHeading):
    """What a report says, but for the worker's own words and details."""

    employer_entity_id = Integer(allow_none=True)
    employer_name = fields.String(allow_none=True)
    period_from = fields.Date(allow_none=True)
    period_until = fields.Date(allow_none=True)
    fees = fields.List(fields.Nested(FeeView), allow_none=True)
    documents_kept = fields.Boolean(allow_none=True)
    contract = fields.String(allow_none=True)
    wages_withheld = fields.Boolean(allow_none=True)
    deceived = fields.Boolean(allow_none=True)
    threats_or_violence = fields.Boolean(allow_none=True)
    in_debt = fields.Boolean(allow_none=True)
    consent = fields.Function(lambda r: ConsentView().dump(r), metadata={"type": "object"})
    attachments = fields.List(fields.Nested(AttachmentInfoSchema))


class ReportCaseSchema(ReportSummarySchema, ReportFactsView):
    """A case as its handlers see it: everything but the confidential part (GET .../confidential)."""

    verified_at = fields.DateTime(allow_none=True)
    history = fields.List(fields.Nested(StateChangeSchema))
    referrals = fields.List(fields.Nested(ReferralSchema))
    duplicates = fields.List(Integer(), metadata={"description": "Likely duplicates: same agency, period and "
                                                                  "categories"})


class ReportPageSchema(Schema):
    items = fields.List(fields.Nested(ReportSummarySchema))
    meta = fields.Nested(PageMeta)


class ReportQuerySchema(PageArgs):
    state = fields.String(validate=one_of(STATES))
    agency_entity_id = Id()


class ReportUpdateSchema(Schema):
    version = Integer(required=True)
    assigned_to_user_id = Id(allow_none=True, metadata={"description": "A case handler of your organisation"})
    agency_entity_id = Id(allow_none=True, metadata={"description": "Link the report to a registered agency"})
    employer_entity_id = Id(allow_none=True)
    duplicate_of_id = Id(allow_none=True, metadata={"description": "The report this one repeats (it then leaves "
                                                                   "the public figures)"})


class StateSchema(Schema):
    version = Integer(required=True)
    state = fields.String(required=True, validate=one_of(STATES))


class ReportVerificationSchema(Schema):
    version = Integer(required=True)
    categories = fields.List(fields.String(validate=one_of(CATEGORIES)), required=True, metadata={
        "description": "What you found true (empty: nothing could be verified); these become scoring facts"})


class CaseNoteSchema(Schema):
    text = Confidential(required=True, validate=validate.Length(min=1, max=10_000))
    id = Integer(dump_only=True)
    added_at = fields.DateTime(dump_only=True)


class ContactView(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    other = fields.String(allow_none=True)


class AdditionView(Schema):
    added_at = fields.DateTime()
    account = fields.String()


class NoteView(Schema):
    id = Integer()
    by_user_id = Integer(allow_none=True)
    added_at = fields.DateTime()
    text = fields.String()


class AttachmentView(AttachmentInfoSchema):
    name = fields.String()


class ConfidentialSchema(Schema):
    """The confidential part of a report; each read of it is an audit event."""

    report_id = Integer()
    account = fields.String(allow_none=True)
    contact = fields.Nested(ContactView, allow_none=True)
    additions = fields.List(fields.Nested(AdditionView))
    notes = fields.List(fields.Nested(NoteView))
    attachments = fields.List(fields.Nested(AttachmentView))


class ReferralViewSchema(Schema):
    """A report referred to a regulator: what the worker's consent lets it see (contact only with may_contact)."""

    report = fields.Nested(ReportFactsView)
    referred_at = fields.DateTime()
    account = fields.String(allow_none=True)
    additions = fields.List(fields.Nested(AdditionView))
    contact = fields.Nested(ContactView, allow_none=True)


class ReferralListSchema(Schema):
    report_id = Integer()
    referred_at = fields.DateTime()
