"""The review queue of watchlist hits, and one hit with its explanation and a decision form."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from app import db
from app.accounts import permissions
from app.accounts.audit import set_actor
from app.accounts.auth import current_actor
from app.errors import AppError, Unauthorized
from app.registry.service import get_entity
from app.screening import review
from app.screening.models import DISMISS_REASONS, HIT_STATES

bp = Blueprint("screening_web", __name__)


def reader():
    """The signed-in actor, who must be allowed to read hits."""
    actor = current_actor()
    if actor is None:
        raise Unauthorized(gettext("Sign in to review watchlist hits."))
    permissions.check(actor, "hit.read", what="Reading watchlist hits")
    return actor


@bp.get("/hits")
def queue():
    """Hits waiting for a decision (or in another state), best scores first."""
    reader()
    state = request.args.get("state", "open")
    state = state if state in HIT_STATES else "open"
    page = max(request.args.get("page", 1, type=int), 1)
    hits, total = review.list_hits(db.Session(), state=state, source=request.args.get("list") or None,
                                   page=page, per_page=50)
    return render_template("hits.html", hits=hits, total=total, state=state, states=HIT_STATES, page=page)


@bp.route("/hits/<int:hit_id>", methods=["GET", "POST"])
def hit_page(hit_id):
    """One hit: what matched and why, the list entry, its history, and the decision form."""
    actor = reader()
    session = db.Session()
    error = None
    if request.method == "POST":
        set_actor(session, actor.user_id, actor.organisation_id)
        decision = {"state": request.form.get("state"), "reason": request.form.get("reason") or None,
                    "note": request.form.get("note"), "version": request.form.get("version", type=int)}
        try:
            review.decide(session, hit_id, decision, actor=actor)
            session.commit()
            flash(gettext("Hit %(id)s is now %(state)s.", id=hit_id, state=decision["state"]))
            return redirect(url_for("screening_web.queue"))
        except AppError as err:
            session.rollback()
            if err.status in (403, 404) or err.status >= 500:
                raise
            error = err.message + " " + "; ".join(f"{k}: {', '.join(v)}" for k, v in err.errors.items())
    found = review.get_hit(session, hit_id)
    return render_template("hit.html", hit=found, entity=get_entity(session, found.entity_id),
                           history=review.hit_history(session, hit_id), reasons=DISMISS_REASONS,
                           states=HIT_STATES, may_decide=review.may_decide(actor, found), error=error), 422 if error else 200
