"""Reports coming in (from a worker without an account, or filed by a partner organisation), and what the
reporter does later with the receipt code: check the status, add to the account, withdraw and erase."""
import json
import logging
import uuid

from sqlalchemy import exists, select, text

from app.accounts.models import Organisation, User
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.registry.models import Licence
from app.registry.names import licence_key
from app.registry.service import referenced_entity
from app.reports import attachments as files, crypto
from app.reports.models import (Report, ReportAddition, ReportAttachment, ReportNote, ReportStateChange)
from app.reports.vocab import categories_of
from app.scoring import rescoring

log = logging.getLogger(__name__)
ANSWERS = ("fees", "documents_kept", "contract", "wages_withheld", "deceived", "threats_or_violence", "in_debt")
# Cleared on withdrawal with the sealed parts: what the worker said and anything that could point to them.
ERASED = ANSWERS + ("sealed_account", "sealed_contact", "wrapped_key", "key_id", "reporter_key", "agency_name",
                    "agency_licence_number", "employer_name", "employer_entity_id", "period_from", "period_until",
                    "origin_country", "destination_country", "verified_categories", "verified_at",
                    "verified_by_user_id", "assigned_to_user_id")


def receivers(session):
    """Organisations that take reports: those with an active case handler."""
    handles = exists().where(User.organisation_id == Organisation.id, User.role == "case_handler", User.active)
    return session.scalars(select(Organisation).where(handles).order_by(Organisation.name)).all()


def check_receiver(session, organisation_id):
    if organisation_id not in {organisation.id for organisation in receivers(session)}:
        raise Invalid("That organisation does not take reports; pick one from GET /api/v1/reports/receivers.",
                      {"receiver_id": [f"No organisation with id {organisation_id} takes reports."]})


def cleaned_attachments(items, limits, where="attachments"):
    """[(name, media type, bytes)] of the uploads, or Invalid naming each bad one (nothing is stored before)."""
    max_bytes, most = limits
    if len(items) > most:
        raise Invalid(f"At most {most} attachments to a report.", {where: [f"{len(items)} sent, at most {most}"]})
    found, problems = [], {}
    for index, item in enumerate(items):
        try:
            media_type, content = files.clean(item["content"], max_bytes)
        except files.Refused as err:
            problems[f"{where}[{index}].content"] = [str(err)]
            continue
        found.append((item["name"], media_type, content))
    if problems:
        raise Invalid("An attachment was refused; nothing was stored.", problems)
    return found


def agency_of(session, agency):
    """The registered agency a report names, by id or licence number (None when it is not registered)."""
    if agency.get("entity_id"):
        return referenced_entity(session, agency["entity_id"], "agency.entity_id").id
    if agency.get("licence_number"):
        found = session.scalars(select(Licence.entity_id).where(
            Licence.number_key == licence_key(agency["licence_number"])).distinct().limit(2)).all()
        return found[0] if len(found) == 1 else None
    return None


def reporter_key(keyring, receiver_id, data):
    """A keyed digest that is the same for one worker's reports (partner reference, or contact details) and
    different for everyone else; a report with neither counts as its own reporter."""
    if data.get("reporter_ref"):
        seed = f"ref:{receiver_id}:{data['reporter_ref'].strip().casefold()}"
    elif data.get("contact") and (data["contact"].get("phone") or data["contact"].get("email")):
        phone = "".join(ch for ch in data["contact"].get("phone") or "" if ch.isdigit())
        seed = f"contact:{phone}:{(data['contact'].get('email') or '').strip().casefold()}"
    else:
        seed = f"report:{uuid.uuid4()}"
    return crypto.keyed_digest(keyring.pepper, seed)


