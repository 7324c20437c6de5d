"""Watchlist API: sources, their versions and changes, the entries listed, and refreshing a source by upload."""
from pathlib import Path
import tempfile

from flask import request
from flask_smorest import Blueprint
from werkzeug.utils import secure_filename

from app import db
from app.accounts.auth import READERS, current_actor, require
from app.errors import Invalid
from app.schemas import PageArgs
from app.screening import importer, schemas, service

blp = Blueprint("screening", __name__, url_prefix="/api/v1", description="Watchlists: sources, versions, entries")
# Platform staff only, checked by the importer: the lists are shared by every organisation.
LIST_WRITERS = ("admin", "analyst")


@blp.route("/watchlists", methods=["GET"])
@require(*READERS)
@blp.response(200, schemas.SourceSchema(many=True))
def sources():
    """Every watchlist source with its current version."""
    return service.list_sources(db.Session())


@blp.route("/watchlists/<name>", methods=["GET"])
@require(*READERS)
@blp.response(200, schemas.SourceSchema)
def source(name):
    """One source with its current version."""
    return service.get_source(db.Session(), name)


@blp.route("/watchlists/<name>/versions", methods=["GET"])
@require(*READERS)
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.VersionPageSchema)
def versions(args, name):
    """A source's versions, newest first, with how many entries each added, changed and removed."""
    rows, total = service.list_versions(db.Session(), name, args["page"], args["per_page"])
    return {"items": rows, "meta": {**args, "total": total}}


@blp.route("/watchlists/<name>/versions", methods=["POST"])
@require(*LIST_WRITERS)
@blp.arguments(schemas.UploadSchema, location="form", content_type="multipart/form-data")
@blp.response(201, schemas.ImportResultSchema)
def import_version(form, name):
    """Refresh a source (or create it) from uploaded files: multipart field `file`, once per file."""
    uploads = [upload for upload in request.files.getlist("file") if upload.filename]
    if not uploads:
        raise Invalid("Send the list's files as multipart form field 'file' (once per file).", {"file": ["missing"]})
    names = [secure_filename(upload.filename) or f"file-{n}" for n, upload in enumerate(uploads, 1)]
    if len(set(names)) < len(names):
        raise Invalid("Two uploaded files have the same name.", {"file": ["names must differ"]})
    session = db.Session()
    # Parsers read paths (some formats are several files that name each other); the copies go with the request.
    with tempfile.TemporaryDirectory(prefix="watchlist-") as directory:
        paths = [Path(directory) / filename for filename in names]
        for upload, path in zip(uploads, paths):
            upload.save(path)
        result = importer.import_watchlist(session, name, form.get("format"), paths, actor=current_actor(),
                                           title=form.get("title"), publisher=form.get("publisher"),
                                           kind=form.get("kind"))
    session.commit()
    return result


@blp.route("/watchlists/<name>/versions/<int:number>/changes", methods=["GET"])
@require(*READERS)
@blp.arguments(schemas.ChangeArgs, location="query")
@blp.response(200, schemas.ChangePageSchema)
def changes(args, name, number):
    """What version `number` added, changed (with the content it replaced) and removed."""
    session = db.Session()
    version = service.get_version(session, name, number)
    rows, total = service.change_page(session, version.id, args.get("kind"), args["page"], args["per_page"])
    return {"items": rows, "meta": {"page": args["page"], "per_page": args["per_page"], "total": total}}


@blp.route("/watchlists/<name>/entries", methods=["GET"])
@require(*READERS)
@blp.arguments(schemas.EntryArgs, location="query")
@blp.response(200, schemas.EntryPageSchema)
def entries(args, name):
    """The entries a source lists now (or, with removed=true, those it no longer lists), by name."""
    rows, total = service.list_entries(db.Session(), name, args.get("q"), args["removed"], args["page"],
                                       args["per_page"])
    return {"items": rows, "meta": {"page": args["page"], "per_page": args["per_page"], "total": total}}
