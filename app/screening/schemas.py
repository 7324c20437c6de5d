"""What the watchlist API accepts and returns."""
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.schemas import Boolean, Id, Integer, PageArgs, PageMeta, one_of
from app.screening.models import CHANGE_KINDS, DISMISS_REASONS, HIT_STATES, SOURCE_KINDS


def version_number(attribute):
    """The number of the version an entry's `attribute` points at (None if it points nowhere)."""
    return fields.Function(lambda entry: getattr(getattr(entry, attribute), "number", None),
                           metadata={"type": "integer", "nullable": True})


class VersionSchema(Schema):
    number = Integer()
    format = fields.String()
    files = fields.List(fields.String())
    sha256 = fields.String()
    entry_count = Integer()
    added = Integer()
    changed = Integer()
    removed = Integer()
    imported_at = fields.DateTime()
    imported_by = Integer(allow_none=True)
    status = fields.String()


class SourceSchema(Schema):
    name = fields.String()
    title = fields.String()
    publisher = fields.String(allow_none=True)
    kind = fields.String()
    format = fields.String()
    created_at = fields.DateTime()
    current_version = fields.Nested(VersionSchema, allow_none=True)


class VersionPageSchema(Schema):
    items = fields.List(fields.Nested(VersionSchema))
    meta = fields.Nested(PageMeta)


class EntrySchema(Schema):
    entry_id = fields.String(metadata={"description": "The publisher's own id"})
    kind = fields.String()
    name = fields.String()
    aliases = fields.List(fields.String())
    weak_aliases = fields.List(fields.String())
    countries = fields.List(fields.String())
    identifiers = fields.List(fields.List(fields.String()), metadata={"description": "[scheme, value] pairs"})
    listed_on = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict()
    revision = Integer()
    first_version = version_number("first_version")
    last_changed_version = version_number("last_changed_version")
    removed_version = version_number("removed_version")


class EntryPageSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema))
    meta = fields.Nested(PageMeta)


class ChangeSchema(Schema):
    kind = fields.String()
    revision = Integer(metadata={"description": "The entry's revision after this change"})
    previous_hash = fields.String(allow_none=True)
    previous = fields.Dict(allow_none=True, metadata={"description": "For changes: the content it replaced"})
    entry = fields.Nested(EntrySchema)


class ChangePageSchema(Schema):
    items = fields.List(fields.Nested(ChangeSchema))
    meta = fields.Nested(PageMeta)


class ChangeArgs(PageArgs):
    kind = fields.String(validate=one_of(CHANGE_KINDS))


class EntryArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Part of a name or alias, or an id"})
    removed = Boolean(load_default=False, metadata={"description": "Entries removed instead of listed"})


class UploadSchema(Schema):
    format = fields.String(metadata={"description": "The importer; default for a known source: the one it uses"})
    kind = fields.String(validate=one_of(SOURCE_KINDS), metadata={"description": "Needed for a new source"})
    title = fields.String(validate=validate.Length(min=1, max=200))
    publisher = fields.String(validate=validate.Length(min=1, max=200))
    # Only documents the file parts: the form loader never sees them, the view reads them from request.files.
    file = fields.List(Upload(), metadata={"description": "The list's files, one `file` part each"})


class ImportResultSchema(Schema):
    source = fields.Nested(SourceSchema)
    version = fields.Nested(VersionSchema)
    created = Boolean(metadata={"description": "Whether this import created the source"})
    unchanged = Integer()
    screened = Integer(metadata={"description": "Registered entities screened again for the changes"})


class ScreenQuerySchema(Schema):
    name = fields.String(required=True, metadata={"description": "The name to screen (at most 1,000 characters)"})
    aliases = fields.List(fields.String(), load_default=list, validate=validate.Length(max=20))
    kind = fields.String(validate=one_of(("organization", "person")), allow_none=True)
    countries = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error="An ISO 3166 alpha-2 code.")),
                            load_default=list, validate=validate.Length(max=20))
    identifiers = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                              validate=validate.Length(max=20))
    lists = fields.List(fields.String(), metadata={"description": "Source names to screen against; default all"})
    threshold = fields.Float(validate=validate.Range(min=0, max=1),
                             metadata={"description": "Default: the service's configured threshold"})
    limit = Integer(load_default=10, validate=validate.Range(min=1, max=100))


