"""What a signed-in actor may read of one agency or employer, for its page: the same schemas and permissions as
the API (app/accounts/permissions.py), each section present only when the actor may read it."""
from sqlalchemy import select

from app.accounts import permissions
from app.errors import NotFound
from app.registry import graph, private, service
from app.registry.models import Entity, PortfolioEntry, Relationship
from app.registry.schemas import EntitySchema, LicenceDetailSchema
from app.scoring import service as scoring
from app.scoring.models import AuditFinding, FeeLine, PracticeAssessment
from app.screening import review
from app.screening.schemas import FollowedHitSchema, HitSchema

# The chain drawn around an entity: two steps up (employer -> agency -> it) and two down.
HOPS = 2
# Links drawn at most per step (the busiest employers use dozens of agencies); the list says what is left out.
MAX_LINKS = 12
MAX_HITS = 50


def followed(session, actor, entity_id):
    """The actor's organisation's portfolio entry for the entity, or None."""
    return session.scalar(select(PortfolioEntry).where(PortfolioEntry.organisation_id == actor.organisation_id,
                                                       PortfolioEntry.entity_id == entity_id))


def chain(session, entity_id):
    """The links around an entity, up to HOPS steps each way: (relationships, {id: live entity}, cut short)."""
    found, seen, cut = [], {entity_id}, False
    for upwards in (True, False):
        frontier = {entity_id}
        for _ in range(HOPS):
            near = Relationship.provider_id if upwards else Relationship.client_id
            rows = session.scalars(select(Relationship).where(near.in_(frontier)).order_by(Relationship.id)
                                   .limit(MAX_LINKS + 1)).all()
            cut = cut or len(rows) > MAX_LINKS
            rows = rows[:MAX_LINKS]
            for row in rows:
                if row not in found:
                    found.append(row)
            frontier = {row.client_id if upwards else row.provider_id for row in rows} - seen
            seen |= frontier
            if not frontier:
                break
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(seen),
                                                                      Entity.deleted_at.is_(None)))}
    live = [row for row in found if row.client_id in entities and row.provider_id in entities]
    return live, entities, cut


def network(session, entity_id, rtl=False):
    """The chain as a drawing (graph.Layout), as a list of links, and the limit of links a step if one was cut
    short (else 0); (None, [], 0) without any link."""
    links, entities, cut = chain(session, entity_id)
    if not links:
        return None, [], 0
    drawing = graph.layout(entity_id, [(r.client_id, r.provider_id) for r in links],
                           {i: e.legal_name for i, e in entities.items()}, rtl)
    return drawing, [(row, entities[row.client_id], entities[row.provider_id]) for row in links], cut and MAX_LINKS


def hits(session, actor, entity):
    """(how the actor sees hits: "review", "follow" or None, the hits dumped as the API gives them)."""
    if permissions.allowed(actor, "hit.read"):
        rows, _ = review.list_hits(session, entity_id=entity.id, current=True, per_page=MAX_HITS)
        return "review", HitSchema(many=True).dump(rows)
    if permissions.allowed(actor, "hit.follow"):
        try:
            return "follow", FollowedHitSchema(many=True).dump(review.followed_hits(session, actor, entity.id))
        except NotFound:
            return None, []
    return None, []


def current_score(session, entity_id):
    """The entity's latest score, or None before its first."""
    try:
        return scoring.current_score(session, entity_id)
    except NotFound:
        return None


def read(session, actor, entity_id, rtl=False):
    """Everything on the entity's page that the actor may read, and which forms the actor may use (rtl: the
    page reads right to left)."""
    entity = service.get_entity(session, entity_id)
    may = lambda action, row=None: permissions.allowed(actor, action, row)  # noqa: E731
    record = {"entity": entity, "profile": EntitySchema().dump(entity),
              "licences": [(licence, LicenceDetailSchema().dump(licence)) for licence in entity.licences]}
    if may("relationship.read"):
        record["drawing"], record["links"], record["cut"] = network(session, entity_id, rtl)
        record["corridors"] = sorted({(r.origin_country, r.destination_country)
                                      for r in service.list_relationships(session, entity_id)})
    if may("score.read"):
        record["score"] = current_score(session, entity_id)
    if may("evidence.read"):
        record["fee_lines"] = scoring.list_evidence(session, entity_id, FeeLine)
        record["practices"] = scoring.list_evidence(session, entity_id, PracticeAssessment)
        record["findings"] = scoring.list_evidence(session, entity_id, AuditFinding)
    record["hit_view"], record["hits"] = hits(session, actor, entity)
    if may("private.read"):
        record["following"] = followed(session, actor, entity_id)
        record["notes"] = private.list_notes(session, actor, entity_id)
        record["documents"] = private.list_evidence(session, actor, entity_id)
    record["forms"] = {
        "follow": may("private.write"), "note": may("private.write"), "evidence": may("evidence.record"),
        "correction": may("change.propose"),
        "licences": {licence.id for licence in entity.licences if may("licence.record", licence)}}
    return record
