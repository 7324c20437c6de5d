"""The review tasks page: what the signed-in user's organisation has to review, the earliest due first, with
plain forms to claim, release, finish, snooze and cancel a task (the API's service and permission checks)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from app import db
from app.accounts import permissions
from app.accounts.audit import set_actor
from app.accounts.auth import current_actor
from app.audits import tasks
from app.audits.policy import REASONS, describe
from app.audits.reconcile import STATES
from app.audits.tasks_schemas import TaskStateSchema
from app.errors import Conflict, Invalid
from app.registry import expiry
from app.web.i18n import local_day

bp = Blueprint("tasks_web", __name__)
PER_PAGE = 50
# What a form may send; empty fields count as not sent.
FIELDS = ("state", "version", "until", "reason", "note")


# Each reason's sentence on the page, in the reader's language (the API and the calendar feed keep describe()'s).
SENTENCES = {
    "periodic_review": lambda p: gettext(
        "Periodic review: risk tier %(tier)s is reviewed every %(months)s months, counted from %(since)s.", **p),
    "licence_expiring": lambda p: gettext("Licence %(licence)s ends on %(valid_until)s: check its renewal.", **p),
    "licence_expired": lambda p: gettext("Licence %(licence)s expired on %(expired_on)s (valid until %(valid_until)s).",
                                         **p),
    "certification_expiring": lambda p: gettext(
        "Certification (%(status)s) ends on %(valid_until)s: plan the re-certification audit.", **p),
    "confirmed_hit": lambda p: gettext("A watchlist hit was confirmed on %(decided_on)s: %(name)s on %(list)s.", **p),
    "critical_finding": lambda p: gettext(
        "An open %(grade)s finding against principle %(principle)s, found on %(found_on)s, needs a follow-up audit.",
        **p),
    "overdue_corrective_action": lambda p: gettext(
        "Corrective action %(action_id)s was due on %(deadline)s and is not done: escalate.", **p),
    "tier_worsened": lambda p: gettext("The risk tier worsened from %(from_tier)s to %(to_tier)s on %(scored_on)s.",
                                       **p),
    "worker_report": lambda p: gettext("A worker report was received on %(received_on)s.", **p),
}
DAYS = ("since", "valid_until", "expired_on", "decided_on", "found_on", "deadline", "scored_on", "received_on")


def sentence(explanation):
    """A task's explanation as a sentence in the reader's language, its dates written the language's way."""
    params = dict(explanation.get("params", {}))
    try:
        for name in DAYS:
            if params.get(name):
                params[name] = local_day(params[name])
        return SENTENCES[explanation.get("message")](params)
    except (KeyError, ValueError, TypeError):
        # An explanation written by an older policy, without the parameters its sentence now names.
        return describe(explanation)


def listing():
    """The list's filters from the query string (unknown values ignored)."""
    state = request.args.get("state") if request.args.get("state") in STATES else None
    reason = request.args.get("reason") if request.args.get("reason") in REASONS else None
    return {"state": state, "reason": reason, "page": max(request.args.get("page", 1, type=int), 1)}


def query(shown):
    """The filters shown as a query string's arguments, defaults left out (a form's action, the way back)."""
    return {name: value for name, value in shown.items() if value and (name, value) != ("page", 1)}


def render_list(actor, failed=None, message=None, errors=None, status=200):
    """The page; after a refused change, the task it was for (`failed`), the errors listed at the top and beside
    its fields, and what was typed kept."""
    shown = listing()
    rows, total = tasks.list_tasks(db.Session(), actor, per_page=PER_PAGE, **shown)
    return render_template("tasks.html", tasks=rows, total=total, per_page=PER_PAGE, states=STATES,
                           reasons=REASONS, today=expiry.today(), describe=sentence, shown=shown, query=query(shown),
                           moves={task.id: tasks.moves_for(actor, task) for task in rows}, failed=failed,
                           message=message, errors=errors or {}, typed=request.form if failed else {}), status


@bp.get("/tasks")
def task_list():
    """The organisation's live tasks (or those in one state), optionally of one reason."""
    actor = current_actor()
    permissions.check(actor, "account.self", what="Reading your organisation's review tasks")
    return render_list(actor)


@bp.post("/tasks/<int:task_id>/state")
def change_state(task_id):
    """Claim, release, finish, snooze or cancel a task from the page, from the version shown."""
    actor = current_actor()
    permissions.check(actor, "task.work", what="Working on review tasks")
    session = db.Session()
    set_actor(session, actor.user_id, actor.organisation_id)
    try:
        data = TaskStateSchema().load({name: request.form[name] for name in FIELDS
                                       if request.form.get(name, "").strip()})
        task = tasks.change_state(session, actor, task_id, data)
    except ValidationError as err:
        session.rollback()
        return render_list(actor, task_id, gettext("Check what you typed."),
                           {field: list(messages) for field, messages in err.messages.items()}, 422)
    except (Invalid, Conflict) as err:
        session.rollback()
        return render_list(actor, task_id, err.message, err.errors, err.status)
    session.commit()
    flash(gettext("Task %(id)s (%(name)s) is now %(state)s.", id=task_id, name=task.entity.legal_name,
                  state=task.state))
    return redirect(url_for("tasks_web.task_list", **query(listing())), 303)
