"""A case handler's dashboard: how many reports its organisation received, by state; counts only, no one named."""
from sqlalchemy import func, select

from app.reports.models import Report
from app.reports.vocab import STATES


def counts_by_state(session, organisation_id):
    """{state: how many reports the organisation received in it}, every state listed, in the cases' order."""
    found = dict(session.execute(select(Report.state, func.count()).where(
        Report.receiving_organisation_id == organisation_id).group_by(Report.state)).all())
    return {**{state: 0 for state in STATES}, **found}
