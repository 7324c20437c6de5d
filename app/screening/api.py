"""Watchlist API: sources, their versions and changes, the entries listed, and refreshing a source by upload."""
from pathlib import Path
import tempfile

from flask import current_app, request
from flask_smorest import Blueprint
from werkzeug.utils import secure_filename

from app import db
from app.accounts.auth import current_actor, require
from app.errors import Invalid
from app.schemas import PageArgs
from app.screening import review, schemas, screen, service
from app.screening.index import Query

blp = Blueprint("screening", __name__, url_prefix="/api/v1",
                description="Watchlists (sources, versions, entries), screening, and the review of hits")


@blp.route("/watchlists", methods=["GET"])
@require("watchlist.read")
@blp.response(200, schemas.SourceSchema(many=True))
def sources():
    """Every watchlist source with its current version."""
    return service.list_sources(db.Session())


@blp.route("/watchlists/<name>", methods=["GET"])
@require("watchlist.read")
@blp.response(200, schemas.SourceSchema)
def source(name):
    """One source with its current version."""
    return service.get_source(db.Session(), name)


@blp.route("/watchlists/<name>/versions", methods=["GET"])
@require("watchlist.read")
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.VersionPageSchema)
def versions(args, name):
    """A source's versions, newest first, with how many entries each added, changed and removed."""
    rows, total = service.list_versions(db.Session(), name, args["page"], args["per_page"])
    return {"items": rows, "meta": {**args, "total": total}}


@blp.route("/watchlists/<name>/versions", methods=["POST"])
@require("watchlist.import")
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
        result, screened = screen.import_and_screen(
            session, name, form.get("format"), paths, actor=current_actor(), title=form.get("title"),
            publisher=form.get("publisher"), kind=form.get("kind"),
            threshold=current_app.config["SCREENING_THRESHOLD"], processes=current_app.config["SCREENING_PROCESSES"])
    session.commit()
    return {**result.__dict__, "screened": len(screened)}


@blp.route("/watchlists/<name>/versions/<int:number>/changes", methods=["GET"])
@require("watchlist.read")
@blp.arguments(schemas.ChangeArgs, location="query")
@blp.response(200, schemas.ChangePageSchema)
def changes(args, name, number):
    """What version `number` added, changed (with the content it replaced) and removed."""
    session = db.Session()
    version = service.get_version(session, name, number)
    rows, total = service.change_page(session, version.id, args.get("kind"), args["page"], args["per_page"])
    return {"items": rows, "meta": {"page": args["page"], "per_page": args["per_page"], "total": total}}


@blp.route("/watchlists/<name>/entries", methods=["GET"])
@require("watchlist.read")
@blp.arguments(schemas.EntryArgs, location="query")
@blp.response(200, schemas.EntryPageSchema)
def entries(args, name):
    """The entries a source lists now (or, with removed=true, those it no longer lists), by name."""
    rows, total = service.list_entries(db.Session(), name, args.get("q"), args["removed"], args["page"],
                                       args["per_page"])
    return {"items": rows, "meta": {"page": args["page"], "per_page": args["per_page"], "total": total}}


@blp.route("/screen", methods=["POST"])
@require("screen.name")
@blp.arguments(schemas.ScreenQuerySchema)
@blp.response(200, schemas.ScreenResultSchema)
# (On SQLite, two workers' screenings begun as writers took turns at the write lock, waiting up to a third of a
# second in the busy handler.)
@db.reads
def screen_name(args):
    """Screen a name (with its aliases, kind, countries, identifiers) against the lists; nothing is stored."""
    threshold = args.get("threshold", current_app.config["SCREENING_THRESHOLD"])
    query = Query((args["name"], *args["aliases"]), args.get("kind"), frozenset(args["countries"]),
                  frozenset(args["identifiers"]))
    found = screen.screen_name(db.Session(), query, threshold=threshold, lists=args.get("lists"), limit=args["limit"])
    return {"threshold": threshold, "hits": [
        {"list": match.group, "entry_id": entry.entry_id, "name": entry.name, "matched_name": match.matched_name,
         "query_name": match.query_name, "score": round(match.score, 4), "explanation": match.explanation,
         "entry": entry} for match, entry in found]}


@blp.route("/entities/<int:entity_id>/screen", methods=["POST"])
@require("screen.entity")
@blp.response(200, schemas.ScreeningSchema)
def screen_entity(entity_id):
    """Screen an entity and its people now; its hits, new and known, come back (platform and regulators)."""
    session = db.Session()
    screen.screen_entity(session, entity_id, threshold=current_app.config["SCREENING_THRESHOLD"],
                         reason="asked for")
    session.commit()
    return review.latest_screening(session, entity_id)


@blp.route("/entities/<int:entity_id>/screening", methods=["GET"])
@require("hit.read")
@blp.response(200, schemas.ScreeningSchema)
def last_screening(entity_id):
    """The entity's last screening and its current hits (platform and regulators)."""
    return review.latest_screening(db.Session(), entity_id)


@blp.route("/entities/<int:entity_id>/hits", methods=["GET"])
@require("hit.follow")
@blp.response(200, schemas.FollowedHitSchema(many=True))
def followed_hits(entity_id):
    """The watchlist status of an entity your organisation follows: open hits as a possible match under review,
    confirmed ones as confirmed (read only)."""
    return review.followed_hits(db.Session(), current_actor(), entity_id)


@blp.route("/hits", methods=["GET"])
@require("hit.read")
@blp.arguments(schemas.HitArgs, location="query")
@blp.response(200, schemas.HitPageSchema)
def hits(args):
    """Hits by state, list and entity, best scores first (platform and regulators)."""
    rows, total = review.list_hits(db.Session(), state=args.get("state"), source=args.get("list"),
                                   entity_id=args.get("entity_id"), current=args.get("current"),
                                   page=args["page"], per_page=args["per_page"])
    return {"items": rows, "meta": {"page": args["page"], "per_page": args["per_page"], "total": total}}


@blp.route("/hits/<int:hit_id>", methods=["GET"])
@require("hit.read")
@blp.response(200, schemas.HitDetailSchema)
def hit(hit_id):
    """One hit with its explanation and history (platform and regulators)."""
    session = db.Session()
    found = review.get_hit(session, hit_id)
    found.history = review.hit_history(session, hit_id)
    return found


@blp.route("/hits/<int:hit_id>/decision", methods=["POST"])
@require("hit.decide")
@blp.arguments(schemas.DecisionSchema)
@blp.response(200, schemas.HitSchema)
def decide(decision, hit_id):
    """Confirm, dismiss (with a reason), escalate or reopen a hit; send the version you read (stale: 409)."""
    session = db.Session()
    decided = review.decide(session, hit_id, decision, actor=current_actor())
    session.commit()
    return decided


@blp.route("/hits/decisions", methods=["POST"])
@require("hit.decide")
@blp.arguments(schemas.DecisionsSchema)
@blp.response(200, schemas.HitSchema(many=True))
def decide_many(body):
    """Decide several hits at once: all are recorded, or none."""
    session = db.Session()
    decided = review.decide_many(session, body["decisions"], actor=current_actor())
    session.commit()
    return decided
