"""Sign-in, sign-out, password and API tokens, as web pages."""
from datetime import datetime, time, timezone

from flask import Blueprint, flash, redirect, render_template, request, session as web_session, url_for
from flask_babel import gettext

from app import db
from app.accounts import auth, permissions, service, throttle
from app.accounts.audit import set_actor
from app.accounts.models import User
from app.db import utcnow
from app.errors import Invalid, Unauthorized

bp = Blueprint("accounts_web", __name__)


@bp.route("/login", methods=["GET", "POST"])
@throttle.limited(*throttle.SIGN_IN)
def login():
    """Sign in with e-mail and password."""
    error = None
    if request.method == "POST":
        session = db.Session()
        user = service.attempt_sign_in(session, request.form.get("email"), request.form.get("password"),
                                       address=request.remote_addr, via="web")
        session.commit()
        if user is None:
            error = gettext("That e-mail and password do not match an active account.")
        else:
            auth.sign_in(user)
            return redirect(url_for("console_web.home"))
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """Sign out: every session of this account ends, on every device, so a copied cookie is worthless."""
    actor = auth.current_actor()
    if actor is not None:
        session = db.Session()
        service.end_sessions(session.get(User, actor.user_id))
        session.commit()
    web_session.clear()
    return redirect(url_for("web.home"))


def signed_in(why):
    """The signed-in Actor, or raise Unauthorized saying why a sign-in is needed (`why`: a whole sentence)."""
    actor = auth.current_actor()
    if not permissions.admitted(actor, "account.self"):
        raise Unauthorized(why)
    return actor


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    """Change your password; your other sessions end, this one goes on."""
    actor = signed_in(gettext("Sign in to change your password."))
    errors = {}
    if request.method == "POST":
        session = db.Session()
        set_actor(session, actor.user_id, actor.organisation_id)
        if request.form.get("new_password") != request.form.get("confirm_password"):
            errors = {"confirm_password": [gettext("The two new passwords differ.")]}
        else:
            try:
                user = service.change_password(session, actor, current_password=request.form.get("current_password"),
                                               new_password=request.form.get("new_password"))
            except Invalid as err:
                session.rollback()
                errors = err.errors
            else:
                session.commit()
                auth.sign_in(user)
                flash(gettext("Password changed. Your other sessions have been signed out."))
                return redirect(url_for("accounts_web.password"))
    return render_template("password.html", errors=errors), 422 if errors else 200


def end_of_day(text):
    """The end (UTC) of a date typed as YYYY-MM-DD, or None when empty."""
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise Invalid(gettext("Give the expiry date as YYYY-MM-DD."), {"expires_on": [gettext("not a date")]}) from None
    return datetime.combine(day, time.max, tzinfo=timezone.utc)


@bp.route("/account/tokens", methods=["GET", "POST"])
@throttle.limited(*throttle.TOKENS)
def tokens():
    """List, create and revoke your API tokens."""
    actor = signed_in(gettext("Sign in to manage your API tokens."))
    session = db.Session()
    new_token, errors = None, {}
    if request.method == "POST":
        set_actor(session, actor.user_id, actor.organisation_id)
        revoke = request.form.get("revoke", type=int)
        try:
            if revoke:
                service.revoke_token(session, actor, revoke)
                flash(gettext("Token revoked."))
            else:
                name = (request.form.get("name") or "").strip()[:100] or "unnamed"
                _, new_token = service.create_token(session, actor, name=name,
                                                    expires_at=end_of_day(request.form.get("expires_on")),
                                                    read_only=bool(request.form.get("read_only")))
        except Invalid as err:
            session.rollback()
            errors = {"expires_on": err.errors.get("expires_at", err.errors.get("expires_on", [err.message]))}
        else:
            session.commit()
    now = utcnow()
    listed = [(token, service.token_state(token, now)) for token in service.list_tokens(session, actor)]
    return render_template("tokens.html", tokens=listed, new_token=new_token, errors=errors), 422 if errors else 200
