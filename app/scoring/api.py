"""Scoring API: evidence, scores with their history and differences, and what-if scoring."""
from dataclasses import asdict

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from app import db
from app.accounts.auth import current_actor, require
from app.errors import Invalid, NotFound
from app.openapi import file_upload
from app.registry import tables
from app.schemas import PageArgs
from app.scoring import activation, importer, schemas, service

blp = Blueprint("scoring", __name__, url_prefix="/api/v1", description="Evidence, risk scores and their reasons")
EVIDENCE_SCHEMAS = {"fee-lines": schemas.FeeLineSchema, "practices": schemas.PracticeSchema,
                    "findings": schemas.FindingSchema}


def evidence_routes(path, schema):
    """List and add one kind of evidence of an entity."""
    model = service.MODELS[path]

    class Evidence(MethodView):
        @require("evidence.read")
        @blp.response(200, schema(many=True))
        def get(self, entity_id):
            """The evidence recorded about an entity, oldest first."""
            return service.list_evidence(db.Session(), entity_id, model)

        @require("evidence.record")
        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, data, entity_id):
            """Record evidence; the entity is re-scored at once."""
            session = db.Session()
            row = service.add_evidence(session, current_actor(), entity_id, model, data)
            session.commit()
            return row

    Evidence.__name__ = "Evidence" + path.title().replace("-", "")
    blp.route(f"/entities/<int:entity_id>/{path}")(Evidence)


for path, schema in EVIDENCE_SCHEMAS.items():
    evidence_routes(path, schema)


@blp.route("/findings/<int:finding_id>", methods=["PATCH"])
@require("finding.close")
@blp.arguments(schemas.FindingUpdateSchema)
@blp.response(200, schemas.FindingSchema)
def update_finding(data, finding_id):
    """Close or reopen a finding (send the version you read; a stale one gets 409)."""
    session = db.Session()
    finding = service.close_finding(session, current_actor(), finding_id, data)
    session.commit()
    return finding


@blp.route("/entities/<int:entity_id>/score")
class CurrentScore(MethodView):
    @require("score.read")
    @blp.response(200, schemas.CurrentScoreSchema)
    def get(self, entity_id):
        """The current score: total, tier, coverage, every rule's outcome with its reason, and whether it is
        stale."""
        return service.current_score(db.Session(), entity_id)

    @require("score.compute")
    @blp.response(201, schemas.ScoreSchema)
    def post(self, entity_id):
        """Score the entity now with the active rule set."""
        session = db.Session()
        service.get_live(session, entity_id)
        score = service.score_entity(session, entity_id, reason="requested")
        session.commit()
        return score


@blp.route("/entities/<int:entity_id>/scores")
@require("score.read")
@blp.arguments(PageArgs, location="query")
@blp.response(200, schemas.ScorePageSchema)
def history(args, entity_id):
    """Every score of the entity, newest first."""
    rows, total = service.score_history(db.Session(), entity_id, args["page"], args["per_page"])
    return {"items": rows, "meta": {**args, "total": total}}


@blp.route("/entities/<int:entity_id>/scores/diff")
@require("score.read")
@blp.arguments(schemas.DiffArgs, location="query")
@blp.response(200)
def diff(args, entity_id):
    """What changed between two scores (default: the last two): totals, tiers, rule sets, each rule."""
    session = db.Session()
    newer = (service.get_score(session, entity_id, args["to"]) if args.get("to")
             else service.current_score(session, entity_id))
    if args.get("from_"):
        older = service.get_score(session, entity_id, args["from_"])
    else:
        rows, _ = service.score_history(session, entity_id, 1, 200)
        older = next((row for row in rows if row.id < newer.id), None)
        if older is None:
            raise NotFound(f"Entity {entity_id} has no score before {newer.id} to compare with.")
    return service.difference(older, newer)


@blp.route("/score/what-if", methods=["POST"])
@require("score.read")
@blp.arguments(schemas.WhatIfSchema)
@blp.response(200, schemas.WhatIfResultSchema)
@db.reads
def what_if(data):
    """Score posted facts with the active rule set of that kind, saving nothing."""
    ruleset = activation.active_rule_set(db.Session(), data["kind"], record=False)
    result = service.what_if(ruleset, data["facts"], data["kind"], data["country"], data["corridors"])
    return {"ruleset_id": ruleset.id, "ruleset_hash": ruleset.content_hash, "total": result.total,
            "tier": result.tier, "coverage": result.coverage, "outcomes": [asdict(o) for o in result.outcomes]}


@blp.route("/evidence/import", methods=["POST"])
@require("evidence.record")
@blp.arguments(schemas.EvidenceImportArgs, location="query")
@blp.doc(requestBody=file_upload("The evidence file: CSV, JSON or XLSX (told apart by the file name's extension)"))
@blp.response(200, schemas.EvidenceImportReport)
def import_evidence(args):
    """Import fee lines, practice assessments or findings (multipart field `file`: CSV, JSON or XLSX)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("Send the file as multipart form field 'file'.", {"file": ["missing"]})
    session = db.Session()
    report = importer.import_evidence(session, current_actor(), upload.read(), fmt=tables.detect_format(upload.filename),
                                      evidence=args["type"], skip_invalid=args["skip_invalid"])
    session.commit()
    return report
