"""The facts the review policy reads, gathered for a range of entity ids at once (a few set-based queries per
range, never one entity at a time), and the review tasks those entities already have."""
from datetime import datetime, time, timedelta, timezone
import logging

from sqlalchemy import column, func, inspect, select, table

from app.accounts.models import Organisation, OrganisationAuthority
from app.accounts.permissions import GOVERNMENT, PLATFORM
from app.audits.policy import (ActionFact, EntityFacts, FindingFact, HitFact, LicenceFact, ReportFact, Schedule)
from app.audits.reconcile import LIVE_STATES, LiveTask
from app.audits.tasks_models import ReviewTask
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


class Gatherer:
    """Reads the policy's facts for ranges of entities on one day."""

    def __init__(self, session, policy, now):
        self.session, self.policy, self.now = session, policy, now
        self.regulators = regulators_by_authority(session)
        self.authorities = dict(session.execute(select(Authority.id, Authority.code)).all())
        self.has_actions = inspect(session.connection()).has_table("corrective_actions")

    def since(self, reason):
        """The first day an event of this reason can still make a task (None: the policy does not ask)."""
        trigger = self.policy.triggers.get(reason)
        return self.now - timedelta(days=trigger.lookback_days) if trigger else None

    def entities(self, lo, hi):
        """The live entities with ids from lo to hi: {id: row}."""
        return {row.id: row for row in self.session.execute(
            select(Entity.id, Entity.kind, Entity.created_at, Entity.certification_status,
                   Entity.certification_valid_until, Entity.certified_by_organisation_id,
                   Entity.registered_by_organisation_id, Entity.next_review_on)
            .where(Entity.id.between(lo, hi), Entity.deleted_at.is_(None)))}

    def facts(self, lo, hi, entities):
        """{entity id: EntityFacts} of the given entities (all with ids from lo to hi)."""
        licences, followers, scores = self.licences(lo, hi), self.followers(lo, hi), self.scores(lo, hi)
        hits, findings, reviewed = self.confirmed_hits(lo, hi), self.open_findings(lo, hi), self.reviewed(lo, hi)
        actions = overdue_corrective_actions(self.session, lo, hi, self.now) if self.has_actions else {}
        reports = worker_reports(self.session, lo, hi, self.since("worker_report"))
        found = {}
        for entity_id, row in entities.items():
            latest = scores.get(entity_id, [])
            found[entity_id] = EntityFacts(
                entity_id=entity_id, kind=row.kind, registered_on=row.created_at.date(),
                last_reviewed_on=reviewed.get(entity_id), tier=latest[0].tier if latest else None,
                previous_tier=latest[1].tier if len(latest) > 1 else None,
                scored_on=latest[0].scored_at.date() if latest else None, score_id=latest[0].id if latest else None,
                certification_status=row.certification_status,
                certification_valid_until=row.certification_valid_until,
                certifier=row.certified_by_organisation_id, registrant=row.registered_by_organisation_id,
                followers=tuple(followers.get(entity_id, ())), licences=tuple(licences.get(entity_id, ())),
                hits=tuple(hits.get(entity_id, ())), findings=tuple(findings.get(entity_id, ())),
                actions=tuple(actions.get(entity_id, ())), reports=tuple(reports.get(entity_id, ())))
        return found

    def licences(self, lo, hi):
        found = {}
        for row in self.session.execute(select(Licence.id, Licence.entity_id, Licence.authority_id, Licence.number,
                                               Licence.status, Licence.valid_until)
                                        .where(Licence.entity_id.between(lo, hi)).order_by(Licence.id)):
            found.setdefault(row.entity_id, []).append(LicenceFact(
                row.id, self.authorities[row.authority_id], row.number,
                expiry.effective_status(row.status, row.valid_until, self.now), row.valid_until,
                self.regulators.get(row.authority_id, ())))
        return found

    def followers(self, lo, hi):
        found = {}
        for entity_id, organisation_id in self.session.execute(
                select(PortfolioEntry.entity_id, PortfolioEntry.organisation_id)
                .where(PortfolioEntry.entity_id.between(lo, hi)).order_by(PortfolioEntry.organisation_id)):
            found.setdefault(entity_id, []).append(organisation_id)
        return found

    def scores(self, lo, hi):
        """{entity id: [latest score, the one before]} (id, tier, scored_at)."""
        if not {"periodic_review", "tier_worsened"} & set(self.policy.triggers):
            return {}
        ranked = (select(Score.entity_id, Score.id, Score.tier, Score.scored_at,
                         func.row_number().over(partition_by=Score.entity_id, order_by=Score.id.desc()).label("n"))
                  .where(Score.entity_id.between(lo, hi)).subquery())
        found = {}
        for row in self.session.execute(select(ranked).where(ranked.c.n <= 2).order_by(ranked.c.entity_id,
                                                                                       ranked.c.n)):
            found.setdefault(row.entity_id, []).append(row)
        return found

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
        return {entity_id: closed_at.astimezone(timezone.utc).date() for entity_id, closed_at in self.session.execute(
            select(ReviewTask.entity_id, func.max(ReviewTask.closed_at))
            .where(ReviewTask.entity_id.between(lo, hi), ReviewTask.reason == "periodic_review",
                   ReviewTask.state == "done").group_by(ReviewTask.entity_id))}

    def tasks(self, lo, hi):
        """(live tasks, {(entity, reason, organisation, key)} of occurrences people closed) of the range."""
        live, closed = [], set()
        for row in self.session.execute(
                select(ReviewTask.id, ReviewTask.entity_id, ReviewTask.reason, ReviewTask.organisation_id,
                       ReviewTask.trigger_key, ReviewTask.due_on, ReviewTask.explanation, ReviewTask.state,
                       ReviewTask.snoozed_until, ReviewTask.closed_by_sweep)
                .where(ReviewTask.entity_id.between(lo, hi))):
            if row.state in LIVE_STATES:
                live.append(LiveTask(row.id, row.entity_id, row.reason, row.organisation_id, row.trigger_key,
                                     row.due_on, row.explanation, row.state, row.snoozed_until))
            elif not row.closed_by_sweep:
                closed.add((row.entity_id, row.reason, row.organisation_id, row.trigger_key))
        return live, closed


