"""What the registry API accepts and returns."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.registry import expiry
from app.registry.vocab import (ALIAS_KINDS, ADDRESS_KINDS, CERTIFICATION_STATUSES, ENTITY_KINDS, LICENCE_STATUSES,
                                LICENCE_TYPES, PERSON_ROLES, RELATIONSHIP_KINDS, SECTORS, country_name)
from app.schemas import Boolean, CountryCode, Id, Integer, PageArgs, PageMeta, one_of

def check_date_order(data, start, end, end_field=None):
    """Raise if the end date comes before the start date."""
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ValidationError(f"{end} ({data[end]}) is before {start} ({data[start]}).", end_field or end)


class AliasSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(load_default="other", validate=one_of(ALIAS_KINDS))


class IdentifierSchema(Schema):
    scheme = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{1,39}$", error="Must be a short lower-case scheme name such as company_registration."))
    value = fields.String(required=True, validate=validate.Length(min=1, max=100))


class AddressSchema(Schema):
    kind = fields.String(load_default="registered", validate=one_of(ADDRESS_KINDS))
    line = fields.String(required=True, validate=validate.Length(min=1, max=300))
    city = fields.String(allow_none=True, validate=validate.Length(max=100))
    country = CountryCode(required=True)


class PersonRoleSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=one_of(PERSON_ROLES))
    nationality = CountryCode(allow_none=True)
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        check_date_order(data, "since", "until")


class LicenceSchema(Schema):
    """A licence as written by clients; `authority` is the authority's code."""

    id = Integer(dump_only=True)
    entity_id = Integer(dump_only=True)
    authority = fields.String(required=True, validate=validate.Length(min=1, max=40))
    number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    type = fields.String(load_default="full", validate=one_of(LICENCE_TYPES))
    status = fields.String(required=True, validate=one_of(LICENCE_STATUSES))
    status_raw = fields.String(allow_none=True, validate=validate.Length(max=200))
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    destinations = fields.List(CountryCode(), load_default=list)
    sectors = fields.List(fields.String(validate=one_of(SECTORS)), load_default=list)
    conditions = fields.String(allow_none=True)
    version = Integer(dump_only=True)

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        check_date_order(data, "valid_from", "valid_until")

    @validates_schema
    def in_force_until_today(self, data, **kwargs):
        check_in_force(data)


def check_in_force(data):
    """Raise if a licence would be recorded in force with an end date before today."""
    message = expiry.lapsed_message(data.get("status"), data.get("valid_until"), expiry.today())
    if message:
        raise ValidationError(message, "valid_until")


