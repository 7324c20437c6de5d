"""What reports add up to outside their cases: the public figures, the scoring facts of verified reports, and
the review policy's worker-report trigger. None of it carries anything a worker said in their own words."""
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import Integer, delete, extract, func, select

from app import config
from app.audits.policy import ReportFact
from app.bulk import any_of, chunks, insert_rows, postgresql
from app.db import utcnow
from app.registry import expiry
from app.reports.figures import Contribution, publish_together
from app.reports.models import PublicFigure, Report
from app.reports.vocab import CATEGORIES
from app.scoring import facts

# Reports that count outside their case: the worker agreed, has not withdrawn it, a case handler has looked at
# it (a flood of reports nobody triaged moves no figure), and it is not a duplicate of another.
COUNTED = (Report.consent_figures.is_(True), Report.withdrawn_at.is_(None), Report.duplicate_of_id.is_(None))


def setting(name):
    """A reports setting of the running app (the module default outside one)."""
    return current_app.config[name] if has_app_context() else getattr(config, name)


def report_year(session):
    """The year a report counts in, computed by the database (a million timestamps cost more to read than to
    compare): when it began, else when it was received (UTC)."""
    if postgresql(session):
        return func.coalesce(extract("year", Report.period_from),
                             extract("year", func.timezone("UTC", Report.received_at))).cast(Integer)
    # SQLite keeps dates and UTC timestamps as ISO text.
    return func.substr(func.coalesce(Report.period_from, Report.received_at), 1, 4).cast(Integer)


def contributions(session):
    """(by agency, by corridor) Contributions of the reports the public figures count, read in one pass."""
    by_agency, by_corridor = [], []
    rows = session.execute(select(Report.agency_entity_id, Report.origin_country, Report.destination_country,
                                  report_year(session), Report.reporter_key, Report.categories)
                           .where(*COUNTED, Report.state != "received", Report.categories != "")
                           .execution_options(yield_per=20_000))
    for agency, origin, destination, year, reporter, categories in rows:
        found = tuple(categories.split(","))
        if agency is not None:
            by_agency.append(Contribution(str(agency), year, reporter, found))
        if origin and destination:
            by_corridor.append(Contribution(f"{origin}-{destination}", year, reporter, found))
    return by_agency, by_corridor


def recompute_figures(session, k, now=None):
    """Replace the public figures with ones computed from the reports now; returns the number of cells kept."""
    now = now or utcnow()
    rows = []
    # Suppressed together: both count the same reports, so one's totals must not give the other's away.
    for kind, by_year in zip(("agency", "corridor"), publish_together(contributions(session), CATEGORIES, k)):
        for year, cells in by_year.items():
            rows += [{"kind": kind, "year": year, "subject": subject, "category": category, "reports": value,
                      "computed_at": now, "min_reporters": k} for (subject, category), value in cells.items()]
    session.execute(delete(PublicFigure))
    for chunk in chunks(rows):
        insert_rows(session, PublicFigure.__table__, chunk)
    return len(rows)


def read_figures(session, kind, year=None, subject=None):
    """The published figures of one kind, optionally for one year and one subject."""
    query = select(PublicFigure).where(PublicFigure.kind == kind)
    if year:
        query = query.where(PublicFigure.year == year)
    if subject:
        query = query.where(PublicFigure.subject == subject.upper())
    items = session.scalars(query.order_by(PublicFigure.year, PublicFigure.subject, PublicFigure.category)).all()
    any_row = items[0] if items else session.scalar(select(PublicFigure).limit(1))
    return {"min_reporters": any_row.min_reporters if any_row else setting("REPORTS_MIN_REPORTERS"),
            "computed_at": any_row.computed_at if any_row else None, "items": items}


def agency_figures(session, entity_id, year, years):
    """(k, {year: {category: reports}}, newest year first) of one agency's published figures in the `years` up to
    `year` (the lookup index: kind, year, subject)."""
    rows = session.execute(select(PublicFigure.year, PublicFigure.category, PublicFigure.reports).where(
        PublicFigure.kind == "agency", PublicFigure.year.between(year - years + 1, year),
        PublicFigure.subject == str(entity_id)).order_by(PublicFigure.year.desc(), PublicFigure.category)).all()
    by_year = {}
    for row in rows:
        by_year.setdefault(row.year, {})[row.category] = row.reports
    return setting("REPORTS_MIN_REPORTERS"), by_year


def verified(session, condition):
    """(agency, report id, verified categories, verified at) of the counted reports a case handler verified."""
    return session.execute(select(Report.agency_entity_id, Report.id, Report.verified_categories, Report.verified_at)
                           .where(*COUNTED, condition, Report.verified_at.is_not(None),
                                  Report.verified_categories != "")
                           .order_by(Report.agency_entity_id, Report.verified_at, Report.id)).all()


@facts.provide
def verified_reports(session, entity_ids):
    """The worker_reports fact: one item per category a case handler verified in a report about the entity.

    Unverified reports are no fact at all: a flood of false reports moves no score.
    """
    today, found = expiry.today(), {}
    for chunk in chunks(sorted(entity_ids)):
        for agency, _, categories, verified_at in verified(session, any_of(session, Report.agency_entity_id, chunk)):
            items = found.setdefault(agency, {"worker_reports": []})["worker_reports"]
            items += [{"category": category, "days_since_verified": (today - verified_at.date()).days}
                      for category in categories.split(",")]
    return found


def reaudit_events(session, lo, hi, since, needed=None, window_days=None):
    """{entity id: [ReportFact]} for entities lo to hi: each day on or after `since` when an entity's verified
    reports reached `needed` within `window_days` (REPORTS_REAUDIT_COUNT, REPORTS_REAUDIT_DAYS). The fact names
    the report that reached the count, and its `received_on` is the day it was verified."""
    needed = needed or setting("REPORTS_REAUDIT_COUNT")
    window = timedelta(days=window_days or setting("REPORTS_REAUDIT_DAYS"))
    if since is None:
        return {}
    by_entity = {}
    for agency, report_id, _, verified_at in verified(session, Report.agency_entity_id.between(lo, hi)):
        by_entity.setdefault(agency, []).append((verified_at.date(), report_id))
    found = {}
    for agency, days in by_entity.items():
        start = 0
        for end, (day, report_id) in enumerate(days):
            while days[start][0] < day - window:
                start += 1
            # The count reaches `needed` with this report (the window before held one fewer).
            if end - start + 1 == needed and day >= since:
                found.setdefault(agency, []).append(ReportFact(report_id, day))
    return found
