"""What the notifications and calendar API accepts and returns."""
from marshmallow import Schema, fields, validate

from app.audits.outbox_models import CHANNELS, DELIVERY_STATES, EVENT_KINDS
from app.schemas import Id, Integer, PageArgs, PageMeta, one_of


class SubscriptionSchema(Schema):
    id = Integer(dump_only=True)
    channel = fields.String(required=True, validate=one_of(CHANNELS), metadata={
        "description": "email: one message per event to a user; digest: the day's events in one e-mail to a user, "
                       "at DIGEST_HOUR (UTC) the day after; webhook: a signed POST per event"})
    events = fields.List(fields.String(validate=one_of(EVENT_KINDS)), required=True,
                         validate=validate.Length(min=1, max=len(EVENT_KINDS)),
                         metadata={"description": "The kinds of event to send"})
    user_id = Id(allow_none=True, metadata={"description": "email and digest: a user of your organisation "
                                                           "(default: you)"})
    url = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "webhook: an https URL (http only to loopback, in development)"})
    created_at = fields.DateTime(dump_only=True)


class NewSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "webhook: the key of the X-FairRecruit-Signature HMAC; shown this once"})


class DeliverySchema(Schema):
    id = Integer()
    event_id = Integer()
    subscription_id = Integer()
    channel = fields.String()
    state = fields.String()
    attempts = Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    idempotency_key = fields.String(metadata={"description": "Sent as the Idempotency-Key header on every try"})
    created_at = fields.DateTime()


class DeliveryArgs(PageArgs):
    state = fields.String(validate=one_of(DELIVERY_STATES))


class DeliveryPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
    meta = fields.Nested(PageMeta)


class CalendarTokenSchema(Schema):
    id = Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    prefix = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True, allow_none=True)


class NewCalendarTokenSchema(CalendarTokenSchema):
    url = fields.String(dump_only=True, metadata={"description": "The feed's address, with its token: shown once"})