class HitEntrySchema(Schema):
    id = Integer()
    entry_id = fields.String()
    kind = fields.String()
    name = fields.String()
    countries = fields.List(fields.String())
    listed_on = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True)
    revision = Integer()
    removed = fields.Function(lambda entry: entry.removed_version_id is not None, metadata={"type": "boolean"})


class ScreenHitSchema(Schema):
    list = fields.String()
    entry_id = fields.String()
    name = fields.String(metadata={"description": "The list entry's name"})
    matched_name = fields.String(metadata={"description": "The entry's name or alias that matched"})
    query_name = fields.String(metadata={"description": "The query's name or alias that matched"})
    score = fields.Float()
    explanation = fields.Dict()
    entry = fields.Nested(HitEntrySchema)


class ScreenResultSchema(Schema):
    threshold = fields.Float()
    hits = fields.List(fields.Nested(ScreenHitSchema))


class HitSchema(Schema):
    id = Integer()
    entity_id = Integer()
    subject = fields.String(metadata={"description": "\"entity\" or \"person:<id>\" (one of its people)"})
    person_id = Integer(allow_none=True)
    list = fields.Function(lambda hit: hit.source.name, metadata={"type": "string"})
    list_kind = fields.Function(lambda hit: hit.source.kind, metadata={"type": "string"})
    list_version = fields.Function(lambda hit: hit.list_version.number, metadata={"type": "integer"})
    entry = fields.Nested(HitEntrySchema)
    entry_revision = Integer()
    score = fields.Float()
    query_name = fields.String()
    matched_name = fields.String()
    explanation = fields.Dict()
    current = Boolean(metadata={"description": "False once the last screening stopped finding it"})
    state = fields.String()
    reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    decided_by = Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = Integer()


class FollowedHitSchema(Schema):
    """A hit as an organisation following the entity sees it: the outcome, not the review."""

    subject = fields.String(metadata={"description": "\"entity\" or \"person:<id>\" (one of its people)"})
    list = fields.Function(lambda hit: hit.source.name, metadata={"type": "string"})
    list_kind = fields.Function(lambda hit: hit.source.kind, metadata={"type": "string"})
    name = fields.Function(lambda hit: hit.entry.name, metadata={"type": "string",
                                                                  "description": "The list entry's name"})
    matched_name = fields.String()
    listed_on = fields.Function(lambda hit: hit.entry.listed_on and hit.entry.listed_on.isoformat(), allow_none=True,
                                metadata={"type": "string", "format": "date"})
    status = fields.Function(lambda hit: "confirmed" if hit.state == "confirmed" else "possible match under review",
                             metadata={"type": "string", "enum": ["confirmed", "possible match under review"]})


class HitEventSchema(Schema):
    state = fields.String()
    reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    entry_revision = Integer()
    by_user_id = Integer(allow_none=True)
    at = fields.DateTime()


class HitDetailSchema(HitSchema):
    history = fields.List(fields.Nested(HitEventSchema))


class HitPageSchema(Schema):
    items = fields.List(fields.Nested(HitSchema))
    meta = fields.Nested(PageMeta)


class HitArgs(PageArgs):
    state = fields.String(validate=one_of(HIT_STATES))
    list = fields.String(metadata={"description": "A source name"})
    entity_id = Id()
    current = Boolean()


class DecisionSchema(Schema):
    state = fields.String(required=True, validate=one_of(HIT_STATES))
    reason = fields.String(allow_none=True, metadata={"description": ", ".join(DISMISS_REASONS) + " (dismissals)"})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    version = Integer(required=True, metadata={"description": "The hit's version you read"})


class BatchDecisionSchema(DecisionSchema):
    id = Id(required=True)


class DecisionsSchema(Schema):
    decisions = fields.List(fields.Nested(BatchDecisionSchema), required=True, validate=validate.Length(min=1, max=500))


class ScreeningSchema(Schema):
    entity_id = Integer()
    screened_at = fields.DateTime()
    threshold = fields.Float()
    list_versions = fields.Dict(metadata={"description": "The version number of each list screened against"})
    reason = fields.String()
    hits = fields.List(fields.Nested(HitSchema), metadata={"description": "Hits the screening found"})
