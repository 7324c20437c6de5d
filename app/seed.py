"""Loads the demo data in seed/ (synthetic: no real companies or people).

`make run` seeds at every start, so loading adds only what is missing (by natural key) and never touches a row
that exists: whatever people changed in the demo records stays changed, and what they removed from a portfolio
stays removed.
"""
import csv
from datetime import date, timedelta
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, insert, select, update

from app import db, effects
from app.accounts import service as accounts
from app.accounts.auth import check_password
from app.accounts.cli import OPERATOR
from app.accounts.models import AuditEvent, Organisation, User
from app.audits import sweep as review_sweep
from app.audits.models import Audit, CorrectiveAction
from app.audits.outbox_models import Subscription
from app.audits.tasks_models import ReviewTask
from app.db import utcnow
from app.registry import expiry, importer
from app.registry.models import Authority, Entity, Licence, LicenceStatusChange, Note, PortfolioEntry, Relationship
from app.registry.names import licence_key, name_key
from app.scoring import rescoring
from app.scoring.located import Problems
from app.scoring.models import AuditFinding, FeeLine, PracticeAssessment, Score
from app.scoring.schemas import FeeLineSchema, FindingSchema, PracticeSchema
from app.screening import screen
from app.screening.importer import import_watchlist
from app.screening.models import Hit, WatchlistSource

SEED = Path(__file__).resolve().parent.parent / "seed"
DEMO_LIST = "demo-banned-agencies"
# Due work dated from the day the demo is first loaded, so that `make run` shows review tasks at once: branch
# licences ending soon, or ended a few days ago and not yet recorded as expired (the sweep records them).
# (agency, country, branch licence number, days from the load to its valid_until)
DUE_LICENCES = [("Shikhar Overseas Employment Pvt. Ltd.", "NP", "BR-100/076/77", 21),
                ("Annapurna Manpower Services Pvt. Ltd.", "NP", "BR-114/076/77", 45),
                ("Bagmati Human Resources Pvt. Ltd.", "NP", "BR-129/076/77", -2),
                ("Padma Overseas Ltd.", "BD", "BR-RL-0117", -6),
                ("Bayanihan Manpower International Inc.", "PH", "BR-DMW-133", 30)]
CERTIFIER = "Fair Hire Certification Ltd"
# Days from the load to the end of the demo certifications (certified agencies not named here: a year and more).
CERTIFICATION_ENDS = {"Shikhar Overseas Employment Pvt. Ltd.": 60}


def read_json(name):
    return json.loads((SEED / name).read_text(encoding="utf-8"))


def load_authorities(session):
    """Add the licensing authorities that are missing."""
    known = set(session.scalars(select(Authority.code)))
    for item in read_json("authorities.json"):
        if item["code"] not in known:
            session.add(Authority(**item))
    session.flush()


def load_organisations(session):
    """Add the demo organisations and users that are missing; returns [(email, password, role, organisation)]
    as they are now (a password someone changed is not shown)."""
    sign_ins = []
    authorities = {a.code: a.id for a in session.scalars(select(Authority))}
    for item in read_json("organisations.json"):
        organisation = session.scalar(select(Organisation).where(Organisation.name == item["name"]))
        if organisation is None:
            organisation = accounts.create_organisation(
                session, name=item["name"], kind=item["kind"], country=item.get("country"),
                authority_ids=[authorities[code] for code in item.get("authorities", [])])
        for user in item["users"]:
            found = session.scalar(select(User).where(User.email == user["email"]))
            if found is None:
                found = accounts.create_user(session, organisation_id=organisation.id, **user)
            password = user["password"] if check_password(found.password_hash, user["password"]) else "(changed)"
            sign_ins.append((found.email, password, found.role, organisation.name))
        for subscription in item.get("subscriptions", []):
            load_subscription(session, organisation, subscription)
    return sign_ins


