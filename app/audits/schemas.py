"""What the audits API accepts and returns."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.audits.models import KINDS, STATES
from app.registry import expiry
from app.schemas import Boolean, Id, Integer, PageArgs, PageMeta, one_of
from app.scoring.catalogue import PRINCIPLES
from app.scoring.schemas import FindingSchema

COUNT = validate.Range(min=0, max=100_000, error="Must be 0 to 100,000; got {input}.")
TEXT = validate.Length(min=1, max=4000)


class Scope(fields.List):
    """The principles an audit covers: a list of codes A-G in the API, one string of codes ("ACD") stored."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=one_of(tuple(PRINCIPLES))), **kwargs)
        self.validators.append(validate.Length(min=1, error="Name at least one principle (A-G)."))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else list(value)

    def _deserialize(self, value, attr, data, **kwargs):
        return "".join(sorted(set(super()._deserialize(value, attr, data, **kwargs))))


class AuditSchema(Schema):
    id = Integer(dump_only=True)
    entity_id = Integer(dump_only=True)
    organisation_id = Id(metadata={"description": "The organisation that performed it (default: yours; the "
                                                  "platform names a certification body or business)"})
    organisation_name = fields.String(attribute="organisation.name", dump_only=True)
    reference = fields.String(allow_none=True, validate=validate.Length(min=1, max=60),
                              metadata={"description": "Your own reference (report number), unique per organisation"})
    kind = fields.String(required=True, validate=one_of(KINDS))
    lead_auditor = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    scope = Scope(required=True, metadata={"description": "The principles covered, codes A-G"})
    document_review = Boolean(load_default=False)
    management_interviews = Integer(load_default=0, validate=COUNT)
    worker_interviews = Integer(load_default=0, validate=COUNT)
    planned_on = fields.Date(required=True)
    fieldwork_started_on = fields.Date(dump_only=True, allow_none=True)
    fieldwork_ended_on = fields.Date(dump_only=True, allow_none=True)
    reported_on = fields.Date(dump_only=True, allow_none=True)
    closed_on = fields.Date(dump_only=True, allow_none=True)
    state = fields.String(dump_only=True, metadata={"description": "planned, fieldwork, reported or closed"})
    summary = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    created_at = fields.DateTime(dump_only=True)
    created_by_user_id = Integer(dump_only=True, allow_none=True)
    version = Integer(dump_only=True)


class AuditUpdateSchema(Schema):
    version = Integer(required=True, metadata={"description": "The version you read (stale: 409)"})
    reference = fields.String(allow_none=True, validate=validate.Length(min=1, max=60))
    kind = fields.String(validate=one_of(KINDS))
    lead_auditor = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    scope = Scope()
    document_review = Boolean()
    management_interviews = Integer(validate=COUNT)
    worker_interviews = Integer(validate=COUNT)
    planned_on = fields.Date()
    summary = fields.String(allow_none=True, validate=validate.Length(max=10_000))


class AuditStateSchema(Schema):
    version = Integer(required=True, metadata={"description": "The version you read (stale: 409)"})
    state = fields.String(required=True, validate=one_of(STATES[1:]),
                          metadata={"description": "The next state: fieldwork, reported or closed"})
    on = fields.Date(metadata={"description": "The day it happened (default: today); not in the future"})
    fieldwork_ended_on = fields.Date(metadata={"description": "With state reported: the last day of fieldwork "
                                                              "(default: the report's day)"})


class AuditRecordQuerySchema(PageArgs):
    state = fields.String(validate=one_of(STATES))
    entity_id = Id()


class EntityAuditQuerySchema(PageArgs):
    state = fields.String(validate=one_of(STATES))


class AuditRecordPageSchema(Schema):
    items = fields.List(fields.Nested(AuditSchema))
    meta = fields.Nested(PageMeta)


class CorrectiveActionSchema(Schema):
    id = Integer(dump_only=True)
    finding_id = Integer(dump_only=True)
    description = fields.String(required=True, validate=TEXT)
    owner = fields.String(allow_none=True, validate=validate.Length(min=1, max=200),
                          metadata={"description": "Who must act (a name); or give owner_entity_id"})
    owner_entity_id = Id(allow_none=True, metadata={"description": "A registered agency or employer that must act"})
    deadline = fields.Date(required=True)
    state = fields.String(dump_only=True, metadata={"description": "open, completed (waiting for verification) "
                                                                   "or verified"})
    overdue = fields.Function(lambda action: action.overdue_on(expiry.today()), dump_only=True,
                              metadata={"type": "boolean", "description": "Open past its deadline today"})
    completion_evidence = fields.String(dump_only=True, allow_none=True)
    completed_on = fields.Date(dump_only=True, allow_none=True)
    completed_by_user_id = Integer(dump_only=True, allow_none=True)
    verified_on = fields.Date(dump_only=True, allow_none=True)
    verified_by_user_id = Integer(dump_only=True, allow_none=True)
    verification_note = fields.String(dump_only=True, allow_none=True)
    rejected_on = fields.Date(dump_only=True, allow_none=True)
    rejection_note = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    version = Integer(dump_only=True)

    @validates_schema
    def has_owner(self, data, **kwargs):
        if not data.get("owner") and not data.get("owner_entity_id"):
            raise ValidationError("Name who must act: owner (a name), owner_entity_id (a registered entity), or "
                                  "both.", "owner")


class CorrectiveActionUpdateSchema(Schema):
    version = Integer(required=True, metadata={"description": "The version you read (stale: 409)"})
    description = fields.String(validate=TEXT)
    owner = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    owner_entity_id = Id(allow_none=True)
    deadline = fields.Date()


class CompletionSchema(Schema):
    version = Integer(required=True, metadata={"description": "The version you read (stale: 409)"})
    evidence = fields.String(required=True, validate=TEXT, metadata={"description": "What shows it was done"})
    completed_on = fields.Date(metadata={"description": "Default: today; not in the future"})


class VerificationSchema(Schema):
    version = Integer(required=True, metadata={"description": "The version you read (stale: 409)"})
    outcome = fields.String(required=True, validate=one_of(("verified", "rejected")),
                            metadata={"description": "verified, or rejected (the action goes back to open)"})
    note = fields.String(validate=TEXT, metadata={"description": "Required when rejecting: what is missing"})
    on = fields.Date(metadata={"description": "Default: today; not in the future"})

    @validates_schema
    def rejection_says_why(self, data, **kwargs):
        if data.get("outcome") == "rejected" and not data.get("note"):
            raise ValidationError("Say what is missing when rejecting the evidence.", "note")


class AuditFindingSchema(FindingSchema):
    """A finding of an audit, with its corrective actions."""

    corrective_actions = fields.List(fields.Nested(CorrectiveActionSchema), dump_only=True)
