"""Case handling: the receiving organisation's case handlers list, read, move, assign, link, verify and refer
reports; regulators read what was referred to them. Every read of a confidential part adds a ReportRead row,
which the commit's audit phase logs (without the part itself)."""
import json

from sqlalchemy import func, select

from app.accounts import permissions
from app.accounts.models import Organisation, User
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.registry.names import licence_key, name_key
from app.registry.service import check_version, referenced_entity
from app.reports import crypto
from app.reports.models import (Report, ReportAddition, ReportAttachment, ReportNote, ReportRead, ReportReferral,
                                ReportStateChange)
from app.reports.vocab import NEXT_STATES
from app.scoring import rescoring


def get_report(session, actor, report_id, action="report.handle"):
    """The report, if the actor may handle it (or, for report.referred, was referred it); others get 404."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound(f"No report with id {report_id}.")
    permissions.check(actor, action, report, hide=True, what=f"report with id {report_id}")
    return report


def list_reports(session, actor, *, state=None, agency_entity_id=None, page=1, per_page=50):
    """The reports the actor's organisation received, newest first."""
    query = select(Report).where(Report.receiving_organisation_id == actor.organisation_id)
    if state:
        query = query.where(Report.state == state)
    if agency_entity_id:
        query = query.where(Report.agency_entity_id == agency_entity_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(Report.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def case_of(session, report):
    """A report with what its case view shows beside the columns: history, referrals, attachments, duplicates."""
    report.attachments = session.scalars(select(ReportAttachment).where(ReportAttachment.report_id == report.id)
                                         .order_by(ReportAttachment.id)).all()
    report.duplicates = likely_duplicates(session, report)
    return report


def likely_duplicates(session, report):
    """Other live reports of the same receiver about the same agency, with the same categories, over an
    overlapping period (or, without one, received in the same year)."""
    if report.withdrawn_at is not None or not (report.agency_entity_id or report.agency_licence_number
                                               or report.agency_name):
        return []
    query = select(Report).where(Report.receiving_organisation_id == report.receiving_organisation_id,
                                 Report.id != report.id, Report.withdrawn_at.is_(None),
                                 Report.categories == report.categories)
    if report.agency_entity_id:
        query = query.where(Report.agency_entity_id == report.agency_entity_id)
    elif report.agency_licence_number:
        query = query.where(Report.agency_licence_number.is_not(None))
    else:
        query = query.where(Report.agency_name.is_not(None))
    found = []
    for other in session.scalars(query.order_by(Report.id).limit(200)):
        if not report.agency_entity_id and not same_agency_words(report, other):
            continue
        if overlapping(report, other):
            found.append(other.id)
    return found


def same_agency_words(one, other):
    if one.agency_licence_number:
        return licence_key(one.agency_licence_number) == licence_key(other.agency_licence_number or "")
    return name_key(one.agency_name) == name_key(other.agency_name or "")


def overlapping(one, other):
    """The periods overlap; without both periods, the reports came in the same year."""
    if one.period_from and other.period_from:
        one_end, other_end = one.period_until or one.period_from, other.period_until or other.period_from
        return one.period_from <= other_end and other.period_from <= one_end
    return one.received_at.year == other.received_at.year


def check_live(report):
    if report.withdrawn_at is not None:
        raise Conflict("The worker withdrew this report; its personal data is erased and it cannot change.")


def move(session, actor, report, state):
    """Record a state change in the case's history."""
    session.add(ReportStateChange(report_id=report.id, organisation_id=report.receiving_organisation_id,
                                  from_state=report.state, to_state=state, by_user_id=actor.user_id))
    report.state = state


def change_state(session, actor, report_id, data):
    """Move a case to one of the states its current one leads to (another move is 409)."""
    report = get_report(session, actor, report_id)
    check_version(report, data["version"])
    check_live(report)
    if data["state"] == "referred" and not report.referrals:
        raise Conflict("A case becomes referred by referring it to a regulator (POST /reports/{id}/referrals).",
                       {"state": ["no referral"]})
    if data["state"] not in NEXT_STATES[report.state]:
        allowed = ", ".join(NEXT_STATES[report.state]) or "none: the case is closed"
        raise Conflict(f"A {report.state} case cannot become {data['state']}; it can become: {allowed}.",
                       {"state": [f"not after {report.state}"]})
    move(session, actor, report, data["state"])
    session.flush()
    return case_of(session, report)


def case_handler(session, actor, user_id):
    user = session.get(User, user_id)
    if user is None or not user.active or user.role != "case_handler" or user.organisation_id != actor.organisation_id:
        raise Invalid("Assign the case to an active case handler of your organisation.",
                      {"assigned_to_user_id": [f"User {user_id} is not one."]})
    return user.id


def update_report(session, actor, report_id, data):
    """Assign the case, link it to registered entities, or mark it a duplicate of another report."""
    report = get_report(session, actor, report_id)
    check_version(report, data["version"])
    check_live(report)
    before = report.agency_entity_id
    if "assigned_to_user_id" in data:
        report.assigned_to_user_id = (case_handler(session, actor, data["assigned_to_user_id"])
                                      if data["assigned_to_user_id"] else None)
    for field in ("agency_entity_id", "employer_entity_id"):
        if field in data:
            setattr(report, field, referenced_entity(session, data[field], field).id if data[field] else None)
    if "duplicate_of_id" in data:
        original = session.get(Report, data["duplicate_of_id"]) if data["duplicate_of_id"] else None
        if data["duplicate_of_id"] and (original is None or original.id == report.id
                                        or original.receiving_organisation_id != report.receiving_organisation_id):
            raise Invalid("Name another report your organisation received.",
                          {"duplicate_of_id": [f"No such report of yours: {data['duplicate_of_id']}."]})
        report.duplicate_of_id = original.id if original else None
    session.flush()
    if report.verified_at and before != report.agency_entity_id:
        rescoring.later(session, {before, report.agency_entity_id} - {None}, reason="worker report relinked")
    return case_of(session, report)


def verify(session, actor, report_id, data, now=None):
    """Record what a case handler found true; only these categories become the agency's scoring facts."""
    report = get_report(session, actor, report_id)
    check_version(report, data["version"])
    check_live(report)
    if report.agency_entity_id is None:
        raise Conflict("Link the report to the registered agency first (PATCH agency_entity_id): verified reports "
                       "are facts about an agency.", {"agency_entity_id": ["not linked"]})
    report.verified_categories = ",".join(sorted(set(data["categories"])))
    report.verified_at, report.verified_by_user_id = now or utcnow(), actor.user_id
    session.flush()
    rescoring.later(session, [report.agency_entity_id], reason="worker report verified")
    return case_of(session, report)


def refer(session, actor, report_id, regulator_id):
    """Refer a report to a regulator (the worker must have agreed to sharing it); the case becomes referred."""
    report = get_report(session, actor, report_id)
    check_live(report)
    if not report.consent_regulator:
        raise Conflict("The worker did not agree to share this report with a regulator.",
                       {"regulator_id": ["no consent to share with a regulator"]})
    regulator = session.get(Organisation, regulator_id)
    if regulator is None or regulator.kind != permissions.GOVERNMENT:
        raise Invalid("Refer reports to a regulator (a government organisation).",
                      {"regulator_id": [f"No government organisation with id {regulator_id}."]})
    if any(referral.regulator_id == regulator_id for referral in report.referrals):
        raise Conflict("The report was referred to that regulator already.", {"regulator_id": ["already referred"]})
    if "referred" not in NEXT_STATES[report.state] and report.state != "referred":
        raise Conflict(f"A {report.state} case cannot be referred; triage it first.", {"state": [report.state]})
    referral = ReportReferral(report_id=report.id, organisation_id=report.receiving_organisation_id,
                              regulator_id=regulator_id, by_user_id=actor.user_id)
    session.add(referral)
    if report.state != "referred":
        move(session, actor, report, "referred")
    session.flush()
    session.expire(report, ["referrals"])
    return referral


def logged_read(session, actor, report, what):
    """Note that the actor read a confidential part: the audit phase makes it an event."""
    session.add(ReportRead(report_id=report.id, organisation_id=report.receiving_organisation_id,
                           reader_user_id=actor.user_id, reader_organisation_id=actor.organisation_id, what=what))


def opened(keyring, report):
    """The report's data key, or Conflict when it was erased."""
    if report.wrapped_key is None:
        raise Conflict("The worker withdrew this report; its personal data is erased.")
    try:
        return keyring.unwrap(report.key_id, report.wrapped_key)
    except crypto.Unreadable:
        raise Conflict(f"This report's data key is wrapped by master key {report.key_id!r}, which this "
                       "installation does not have: ask the operator to restore it.") from None


def additions(session, data_key, report):
    return [{"added_at": row.added_at, "account": crypto.unseal(data_key, row.sealed_text, "addition").decode()}
            for row in session.scalars(select(ReportAddition).where(ReportAddition.report_id == report.id)
                                       .order_by(ReportAddition.id))]


def attachment_views(session, data_key, report):
    return [{"id": row.id, "media_type": row.media_type, "size": row.size,
             "name": crypto.unseal(data_key, row.sealed_name, "attachment-name").decode()}
            for row in session.scalars(select(ReportAttachment).where(ReportAttachment.report_id == report.id)
                                       .order_by(ReportAttachment.id))]


def account_and_contact(data_key, report):
    account = crypto.unseal(data_key, report.sealed_account, "account").decode() if report.sealed_account else None
    contact = (json.loads(crypto.unseal(data_key, report.sealed_contact, "contact"))
               if report.sealed_contact else None)
    return account, contact


def read_confidential(session, keyring, actor, report_id):
    """The confidential part (account, contact, additions, notes, attachment names), for the receiver's case
    handlers; the read is logged."""
    report = get_report(session, actor, report_id)
    data_key = opened(keyring, report)
    account, contact = account_and_contact(data_key, report)
    notes = [{"id": row.id, "by_user_id": row.by_user_id, "added_at": row.added_at,
              "text": crypto.unseal(data_key, row.sealed_text, "note").decode()}
             for row in session.scalars(select(ReportNote).where(ReportNote.report_id == report.id)
                                        .order_by(ReportNote.id))]
    logged_read(session, actor, report, "confidential")
    return {"report_id": report.id, "account": account, "contact": contact,
            "additions": additions(session, data_key, report), "notes": notes,
            "attachments": attachment_views(session, data_key, report)}


def add_note(session, keyring, actor, report_id, text):
    """An internal note on the case, sealed with the report's key."""
    report = get_report(session, actor, report_id)
    data_key = opened(keyring, report)
    note = ReportNote(report_id=report.id, organisation_id=report.receiving_organisation_id,
                      by_user_id=actor.user_id, sealed_text=crypto.seal(data_key, text, "note"))
    session.add(note)
    session.flush()
    return note


def read_attachment(session, keyring, actor, report_id, attachment_id):
    """(media type, bytes) of an attachment, for the receiver's case handlers and referred regulators."""
    report = session.get(Report, report_id)
    if report is None or not (permissions.allowed(actor, "report.handle", report)
                              or permissions.allowed(actor, "report.referred", report)):
        raise NotFound(f"No report with id {report_id}.")
    row = session.get(ReportAttachment, attachment_id)
    if row is None or row.report_id != report.id:
        raise NotFound(f"Report {report_id} has no attachment {attachment_id}.")
    content = crypto.unseal(opened(keyring, report), row.sealed_content, "attachment")
    logged_read(session, actor, report, f"attachment:{row.id}")
    return row.media_type, content


def list_referrals(session, actor):
    """The reports referred to the actor's organisation, newest first."""
    return session.scalars(select(ReportReferral).where(ReportReferral.regulator_id == actor.organisation_id)
                           .order_by(ReportReferral.id.desc())).all()


def read_referral(session, keyring, actor, report_id):
    """A referred report as the worker's consent allows the regulator to see it; the read is logged."""
    report = get_report(session, actor, report_id, action="report.referred")
    referral = next(r for r in report.referrals if r.regulator_id == actor.organisation_id)
    data_key = opened(keyring, report)
    account, contact = account_and_contact(data_key, report)
    report.attachments = session.scalars(select(ReportAttachment).where(ReportAttachment.report_id == report.id)
                                         .order_by(ReportAttachment.id)).all()
    logged_read(session, actor, report, "referral")
    return {"report": report, "referred_at": referral.referred_at, "account": account,
            "additions": additions(session, data_key, report),
            "contact": contact if report.consent_contact else None}