def load_subscription(session, organisation, item):
    """Subscribe a demo user to notifications, unless that user has (or had: deleted ones stay deleted) a
    subscription of the same channel."""
    user_id = session.scalar(select(User.id).where(User.email == item["user"],
                                                   User.organisation_id == organisation.id))
    if user_id is None or session.scalar(select(Subscription.id).where(
            Subscription.organisation_id == organisation.id, Subscription.user_id == user_id,
            Subscription.channel == item["channel"]).limit(1)) is not None:
        return
    session.add(Subscription(organisation_id=organisation.id, channel=item["channel"], events=sorted(item["events"]),
                             user_id=user_id))
    session.flush()


def entity_id(session, kind, name, country):
    """The id of a seeded entity by its name and country; None once someone renamed it."""
    return session.scalar(select(Entity.id).where(Entity.kind == kind, Entity.country == country,
                                                  Entity.name_key == name_key(name)))


def load_relationships(session):
    """Add the employer-agency and agency-sub-agent links that are missing."""
    with open(SEED / "relationships.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            client_kind = "employer" if row["kind"] == "employer_uses_agency" else "agency"
            values = {
                "kind": row["kind"],
                "client_id": entity_id(session, client_kind, row["client_name"], row["client_country"]),
                "provider_id": entity_id(session, "agency", row["provider_name"], row["provider_country"]),
                "origin_country": row["origin_country"], "destination_country": row["destination_country"],
                "sector": row["sector"] or None,
            }
            if None in (values["client_id"], values["provider_id"]):
                continue
            if session.scalar(select(Relationship.id).filter_by(**values)) is None:
                session.add(Relationship(**values, since=date.fromisoformat(row["since"]) if row["since"] else None,
                                         until=date.fromisoformat(row["until"]) if row["until"] else None))
    session.flush()


def removed_from_portfolios(session):
    """(organisation id, entity id) of every portfolio entry someone removed, as the audit log remembers."""
    return {(event.before["organisation_id"], event.before["entity_id"]) for event in session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == PortfolioEntry.__tablename__,
                                 AuditEvent.action == "delete"))}


def load_portfolios(session):
    """Give the demo business its followed agencies and a private note each (never again once removed)."""
    removed = removed_from_portfolios(session)
    for item in read_json("portfolios.json"):
        organisation = session.scalar(select(Organisation).where(Organisation.name == item["organisation"]))
        for followed in item["entities"]:
            target = entity_id(session, followed["kind"], followed["name"], followed["country"])
            if target is None:
                continue
            exists = session.scalar(select(PortfolioEntry.id).where(
                PortfolioEntry.organisation_id == organisation.id, PortfolioEntry.entity_id == target))
            if exists is None and (organisation.id, target) not in removed:
                session.add(PortfolioEntry(organisation_id=organisation.id, entity_id=target,
                                           label=followed.get("label")))
                if followed.get("note"):
                    session.add(Note(organisation_id=organisation.id, entity_id=target, body=followed["note"]))
    session.flush()


def load_evidence(session):
    """Record the demo evidence of agencies that have none from the seed yet."""
    schemas = {"practices": (PracticeSchema(), PracticeAssessment), "fee_lines": (FeeLineSchema(), FeeLine),
               "findings": (FindingSchema(), AuditFinding)}
    for item in read_json("evidence.json"):
        target = entity_id(session, item["kind"], item["name"], item["country"])
        if target is None or session.scalar(select(PracticeAssessment.id)
                                            .where(PracticeAssessment.entity_id == target)):
            continue
        for key, records in (("practices", [item["practices"]]), ("fee_lines", item["fee_lines"]),
                             ("findings", item["findings"])):
            schema, model = schemas[key]
            for record in records:
                session.add(model(entity_id=target, **schema.load(record)))
    session.flush()