def overdue_corrective_actions(session, lo, hi, today):
    """{entity id: [ActionFact]}: corrective actions past their deadline and not done, for entities lo to hi.

    The corrective_actions table comes with the audits capability, built beside this one: the sweep calls this
    only once that table exists (until then no task has this reason). It reads the columns that capability is
    expected to have: id, finding_id (the audit finding it corrects, whose entity and recording organisation
    it takes), deadline and state (done, verified or cancelled once no longer open); adjust here if they differ.
    """
    actions = table("corrective_actions", column("id"), column("finding_id"), column("deadline"), column("state"))
    found = {}
    for row in session.execute(
            select(actions.c.id, actions.c.deadline, AuditFinding.entity_id, AuditFinding.recorded_by_organisation_id)
            .join(AuditFinding, AuditFinding.id == actions.c.finding_id)
            .where(AuditFinding.entity_id.between(lo, hi), actions.c.deadline < today,
                   actions.c.state.not_in(("done", "verified", "cancelled"))).order_by(actions.c.id)):
        deadline = row.deadline if not isinstance(row.deadline, str) else datetime.fromisoformat(row.deadline).date()
        found.setdefault(row.entity_id, []).append(ActionFact(row.id, deadline, row.recorded_by_organisation_id))
    return found


def worker_reports(session, lo, hi, since):
    """{entity id: [ReportFact]}: worker reports received since `since`. No source yet: the worker reports
    capability (its own issue) fills this in; the policy and the engine already take the trigger."""
    return {}