class EffectiveStatus(fields.String):
    """A licence's status as it reads today (see app/registry/expiry.py); `recorded_status` is the stored one."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(expiry.effective_status(value, obj.valid_until, expiry.today()), attr, obj)


class LicenceUpdateSchema(Schema):
    version = Integer(required=True, metadata={"description": "The version you read; a stale one gets 409."})
    type = fields.String(validate=one_of(LICENCE_TYPES))
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    destinations = fields.List(CountryCode())
    sectors = fields.List(fields.String(validate=one_of(SECTORS)))
    conditions = fields.String(allow_none=True)


class StatusChangeSchema(Schema):
    version = Integer(required=True)
    status = fields.String(required=True, validate=one_of(LICENCE_STATUSES))
    status_raw = fields.String(allow_none=True, validate=validate.Length(max=200))
    effective_on = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))
    reason_public = Boolean(load_default=False, metadata={
        "description": "Show the reason to anonymous readers too (otherwise it is an internal note)"})


class PublicStatusChangeSchema(Schema):
    """A status change as anyone may read it: no user, and the reason only when the registrar made it public."""

    status = fields.String()
    status_raw = fields.String(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    reason = fields.Function(lambda change: change.reason if change.reason_public else None, allow_none=True)
    recorded_at = fields.DateTime()


class StatusChangeOutSchema(PublicStatusChangeSchema):
    reason = fields.String(allow_none=True)
    reason_public = Boolean()
    recorded_by_user_id = Integer(allow_none=True)


class EntityWriteSchema(Schema):
    """An agency or employer as clients create it, with its names, people and licences."""

    legal_name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    country = CountryCode(required=True)
    website = fields.String(allow_none=True, validate=validate.Length(max=300))
    certification_status = fields.String(allow_none=True, validate=one_of(CERTIFICATION_STATUSES))
    sectors = fields.List(fields.String(validate=one_of(SECTORS)), load_default=list)
    aliases = fields.List(fields.Nested(AliasSchema), load_default=list)
    identifiers = fields.List(fields.Nested(IdentifierSchema), load_default=list)
    addresses = fields.List(fields.Nested(AddressSchema), load_default=list)
    people = fields.List(fields.Nested(PersonRoleSchema), load_default=list)
    licences = fields.List(fields.Nested(LicenceSchema), load_default=list)


class EntityImportSchema(EntityWriteSchema):
    kind = fields.String(load_default=None, validate=one_of(ENTITY_KINDS))


class ProposedFieldsSchema(Schema):
    """The profile fields a steward edits and others propose (list fields given replace the whole list)."""

    legal_name = fields.String(validate=validate.Length(min=1, max=300))
    country = CountryCode()
    website = fields.String(allow_none=True, validate=validate.Length(max=300))
    sectors = fields.List(fields.String(validate=one_of(SECTORS)))
    aliases = fields.List(fields.Nested(AliasSchema))
    identifiers = fields.List(fields.Nested(IdentifierSchema))
    addresses = fields.List(fields.Nested(AddressSchema))
    people = fields.List(fields.Nested(PersonRoleSchema))


class EntityUpdateSchema(ProposedFieldsSchema):
    """A partial update: the profile (stewards) and the certification status (certifiers)."""

    version = Integer(required=True, metadata={"description": "The version you read; a stale one gets 409."})
    certification_status = fields.String(allow_none=True, validate=one_of(CERTIFICATION_STATUSES))
    certification_valid_until = fields.Date(allow_none=True, metadata={
        "description": "The last day the certification holds (certifiers); the review policy warns before it"})


class ChangeProposalSchema(Schema):
    proposed = fields.Dict(required=True, data_key="fields",
                           metadata={"description": "The proposed profile fields, as in PATCH"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ChangeRequestSchema(Schema):
    id = Integer()
    entity_id = Integer()
    state = fields.String()
    proposed = fields.Dict(attribute="fields", data_key="fields")
    reason = fields.String()
    entity_version = Integer()
    proposed_by_user_id = Integer(allow_none=True)
    proposed_by_organisation_id = Integer(allow_none=True)
    created_at = fields.DateTime()
    decided_by_user_id = Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)


class ChangeRequestDecisionSchema(Schema):
    decision = fields.String(required=True, validate=one_of(("accepted", "rejected")))
    reason = fields.String(allow_none=True, validate=validate.Length(max=2000))
    version = Integer(metadata={"description": "To accept: the entity's version you read (stale: 409)"})


class ChangeRequestQuerySchema(PageArgs):
    state = fields.String(validate=one_of(("open", "accepted", "rejected")))
    entity_id = Id()


class ChangeRequestPageSchema(Schema):
    items = fields.List(fields.Nested(ChangeRequestSchema))
    meta = fields.Nested(PageMeta)


class WithdrawArgsSchema(Schema):
    version = Integer(metadata={"description": "The version you read (stale: 409)"})
    reason = fields.String(validate=validate.Length(max=2000))


# What a Function field returns, for the document (it cannot tell from the function).
STRINGS = {"type": "array", "items": {"type": "string"}}


class LicenceOutSchema(Schema):
    id = Integer()
    entity_id = Integer()
    authority = fields.Function(lambda licence: licence.authority.code, metadata={"type": "string"})
    authority_name = fields.Function(lambda licence: licence.authority.name, metadata={"type": "string"})
    authority_country = fields.Function(lambda licence: licence.authority.country,
                                        metadata={"type": "string"})
    number = fields.String()
    type = fields.String()
    status = EffectiveStatus(metadata={"description": "As it reads today: `expired` once an in-force licence "
                                                      "is past valid_until"})
    status_raw = fields.String(allow_none=True)
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    destinations = fields.Function(lambda licence: [d.country for d in licence.destinations], metadata=STRINGS)
    sectors = fields.Function(lambda licence: [s.sector for s in licence.sectors], metadata=STRINGS)
    conditions = fields.String(allow_none=True)
    version = Integer()


class PublicLicenceDetailSchema(LicenceOutSchema):
    # A second field cannot read the same attribute as `status` in marshmallow: a function does.
    recorded_status = fields.Function(lambda licence: licence.status,
                                      metadata={"type": "string", "description": "The status as last recorded"})
    history = fields.List(fields.Nested(PublicStatusChangeSchema))


class LicenceDetailSchema(PublicLicenceDetailSchema):
    history = fields.List(fields.Nested(StatusChangeOutSchema))


class PublicEntitySchema(Schema):
    """What anyone, signed in or not, may see of an agency or employer."""

    id = Integer()
    kind = fields.String()
    legal_name = fields.String()
    aliases = fields.List(fields.Nested(AliasSchema))
    country = fields.String()
    website = fields.String(allow_none=True)
    certification_status = fields.String(allow_none=True)
    certification_valid_until = fields.Date(allow_none=True)
    sectors = fields.Function(lambda entity: [s.sector for s in entity.sectors], metadata=STRINGS)
    addresses = fields.List(fields.Nested(AddressSchema))
    licences = fields.List(fields.Nested(LicenceOutSchema))


class EntitySchema(PublicEntitySchema):
    """The full shared record, for signed-in users."""

    identifiers = fields.List(fields.Nested(IdentifierSchema))
    people = fields.Function(lambda entity: [{
        "person_id": r.person_id, "name": r.person.name, "nationality": r.person.nationality, "role": r.role,
        "since": r.since and r.since.isoformat(), "until": r.until and r.until.isoformat()} for r in entity.roles],
        metadata={"type": "array", "items": {"type": "object", "properties": {
            "person_id": {"type": "integer"}, "name": {"type": "string"},
            "nationality": {"type": "string", "nullable": True}, "role": {"type": "string"},
            "since": {"type": "string", "format": "date", "nullable": True},
            "until": {"type": "string", "format": "date", "nullable": True}}}})
    version = Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    # Kept by the review sweep beside the entity (app/audits/tasks_models.py: EntityReview).
    next_review_on = fields.Function(
        lambda entity: entity.review.next_review_on.isoformat() if entity.review and entity.review.next_review_on
        else None, metadata={"type": "string", "format": "date", "nullable": True, "description":
                             "The earliest of its review tasks' due dates and its periodic review (set by the sweep)"})


SORTS = ("legal_name", "-legal_name", "country", "-country", "created_at", "-created_at", "id", "-id")


class EntityQuerySchema(PageArgs):
    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Name or alias contains"})
    licence_number = fields.String(validate=validate.Length(min=1, max=60))
    country = CountryCode()
    status = fields.String(validate=one_of(CERTIFICATION_STATUSES),
                           metadata={"description": "Certification status"})
    licence_status = fields.String(validate=one_of(LICENCE_STATUSES))
    authority = fields.String()
    sector = fields.String(validate=one_of(SECTORS))
    corridor = fields.String(validate=lambda value: check_corridor(value),
                             metadata={"description": "ORIGIN-DESTINATION, e.g. NP-QA"})
    sort = fields.String(load_default="legal_name", validate=one_of(SORTS))


def check_corridor(value):
    """A corridor is two ISO country codes, ORIGIN-DESTINATION."""
    parts = value.upper().split("-")
    if len(parts) != 2:
        raise ValidationError("Write a corridor as ORIGIN-DESTINATION, e.g. NP-QA.")
    bad = [c for c in parts if country_name(c) is None]
    if bad:
        raise ValidationError(f"{', '.join(bad)} is not an ISO 3166-1 alpha-2 country code.")


class LicenceSummarySchema(Schema):
    id = Integer()
    authority = fields.String()
    number = fields.String()
    type = fields.String()
    status = fields.String()
    valid_from = fields.Date(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    destinations = fields.List(fields.String())


class EntitySummarySchema(Schema):
    """A list item: public fields only; the full record is at the item's own URL."""

    id = Integer()
    kind = fields.String()
    legal_name = fields.String()
    country = fields.String()
    website = fields.String(allow_none=True)
    certification_status = fields.String(allow_none=True)
    version = Integer()
    aliases = fields.List(fields.Nested(AliasSchema))
    sectors = fields.List(fields.String())
    licences = fields.List(fields.Nested(LicenceSummarySchema))