def load_audits(session, today=None):
    """Add the demo audits that are missing (by organisation and reference), in every state, with findings and
    corrective actions; days are relative to `today`, so some actions are always overdue."""
    today = today or expiry.today()

    def day(offset):
        return None if offset is None else today + timedelta(days=offset)
    for item in read_json("audits.json"):
        organisation = session.scalar(select(Organisation).where(Organisation.name == item["organisation"]))
        target = entity_id(session, item["entity"]["kind"], item["entity"]["name"], item["entity"]["country"])
        if organisation is None or target is None or session.scalar(select(Audit.id).where(
                Audit.organisation_id == organisation.id, Audit.reference == item["reference"])):
            continue
        auditor = session.scalar(select(User.id).where(User.organisation_id == organisation.id, User.role == "auditor"))
        audit = Audit(entity_id=target, organisation_id=organisation.id, reference=item["reference"], kind=item["kind"],
                      lead_auditor=item["lead_auditor"], scope="".join(item["scope"]),
                      document_review=item["document_review"], management_interviews=item["management_interviews"],
                      worker_interviews=item["worker_interviews"], state=item["state"], summary=item.get("summary"),
                      **{name: day(offset) for name, offset in item["days"].items()})
        session.add(audit)
        session.flush()
        for found in item["findings"]:
            finding = AuditFinding(entity_id=target, audit_id=audit.id, source="audit", principle=found["principle"],
                                   grade=found["grade"], description=found["description"],
                                   found_on=day(found["found_on"]), status=found.get("status", "open"),
                                   closed_on=day(found.get("closed_on")), recorded_by_organisation_id=organisation.id)
            session.add(finding)
            session.flush()
            for action in found["actions"]:
                state = action.get("state", "open")
                session.add(CorrectiveAction(
                    finding_id=finding.id, description=action["description"], owner=action["owner"],
                    deadline=day(action["deadline"]), state=state, completion_evidence=action.get("evidence"),
                    completed_on=day(action.get("completed_on")), verified_on=day(action.get("verified_on")),
                    verified_by_user_id=auditor if state == "verified" else None,
                    rejected_on=day(action.get("rejected_on")), rejection_note=action.get("rejection_note")))
    session.flush()


def load_due_work(session, today, known_before):
    """Add the demo branch licences that are missing, dated from today (written as the bulk import writes, so
    they are screened and scored with everyone), and give the certified agencies this load created their
    certifier and an end date."""
    touched = set()
    for name, country, number, days in DUE_LICENCES:
        target = entity_id(session, "agency", name, country)
        authority_id = target and session.scalar(select(Licence.authority_id).where(Licence.entity_id == target)
                                                 .order_by(Licence.id).limit(1))
        if authority_id is None or session.scalar(select(Licence.id).where(
                Licence.authority_id == authority_id, Licence.number_key == licence_key(number))) is not None:
            continue
        valid_from = today - timedelta(days=730)
        licence = session.execute(insert(Licence).values(
            entity_id=target, authority_id=authority_id, number=number, number_key=licence_key(number),
            type="branch", status="valid", status_raw="Active", valid_from=valid_from,
            valid_until=today + timedelta(days=days), created_at=utcnow(), version=1).returning(Licence.id)).scalar()
        session.execute(insert(LicenceStatusChange).values(licence_id=licence, status="valid", status_raw="Active",
                                                           effective_on=valid_from, reason="recorded",
                                                           recorded_at=utcnow()))
        touched.add(target)
    certifier = session.scalar(select(Organisation.id).where(Organisation.name == CERTIFIER))
    for target, legal_name in session.execute(select(Entity.id, Entity.legal_name).where(
            Entity.id > known_before, Entity.certification_status == "certified",
            Entity.certified_by_organisation_id.is_(None))).all():
        # A record this very load created: its certification comes with it (no new version of it).
        session.execute(update(Entity).where(Entity.id == target).values(
            certified_by_organisation_id=certifier,
            certification_valid_until=today + timedelta(days=CERTIFICATION_ENDS.get(legal_name, 400))))
        touched.add(target)
    # Screened, scored and stamped as the seed commits, like any bulk-written entity.
    effects.written(session, touched)


def sweep(session, today):
    """Make the review tasks due today; None (after saying why) when the review policy has a problem."""
    try:
        return review_sweep.sweep_due(session, today)
    except Problems as err:
        click.echo(f"Not swept: the review policy has {len(err.problems)} problem(s) "
                   "(fairrecruit policy lint)", err=True)
        return None


