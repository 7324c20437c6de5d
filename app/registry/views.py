"""An agency's or employer's page for signed-in users (what the API shows them, app/registry/record.py), with its
forms: follow or unfollow, a note, a fee line, practices, a licence's status, a correction. Each form posts to its
own route, calls the service the API calls and is checked by app/accounts/permissions.py; bad input shows the page
again (422) with the errors beside the fields and nothing saved, success redirects with a message."""
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext
from marshmallow import ValidationError

from app import db
from app.accounts import permissions
from app.accounts.auth import current_actor
from app.errors import Conflict, Invalid, NotFound, Unauthorized
from app.registry import change_requests, private, record, service, vocab
from app.registry.labels import labels, words
from app.registry.schemas import ChangeProposalSchema, NoteSchema, PortfolioEntrySchema, StatusChangeSchema
from app.scoring import service as scoring
from app.scoring.models import FeeLine, PRACTICES, PracticeAssessment
from app.scoring.schemas import FeeLineSchema, PracticeSchema
from app.web.forms import field_errors, form_data
from app.web.i18n import direction, language

bp = Blueprint("registry_web", __name__)
FEE_FIELDS = ("source", "category", "amount", "currency", "paid_by", "stage", "observed_on", "note")
PRACTICE_FIELDS = ("source", "assessed_on", "fee_survey_done", *PRACTICES)
STATUS_FIELDS = ("version", "status", "status_raw", "effective_on", "reason")
# The profile fields a correction form offers (people and addresses are corrected through the API).
CORRECTABLE = ("legal_name", "country", "website", "sectors", "aliases", "identifiers")
LIST_SEPARATORS = re.compile(r"[;\n]")


def reader(entity_id):
    """The signed-in actor; anonymous readers are sent to sign in, or to the agency's public page."""
    actor = current_actor()
    if actor is None:
        raise Unauthorized(gettext("Sign in to see the full record. Anyone can check an agency's licence on its "
                                   "public page: %(path)s", path=url_for("web.agency", entity_id=entity_id)))
    permissions.check(actor, "account.self")
    return actor


def writer(action, what, entity_id):
    """The signed-in actor, admitted to the action (the service checks the record itself)."""
    actor = reader(entity_id)
    permissions.check(actor, action, what=what)
    return actor


def render_page(actor, entity_id, failed=None, errors=None, message=None, status=200):
    """The page; after refused input, the form it came from (`failed`), its errors and what was typed."""
    found = record.read(db.Session(), actor, entity_id, rtl=direction(language()) == "rtl")
    return render_template(
        "entity/page.html", **found, failed=failed, errors=errors or {}, message=message, labels=labels(),
        words=words(), typed=request.form if failed else {}, sectors=vocab.SECTORS), status


def save(actor, entity_id, form, change, done, anchor, to_field=None):
    """Make one change from a form and commit it, then go back to the page with a message (`done(result)`);
    bad input shows the page again with the errors beside the fields of `form`, nothing saved."""
    session = db.Session()
    try:
        result = change(session)
    except ValidationError as err:
        session.rollback()
        return render_page(actor, entity_id, form, field_errors(err.messages, to_field), None, 422)
    except (Invalid, Conflict) as err:
        session.rollback()
        message = err.message
        if isinstance(err, Conflict) and "version" in err.errors:
            message = gettext("This changed since you opened the page; it is shown again as it is now. "
                              "Make your change again if it is still needed.")
        return render_page(actor, entity_id, form, field_errors(err.errors, to_field), message, err.status)
    session.commit()
    flash(done(result))
    return redirect(url_for("registry_web.entity", entity_id=entity_id, _anchor=anchor), 303)


@bp.get("/entities/<int:entity_id>")
def entity(entity_id):
    """The full record as the actor may read it, with the forms the actor may use."""
    return render_page(reader(entity_id), entity_id)


@bp.post("/entities/<int:entity_id>/follow")
def follow(entity_id):
    """Add the entity to the organisation's portfolio."""
    actor = writer("private.write", "Following agencies and employers", entity_id)

    def change(session):
        data = PortfolioEntrySchema().load({**form_data(request.form, ("label",)), "entity_id": entity_id})
        try:
            return private.add_to_portfolio(session, actor, entity_id, data.get("label"))
        except Conflict:
            raise Conflict(gettext("Your organisation follows it already.")) from None

    return save(actor, entity_id, "follow", change, lambda _: gettext("Added to your organisation's portfolio."),
                "portfolio")


