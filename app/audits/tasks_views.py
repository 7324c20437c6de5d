"""The review tasks page: what the signed-in user's organisation has to review, the earliest due first."""
from flask import Blueprint, render_template, request

from app import db
from app.accounts import permissions
from app.accounts.auth import current_actor
from app.audits import tasks
from app.audits.policy import REASONS, describe
from app.audits.reconcile import STATES
from app.registry import expiry

bp = Blueprint("tasks_web", __name__)
PER_PAGE = 50


@bp.get("/tasks")
def task_list():
    """The organisation's live tasks (or those in one state), optionally of one reason."""
    actor = current_actor()
    permissions.check(actor, "account.self", what="Reading your organisation's review tasks")
    state = request.args.get("state") if request.args.get("state") in STATES else None
    reason = request.args.get("reason") if request.args.get("reason") in REASONS else None
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = tasks.list_tasks(db.Session(), actor, state=state, reason=reason, page=page, per_page=PER_PAGE)
    return render_template("tasks.html", tasks=rows, total=total, state=state, reason=reason, page=page,
                           per_page=PER_PAGE, states=STATES, reasons=REASONS, today=expiry.today(),
                           describe=describe)
