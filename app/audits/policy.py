"""The review policy's engine (pure: no Flask, no database): an entity's facts and a day in, the review tasks
the policy wants out, each with its reason, owning organisation, due date and explanation.

What the policy says is data (rules/review-policy.yaml, read by app/audits/policy_file.py); what each trigger
means is here. State triggers are wanted while their condition holds, and a task whose condition went away is
cancelled by the sweep; event triggers are wanted for `lookback_days` after their event, and their tasks stay
until people close them.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
import functools

STATE_REASONS = ("periodic_review", "licence_expiring", "certification_expiring", "critical_finding",
                 "overdue_corrective_action")
EVENT_REASONS = ("licence_expired", "confirmed_hit", "tier_worsened", "worker_report")
REASONS = STATE_REASONS + EVENT_REASONS
# Statuses that say a licence is in force (as app/registry/expiry.py, which this pure module cannot import).
IN_FORCE = ("valid", "provisional")
OWNER_ROLES = ("followers", "certifier", "registrant", "regulators", "platform", "recorder")
# Only findings and corrective actions have an organisation that recorded them.
RECORDED = ("critical_finding", "overdue_corrective_action")

# Stored explanations are a message id (the reason) and parameters; this is the one place they become text.
MESSAGES = {
    "periodic_review": "Periodic review: risk tier {tier} is reviewed every {months} months, counted from {since}.",
    "licence_expiring": "Licence {licence} ends on {valid_until}: check its renewal.",
    "licence_expired": "Licence {licence} expired on {expired_on} (valid until {valid_until}).",
    "certification_expiring": "Certification ({status}) ends on {valid_until}: plan the re-certification audit.",
    "confirmed_hit": "A watchlist hit was confirmed on {decided_on}: {name} on {list}.",
    "critical_finding": "An open {grade} finding against principle {principle}, found on {found_on}, needs a "
                        "follow-up audit.",
    "overdue_corrective_action": "Corrective action {action_id} was due on {deadline} and is not done: escalate.",
    "tier_worsened": "The risk tier worsened from {from_tier} to {to_tier} on {scored_on}.",
    "worker_report": "A worker report was received on {received_on}.",
}


@dataclass(frozen=True)
class Trigger:
    """One reason for a task, its timing parameters and who owns its tasks."""

    reason: str
    owners: tuple
    otherwise: tuple = ()           # owners when `owners` name nobody
    notice_days: int | None = None
    review_within_days: int | None = None
    lookback_days: int | None = None
    follow_up_days: int | None = None
    escalate_within_days: int | None = None
    grades: tuple = ()
    place: str = ""


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    version: str
    triggers: dict                  # reason -> Trigger, only the triggers the policy turns on
    examples: tuple = ()
    path: str = ""
    content_hash: str = ""


@dataclass(frozen=True)
class Schedule:
    """An active rule set's tiers for one kind: their order (lowest risk first) and re-audit months."""

    order: tuple
    months: dict

    def rank(self, tier):
        return self.order.index(tier) if tier in self.order else None


@dataclass(frozen=True)
class Context:
    now: date
    schedules: dict = field(default_factory=dict)   # kind -> Schedule
    platform: tuple = ()                            # the platform's organisation ids


@dataclass(slots=True)
class LicenceFact:
    id: int
    authority: str
    number: str
    status: str                     # as it reads on `now` (an in-force licence past valid_until is expired)
    valid_until: date | None = None
    regulators: tuple = ()          # organisations managing the issuing authority


@dataclass(slots=True)
class HitFact:
    """A confirmed watchlist hit."""

    id: int
    list: str
    name: str
    decided_on: date


@dataclass(slots=True)
class FindingFact:
    id: int
    principle: str
    grade: str
    status: str
    found_on: date
    recorder: int | None = None


@dataclass(slots=True)
class ActionFact:
    """A corrective action not yet done."""

    id: int
    deadline: date
    recorder: int | None = None


@dataclass(slots=True)
class ReportFact:
    id: int
    received_on: date


@dataclass(slots=True)
class EntityFacts:
    entity_id: int
    kind: str = "agency"
    registered_on: date | None = None
    last_reviewed_on: date | None = None   # the last periodic review done
    tier: str | None = None                # of the latest score
    previous_tier: str | None = None       # of the score before it
    scored_on: date | None = None          # of the latest score
    score_id: int | None = None
    certification_status: str | None = None
    certification_valid_until: date | None = None
    certifier: int | None = None
    registrant: int | None = None
    followers: tuple = ()
    regulators: tuple = ()                 # organisations managing an authority that licensed the entity
    licences: tuple = ()                   # its licences (the sweep reads only those near their end)
    hits: tuple = ()
    findings: tuple = ()
    actions: tuple = ()
    reports: tuple = ()


