"""The printable audit summary: the audit, its findings and their corrective actions, for those who may read it."""
from flask import Blueprint, render_template
from flask_babel import gettext
from sqlalchemy import select

from app import db
from app.accounts.auth import current_actor
from app.accounts.models import User
from app.audits import service
from app.errors import Unauthorized
from app.registry import expiry
from app.scoring.catalogue import PRINCIPLES

bp = Blueprint("audits_web", __name__)


def state_names():
    """An audit's states in the reader's language."""
    return {"planned": gettext("Planned"), "fieldwork": gettext("Fieldwork under way"),
            "reported": gettext("Reported: corrective actions under way"), "closed": gettext("Closed")}


@bp.get("/audits/<int:audit_id>/summary")
def summary(audit_id):
    """One page that prints well: who audited what, how and when, what was found and what is being done."""
    actor = current_actor()
    if actor is None:
        raise Unauthorized(gettext("Sign in to read audits."))
    session = db.Session()
    audit = service.get_audit(session, actor, audit_id)
    findings = service.list_findings(session, actor, audit_id)
    today = expiry.today()
    actions = [action for finding in findings for action in finding.corrective_actions]
    overdue = {action.id: (today - action.deadline).days for action in actions if action.overdue_on(today)}
    user_ids = {action.completed_by_user_id for action in actions} | {action.verified_by_user_id for action in actions}
    users = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids - {None}))).all())
    return render_template("audit_summary.html", audit=audit, findings=findings, principles=PRINCIPLES,
                           states=state_names(), overdue=overdue, users=users, today=today)
