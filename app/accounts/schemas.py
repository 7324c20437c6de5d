"""What the accounts API accepts and returns."""
from marshmallow import Schema, fields, validate

from app.accounts.models import ORGANISATION_KINDS, ROLES
from app.schemas import Boolean, CountryCode, Id, Integer, PageArgs, PageMeta, Secret, one_of


class OrganisationSchema(Schema):
    id = Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=one_of(ORGANISATION_KINDS))
    country = CountryCode(allow_none=True)
    authority_ids = fields.List(Id(), load_only=True, load_default=list)
    authorities = fields.Method("authority_codes", dump_only=True,
                                metadata={"type": "array", "items": {"type": "string"}})

    def authority_codes(self, organisation):
        return [a.code for a in organisation.authorities]


class UserSchema(Schema):
    id = Integer(dump_only=True)
    organisation_id = Id()
    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=one_of(ROLES))
    password = Secret(required=True, validate=validate.Length(min=12, max=200))
    active = Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    version = Integer(dump_only=True)


class UserUpdateSchema(Schema):
    version = Integer(required=True, metadata={"description": "The version you read; a stale one is 409."})
    name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=one_of(ROLES))
    active = Boolean(metadata={"description": "false disables the user: their sessions end and their "
                                              "API tokens stop working."})


class PasswordChangeSchema(Schema):
    current_password = Secret(required=True, validate=validate.Length(max=200))
    new_password = Secret(required=True, validate=validate.Length(min=12, max=200))


class MeSchema(Schema):
    user_id = Integer()
    email = fields.String()
    role = fields.String()
    organisation_id = Integer()
    organisation_kind = fields.String()
    read_only = Boolean(metadata={"description": "Acting through a read-only API token."})


class TokenCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                      metadata={"description": "When the token stops working; in the future."})
    read_only = Boolean(load_default=False, metadata={"description": "Only GET, HEAD and OPTIONS."})
    # Without a session or token, the e-mail and password of the account the token is for.
    email = fields.String(load_only=True, validate=validate.Length(max=254))
    password = Secret(validate=validate.Length(max=200))


class TokenSchema(Schema):
    id = Integer()
    name = fields.String()
    prefix = fields.String()
    organisation_id = Integer()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    read_only = Boolean()


class NewTokenSchema(TokenSchema):
    token = fields.String(attribute="raw",
                          metadata={"description": "The token itself; shown this once and never again."})


class AuditQuerySchema(PageArgs):
    object_type = fields.String()
    object_id = fields.String()


class AuditEventSchema(Schema):
    id = Integer()
    at = fields.DateTime()
    actor_user_id = Integer(allow_none=True)
    actor_organisation_id = Integer(allow_none=True)
    organisation_id = Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
    meta = fields.Nested(PageMeta)
