"""Organisations, users, tokens and the audit trail: the use cases."""
from sqlalchemy import func, or_, select

from app.accounts import permissions
from app.accounts.auth import check_password, dummy_hash, hash_password, new_token
from app.accounts.models import ApiToken, AuditEvent, Organisation, OrganisationAuthority, User
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.registry.models import Authority

MIN_PASSWORD = 12


def create_organisation(session, *, name, kind, country=None, authority_ids=()):
    """Add an organisation; a government one may be tied to licensing authorities."""
    if session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise Conflict(f"An organisation named {name!r} exists already.", {"name": ["already exists"]})
    authority_ids = list(dict.fromkeys(authority_ids))
    known = set(session.scalars(select(Authority.id).where(Authority.id.in_(authority_ids))))
    unknown = {f"authority_ids[{i}]": [f"No licensing authority with id {a}."]
               for i, a in enumerate(authority_ids) if a not in known}
    if unknown:
        raise Invalid("Some licensing authorities do not exist.", unknown)
    organisation = Organisation(name=name, kind=kind, country=country)
    session.add(organisation)
    session.flush()
    for authority_id in authority_ids:
        session.add(OrganisationAuthority(organisation_id=organisation.id, authority_id=authority_id))
    session.flush()
    return organisation


def create_user(session, *, organisation_id, email, name, role, password):
    """Add a user with an argon2-hashed password."""
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)):
        raise Conflict(f"A user with e-mail {email} exists already.", {"email": ["already exists"]})
    user = User(organisation_id=organisation_id, email=email, name=name, role=role,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def authenticate(session, email, password):
    """The active user with this e-mail and password, or None."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        check_password(dummy_hash(), password or "")
        return None
    if not user.active or not check_password(user.password_hash, password or ""):
        return None
    return user


def record_sign_in(session, action, *, email, address, via, user=None):
    """Append a sign-in event ("sign_in", "sign_in_failed", "rate_limited"); never the password."""
    session.add(AuditEvent(at=utcnow(), actor_user_id=user.id if user else None,
                           actor_organisation_id=user.organisation_id if user else None,
                           organisation_id=user.organisation_id if user else None, action=action,
                           object_type="users", object_id=str(user.id) if user else None,
                           after={"email": (email or "").strip().lower()[:254], "address": address, "via": via}))
    session.flush()


def attempt_sign_in(session, email, password, *, address, via):
    """The active user these credentials belong to, or None; either way the attempt is audited."""
    user = authenticate(session, email, password)
    record_sign_in(session, "sign_in" if user else "sign_in_failed", email=email, address=address, via=via,
                   user=user or user_by_email(session, email))
    return user


def user_by_email(session, email):
    """The user with this e-mail (any state), or None."""
    return session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def end_sessions(user):
    """End every web session the user has, on every device (their cookies name an older epoch)."""
    user.session_epoch += 1


def change_password(session, actor, *, current_password, new_password):
    """The acting user replaces their password; their other sessions end. Returns the user."""
    user = session.get(User, actor.user_id)
    if not check_password(user.password_hash, current_password or ""):
        raise Invalid("The current password is not right.",
                      {"current_password": ["The current password is not right."]})
    if len(new_password or "") < MIN_PASSWORD:
        raise Invalid(f"Use {MIN_PASSWORD} characters or more.",
                      {"new_password": [f"Use {MIN_PASSWORD} characters or more."]})
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    session.flush()
    return user


def update_user(session, actor, user_id, *, version, **changes):
    """An admin changes a user of their organisation (platform admins: any user): name, role, active.

    Disabling a user ends their sessions at once (their API tokens stop working while they are disabled).
    """
    user = session.get(User, user_id)
    if user is None or not permissions.allowed(actor, "user.manage", user):
        raise NotFound(f"User {user_id} does not exist.")
    if version != user.version:
        raise Conflict(f"This user changed since you read it (you sent version {version}, it is now "
                       f"{user.version}); read it again and re-apply your change.", {"version": ["stale"]})
    if user.id == actor.user_id and (changes.get("active") is False or changes.get("role", user.role) != user.role):
        raise Conflict("You cannot disable yourself or change your own role; ask another admin.",
                       {"active" if changes.get("active") is False else "role": ["your own account"]})
    if user.active and changes.get("active") is False:
        end_sessions(user)
    for field, value in changes.items():
        setattr(user, field, value)
    session.flush()
    return user


def list_users(session, actor):
    """Users of the actor's organisation (all users for platform admins)."""
    query = select(User).order_by(User.id)
    if not actor.is_platform_admin:
        query = query.where(User.organisation_id == actor.organisation_id)
    return session.scalars(query).all()


def add_user(session, actor, *, organisation_id=None, **fields):
    """An admin adds a user to their own organisation (platform admins to any)."""
    organisation_id = organisation_id or actor.organisation_id
    if organisation_id != actor.organisation_id and not actor.is_platform_admin:
        raise Forbidden("Admins add users to their own organisation only.")
    if session.get(Organisation, organisation_id) is None:
        raise Invalid(f"Organisation {organisation_id} does not exist.", {"organisation_id": ["unknown"]})
    return create_user(session, organisation_id=organisation_id, **fields)


def create_token(session, actor, *, name, expires_at=None, read_only=False, now=None):
    """Issue an API token for the acting user; returns (row, raw token) and the raw token is never stored.

    A token made while acting through a read-only token is read-only too.
    """
    if expires_at is not None and expires_at <= (now or utcnow()):
        raise Invalid("A token's expiry must be in the future.", {"expires_at": ["not in the future"]})
    raw, digest = new_token()
    token = ApiToken(user_id=actor.user_id, organisation_id=actor.organisation_id, name=name,
                     prefix=raw[:10], token_hash=digest, expires_at=expires_at,
                     read_only=read_only or actor.read_only)
    session.add(token)
    session.flush()
    return token, raw


def list_tokens(session, actor):
    """The acting user's tokens."""
    return session.scalars(select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id)).all()


def token_state(token, now):
    """The token's state: revoked, expired or active."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def revoke_token(session, actor, token_id):
    """Revoke one of the actor's tokens (admins: any token of their organisation)."""
    token = session.get(ApiToken, token_id)
    allowed = token is not None and (
        token.user_id == actor.user_id
        or actor.is_platform_admin
        or (actor.role == "admin" and token.organisation_id == actor.organisation_id))
    if not allowed:
        raise NotFound(f"Token {token_id} does not exist.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def list_audit_events(session, actor, *, object_type=None, object_id=None, page=1, per_page=50):
    """Audit events the actor may read: all for platform admins; for others, those about their organisation's
    private data or made by its users."""
    query = select(AuditEvent)
    if not actor.is_platform_admin:
        query = query.where(or_(AuditEvent.organisation_id == actor.organisation_id,
                                AuditEvent.actor_organisation_id == actor.organisation_id))
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == str(object_id))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total
