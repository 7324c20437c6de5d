"""Review tasks API: an organisation's due reviews, and their states."""
from flask_smorest import Blueprint

from app import db
from app.accounts.auth import current_actor, require
from app.audits import tasks, tasks_schemas as schemas
from app.audits.api import committed, page_of

blp = Blueprint("tasks", __name__, url_prefix="/api/v1",
                description="Review tasks: what your organisation has to review, by when and why")


@blp.route("/tasks", methods=["GET"])
@require("account.self")
@blp.arguments(schemas.TaskQuerySchema, location="query")
@blp.response(200, schemas.TaskPageSchema)
def list_tasks(args):
    """Your organisation's review tasks, the earliest due first (by default the open, claimed and snoozed)."""
    rows, total = tasks.list_tasks(db.Session(), current_actor(), **args)
    return page_of(rows, total, args)


@blp.route("/tasks/<int:task_id>", methods=["GET"])
@require("task.read")
@blp.response(200, schemas.TaskSchema)
def get_task(task_id):
    """One review task (your organisation's; platform admins and analysts read anyone's)."""
    return tasks.get_task(db.Session(), current_actor(), task_id)


@blp.route("/tasks/<int:task_id>/state", methods=["POST"])
@require("task.work")
@blp.arguments(schemas.TaskStateSchema)
@blp.response(200, schemas.TaskSchema)
def change_state(data, task_id):
    """Claim, release (open), snooze (with `until` and `reason`), finish (done, with an optional `note`) or cancel
    (with a `note`) a task, sending the version you read (a stale one gets 409)."""
    return committed(tasks.change_state, task_id, data)
