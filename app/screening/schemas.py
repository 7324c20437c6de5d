"""What the watchlist API accepts and returns."""
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from app.schemas import PageArgs, PageMeta, one_of
from app.screening.models import CHANGE_KINDS, SOURCE_KINDS


def version_number(attribute):
    """The number of the version an entry's `attribute` points at (None if it points nowhere)."""
    return fields.Function(lambda entry: getattr(getattr(entry, attribute), "number", None))


class VersionSchema(Schema):
    number = fields.Integer()
    format = fields.String()
    files = fields.List(fields.String())
    sha256 = fields.String()
    entry_count = fields.Integer()
    added = fields.Integer()
    changed = fields.Integer()
    removed = fields.Integer()
    imported_at = fields.DateTime()
    imported_by = fields.Integer(allow_none=True)
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
    revision = fields.Integer()
    first_version = version_number("first_version")
    last_changed_version = version_number("last_changed_version")
    removed_version = version_number("removed_version")


class EntryPageSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema))
    meta = fields.Nested(PageMeta)


class ChangeSchema(Schema):
    kind = fields.String()
    revision = fields.Integer(metadata={"description": "The entry's revision after this change"})
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
    removed = fields.Boolean(load_default=False, metadata={"description": "Entries removed instead of listed"})


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
    created = fields.Boolean(metadata={"description": "Whether this import created the source"})
    unchanged = fields.Integer()