class EntityPageSchema(Schema):
    items = fields.List(fields.Nested(EntitySummarySchema))
    meta = fields.Nested(PageMeta)


class RelationshipSchema(Schema):
    id = Integer(dump_only=True)
    kind = fields.String(required=True, validate=one_of(RELATIONSHIP_KINDS))
    client_id = Id(required=True, metadata={"description": "The employer, or the agency using a sub-agent"})
    provider_id = Id(required=True, metadata={"description": "The agency, or the sub-agent"})
    origin_country = CountryCode(required=True)
    destination_country = CountryCode(required=True)
    sector = fields.String(allow_none=True, validate=one_of(SECTORS))
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        check_date_order(data, "since", "until")


class AuthoritySchema(Schema):
    id = Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9_-]{1,39}$",
                                                                 error="Upper-case letters, digits, - and _."))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    country = CountryCode(required=True)
    website = fields.String(allow_none=True, validate=validate.Regexp(
        r"^https?://[^\s]{1,290}$", error="A web address starting with http:// or https://."))
    phone = fields.String(allow_none=True, validate=validate.Length(min=1, max=60))
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))
    fee_law = fields.String(allow_none=True, validate=validate.Length(min=1, max=4000), metadata={
        "description": "What the law this authority applies says about fees workers may be charged (public)"})


