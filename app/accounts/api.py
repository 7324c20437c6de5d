"""Accounts API: who am I, users, organisations, tokens, audit log."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from app import db
from app.accounts import service, throttle
from app.accounts.auth import actor_for, current_actor, require
from app.accounts.schemas import (AuditPageSchema, AuditQuerySchema, MeSchema, NewTokenSchema, OrganisationSchema,
                                  PasswordChangeSchema, TokenCreateSchema, TokenSchema, UserSchema, UserUpdateSchema)
from app.errors import Unauthorized

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts, API tokens and the audit log")


@blp.route("/me")
@require("account.self")
@blp.response(200, MeSchema)
def me():
    """Who the token or session belongs to."""
    return current_actor()


@blp.route("/me/password", methods=["POST"])
@require("account.self")
@blp.arguments(PasswordChangeSchema)
@blp.response(204)
def change_password(data):
    """Change your password; every web session you have ends (API tokens keep working)."""
    session = db.Session()
    service.change_password(session, current_actor(), **data)
    session.commit()


@blp.route("/tokens")
class Tokens(MethodView):
    @require("account.self")
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """List your API tokens (never the tokens themselves)."""
        return service.list_tokens(db.Session(), current_actor())

    # No require(): an API-only user signs in here with e-mail and password (rate limited).
    @throttle.limited(*throttle.SIGN_IN, *throttle.TOKENS)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, data):
        """Create an API token; the response is the only time it is shown.

        Signed in (or with a token), send its name; an API-only user sends their e-mail and password too.
        """
        session = db.Session()
        email, password = data.pop("email", None), data.pop("password", None)
        actor = current_actor()
        if actor is None:
            user = service.attempt_sign_in(session, email, password, address=request.remote_addr, via="api")
            session.commit()
            if user is None:
                raise Unauthorized("That e-mail and password do not match an active account.")
            actor = actor_for(session, user)
        token, raw = service.create_token(session, actor, **data)
        session.commit()
        token.raw = raw  # a plain attribute for this response only; the column holds the hash
        return token


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@require("account.self")
@blp.response(204)
def revoke(token_id):
    """Revoke a token: it stops working at once."""
    session = db.Session()
    service.revoke_token(session, current_actor(), token_id)
    session.commit()


@blp.route("/users")
class Users(MethodView):
    @require("user.manage")
    @blp.response(200, UserSchema(many=True))
    def get(self):
        """List the users of your organisation."""
        return service.list_users(db.Session(), current_actor())

    @require("user.manage")
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Add a user to your organisation."""
        session = db.Session()
        user = service.add_user(session, current_actor(), **data)
        session.commit()
        return user


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@require("user.manage")
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
def update_user(data, user_id):
    """Rename a user, change their role, or disable (active: false) or enable them; send the version you read."""
    session = db.Session()
    user = service.update_user(session, current_actor(), user_id, **data)
    session.commit()
    return user


@blp.route("/organisations", methods=["POST"])
@require("organisation.create")
@blp.arguments(OrganisationSchema)
@blp.response(201, OrganisationSchema)
def create_organisation(data):
    """Add an organisation (platform admins only)."""
    session = db.Session()
    organisation = service.create_organisation(session, **data)
    session.commit()
    return organisation


@blp.route("/audit-events")
@require("audit.read")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
def audit_events(args):
    """Read the audit log: every change, who made it, before and after."""
    rows, total = service.list_audit_events(db.Session(), current_actor(), **args)
    return {"items": rows, "meta": {"page": args["page"], "per_page": args["per_page"], "total": total}}
