"""Who is asking: bearer tokens for the API, the signed-in session for the web; roles per route."""
from dataclasses import dataclass
from functools import cache, wraps
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import g, request, session as web_session
from sqlalchemy import select

from app import db
from app.accounts import permissions
from app.accounts.audit import set_actor
from app.accounts.models import ApiToken, Organisation, OrganisationAuthority, User
from app.db import utcnow
from app.errors import Forbidden, Unauthorized

hasher = PasswordHasher()
TOKEN_PREFIX = "fr_"

READ_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Actor:
    """A signed-in user as the services see them."""

    user_id: int
    email: str
    role: str
    organisation_id: int
    organisation_kind: str
    authority_ids: frozenset = frozenset()
    # Acting through a read-only API token: reads only.
    read_only: bool = False

    @property
    def is_platform_admin(self):
        return permissions.platform_admin(self)


def hash_password(password):
    """An argon2 hash of the password."""
    return hasher.hash(password)


@cache
def dummy_hash():
    """The hash checked when no user has the e-mail: sign-in takes the same time whether or not it exists.

    Made at the first sign-in, not at import: every command and worker start would pay for it (0.1-0.5 s).
    """
    return hasher.hash("no such user")


def check_password(password_hash, password):
    """True if password matches the hash."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token():
    """A fresh random token and its SHA-256 (tokens are long random strings, so a fast hash is enough)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return raw, token_digest(raw)


def token_digest(raw):
    """The stored form of a token."""
    return hashlib.sha256(raw.encode()).hexdigest()


def actor_for(session, user, organisation_id=None):
    """Build the Actor of an active user (a token pins the organisation)."""
    organisation = session.get(Organisation, organisation_id or user.organisation_id)
    return Actor(user.id, user.email, user.role, organisation.id, organisation.kind,
                 authorities_of(session, organisation.id))


def authorities_of(session, organisation_id):
    """The licensing authorities an organisation manages (a regulator's)."""
    return frozenset(session.scalars(select(OrganisationAuthority.authority_id)
                                     .where(OrganisationAuthority.organisation_id == organisation_id)))


def organisation_reader(session, organisation_id):
    """An organisation as a reader with no user: what every one of its users may read (a viewer's view), for
    what a credential other than a user opens (a calendar feed's token)."""
    organisation = session.get(Organisation, organisation_id)
    return Actor(None, "", "viewer", organisation.id, organisation.kind, authorities_of(session, organisation.id),
                 read_only=True)


def actor_from_token(session, raw, now=None):
    """The Actor behind a bearer token, or raise Unauthorized."""
    # One query for the token, its user, organisation and authorities (a row per authority): every request
    # with a token pays for it, and it reads them afresh, so a revoked token or disabled user is refused at once.
    rows = session.execute(
        select(ApiToken.revoked_at, ApiToken.expires_at, ApiToken.read_only, ApiToken.organisation_id,
               User.id.label("user_id"), User.email, User.role, User.active,
               User.organisation_id.label("user_organisation_id"), Organisation.kind,
               OrganisationAuthority.authority_id)
        .join(User, User.id == ApiToken.user_id).join(Organisation, Organisation.id == ApiToken.organisation_id)
        .outerjoin(OrganisationAuthority, OrganisationAuthority.organisation_id == ApiToken.organisation_id)
        .where(ApiToken.token_hash == token_digest(raw))).all()
    token = rows[0] if rows else None
    now = now or utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        raise Unauthorized("The API token is not valid: it is unknown, revoked or expired.")
    if not token.active or token.user_organisation_id != token.organisation_id:
        raise Unauthorized("The API token is not valid: its user is disabled or has moved organisation.")
    authority_ids = frozenset(row.authority_id for row in rows if row.authority_id is not None)
    return Actor(token.user_id, token.email, token.role, token.organisation_id, token.kind, authority_ids,
                 read_only=token.read_only)


def sign_in(user):
    """Start a web session for the user, in their current session epoch."""
    web_session.clear()
    web_session["user_id"] = user.id
    web_session["epoch"] = user.session_epoch


def user_of_session(session):
    """The active user the signed cookie names, if its epoch is still current; else None."""
    user = session.get(User, web_session["user_id"])
    if user is None or not user.active or web_session.get("epoch") != user.session_epoch:
        return None
    return user


def load_actor():
    """Resolve g.actor for this request: a bearer token, else (web pages, API reads) the signed-in session."""
    session = db.Session()
    g.actor = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthorized("Send the API token as 'Authorization: Bearer <token>'.")
        g.actor = actor_from_token(session, raw.strip())
        if g.actor.read_only and request.method not in READ_METHODS:
            raise Forbidden(f"This API token is read-only: it may only read ({', '.join(READ_METHODS)}), "
                            f"not {request.method}. Create a token without read_only to make changes.")
    elif "user_id" in web_session:
        # The API takes cookies only for reads: writes need a token, so no cross-site form can make them.
        if not request.path.startswith("/api/") or request.method in READ_METHODS:
            user = user_of_session(session)
            if user is not None:
                g.actor = actor_for(session, user)
            else:
                web_session.clear()
    if g.actor:
        set_actor(session, g.actor.user_id, g.actor.organisation_id)


def current_actor():
    """The Actor of this request, or None when anonymous."""
    return g.get("actor")


def require(*actions):
    """Let the route run only for actors admitted to one of these actions (app/accounts/permissions.py); the
    service checks the record itself."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            actor = current_actor()
            if not any(permissions.admitted(actor, action) for action in actions):
                permissions.check(actor, actions[0])
            return view(*args, **kwargs)
        wrapped.permissions = actions
        return wrapped
    return decorator
