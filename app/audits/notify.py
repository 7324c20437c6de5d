"""Sending notifications: the message of an event in words, e-mail over SMTP, webhooks signed with HMAC-SHA256.

Pure of the database: the delivery sweep (app/audits/deliver.py) hands over what to send and records the outcome.
"""
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.request

MESSAGES = {
    "notify.task_due": "A review of {entity_name} is due on {due_on} ({reason}).",
    "notify.licence_expiring": "Licence {number} of {entity_name} ends on {valid_until}, in {days} days.",
    "notify.licence_expired": "Licence {number} of {entity_name} ended on {valid_until}.",
    "notify.tier_changed": "The risk tier of {entity_name} changed from {from} to {to}.",
    "notify.new_hit": "A possible match of {entity_name} on the watchlist {source} ({matched_name}) is under review.",
    "notify.action_overdue": "A corrective action for {entity_name} passed its deadline of {deadline}.",
}
SIGNATURE_HEADER = "X-FairRecruit-Signature"
USER_AGENT = "FairRecruit-Webhook/1"


class Missing(dict):
    """Parameters for str.format_map: a parameter the event lacks reads as a question mark, never an error."""

    def __missing__(self, key):
        return "?"


def render(payload):
    """The English sentence of a stored message id with its parameters."""
    template = MESSAGES.get(payload.get("message"), "{message}")
    return template.format_map(Missing(payload.get("params") or {}, message=payload.get("message")))


@dataclass(frozen=True)
class Outgoing:
    """One delivery to make: its key (the same on every try) and what the event says."""

    delivery_id: int
    key: str
    event: dict  # id, kind, organisation_id, entity_id, created_at, message, params


def body(outgoing):
    """The JSON a webhook receives, as bytes (the signature covers exactly these)."""
    event = dict(outgoing.event, text=render(outgoing.event))
    return json.dumps({"delivery": outgoing.key, "event": event}, sort_keys=True).encode()


def signature(secret, data):
    """The X-FairRecruit-Signature header's value: sha256=<hex HMAC-SHA256 of the body with the secret>."""
    return "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook is POSTed to the URL its organisation gave, never to wherever an answer points."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def send_webhook(url, secret, outgoing, timeout):
    """POST the event; None when the endpoint answered 2xx, else what went wrong (for last_error)."""
    data = body(outgoing)
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT, "Idempotency-Key": outgoing.key,
        SIGNATURE_HEADER: signature(secret, data)})
    try:
        with OPENER.open(request, timeout=timeout) as response:  # checked https URL (http: loopback, development)
            response.read(1024)
            return None
    except urllib.error.HTTPError as err:
        return f"HTTP {err.code} from the endpoint"
    except (urllib.error.URLError, OSError) as err:
        return f"could not reach the endpoint: {getattr(err, 'reason', err)}"


@dataclass(frozen=True)
class Mail:
    """One e-mail: to whom, about what; `key` makes its Message-ID, the same on every try."""

    key: str
    to: str
    subject: str
    text: str


def message(mail, sender):
    """The e-mail as sent."""
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, mail.to, mail.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = f"<{mail.key}@fairrecruit>"
    email.set_content(mail.text)
    return email


def send_mails(config, mails):
    """Send these e-mails over one SMTP connection: {key: None when accepted, else what went wrong}."""
    if not mails:
        return {}
    host = config.get("SMTP_HOST")
    if not host:
        return dict.fromkeys((mail.key for mail in mails), "no SMTP server is configured (SMTP_HOST)")
    try:
        smtp = smtplib.SMTP(host, config["SMTP_PORT"], timeout=config["NOTIFY_TIMEOUT"])
    except (OSError, smtplib.SMTPException) as err:
        return dict.fromkeys((mail.key for mail in mails), f"could not reach the SMTP server {host}: {err}")
    outcomes = {}
    try:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        for mail in mails:
            try:
                smtp.send_message(message(mail, config["SMTP_FROM"]))
                outcomes[mail.key] = None
            except smtplib.SMTPRecipientsRefused as err:
                outcomes[mail.key] = f"the SMTP server refused the recipient: {err.recipients}"[:300]
            except smtplib.SMTPResponseException as err:
                outcomes[mail.key] = f"the SMTP server answered {err.smtp_code}"
    except (OSError, smtplib.SMTPException) as err:
        for mail in mails:
            outcomes.setdefault(mail.key, f"the SMTP session failed: {err}"[:300])
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return outcomes


def event_mail(key, to, event):
    """The e-mail of one event."""
    text = render(event)
    return Mail(key, to, f"FairRecruit: {text}"[:200], f"{text}\n\n(event {event['id']}, {event['created_at']})\n")


def digest_mail(key, to, events, day):
    """The daily digest: the day's events in one e-mail, oldest first."""
    lines = [f"- {render(event)}" for event in events]
    return Mail(key, to, f"FairRecruit: {len(events)} notification{'s' if len(events) != 1 else ''} of {day}",
                f"What happened on {day}:\n\n" + "\n".join(lines) + "\n")