@dataclass(frozen=True)
class Wanted:
    """A task the policy wants: one entity, one reason, one owning organisation."""

    entity_id: int
    reason: str
    organisation_id: int
    due_on: date
    key: str                        # which occurrence of the reason: a done task does not come back for it
    explanation: dict               # {"message": reason, "params": {...}} with JSON values only


@functools.lru_cache(maxsize=65536)
def add_months(day, months):
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def periodic(ctx, facts):
    """(since, due) of the periodic review by tier, or None when the tier or a start date is unknown."""
    schedule = ctx.schedules.get(facts.kind)
    months = schedule.months.get(facts.tier) if schedule is not None and facts.tier is not None else None
    since, reviewed = facts.registered_on, facts.last_reviewed_on
    if reviewed is not None and (since is None or reviewed > since):
        since = reviewed
    if months is None or since is None:
        return None
    return since, add_months(since, months)


def owners_of(trigger, ctx, facts, licence=None, recorder=None):
    """The organisations owning a task of this trigger (sorted ids)."""
    found = resolve(trigger.owners, ctx, facts, licence, recorder)
    if not found and trigger.otherwise:
        found = resolve(trigger.otherwise, ctx, facts, licence, recorder)
    return sorted(found)


def resolve(roles, ctx, facts, licence, recorder):
    """The organisations filling these owner roles."""
    found = set()
    for role in roles:
        if role == "followers":
            found.update(facts.followers)
        elif role == "certifier":
            if facts.certifier:
                found.add(facts.certifier)
        elif role == "registrant":
            if facts.registrant:
                found.add(facts.registrant)
        elif role == "regulators":
            found.update(licence.regulators if licence else facts.regulators)
        elif role == "platform":
            found.update(ctx.platform)
        elif role == "recorder" and recorder:
            found.add(recorder)
    return found


def occurrence(trigger, ctx, facts, due_on, key, params, licence=None, recorder=None, owners=None):
    explanation = {"message": trigger.reason, "params": params}
    return [Wanted(facts.entity_id, trigger.reason, owner, due_on, key, explanation)
            for owner in owners or owners_of(trigger, ctx, facts, licence, recorder)]


def recent(ctx, day, trigger):
    """The event happened on or before `now`, within the trigger's lookback."""
    return day is not None and 0 <= (ctx.now - day).days <= trigger.lookback_days


def licence_name(licence):
    return f"{licence.authority} {licence.number}"


def periodic_review(trigger, ctx, facts):
    found = periodic(ctx, facts)
    if found is None or (found[1] - ctx.now).days > trigger.notice_days:
        return []
    owners = owners_of(trigger, ctx, facts)   # first: most entities due have nobody to review them
    if not owners:
        return []
    since, due = found
    months = ctx.schedules[facts.kind].months[facts.tier]
    return occurrence(trigger, ctx, facts, due, f"since:{since}",
                      {"tier": facts.tier, "months": months, "since": since.isoformat()}, owners=owners)


def licence_expiring(trigger, ctx, facts):
    found = []
    for licence in facts.licences:
        if licence.status in IN_FORCE and licence.valid_until is not None \
                and (licence.valid_until - ctx.now).days <= trigger.notice_days:
            found += occurrence(trigger, ctx, facts, licence.valid_until,
                                f"licence:{licence.id}:{licence.valid_until}",
                                {"licence": licence_name(licence), "valid_until": licence.valid_until.isoformat()},
                                licence=licence)
    return found


def licence_expired(trigger, ctx, facts):
    found = []
    for licence in facts.licences:
        if licence.status != "expired" or licence.valid_until is None:
            continue
        expired_on = licence.valid_until + timedelta(days=1)
        if recent(ctx, expired_on, trigger):
            found += occurrence(trigger, ctx, facts, expired_on + timedelta(days=trigger.review_within_days),
                                f"licence:{licence.id}:{licence.valid_until}",
                                {"licence": licence_name(licence), "valid_until": licence.valid_until.isoformat(),
                                 "expired_on": expired_on.isoformat()}, licence=licence)
    return found