@bp.post("/entities/<int:entity_id>/unfollow")
def unfollow(entity_id):
    """Take the entity out of the organisation's portfolio."""
    actor = writer("private.write", "Following agencies and employers", entity_id)
    session = db.Session()
    service.get_entity(session, entity_id)
    entry = record.followed(session, actor, entity_id)
    if entry is None:
        raise NotFound(gettext("Your organisation does not follow it."))
    private.remove_from_portfolio(session, actor, entry.id)
    session.commit()
    flash(gettext("Taken out of your organisation's portfolio."))
    return redirect(url_for("registry_web.entity", entity_id=entity_id, _anchor="portfolio"), 303)


@bp.post("/entities/<int:entity_id>/notes")
def add_note(entity_id):
    """Write a note only the organisation reads."""
    actor = writer("private.write", "Writing notes", entity_id)
    return save(actor, entity_id, "note", lambda session: private.add_note(
        session, actor, entity_id, NoteSchema().load(form_data(request.form, ("body",)))["body"]),
        lambda _: gettext("Note saved. Only your organisation reads it."), "notes")


def scored(entity_id):
    """A message with the entity's tier after new evidence."""
    score = scoring.current_score(db.Session(), entity_id)
    total = "-" if score.total is None else format_decimal(score.total, "#,##0")
    return gettext("Recorded, and scored again: risk tier %(tier)s, score %(score)s of 100 (a higher score means a "
                   "lower risk).", tier=words()["tier"].get(score.tier, score.tier), score=total)


@bp.post("/entities/<int:entity_id>/fee-lines")
def record_fee_line(entity_id):
    """Record a fee or cost a worker, employer or agency paid; the entity is scored again."""
    actor = writer("evidence.record", "Recording evidence", entity_id)
    return save(actor, entity_id, "fee-line", lambda session: scoring.add_evidence(
        session, actor, entity_id, FeeLine, FeeLineSchema().load(form_data(request.form, FEE_FIELDS, ("repaid",)))),
        lambda _: scored(entity_id), "score")


@bp.post("/entities/<int:entity_id>/practices")
def record_practices(entity_id):
    """Record what a self-assessment or an audit found of the entity's practices; it is scored again."""
    actor = writer("evidence.record", "Recording evidence", entity_id)
    return save(actor, entity_id, "practices", lambda session: scoring.add_evidence(
        session, actor, entity_id, PracticeAssessment, PracticeSchema().load(form_data(request.form,
                                                                                       PRACTICE_FIELDS))),
        lambda _: scored(entity_id), "score")


@bp.post("/licences/<int:licence_id>/status")
def change_licence_status(licence_id):
    """Change a licence's status (registrars of the issuing authority, platform admins), from the version shown."""
    licence = service.get_licence(db.Session(), licence_id)
    actor = reader(licence.entity_id)
    permissions.check(actor, "licence.record", licence, what=f"Changing a {licence.authority.code} licence's status")
    entity_id = licence.entity_id
    return save(actor, entity_id, f"licence-{licence_id}", lambda session: service.change_licence_status(
        session, actor, licence_id, StatusChangeSchema().load(form_data(request.form, STATUS_FIELDS,
                                                                        ("reason_public",)))),
        lambda changed: gettext("Licence %(number)s: status recorded.", number=changed.number),
        f"licence-{licence_id}")


def proposed(form):
    """The correction a form proposes: ({field: value as the API takes it}, reason), or ValidationError."""
    data = form_data(form, ("field", "value", "reason"))
    field, value = data.get("field"), data.get("value", "")
    errors = {name: [gettext("Fill this in.")] for name in ("value", "reason") if name not in data}
    if field not in CORRECTABLE:
        errors["field"] = [gettext("Choose the field to correct.")]
    if errors:
        raise ValidationError(errors)
    items = [item.strip() for item in LIST_SEPARATORS.split(value) if item.strip()]
    if field == "sectors":
        value = items
    elif field == "aliases":
        value = [{"name": name} for name in items]
    elif field == "identifiers":
        if any(":" not in item for item in items):
            raise ValidationError({"value": [gettext("Write each identifier as scheme:value, for example "
                                                     "company_registration:12345.")]})
        value = [dict(zip(("scheme", "value"), (part.strip() for part in item.split(":", 1)))) for item in items]
    loaded = ChangeProposalSchema().load({"fields": {field: value}, "reason": data["reason"]})
    return loaded["proposed"], loaded["reason"]


@bp.post("/entities/<int:entity_id>/corrections")
def propose_correction(entity_id):
    """Propose a correction of the profile, with a reason; the entity's stewards accept or reject it."""
    actor = writer("change.propose", "Proposing a correction", entity_id)

    def change(session):
        fields, reason = proposed(request.form)
        return change_requests.propose(session, actor, entity_id, fields, reason)

    return save(actor, entity_id, "correction", change,
                lambda change: gettext("Correction %(id)s proposed; the record's stewards will accept or reject "
                                       "it.", id=change.id), "correction",
                to_field=lambda path: "reason" if path == "reason" else "value")
