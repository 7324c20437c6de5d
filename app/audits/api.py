"""Audits API: audits of an entity, their states and findings, and the findings' corrective actions."""
from flask.views import MethodView
from flask_smorest import Blueprint

from app import db
from app.accounts.auth import current_actor, require
from app.audits import actions, schemas, service

blp = Blueprint("audits", __name__, url_prefix="/api/v1",
                description="Audits, their findings and corrective actions (private to the auditor, the entity's "
                            "regulators and the platform)")


def page_of(rows, total, args):
    return {"items": rows, "meta": {"page": args["page"], "per_page": args["per_page"], "total": total}}


def committed(change, *args, **kwargs):
    """Run a service change as the signed-in actor and commit it; returns what the change returned."""
    session = db.Session()
    result = change(session, current_actor(), *args, **kwargs)
    session.commit()
    return result


@blp.route("/audits", methods=["GET"])
@require("auditing.read")
@blp.arguments(schemas.AuditRecordQuerySchema, location="query")
@blp.response(200, schemas.AuditRecordPageSchema)
def list_audits(args):
    """The audits you may read (your organisation's, and as a regulator those of entities you license)."""
    rows, total = service.list_audits(db.Session(), current_actor(), entity_id=args.get("entity_id"),
                                      state=args.get("state"), page=args["page"], per_page=args["per_page"])
    return page_of(rows, total, args)


@blp.route("/entities/<int:entity_id>/audits")
class EntityAudits(MethodView):
    @require("auditing.read")
    @blp.arguments(schemas.EntityAuditQuerySchema, location="query")
    @blp.response(200, schemas.AuditRecordPageSchema)
    def get(self, args, entity_id):
        """The entity's audits that you may read, newest plans first."""
        session = db.Session()
        service.get_entity(session, entity_id)
        rows, total = service.list_audits(session, current_actor(), entity_id=entity_id, state=args.get("state"),
                                          page=args["page"], per_page=args["per_page"])
        return page_of(rows, total, args)

    @require("auditing.record")
    @blp.arguments(schemas.AuditSchema)
    @blp.response(201, schemas.AuditSchema)
    def post(self, data, entity_id):
        """Plan an audit (state planned); move it on with POST /audits/{id}/state."""
        return committed(service.create_audit, entity_id, data)


@blp.route("/audits/<int:audit_id>")
class AuditItem(MethodView):
    @require("auditing.read")
    @blp.response(200, schemas.AuditSchema)
    def get(self, audit_id):
        """One audit; one you may not read answers 404."""
        return service.get_audit(db.Session(), current_actor(), audit_id)

    @require("auditing.change")
    @blp.arguments(schemas.AuditUpdateSchema)
    @blp.response(200, schemas.AuditSchema)
    def patch(self, data, audit_id):
        """Change its reference, kind, auditor, scope, methods, planned day or summary (send the version you read;
        a stale one gets 409). A closed audit is final."""
        return committed(service.update_audit, audit_id, data)


@blp.route("/audits/<int:audit_id>/state", methods=["POST"])
@require("auditing.change")
@blp.arguments(schemas.AuditStateSchema)
@blp.response(200, schemas.AuditSchema)
def change_state(data, audit_id):
    """Move the audit to its next state: planned -> fieldwork -> reported -> closed (another move is 409).
    Reporting and closing re-score the entity; closing needs every corrective action verified."""
    return committed(service.change_state, audit_id, data)


@blp.route("/audits/<int:audit_id>/findings")
class AuditFindings(MethodView):
    @require("auditing.read")
    @blp.response(200, schemas.AuditFindingSchema(many=True))
    def get(self, audit_id):
        """The audit's findings with their corrective actions."""
        return service.list_findings(db.Session(), current_actor(), audit_id)

    @require("auditing.change")
    @blp.arguments(schemas.AuditFindingSchema)
    @blp.response(201, schemas.AuditFindingSchema)
    def post(self, data, audit_id):
        """Record a non-conformity during fieldwork, under a principle of the audit's scope. It joins the entity's
        evidence (and score) when the audit is reported."""
        return committed(service.add_finding, audit_id, data)


@blp.route("/findings/<int:finding_id>/corrective-actions")
class FindingActions(MethodView):
    @require("auditing.read")
    @blp.response(200, schemas.CorrectiveActionSchema(many=True))
    def get(self, finding_id):
        """A finding's corrective actions, oldest first."""
        return actions.list_actions(db.Session(), current_actor(), finding_id)

    @require("auditing.change")
    @blp.arguments(schemas.CorrectiveActionSchema)
    @blp.response(201, schemas.CorrectiveActionSchema)
    def post(self, data, finding_id):
        """Give a finding a corrective action: what, who (owner or owner_entity_id) and by when."""
        return committed(actions.plan_action, finding_id, data)


@blp.route("/corrective-actions/<int:action_id>")
class ActionItem(MethodView):
    @require("auditing.read")
    @blp.response(200, schemas.CorrectiveActionSchema)
    def get(self, action_id):
        """One corrective action."""
        return actions.get_action(db.Session(), current_actor(), action_id)[0]

    @require("auditing.change")
    @blp.arguments(schemas.CorrectiveActionUpdateSchema)
    @blp.response(200, schemas.CorrectiveActionSchema)
    def patch(self, data, action_id):
        """Re-plan an open action: description, owner, deadline (send the version you read)."""
        return committed(actions.update_action, action_id, data)


@blp.route("/corrective-actions/<int:action_id>/completion", methods=["POST"])
@require("action.complete")
@blp.arguments(schemas.CompletionSchema)
@blp.response(200, schemas.CorrectiveActionSchema)
def complete(data, action_id):
    """Record the evidence that an open action was done; it then waits for the auditor's verification."""
    return committed(actions.complete_action, action_id, data)


@blp.route("/corrective-actions/<int:action_id>/verification", methods=["POST"])
@require("action.verify")
@blp.arguments(schemas.VerificationSchema)
@blp.response(200, schemas.CorrectiveActionSchema)
def verify(data, action_id):
    """The auditor's verdict on the evidence: verified, or rejected with a note (the action is open again)."""
    return committed(actions.verify_action, action_id, data)