class PortfolioEntrySchema(Schema):
    id = Integer(dump_only=True)
    entity_id = Id(required=True)
    label = fields.String(allow_none=True, validate=validate.Length(max=100))
    added_at = fields.DateTime(dump_only=True)


class NoteSchema(Schema):
    id = Integer(dump_only=True)
    entity_id = Integer(dump_only=True)
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    author_user_id = Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class EvidenceSchema(Schema):
    id = Integer(dump_only=True)
    entity_id = Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=one_of(
        ("audit_report", "self_assessment", "contract", "receipt", "licence_copy", "correspondence", "other")))
    source = fields.String(allow_none=True, validate=validate.Length(max=300))
    dated = fields.Date(allow_none=True)
    description = fields.String(allow_none=True, validate=validate.Length(max=20000))
    recorded_by_user_id = Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class ImportArgsSchema(Schema):
    skip_invalid = Boolean(load_default=False)
    kind = fields.String(load_default="agency", validate=one_of(ENTITY_KINDS),
                         metadata={"description": "Kind of rows without a kind column"})


class ImportReportSchema(Schema):
    rows = Integer()
    created = Integer()
    updated = Integer()
    unchanged = Integer()
    skipped = fields.List(fields.Dict())


class ExportArgsSchema(Schema):
    format = fields.String(load_default="json", validate=one_of(("json", "csv")))
    kind = fields.String(load_default="agency", validate=one_of(ENTITY_KINDS))
