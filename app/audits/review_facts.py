"""The facts the review policy reads, gathered for a range of entity ids at once (a few set-based queries per
range, never one entity at a time), and the review tasks those entities already have."""
from datetime import date, datetime, time, timedelta, timezone
import logging

from sqlalchemy import func, select

from app.accounts.models import Organisation, OrganisationAuthority
from app.accounts.permissions import GOVERNMENT, PLATFORM
from app.audits.models import CorrectiveAction
from app.audits.policy import (ActionFact, EntityFacts, FindingFact, HitFact, LicenceFact, ReportFact, Schedule)
from app.audits.reconcile import LIVE_STATES, LiveTask
from app.audits.tasks_models import EntityReview, ReviewTask
from app.bulk import postgresql
from app.registry import expiry
from app.registry.models import Authority, Entity, Licence, PortfolioEntry
from app.registry.vocab import ENTITY_KINDS
from app.scoring import activation
from app.scoring.models import AuditFinding, RuleSetActivation, Score
from app.screening.models import Hit, WatchlistSource

log = logging.getLogger(__name__)


def reaudit_schedules(session):
    """{kind: Schedule} from the tiers of the rule set that scored each kind last (the activated copy of its
    files, so a rule set edited on disk since does not change what the scores meant), or the shipped default."""
    activation.remember_rule_sets(session)
    schedules = {}
    for kind in ENTITY_KINDS:
        latest = session.scalar(select(RuleSetActivation.content_hash).where(RuleSetActivation.kind == kind)
                                .order_by(RuleSetActivation.id.desc()).limit(1))
        ruleset = (next((r for r in activation.LOADED.values() if r.content_hash == latest), None) if latest
                   else activation.load_rule_set(activation.DEFAULTS[kind]))
        if ruleset is not None:
            tiers = ruleset.policy.tiers
            schedules[kind] = Schedule(tuple(t.name for t in tiers), {t.name: t.reaudit_months for t in tiers})
    return schedules


def platform_organisations(session):
    return tuple(session.scalars(select(Organisation.id).where(Organisation.kind == PLATFORM)
                                 .order_by(Organisation.id)))


def regulators_by_authority(session):
    """{authority id: ids of the government organisations managing it}."""
    found = {}
    for authority_id, organisation_id in session.execute(
            select(OrganisationAuthority.authority_id, OrganisationAuthority.organisation_id)
            .join(Organisation, Organisation.id == OrganisationAuthority.organisation_id)
            .where(Organisation.kind == GOVERNMENT).order_by(OrganisationAuthority.organisation_id)):
        found.setdefault(authority_id, []).append(organisation_id)
    return {authority_id: tuple(ids) for authority_id, ids in found.items()}


