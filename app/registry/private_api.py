"""An organisation's private layer over the shared registry: portfolio, notes, evidence."""
from flask.views import MethodView
from flask_smorest import Blueprint

from app import db
from app.accounts.auth import current_actor, require
from app.registry import private, schemas

blp = Blueprint("portfolio", __name__, url_prefix="/api/v1",
                description="Your organisation's portfolio, notes and evidence (never shown to others)")


@blp.route("/portfolio")
class Portfolio(MethodView):
    @require("private.read")
    @blp.response(200, schemas.PortfolioEntrySchema(many=True))
    def get(self):
        """The entities your organisation follows."""
        return private.list_portfolio(db.Session(), current_actor())

    @require("private.write")
    @blp.arguments(schemas.PortfolioEntrySchema)
    @blp.response(201, schemas.PortfolioEntrySchema)
    def post(self, data):
        """Follow an agency or employer."""
        session = db.Session()
        entry = private.add_to_portfolio(session, current_actor(), data["entity_id"], data.get("label"))
        session.commit()
        return entry


@blp.route("/portfolio/<int:entry_id>", methods=["DELETE"])
@require("private.write")
@blp.response(204)
def unfollow(entry_id):
    """Stop following an entity."""
    session = db.Session()
    private.remove_from_portfolio(session, current_actor(), entry_id)
    session.commit()


@blp.route("/entities/<int:entity_id>/notes")
class Notes(MethodView):
    @require("private.read")
    @blp.response(200, schemas.NoteSchema(many=True))
    def get(self, entity_id):
        """Your organisation's notes on an entity."""
        return private.list_notes(db.Session(), current_actor(), entity_id)

    @require("private.write")
    @blp.arguments(schemas.NoteSchema)
    @blp.response(201, schemas.NoteSchema)
    def post(self, data, entity_id):
        """Write a private note."""
        session = db.Session()
        note = private.add_note(session, current_actor(), entity_id, data["body"])
        session.commit()
        return note


@blp.route("/notes/<int:note_id>")
class Note(MethodView):
    @require("private.read")
    @blp.response(200, schemas.NoteSchema)
    def get(self, note_id):
        """One note; another organisation's note answers 404."""
        return private.get_note(db.Session(), current_actor(), note_id)

    @require("private.write")
    @blp.response(204)
    def delete(self, note_id):
        """Delete a note."""
        session = db.Session()
        private.delete_note(session, current_actor(), note_id)
        session.commit()


@blp.route("/entities/<int:entity_id>/evidence")
class Evidence(MethodView):
    @require("private.read")
    @blp.response(200, schemas.EvidenceSchema(many=True))
    def get(self, entity_id):
        """Your organisation's evidence about an entity."""
        return private.list_evidence(db.Session(), current_actor(), entity_id)

    @require("private.write")
    @blp.arguments(schemas.EvidenceSchema)
    @blp.response(201, schemas.EvidenceSchema)
    def post(self, data, entity_id):
        """Record evidence (an audit report, a contract, a receipt...)."""
        session = db.Session()
        evidence = private.add_evidence(session, current_actor(), entity_id, data)
        session.commit()
        return evidence


@blp.route("/evidence/<int:evidence_id>", methods=["GET"])
@require("private.read")
@blp.response(200, schemas.EvidenceSchema)
def get_evidence(evidence_id):
    """One piece of evidence; another organisation's answers 404."""
    return private.get_evidence(db.Session(), current_actor(), evidence_id)
