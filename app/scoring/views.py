"""The score page: an agency or employer's current risk score, explained rule by rule."""
from flask import Blueprint, render_template

from app import db
from app.accounts import permissions
from app.accounts.auth import current_actor
from app.errors import NotFound
from app.registry.service import get_entity
from app.scoring import activation, service

bp = Blueprint("scoring_web", __name__)
OUTCOME_ORDER = {"fail": 0, "unknown": 1, "pass": 2}
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2}


@bp.get("/entities/<int:entity_id>/score")
def score_page(entity_id):
    """Failures first (critical ones at the top), then what could not be judged, then what passed."""
    permissions.check(current_actor(), "score.read", what="Reading risk scores")
    session = db.Session()
    entity = get_entity(session, entity_id)
    try:
        score = service.current_score(session, entity_id)
    except NotFound:
        score = None
    outcomes = sorted(activation.explained(score), key=lambda o: (
        OUTCOME_ORDER[o["outcome"]], SEVERITY_ORDER.get(o.get("severity"), 3), o["rule_id"])) if score else []
    return render_template("score.html", entity=entity, score=score, outcomes=outcomes)
