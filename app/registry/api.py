"""Registry API: agencies and employers, licences, authorities, relationships, import and export."""
import json

from flask import Response, jsonify, request, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from app import db
from app.accounts.auth import current_actor, require
from app.errors import Invalid
from app.openapi import file_upload
from app.registry import change_requests, export, importer, schemas, service, tables
from app.registry.models import Authority
from app.screening.screen import similar_entities

blp = Blueprint("registry", __name__, url_prefix="/api/v1", description="Agencies, employers and their licences")


def entity_routes(kind, plural):
    """Register the list and item routes of one kind of entity (agencies, employers)."""

    class Collection(MethodView):
        @blp.arguments(schemas.EntityQuerySchema, location="query")
        @blp.response(200, schemas.EntityPageSchema)
        def get(self, args):
            """List, filter, sort and search: summaries with public fields only (full records at the item URL)."""
            page, per_page, sort = args.pop("page"), args.pop("per_page"), args.pop("sort")
            session = db.Session()
            # Names typed with a typo still find the agency: the screening name index knows near spellings.
            near = similar_entities(session, args["q"]) if args.get("q") else frozenset()
            rows, total = service.list_entities(session, kind, args, page=page, per_page=per_page, sort=sort,
                                                near=near)
            # The listing keeps each summary as JSON already: the page is those bytes joined.
            meta = json.dumps({"page": page, "per_page": per_page, "total": total}).encode()
            return Response(b'{"items":[' + b",".join(rows) + b'],"meta":' + meta + b"}", mimetype="application/json")

        @require("entity.register")
        @blp.arguments(schemas.EntityWriteSchema)
        @blp.response(201, schemas.EntitySchema)
        def post(self, data):
            """Register a new one, with its names, identifiers, people and licences."""
            session = db.Session()
            entity = service.create_entity(session, current_actor(), kind, data)
            session.commit()
            return entity

    class Item(MethodView):
        @blp.response(200, schemas.EntitySchema)
        def get(self, entity_id):
            """Read one; anonymous callers get the public fields only."""
            entity = service.get_entity(db.Session(), entity_id, kind)
            if current_actor() is None:
                return jsonify(schemas.PublicEntitySchema().dump(entity))
            return entity

        @require("entity.edit", "entity.certify")
        @blp.arguments(schemas.EntityUpdateSchema)
        @blp.response(200, schemas.EntitySchema)
        def patch(self, data, entity_id):
            """Change fields (stewards: the profile; certifiers: certification_status); send the version you read
            (a stale one gets 409). Others propose a correction through /entities/{id}/change-requests."""
            session = db.Session()
            entity = service.update_entity(session, current_actor(), entity_id, kind, data)
            session.commit()
            return entity

        @require("entity.withdraw")
        @blp.arguments(schemas.WithdrawArgsSchema, location="query")
        @blp.response(204)
        def delete(self, args, entity_id):
            """Withdraw (stewards): it leaves public reads and lists, keeps its history and hits; the platform
            can restore it. Nothing is ever removed."""
            session = db.Session()
            service.withdraw_entity(session, current_actor(), entity_id, kind, args.get("version"), args.get("reason"))
            session.commit()

    Collection.__name__, Item.__name__ = f"{plural.title()}", f"{kind.title()}"
    blp.route(f"/{plural}")(Collection)
    blp.route(f"/{plural}/<int:entity_id>")(Item)


entity_routes("agency", "agencies")
entity_routes("employer", "employers")


@blp.route("/entities/<int:entity_id>/restore", methods=["POST"])
@require("entity.restore")
@blp.response(200, schemas.EntitySchema)
def restore(entity_id):
    """Bring a withdrawn agency or employer back (platform admins)."""
    session = db.Session()
    entity = service.restore_entity(session, current_actor(), entity_id)
    session.commit()
    return entity


@blp.route("/entities/<int:entity_id>/change-requests", methods=["POST"])
@require("change.propose")
@blp.arguments(schemas.ChangeProposalSchema)
@blp.response(201, schemas.ChangeRequestSchema)
def propose_change(data, entity_id):
    """Propose a correction of an entity's profile, with a reason; its stewards accept or reject it."""
    session = db.Session()
    change = change_requests.propose(session, current_actor(), entity_id, data["proposed"], data["reason"])
    session.commit()
    return change


@blp.route("/change-requests", methods=["GET"])
@require("change.read")
@blp.arguments(schemas.ChangeRequestQuerySchema, location="query")
@blp.response(200, schemas.ChangeRequestPageSchema)
def list_changes(args):
    """Change requests your organisation proposed, and those on entities it stewards (the queue: state=open)."""
    page, per_page = args.pop("page"), args.pop("per_page")
    rows, total = change_requests.list_changes(db.Session(), current_actor(), page=page, per_page=per_page, **args)
    return {"items": rows, "meta": {"page": page, "per_page": per_page, "total": total}}


@blp.route("/change-requests/<int:change_id>", methods=["GET"])
@require("change.read")
@blp.response(200, schemas.ChangeRequestSchema)
def get_change(change_id):
    """One change request: what was proposed, why, and the decision."""
    return change_requests.get_change(db.Session(), current_actor(), change_id)