def load_watchlist(session):
    """Load the demo banned-agency list once and screen the registry against it (hits to review)."""
    if session.scalar(select(WatchlistSource.id).where(WatchlistSource.name == DEMO_LIST)) is not None:
        return None
    result = import_watchlist(session, DEMO_LIST, "generic-csv", [SEED / "banned-agencies.csv"], actor=OPERATOR,
                              kind="banned_agency", title="Banned recruitment agencies (demo, invented)",
                              publisher="FairRecruit demo data")
    # Everyone is screened (so no reverse screening first) and has a screening to show; scores follow.
    everyone = session.scalars(select(Entity.id).where(Entity.deleted_at.is_(None))).all()
    screen.screen_entities(session, everyone, threshold=current_app.config["SCREENING_THRESHOLD"],
                           reason="demo data loaded")
    effects.drop(session, "screen")  # the imported entities need no second screening at commit
    return result


def score_unscored(session):
    """Have every entity without a score get its first one as the seed commits (all together)."""
    scored = set(session.scalars(select(Score.entity_id).distinct()))
    unscored = [target for target in session.scalars(select(Entity.id).where(Entity.deleted_at.is_(None)))
                if target not in scored]
    # Those already asked for (new, screened) are among them.
    rescoring.cancel(session)
    rescoring.later(session, unscored, reason="demo data loaded")


def load(session):
    """Load every seed file; returns the demo sign-ins and the import reports."""
    today = expiry.today()
    known_before = session.scalar(select(func.max(Entity.id))) or 0
    load_authorities(session)
    sign_ins = load_organisations(session)
    # Rows that clash with what people changed (a licence moved to another agency, say) are skipped too.
    reports = [importer.import_file(session, OPERATOR, (SEED / "agencies.csv").read_bytes(), fmt="csv",
                                    default_kind="agency", keep_existing=True, skip_invalid=True),
               importer.import_file(session, OPERATOR, (SEED / "employers.json").read_bytes(), fmt="json",
                                    default_kind="employer", keep_existing=True, skip_invalid=True)]
    load_relationships(session)
    load_portfolios(session)
    load_evidence(session)
    # Before the first scores, which then count the reported audits. Entities scored by an earlier seed are not
    # re-scored here: this version's rules changed, and `rules activate` re-scores everyone.
    load_audits(session)
    load_due_work(session, today, known_before)
    listed = load_watchlist(session)
    score_unscored(session)
    return sign_ins, reports, listed, sweep(session, today)


@click.command("seed")
@with_appcontext
def seed_command():
    """Load the demo data that is missing; what exists is left as it is."""
    # The demo users' passwords are printed in the README: never on a production database.
    if current_app.config["FAIRRECRUIT_ENV"] == "production":
        raise click.ClickException("The demo data has public passwords; it is not loaded in production.")
    session = db.Session()
    sign_ins, reports, listed, swept = load(session)
    session.commit()
    stale = session.scalar(select(Entity.score_problem).where(Entity.score_problem.isnot(None)).limit(1))
    if stale:
        # Nothing can be scored until the rules are activated again; the write itself went through.
        click.echo(f"Not scored: {stale} (fairrecruit rules activate rules/default)", err=True)
    for name, report in zip(("agencies", "employers"), reports):
        click.echo(f"{name}: created {report['created']}, updated {report['updated']}, "
                   f"unchanged {report['unchanged']}")
        for problem in report["skipped"]:
            click.echo(f"  row {problem['row']} skipped: {problem['message']}", err=True)
    if listed:
        hits = session.scalar(select(func.count()).select_from(Hit))
        click.echo(f"watchlist {DEMO_LIST}: {listed.version.entry_count} entries, {hits} hits to review")
    if swept:
        tasks = session.scalar(select(func.count()).select_from(ReviewTask).where(ReviewTask.state == "open"))
        click.echo(f"review tasks: {tasks} open ({swept.created} new today, {swept.licences_expired} licence(s) "
                   "recorded expired); signed in, see /tasks")
    click.echo("Demo sign-ins:")
    for email, password, role, organisation in sign_ins:
        click.echo(f"  {email:32} {password:24} {role:10} {organisation}")
