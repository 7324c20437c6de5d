"""A business's portfolio as one table: each followed entity with its tier, score and trend, watchlist hits,
licences ending, and due review tasks, gathered in a few queries for all rows at once (not one per row)."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from app.audits.reconcile import LIVE_STATES
from app.audits.tasks_models import ReviewTask
from app.registry.expiry import IN_FORCE, effective_status
from app.registry.models import Entity, Licence, PortfolioEntry
from app.registry.names import name_key
from app.registry.vocab import ENTITY_KINDS
from app.scoring.activation import active_rule_set
from app.scoring.models import Score
from app.screening.models import Hit

# "Licence expiring" looks this far ahead.
EXPIRY_DAYS = 90
UNSCORED = "unscored"


@dataclass
class Row:
    """One followed entity as the dashboard shows it."""

    entity_id: int
    name: str
    kind: str
    country: str
    tier: str | None = None
    score: float | None = None
    previous_score: float | None = None
    previous_tier: str | None = None
    open_hits: int = 0
    confirmed_hits: int = 0
    expiring: int = 0
    expired: int = 0
    next_end: date | None = None
    due_tasks: int = 0
    next_due: date | None = None
    overdue_tasks: int = 0

    @property
    def change(self):
        """The score's change since the previous scoring (None when either has no total)."""
        if self.score is None or self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 1)


def followed(organisation_id):
    """The ids of the live entities an organisation follows, as a subquery."""
    return (select(PortfolioEntry.entity_id).join(Entity, Entity.id == PortfolioEntry.entity_id)
            .where(PortfolioEntry.organisation_id == organisation_id, Entity.deleted_at.is_(None)))


def portfolio_rows(session, organisation_id, today):
    """Every entity the organisation follows, with what the dashboard shows, by name (five queries)."""
    ids = followed(organisation_id)
    rows = {entity_id: Row(entity_id, name, kind, country) for entity_id, name, kind, country in session.execute(
        select(Entity.id, Entity.legal_name, Entity.kind, Entity.country).where(Entity.id.in_(ids))
        .order_by(Entity.name_key, Entity.id))}
    add_scores(session, rows, ids)
    add_hits(session, rows, ids)
    add_licences(session, rows, ids, today)
    add_tasks(session, rows, ids, organisation_id, today)
    return list(rows.values())


def add_scores(session, rows, ids):
    """The latest score and the one before it, of every row."""
    ranked = (select(Score.entity_id, Score.total, Score.tier,
                     func.row_number().over(partition_by=Score.entity_id, order_by=Score.id.desc()).label("n"))
              .where(Score.entity_id.in_(ids)).subquery())
    for entity_id, total, tier, n in session.execute(select(ranked).where(ranked.c.n <= 2)):
        row = rows[entity_id]
        if n == 1:
            row.score, row.tier = total, tier
        else:
            row.previous_score, row.previous_tier = total, tier


def add_hits(session, rows, ids):
    """Hits still found: open or escalated ones (a possible match under review) and confirmed ones."""
    for entity_id, state, count in session.execute(
            select(Hit.entity_id, Hit.state, func.count()).where(
                Hit.entity_id.in_(ids), Hit.current.is_(True), Hit.state.in_(("open", "escalated", "confirmed")))
            .group_by(Hit.entity_id, Hit.state)):
        if state == "confirmed":
            rows[entity_id].confirmed_hits += count
        else:
            rows[entity_id].open_hits += count


def add_licences(session, rows, ids, today):
    """Licences in force that end within EXPIRY_DAYS, and expired ones (as they read today)."""
    horizon = today + timedelta(days=EXPIRY_DAYS)
    for entity_id, status, valid_until in session.execute(
            select(Licence.entity_id, Licence.status, Licence.valid_until).where(Licence.entity_id.in_(ids))):
        row = rows[entity_id]
        status = effective_status(status, valid_until, today)
        if status == "expired":
            row.expired += 1
        elif status in IN_FORCE and valid_until is not None and valid_until <= horizon:
            row.expiring += 1
            row.next_end = min(row.next_end or valid_until, valid_until)


def add_tasks(session, rows, ids, organisation_id, today):
    """The organisation's live review tasks on each row: how many, how many overdue, the next due day."""
    overdue = func.sum(case((ReviewTask.due_on < today, 1), else_=0))
    for entity_id, count, first, late in session.execute(
            select(ReviewTask.entity_id, func.count(), func.min(ReviewTask.due_on), overdue)
            .where(ReviewTask.organisation_id == organisation_id, ReviewTask.state.in_(LIVE_STATES),
                   ReviewTask.entity_id.in_(ids)).group_by(ReviewTask.entity_id)):
        row = rows[entity_id]
        row.due_tasks, row.next_due, row.overdue_tasks = count, first, int(late or 0)


def known_tiers(session):
    """The tiers of the active rule sets, lowest risk first (a filter offers these and "unscored")."""
    names = []
    for kind in ENTITY_KINDS:
        names += [tier.name for tier in active_rule_set(session, kind, record=False).policy.tiers
                  if tier.name not in names]
    return names


def tier_counts(rows, tiers):
    """How many rows are in each tier (`tiers`: lowest risk first), then how many are not scored yet."""
    counts = {tier: 0 for tier in tiers}
    for row in rows:
        key = row.tier or UNSCORED
        counts[key] = counts.get(key, 0) + 1
    counts.setdefault(UNSCORED, 0)
    return counts


def matches(row, *, tier=None, country=None, text=None, expiring=False, open_hits=False):
    """Whether a row passes the dashboard's filters (each unset filter passes everything)."""
    if tier and (row.tier or UNSCORED) != tier:
        return False
    if country and row.country != country:
        return False
    if text and name_key(text) not in name_key(row.name):
        return False
    if expiring and not (row.expiring or row.expired):
        return False
    return not open_hits or row.open_hits > 0


def filtered(rows, filters):
    """The rows that pass the filters (a mapping of matches' keyword arguments)."""
    return [row for row in rows if matches(row, **filters)]