@blp.route("/change-requests/<int:change_id>/decision", methods=["POST"])
@require("change.decide")
@blp.arguments(schemas.ChangeRequestDecisionSchema)
@blp.response(200, schemas.ChangeRequestSchema)
def decide_change(data, change_id):
    """Accept (applied as an update from the entity version you send) or reject with a reason (stewards)."""
    session = db.Session()
    change = change_requests.decide(session, current_actor(), change_id, **data)
    session.commit()
    return change


@blp.route("/entities/<int:entity_id>/licences", methods=["POST"])
@require("licence.record")
@blp.arguments(schemas.LicenceSchema)
@blp.response(201, schemas.LicenceDetailSchema)
def add_licence(data, entity_id):
    """Record a licence held by an agency or employer."""
    session = db.Session()
    licence = service.add_licence(session, current_actor(), service.get_entity(session, entity_id), data)
    session.commit()
    return licence


@blp.route("/licences/<int:licence_id>", methods=["GET"])
@blp.response(200, schemas.LicenceDetailSchema)
def get_licence(licence_id):
    """A licence with its status history (anonymous: without who recorded it, and internal reasons)."""
    licence = service.get_licence(db.Session(), licence_id)
    if current_actor() is None:
        return jsonify(schemas.PublicLicenceDetailSchema().dump(licence))
    return licence


@blp.route("/licences/<int:licence_id>", methods=["PATCH"])
@require("licence.record")
@blp.arguments(schemas.LicenceUpdateSchema)
@blp.response(200, schemas.LicenceDetailSchema)
def update_licence(data, licence_id):
    """Correct a licence's details (its status changes through /status)."""
    session = db.Session()
    licence = service.update_licence(session, current_actor(), licence_id, data)
    session.commit()
    return licence


@blp.route("/licences/<int:licence_id>/status", methods=["POST"])
@require("licence.record")
@blp.arguments(schemas.StatusChangeSchema)
@blp.response(200, schemas.LicenceDetailSchema)
def change_status(data, licence_id):
    """Change a licence's status (registrars of the issuing authority, platform admins)."""
    session = db.Session()
    licence = service.change_licence_status(session, current_actor(), licence_id, data)
    session.commit()
    return licence


@blp.route("/authorities")
class Authorities(MethodView):
    @blp.response(200, schemas.AuthoritySchema(many=True))
    def get(self):
        """The licensing authorities."""
        return db.Session().scalars(select(Authority).order_by(Authority.code)).all()

    @require("authority.create")
    @blp.arguments(schemas.AuthoritySchema)
    @blp.response(201, schemas.AuthoritySchema)
    def post(self, data):
        """Add a licensing authority (platform admins)."""
        session = db.Session()
        authority = service.create_authority(session, current_actor(), data)
        session.commit()
        return authority


@blp.route("/relationships", methods=["POST"])
@require("relationship.create")
@blp.arguments(schemas.RelationshipSchema)
@blp.response(201, schemas.RelationshipSchema)
def add_relationship(data):
    """Record who recruits for whom, on which corridor."""
    session = db.Session()
    relationship = service.add_relationship(session, current_actor(), data)
    session.commit()
    return relationship


@blp.route("/entities/<int:entity_id>/relationships", methods=["GET"])
@require("relationship.read")
@blp.response(200, schemas.RelationshipSchema(many=True))
def relationships(entity_id):
    """Employers and sub-agents linked to an entity."""
    session = db.Session()
    service.get_entity(session, entity_id)
    return service.list_relationships(session, entity_id)


@blp.route("/registry/import", methods=["POST"])
@require("entity.register")
@blp.arguments(schemas.ImportArgsSchema, location="query")
@blp.doc(requestBody=file_upload("The registry file: CSV, JSON or XLSX (told apart by the file name's extension)"))
@blp.response(200, schemas.ImportReportSchema)
def import_registry(args):
    """Import a CSV, JSON or XLSX file sent as multipart field `file`; all rows or none (unless skip_invalid)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("Send the file as multipart form field 'file'.", {"file": ["missing"]})
    fmt = tables.detect_format(upload.filename)
    session = db.Session()
    report = importer.import_file(session, current_actor(), upload.read(), fmt=fmt,
                                  default_kind=args["kind"], skip_invalid=args["skip_invalid"])
    session.commit()
    return report


def closing(session, body):
    """Stream the body, then end the session's transaction (the request's teardown may run before the body)."""
    try:
        yield from body
    finally:
        session.close()


@blp.route("/registry/export", methods=["GET"])
@require("registry.export")
@blp.arguments(schemas.ExportArgsSchema, location="query")
@blp.doc(responses={200: {"description": "The file, as an attachment", "content": {
    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
    "text/csv": {"schema": {"type": "string"}}}}})
def export_registry(args):
    """Download agencies or employers as CSV or JSON, in the layout the importer reads."""
    kind = args["kind"]
    session = db.Session()
    if args["format"] == "csv":
        body, mimetype = export.export_csv(session, kind), "text/csv"
    else:
        body, mimetype = export.export_json(session, kind), "application/json"
    filename = f"{kind}-registry.{args['format']}"
    return Response(stream_with_context(closing(session, body)), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
