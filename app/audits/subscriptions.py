"""What each organisation hears of and how: subscriptions (e-mail, webhook, daily digest) and their deliveries,
with the dead ones an admin may send again."""
import ipaddress
import secrets
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from app.accounts import permissions
from app.accounts.models import User
from app.audits.outbox_models import Delivery, Subscription
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound

LOOPBACK_NAMES = {"localhost"}


def webhook_problem(url, development):
    """What makes a webhook URL unusable, or None: https only (http to this machine's loopback in development
    and tests), a host, no credentials in it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as err:
        return f"not a URL ({err})"
    if parts.scheme not in ("https", "http"):
        return "must start with https://"
    if not parts.hostname:
        return "has no host"
    if parts.username or parts.password:
        return "must not carry a user name or password (the signature authenticates us)"
    if parts.fragment:
        return "must not have a #fragment"
    if parts.scheme == "http" and not (development and loopback(parts.hostname)):
        return ("must use https (http is allowed only to 127.0.0.1, ::1 or localhost, and only in development "
                "and tests)")
    if not development and internal(parts.hostname):
        return "must not point at a loopback, private or link-local address"
    return None


def internal(host):
    """Whether a host is an IP address of this machine or a private network (names are not resolved here)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def loopback(host):
    """Whether a host name is this machine's loopback."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_subscription(session, actor, data, *, development):
    """Subscribe the actor's organisation; a webhook gets a new secret, returned once: (row, secret or None)."""
    channel, errors = data["channel"], {}
    secret = None
    if channel == "webhook":
        problem = webhook_problem(data.get("url") or "", development) if data.get("url") else "required for a webhook"
        if problem:
            errors["url"] = [problem]
        if data.get("user_id") is not None:
            errors["user_id"] = ["a webhook has no user: leave it out"]
        secret = "whsec_" + secrets.token_urlsafe(32)
    else:
        if data.get("url"):
            errors["url"] = [f"only webhooks have a URL; {channel} goes to a user's e-mail address"]
        user_id = data.get("user_id") or actor.user_id
        user = session.get(User, user_id) if user_id else None
        if user is None or user.organisation_id != actor.organisation_id or not user.active:
            errors["user_id"] = [f"no active user {user_id} in your organisation"]
    if errors:
        raise Invalid("The subscription is not valid.", errors)
    subscription = Subscription(organisation_id=actor.organisation_id, channel=channel,
                                events=sorted(set(data["events"])), url=data.get("url") if channel == "webhook" else None,
                                user_id=None if channel == "webhook" else user_id, secret=secret,
                                created_by_user_id=actor.user_id)
    session.add(subscription)
    session.flush()
    return subscription, secret


def list_subscriptions(session, actor):
    """The organisation's active subscriptions (never their secrets)."""
    return session.scalars(select(Subscription).where(Subscription.organisation_id == actor.organisation_id,
                                                      Subscription.deleted_at.is_(None))
                           .order_by(Subscription.id)).all()


def get_subscription(session, actor, subscription_id):
    """One active subscription of the actor's organisation (another's answers 404)."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or subscription.deleted_at is not None:
        raise NotFound(f"No subscription {subscription_id}.")
    permissions.check(actor, "notification.manage", subscription, hide=True, what=f"subscription {subscription_id}")
    return subscription


def delete_subscription(session, actor, subscription_id, now=None):
    """End a subscription: nothing more is sent through it, and its waiting deliveries are cancelled."""
    subscription = get_subscription(session, actor, subscription_id)
    subscription.deleted_at = now or utcnow()
    session.execute(update(Delivery.__table__).where(Delivery.subscription_id == subscription.id,
                                                     Delivery.state.in_(("pending", "dead")))
                    .values(state="cancelled"))
    session.flush()


def list_deliveries(session, actor, state=None, page=1, per_page=50):
    """The organisation's deliveries, newest first (state: pending, delivered, dead, cancelled), and the total."""
    where = [Delivery.organisation_id == actor.organisation_id]
    if state:
        where.append(Delivery.state == state)
    total = session.scalar(select(func.count()).select_from(Delivery).where(*where))
    rows = session.scalars(select(Delivery).where(*where).order_by(Delivery.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def retry_delivery(session, actor, delivery_id, now=None):
    """Send a dead delivery again, as at first: a full set of attempts, from now."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id}.")
    permissions.check(actor, "notification.manage", delivery, hide=True, what=f"delivery {delivery_id}")
    if delivery.state != "dead":
        raise Conflict(f"Delivery {delivery_id} is {delivery.state}: only dead deliveries are retried.",
                      {"state": [f"is {delivery.state}, not dead"]})
    delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, now or utcnow()
    session.flush()
    return delivery