def certification_expiring(trigger, ctx, facts):
    end = facts.certification_valid_until
    # Past its end and still recorded certified, the task stays until the certifier records what happened.
    if facts.certification_status != "certified" or end is None or (end - ctx.now).days > trigger.notice_days:
        return []
    return occurrence(trigger, ctx, facts, end, f"certification:{end}",
                      {"status": facts.certification_status, "valid_until": end.isoformat()})


def confirmed_hit(trigger, ctx, facts):
    return [task for hit in facts.hits if recent(ctx, hit.decided_on, trigger)
            for task in occurrence(trigger, ctx, facts, hit.decided_on + timedelta(days=trigger.review_within_days),
                                   f"hit:{hit.id}", {"hit_id": hit.id, "list": hit.list, "name": hit.name,
                                                     "decided_on": hit.decided_on.isoformat()})]


def critical_finding(trigger, ctx, facts):
    return [task for finding in facts.findings if finding.status == "open" and finding.grade in trigger.grades
            for task in occurrence(trigger, ctx, facts, finding.found_on + timedelta(days=trigger.follow_up_days),
                                   f"finding:{finding.id}",
                                   {"finding_id": finding.id, "principle": finding.principle, "grade": finding.grade,
                                    "found_on": finding.found_on.isoformat()}, recorder=finding.recorder)]


def overdue_corrective_action(trigger, ctx, facts):
    return [task for action in facts.actions if action.deadline < ctx.now
            for task in occurrence(trigger, ctx, facts,
                                   action.deadline + timedelta(days=trigger.escalate_within_days),
                                   f"action:{action.id}",
                                   {"action_id": action.id, "deadline": action.deadline.isoformat()},
                                   recorder=action.recorder)]


def tier_worsened(trigger, ctx, facts):
    schedule = ctx.schedules.get(facts.kind)
    if facts.previous_tier is None or schedule is None or not recent(ctx, facts.scored_on, trigger):
        return []
    now_rank, before_rank = schedule.rank(facts.tier), schedule.rank(facts.previous_tier)
    if now_rank is None or before_rank is None or now_rank <= before_rank:
        return []
    return occurrence(trigger, ctx, facts, facts.scored_on + timedelta(days=trigger.review_within_days),
                      f"score:{facts.score_id}", {"from_tier": facts.previous_tier, "to_tier": facts.tier,
                                                   "scored_on": facts.scored_on.isoformat()})


def worker_report(trigger, ctx, facts):
    return [task for report in facts.reports if recent(ctx, report.received_on, trigger)
            for task in occurrence(trigger, ctx, facts,
                                   report.received_on + timedelta(days=trigger.review_within_days),
                                   f"report:{report.id}", {"report_id": report.id,
                                                           "received_on": report.received_on.isoformat()})]


TRIGGERS = {"periodic_review": periodic_review, "licence_expiring": licence_expiring,
            "licence_expired": licence_expired, "certification_expiring": certification_expiring,
            "confirmed_hit": confirmed_hit, "critical_finding": critical_finding,
            "overdue_corrective_action": overdue_corrective_action, "tier_worsened": tier_worsened,
            "worker_report": worker_report}
# The fact each trigger starts from: when it is empty the trigger wants nothing (checked before calling it, as
# the sweep runs every trigger for every entity).
NEEDS = {"periodic_review": "tier", "licence_expiring": "licences", "licence_expired": "licences",
         "certification_expiring": "certification_valid_until", "confirmed_hit": "hits",
         "critical_finding": "findings", "overdue_corrective_action": "actions", "tier_worsened": "previous_tier",
         "worker_report": "reports"}
assert set(TRIGGERS) == set(REASONS) == set(MESSAGES) == set(NEEDS)


def wanted_tasks(policy, ctx, facts):
    """Every task the policy wants for one entity on `ctx.now`, one per owning organisation and occurrence."""
    found = []
    for reason, trigger in policy.triggers.items():
        if getattr(facts, NEEDS[reason]):
            found += TRIGGERS[reason](trigger, ctx, facts)
    return found


def next_review(policy, ctx, facts, task_dates):
    """The entity's next review date: the earliest of its live tasks' dates and its periodic review."""
    found = periodic(ctx, facts) if "periodic_review" in policy.triggers else None
    dates = list(task_dates) + ([found[1]] if found else [])
    return min(dates) if dates else None


def describe(explanation):
    """An explanation as a sentence."""
    template = MESSAGES.get(explanation.get("message"))
    try:
        return template.format(**explanation.get("params", {})) if template else str(explanation.get("message"))
    except (KeyError, IndexError):
        return f"{explanation.get('message')}: {explanation.get('params')}"