def start_of(day):
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def day(value):
    """A day read through `utc_day`: PostgreSQL gives a date, SQLite the text of one."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


class Gatherer:
    """Reads the policy's facts for ranges of entities on one day.

    Plain Core queries returning tuples, and timestamps cut to their UTC day by the database: at 100,000
    entities, building ORM rows and timezone-aware datetimes would cost more than the queries.
    """

    def __init__(self, session, policy, now):
        self.session, self.policy, self.now = session, policy, now
        self.connection = session.connection()
        self.regulators = regulators_by_authority(session)
        self.authorities = dict(session.execute(select(Authority.id, Authority.code)).all())
        self.postgresql = postgresql(session)
        # Licence triggers look at licences ending between these days (the engine decides exactly which).
        expiring, expired = policy.triggers.get("licence_expiring"), policy.triggers.get("licence_expired")
        self.licence_window = (now - timedelta(days=(expired.lookback_days + 1) if expired else 0),
                               now + timedelta(days=expiring.notice_days if expiring else -1))

    def utc_day(self, column):
        """The UTC day of a timestamp column, computed by the database."""
        if self.postgresql:
            return func.date(func.timezone("UTC", column))
        return func.substr(column, 1, 10)  # SQLite keeps timestamps as UTC text

    def read(self, statement):
        return self.connection.execute(statement).all()

    def since(self, reason):
        """The first day an event of this reason can still make a task (None: the policy does not ask)."""
        trigger = self.policy.triggers.get(reason)
        return self.now - timedelta(days=trigger.lookback_days) if trigger else None

    def entities(self, lo, hi):
        """The live entities with ids from lo to hi: {id: row}."""
        e, r = Entity.__table__.c, EntityReview.__table__.c
        return {row[0]: row for row in self.read(
            select(e.id, e.kind, self.utc_day(e.created_at), e.certification_status, e.certification_valid_until,
                   e.certified_by_organisation_id, e.registered_by_organisation_id, r.next_review_on,
                   r.entity_id.label("reviewed"))
            .outerjoin(EntityReview.__table__, r.entity_id == e.id)
            .where(e.id.between(lo, hi), e.deleted_at.is_(None)))}

    def facts(self, lo, hi, entities):
        """{entity id: EntityFacts} of the given entities (all with ids from lo to hi)."""
        licences, regulators, followers = self.licences(lo, hi), self.regulators_of(lo, hi), self.followers(lo, hi)
        scores, previous = self.scores(lo, hi)
        hits, findings, reviewed = self.confirmed_hits(lo, hi), self.open_findings(lo, hi), self.reviewed(lo, hi)
        actions = overdue_corrective_actions(self.session, lo, hi, self.now)
        reports = worker_reports(self.session, lo, hi, self.since("worker_report"))
        found = {}
        for entity_id, kind, created, status, valid_until, certifier, registrant, _, _ in entities.values():
            latest = scores.get(entity_id)
            found[entity_id] = EntityFacts(
                entity_id, kind, day(created), reviewed.get(entity_id), latest and latest[1],
                previous.get(entity_id), latest and day(latest[2]), latest and latest[0], status, valid_until,
                certifier, registrant, followers.get(entity_id, ()), regulators.get(entity_id, ()),
                licences.get(entity_id, ()), hits.get(entity_id, ()), findings.get(entity_id, ()),
                actions.get(entity_id, ()), reports.get(entity_id, ()))
        return found

    def licences(self, lo, hi):
        """{entity id: [LicenceFact]} of the licences ending in the licence triggers' window."""
        first, last = self.licence_window
        if first > last:
            return {}
        c = Licence.__table__.c
        found = {}
        for licence_id, entity_id, authority_id, number, status, valid_until in self.read(
                select(c.id, c.entity_id, c.authority_id, c.number, c.status, c.valid_until)
                .where(c.entity_id.between(lo, hi), c.valid_until.between(first, last)).order_by(c.id)):
            found.setdefault(entity_id, []).append(LicenceFact(
                licence_id, self.authorities[authority_id], number,
                expiry.effective_status(status, valid_until, self.now), valid_until,
                self.regulators.get(authority_id, ())))
        return found

    def regulators_of(self, lo, hi):
        """{entity id: the organisations managing an authority that licensed it}."""
        c = Licence.__table__.c
        found = {}
        for entity_id, authority_id in self.read(select(c.entity_id, c.authority_id).distinct()
                                                 .where(c.entity_id.between(lo, hi))):
            organisations = self.regulators.get(authority_id)
            if organisations:
                known = found.get(entity_id)
                found[entity_id] = organisations if known is None else tuple(sorted({*known, *organisations}))
        return found

    def followers(self, lo, hi):
        c = PortfolioEntry.__table__.c
        found = {}
        for entity_id, organisation_id in self.read(select(c.entity_id, c.organisation_id)
                                                    .where(c.entity_id.between(lo, hi))
                                                    .order_by(c.entity_id, c.organisation_id)):
            found.setdefault(entity_id, []).append(organisation_id)
        return {entity_id: tuple(ids) for entity_id, ids in found.items()}

    def scores(self, lo, hi):
        """({entity id: (id, tier, day) of its latest score}, {entity id: the tier of the score before it, when
        the latest is recent enough to have worsened it})."""
        if not {"periodic_review", "tier_worsened"} & set(self.policy.triggers):
            return {}, {}
        c = Score.__table__.c
        latest_ids = (select(c.entity_id, func.max(c.id).label("id")).where(c.entity_id.between(lo, hi))
                      .group_by(c.entity_id).subquery())
        # The range again on the outer side: without it PostgreSQL merge-joins along the whole primary key.
        latest = {row[3]: row[:3] for row in self.read(
            select(c.id, c.tier, self.utc_day(c.scored_at), c.entity_id).join(latest_ids, latest_ids.c.id == c.id)
            .where(c.entity_id.between(lo, hi)))}
        since = self.since("tier_worsened")
        if since is None:
            return latest, {}
        # The score before the latest, only where the latest is recent enough to be a worsening the policy asks
        # about (most entities were scored long ago).
        recent = (select(c.entity_id, c.id).join(latest_ids, latest_ids.c.id == c.id)
                  .where(c.entity_id.between(lo, hi), c.scored_at >= start_of(since)).subquery())
        earlier = Score.__table__.alias("earlier")
        before = (select(earlier.c.entity_id, func.max(earlier.c.id).label("id"))
                  .join(recent, (recent.c.entity_id == earlier.c.entity_id) & (earlier.c.id < recent.c.id))
                  .where(earlier.c.entity_id.between(lo, hi)).group_by(earlier.c.entity_id).subquery())
        return latest, dict(self.read(select(c.entity_id, c.tier).join(before, before.c.id == c.id)
                                      .where(c.entity_id.between(lo, hi))))

    def confirmed_hits(self, lo, hi):
        since = self.since("confirmed_hit")
        if since is None:
            return {}
        found = {}
        for row in self.session.execute(
                select(Hit.id, Hit.entity_id, Hit.matched_name, Hit.decided_at, WatchlistSource.name)
                .join(WatchlistSource, WatchlistSource.id == Hit.source_id)
                .where(Hit.entity_id.between(lo, hi), Hit.state == "confirmed", Hit.decided_at >= start_of(since))
                .order_by(Hit.id)):
            found.setdefault(row.entity_id, []).append(HitFact(row.id, row.name, row.matched_name,
                                                               row.decided_at.astimezone(timezone.utc).date()))
        return found

    def open_findings(self, lo, hi):
        trigger = self.policy.triggers.get("critical_finding")
        if trigger is None:
            return {}
        found = {}
        for row in self.session.execute(
                select(AuditFinding.id, AuditFinding.entity_id, AuditFinding.principle, AuditFinding.grade,
                       AuditFinding.status, AuditFinding.found_on, AuditFinding.recorded_by_organisation_id)
                .where(AuditFinding.entity_id.between(lo, hi), AuditFinding.status == "open",
                       AuditFinding.grade.in_(trigger.grades)).order_by(AuditFinding.id)):
            found.setdefault(row.entity_id, []).append(FindingFact(row.id, row.principle, row.grade, row.status,
                                                                   row.found_on, row.recorded_by_organisation_id))
        return found

    def reviewed(self, lo, hi):
        """{entity id: the day its last periodic review was done}."""
        c = ReviewTask.__table__.c
        return {entity_id: day(done) for entity_id, done in self.read(
            select(c.entity_id, func.max(self.utc_day(c.closed_at)))
            .where(c.entity_id.between(lo, hi), c.reason == "periodic_review", c.state == "done")
            .group_by(c.entity_id))}

    def tasks(self, lo, hi):
        """(live tasks, {(entity, reason, organisation, key)} of occurrences people closed) of the range."""
        c = ReviewTask.__table__.c
        live, closed = [], set()
        for row in self.read(select(c.id, c.entity_id, c.reason, c.organisation_id, c.trigger_key, c.due_on,
                                    c.explanation, c.state, c.snoozed_until, c.closed_by_sweep)
                             .where(c.entity_id.between(lo, hi))):
            if row.state in LIVE_STATES:
                live.append(LiveTask(*row[:9]))
            elif not row.closed_by_sweep:
                closed.add((row.entity_id, row.reason, row.organisation_id, row.trigger_key))
        return live, closed


def overdue_corrective_actions(session, lo, hi, today):
    """{entity id: [ActionFact]}: corrective actions still open past their deadline (CorrectiveAction.overdue_on),
    for entities lo to hi; the owner of the escalation is the organisation that recorded the finding."""
    found = {}
    for row in session.execute(
            select(CorrectiveAction.id, CorrectiveAction.deadline, AuditFinding.entity_id,
                   AuditFinding.recorded_by_organisation_id)
            .join(AuditFinding, AuditFinding.id == CorrectiveAction.finding_id)
            .where(AuditFinding.entity_id.between(lo, hi), CorrectiveAction.deadline < today,
                   CorrectiveAction.state == "open").order_by(CorrectiveAction.id)):
        found.setdefault(row.entity_id, []).append(ActionFact(row.id, row.deadline, row.recorded_by_organisation_id))
    return found


def worker_reports(session, lo, hi, since):
    """{entity id: [ReportFact]}: the days since `since` when enough worker reports about an entity were verified
    (the worker reports capability decides what enough is: app/reports/aggregates.py)."""
    from app.reports import aggregates  # noqa: PLC0415  (reports import the review policy's facts)
    return aggregates.reaudit_events(session, lo, hi, since)
