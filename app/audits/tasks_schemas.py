"""What the review tasks API accepts and returns."""
from marshmallow import Schema, fields, validate

from app.audits.policy import REASONS, describe
from app.audits.reconcile import STATES
from app.schemas import Id, Integer, PageArgs, PageMeta, one_of


class TaskSchema(Schema):
    id = Integer()
    entity_id = Integer()
    entity_name = fields.Function(lambda task: task.entity.legal_name, metadata={"type": "string"})
    entity_kind = fields.Function(lambda task: task.entity.kind, metadata={"type": "string"})
    reason = fields.String(metadata={"description": f"Why the task exists: {', '.join(REASONS)}"})
    organisation_id = Integer(metadata={"description": "The organisation that owns the task"})
    due_on = fields.Date()
    state = fields.String(metadata={"description": f"One of {', '.join(STATES)}"})
    summary = fields.Function(lambda task: describe(task.explanation), metadata={"type": "string"})
    explanation = fields.Dict(metadata={"description": "The summary's message id (the reason) and parameters"})
    claimed_by_user_id = Integer(allow_none=True)
    claimed_at = fields.DateTime(allow_none=True)
    snoozed_until = fields.Date(allow_none=True)
    snooze_reason = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    closed_by_user_id = Integer(allow_none=True)
    close_note = fields.String(allow_none=True)
    closed_by_sweep = fields.Boolean(metadata={"description": "Cancelled by the sweep: its cause went away"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = Integer()


class TaskQuerySchema(PageArgs):
    state = fields.String(validate=one_of(STATES),
                          metadata={"description": "Default: the live ones (open, claimed, snoozed)"})
    reason = fields.String(validate=one_of(REASONS))
    due_before = fields.Date(metadata={"description": "Tasks due before this day"})
    organisation_id = Id(metadata={"description": "Another organisation's tasks (platform admins and analysts)"})


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    meta = fields.Nested(PageMeta)


class TaskStateSchema(Schema):
    state = fields.String(required=True, validate=one_of(STATES))
    version = Integer(required=True, metadata={"description": "The version you read; a stale one gets 409."})
    until = fields.Date(metadata={"description": "To snooze: the day the task comes back (after today)"})
    reason = fields.String(validate=validate.Length(min=1, max=2000), metadata={"description": "To snooze: why"})
    note = fields.String(validate=validate.Length(max=2000),
                         metadata={"description": "Done: what was found (optional); cancelled: why (required)"})
