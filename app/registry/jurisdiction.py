"""A regulator's view of its jurisdiction: its authorities' licences by status and by expiry, a filtered page of
them, and the watchlist hits waiting on the entities they license. Statuses read as on `today`."""
from datetime import timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager

from app.registry.expiry import IN_FORCE
from app.registry.models import Entity, Licence
from app.registry.names import licence_key, name_key
from app.screening.models import Hit
from app.screening.review import hits_query

# The expiry windows a registrar looks at, in days ahead.
WINDOWS = (30, 90)
EXPIRY_FILTERS = ("expired", "30", "90")


def effective(today):
    """A licence's status as it reads on `today`, as a SQL expression (see app/registry/expiry.py)."""
    return case((and_(Licence.status.in_(IN_FORCE), Licence.valid_until < today), "expired"), else_=Licence.status)


def licences_of(authority_ids):
    """Licences of these authorities held by live entities."""
    return (select(Licence).join(Entity, Entity.id == Licence.entity_id)
            .where(Licence.authority_id.in_(sorted(authority_ids)), Entity.deleted_at.is_(None)))


def status_counts(session, authority_ids, today):
    """{status as it reads today: how many licences}, most first."""
    status = effective(today).label("status")
    query = licences_of(authority_ids).with_only_columns(status, func.count()).group_by(status)
    return dict(sorted(session.execute(query).all(), key=lambda pair: (-pair[1], pair[0])))


def expiry_counts(session, authority_ids, today):
    """How many licences have expired, and how many in force end within each window (30 and 90 days)."""
    in_force = and_(Licence.status.in_(IN_FORCE), Licence.valid_until >= today)
    columns = [func.sum(case((effective(today) == "expired", 1), else_=0))]
    columns += [func.sum(case((and_(in_force, Licence.valid_until <= today + timedelta(days=days)), 1), else_=0))
                for days in WINDOWS]
    found = session.execute(licences_of(authority_ids).with_only_columns(*columns)).one()
    return {"expired": int(found[0] or 0), **{str(days): int(n or 0) for days, n in zip(WINDOWS, found[1:])}}


def list_licences(session, authority_ids, today, *, status=None, expiry=None, text=None, page=1, per_page=50):
    """A page of the authorities' licences (soonest end first) and how many pass the filters: `status` as it
    reads today, `expiry` "expired" or a window of days ("30", "90"), `text` part of the number or the name."""
    query = licences_of(authority_ids)
    if status:
        query = query.where(effective(today) == status)
    if expiry == "expired":
        query = query.where(effective(today) == "expired")
    elif expiry:
        query = query.where(Licence.status.in_(IN_FORCE), Licence.valid_until >= today,
                            Licence.valid_until <= today + timedelta(days=int(expiry)))
    if text:
        # Typed as people type them: any digits and separators for numbers, any case and accents for names.
        conditions = [Entity.name_key.contains(name_key(text), autoescape=True)]
        if licence_key(text):
            conditions.append(Licence.number_key.contains(licence_key(text), autoescape=True))
        query = query.where(or_(*conditions))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.options(contains_eager(Licence.entity))
                           .order_by(Licence.valid_until.is_(None), Licence.valid_until, Licence.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def hit_queue(session, authority_ids, *, limit=50):
    """Open and escalated hits still found on entities the authorities license, best scores first, and how many."""
    licensed = exists().where(Licence.entity_id == Hit.entity_id, Licence.authority_id.in_(sorted(authority_ids)))
    query = hits_query(current=True).where(Hit.state.in_(("open", "escalated")), licensed)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.options(contains_eager(Hit.entity)).order_by(Hit.score.desc(), Hit.id)
                           .limit(limit)).all()
    return rows, total
