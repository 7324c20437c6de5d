"""Sign-in, sign-out and API tokens, as web pages."""
from flask import Blueprint, flash, redirect, render_template, request, session as web_session, url_for

from app import db
from app.accounts import service
from app.accounts import permissions
from app.accounts.auth import current_actor
from app.accounts.audit import set_actor

bp = Blueprint("accounts_web", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password."""
    error = None
    if request.method == "POST":
        user = service.authenticate(db.Session(), request.form.get("email"), request.form.get("password"))
        if user is None:
            error = "That e-mail and password do not match an active account."
        else:
            web_session.clear()
            web_session["user_id"] = user.id
            return redirect(url_for("web.home"))
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """Sign out."""
    web_session.clear()
    return redirect(url_for("web.home"))


@bp.route("/account/tokens", methods=["GET", "POST"])
def tokens():
    """List, create and revoke your API tokens."""
    actor = current_actor()
    permissions.check(actor, "account.self", what="Managing API tokens")
    session = db.Session()
    new_token = None
    if request.method == "POST":
        set_actor(session, actor.user_id, actor.organisation_id)
        revoke = request.form.get("revoke", type=int)
        if revoke:
            service.revoke_token(session, actor, revoke)
            flash("Token revoked.")
        else:
            name = (request.form.get("name") or "").strip()[:100] or "unnamed"
            _, new_token = service.create_token(session, actor, name=name)
        session.commit()
    return render_template("tokens.html", actor=actor, tokens=service.list_tokens(session, actor),
                           new_token=new_token)