def submit(session, keyring, data, *, receiver_id, channel, limits, actor=None):
    """Store a report sealed under a new data key; returns (report, receipt code shown once)."""
    uploads = cleaned_attachments(data.get("attachments") or [], limits)
    agency, employer = data["agency"], data.get("employer") or {}
    answers = {name: data.get(name) for name in ANSWERS}
    if answers["fees"] is not None:
        answers["fees"] = [{**fee, "amount": str(fee["amount"])} for fee in answers["fees"]]
    data_key = crypto.new_key()
    key_id, wrapped = keyring.wrap(data_key)
    receipt = crypto.new_receipt()
    contact = {k: v for k, v in (data.get("contact") or {}).items() if v}
    report = Report(
        receiving_organisation_id=receiver_id, channel=channel, filed_by_user_id=actor.user_id if actor else None,
        agency_entity_id=agency_of(session, agency), agency_licence_number=agency.get("licence_number"),
        agency_name=agency.get("name"),
        employer_entity_id=(referenced_entity(session, employer["entity_id"], "employer.entity_id").id
                            if employer.get("entity_id") else None),
        employer_name=employer.get("name"), origin_country=data.get("origin_country"),
        destination_country=data.get("destination_country"), period_from=data.get("period_from"),
        period_until=data.get("period_until"), **answers, categories=",".join(sorted(categories_of(answers))),
        consent_regulator=data["consent"]["share_with_regulator"],
        consent_figures=data["consent"]["count_in_figures"], consent_contact=data["consent"]["may_contact"],
        key_id=key_id, wrapped_key=wrapped,
        sealed_account=crypto.seal(data_key, data["account"], "account") if data.get("account") else None,
        sealed_contact=crypto.seal(data_key, json.dumps(contact), "contact") if contact else None,
        receipt_hash=crypto.receipt_digest(receipt), reporter_key=reporter_key(keyring, receiver_id, data))
    session.add(report)
    session.flush()
    session.add(ReportStateChange(report_id=report.id, organisation_id=receiver_id, from_state=None,
                                  to_state="received", by_user_id=actor.user_id if actor else None))
    attach(session, report, data_key, uploads)
    log.info("reports.received id=%s channel=%s receiver=%s attachments=%s", report.id, channel, receiver_id,
             len(uploads))
    return report, receipt


def attach(session, report, data_key, uploads):
    for name, media_type, content in uploads:
        session.add(ReportAttachment(report_id=report.id, organisation_id=report.receiving_organisation_id,
                                     media_type=media_type, size=len(content),
                                     sealed_name=crypto.seal(data_key, name, "attachment-name"),
                                     sealed_content=crypto.seal(data_key, content, "attachment")))


def by_receipt(session, receipt):
    """The report a receipt code opens, or NotFound (the same answer for every wrong code)."""
    report = session.scalar(select(Report).where(Report.receipt_hash == crypto.receipt_digest(receipt)))
    if report is None:
        raise NotFound("No report has that receipt code; check it and try again.")
    return report


def status(session, receipt):
    """What the reporter may know of their report."""
    report = by_receipt(session, receipt)
    return {"state": report.state, "received_on": report.received_at.date(),
            "withdrawn": report.withdrawn_at is not None}


def add_information(session, keyring, receipt, data, *, limits):
    """The reporter adds to their account or sends attachments; sealed with the report's key."""
    report = by_receipt(session, receipt)
    if report.withdrawn_at is not None:
        raise NotFound("This report was withdrawn and its personal data erased; send a new report instead.")
    uploads = cleaned_attachments(data.get("attachments") or [], limits)
    data_key = keyring.unwrap(report.key_id, report.wrapped_key)
    if data.get("account"):
        session.add(ReportAddition(report_id=report.id, organisation_id=report.receiving_organisation_id,
                                   sealed_text=crypto.seal(data_key, data["account"], "addition")))
    attach(session, report, data_key, uploads)
    session.flush()
    log.info("reports.added id=%s attachments=%s", report.id, len(uploads))
    return status(session, receipt)


def withdraw(session, receipt):
    """Withdraw a report: its data key, sealed parts, answers and notes are erased and the case is closed.

    What is left is that a report came in, when, to whom, and its handling history: nothing the worker said.
    """
    report = by_receipt(session, receipt)
    if report.withdrawn_at is not None:
        return status(session, receipt)
    if session.bind.dialect.name == "sqlite":
        # Freed pages are overwritten rather than left for a forensic read (the connection keeps the setting).
        session.execute(text("PRAGMA secure_delete = ON"))
    was_verified = report.agency_entity_id if report.verified_at else None
    for model in (ReportAttachment, ReportAddition, ReportNote):
        for row in session.scalars(select(model).where(model.report_id == report.id)):
            session.delete(row)
    for name in ERASED:
        setattr(report, name, None)
    report.categories, report.withdrawn_at = "", utcnow()
    report.consent_regulator = report.consent_figures = report.consent_contact = False
    if report.state != "closed":
        session.add(ReportStateChange(report_id=report.id, organisation_id=report.receiving_organisation_id,
                                      from_state=report.state, to_state="closed"))
        report.state = "closed"
    session.flush()
    if was_verified:
        rescoring.later(session, [was_verified], reason="worker report withdrawn")
    log.info("reports.withdrawn id=%s", report.id)
    return status(session, receipt)
