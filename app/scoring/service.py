"""Scoring use cases: evidence in, scores appended, their history and differences, switching rule sets."""

from sqlalchemy import func, select, update

from app.accounts import permissions
from app.audits import outbox
from app.audits.models import REPORTED, Audit
from app.bulk import any_of, chunks, insert_rows, paused_gc
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.progress import silent
from app.registry.models import Entity
from app.registry.service import get_entity
from app.scoring import evaluate, facts as fact_source, rescoring, rules
from app.scoring.activation import active_rule_set, explained, load_rule_set, record_activation, remember_rule_sets
from app.scoring.located import Problems
from app.scoring.models import AuditFinding, FeeLine, PracticeAssessment, Score

def stored_outcomes(result):
    """What a score row keeps of each rule: its verdict and message. The rest (title, principle, severity,
    weight, remediation, the facts it used) comes back from the rule set named by the row's hash."""
    return [[o.rule_id, o.outcome, o.message] for o in result.outcomes]


def score_entity(session, entity_id, reason, ruleset=None):
    """Assemble the entity's facts, evaluate the active rule set and append a score row."""
    facts, kind, country, corridors = fact_source.assemble(session, entity_id)
    ruleset = ruleset or active_rule_set(session, kind)
    result = evaluate.evaluate(ruleset, facts, kind=kind, country=country, corridors=corridors)
    tier_changes(session, {entity_id: result.tier})
    score = Score(entity_id=entity_id, ruleset_id=ruleset.id, ruleset_hash=ruleset.content_hash,
                  total=result.total, tier=result.tier, coverage=result.coverage, outcomes=stored_outcomes(result),
                  facts=facts, reason=reason)
    session.add(score)
    session.flush()
    fresh(session, [entity_id])
    # This score already reflects every fact flushed so far: no need to score it again at commit.
    rescoring.scored(session, [entity_id])
    return score


def rescore(session, kind, reason, ruleset=None, progress=silent):
    """Score every live entity of a kind, in batches, appending one row each; returns how many."""
    ruleset = ruleset or active_rule_set(session, kind)
    return score_many(session, dict.fromkeys(live_entities(session, kind), reason), ruleset, progress,
                      step=f"scoring {kind} entities")


def score_many(session, reasons, ruleset, progress=silent, step="scoring"):
    """Score these entities of the rule set's kind together ({entity id: reason}), one new row each, in
    batches of a few queries; returns how many. Their scores are current again (no longer stale)."""
    scored = 0
    progress(step, 0, len(reasons))
    with paused_gc():
        for batch in chunks(sorted(reasons), 2000):
            now = utcnow()
            rows = []
            for entity_id, (facts, kind, country, corridors) in fact_source.assemble_many(session, batch).items():
                result = evaluate.evaluate(ruleset, facts, kind=kind, country=country, corridors=corridors)
                rows.append({"entity_id": entity_id, "ruleset_id": ruleset.id, "ruleset_hash": ruleset.content_hash,
                             "total": result.total, "tier": result.tier, "coverage": result.coverage,
                             "outcomes": stored_outcomes(result), "facts": facts, "reason": reasons[entity_id],
                             "scored_at": now})
            tier_changes(session, {row["entity_id"]: row["tier"] for row in rows})
            insert_rows(session, Score.__table__, rows)
            fresh(session, batch)
            scored += len(rows)
            progress(step, scored, len(reasons))
    return scored


def tier_changes(session, tiers):
    """Note a tier_changed event for each entity whose new tier ({entity id: tier}, before its score row is
    written) differs from its latest score's; a first score changes nothing."""
    latest = select(func.max(Score.id)).where(any_of(session, Score.entity_id, tiers)).group_by(Score.entity_id)
    events = [outbox.tier_changed(entity_id, before=tier, after=tiers[entity_id])
              for entity_id, tier in session.execute(select(Score.entity_id, Score.tier).where(Score.id.in_(latest)))
              if tier != tiers[entity_id]]
    outbox.later(session, events)


def fresh(session, entity_ids):
    """These entities were just scored on every fact: their scores are no longer stale."""
    session.execute(update(Entity.__table__).where(any_of(session, Entity.id, entity_ids),
                                                  Entity.score_stale_since.isnot(None))
                    .values(score_stale_since=None, score_problem=None))


def what_if(ruleset, facts, kind, country, corridors=()):
    """Evaluate posted facts without saving anything."""
    return evaluate.evaluate(ruleset, facts, kind=kind, country=country, corridors=corridors)


def get_live(session, entity_id):
    """The live entity, or NotFound."""
    return get_entity(session, entity_id)


def current_score(session, entity_id):
    """The latest score of a live entity, or NotFound."""
    get_entity(session, entity_id)
    remember_rule_sets(session)
    score = session.scalar(select(Score).where(Score.entity_id == entity_id).order_by(Score.id.desc()).limit(1))
    if score is None:
        raise NotFound(f"Entity {entity_id} has not been scored yet.")
    return score


def score_history(session, entity_id, page=1, per_page=50):
    """Scores of an entity, newest first, and how many there are."""
    get_entity(session, entity_id)
    remember_rule_sets(session)
    total = session.scalar(select(func.count()).where(Score.entity_id == entity_id))
    rows = session.scalars(select(Score).where(Score.entity_id == entity_id).order_by(Score.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def get_score(session, entity_id, score_id):
    score = session.get(Score, score_id)
    if score is None or score.entity_id != entity_id:
        raise NotFound(f"Entity {entity_id} has no score {score_id}.")
    return score


def difference(older, newer):
    """What changed between two scores of one entity: totals, tiers, rule sets, and each rule that changed."""
    before = {o["rule_id"]: o for o in explained(older)}
    after = {o["rule_id"]: o for o in explained(newer)}
    changes = []
    for rule_id in sorted(before.keys() | after.keys()):
        was, now = before.get(rule_id), after.get(rule_id)
        if was and now and (was["outcome"], was["message"]) == (now["outcome"], now["message"]):
            continue
        changes.append({"rule_id": rule_id, "from": was and was["outcome"], "to": now and now["outcome"],
                        "message": (now or was)["message"], "facts_before": was and was.get("facts"),
                        "facts_after": now and now.get("facts")})
    return {"from_score": older.id, "to_score": newer.id, "total": [older.total, newer.total],
            "tier": [older.tier, newer.tier], "ruleset": [f"{older.ruleset_id}@{older.ruleset_hash[:12]}",
                                                           f"{newer.ruleset_id}@{newer.ruleset_hash[:12]}"],
            "rules": changes}


def add_evidence(session, actor, entity_id, model, data):
    """Record fee lines, a practice assessment or a finding, and re-score the entity."""
    get_entity(session, entity_id)
    row = model(entity_id=entity_id, recorded_by_user_id=actor.user_id,
                recorded_by_organisation_id=actor.organisation_id, **data)
    session.add(row)
    session.flush()
    score_entity(session, entity_id, reason=f"{model.__tablename__} added")
    return row


def list_evidence(session, entity_id, model):
    get_entity(session, entity_id)
    query = select(model).where(model.entity_id == entity_id)
    if model is AuditFinding:
        # An audit's findings are its auditor's draft until the report (app/audits): not shared evidence yet.
        query = query.outerjoin(Audit, Audit.id == AuditFinding.audit_id).where(
            Audit.id.is_(None) | Audit.state.in_(REPORTED))
    return session.scalars(query.order_by(model.id)).all()


def close_finding(session, actor, finding_id, data):
    """Close (or reopen) a finding; a stale version gets 409; the entity is re-scored."""
    finding = session.get(AuditFinding, finding_id)
    if finding is None:
        raise NotFound(f"No finding with id {finding_id}.")
    permissions.check(actor, "finding.close", finding, what="Closing or reopening this finding")
    if finding.version != data["version"]:
        raise Conflict(f"Finding {finding_id} changed since you read it (version {finding.version}).",
                       {"version": [f"current version is {finding.version}"]})
    finding.status = data["status"]
    finding.closed_on = data.get("closed_on") if data["status"] == "closed" else None
    session.flush()
    score_entity(session, finding.entity_id, reason="finding updated")
    return finding


def live_entities(session, kind):
    return session.scalars(select(Entity.id).where(Entity.kind == kind, Entity.deleted_at.is_(None))
                           .order_by(Entity.id)).all()


def impact(session, directory):
    """How a new rule set would change the tiers of the entities it scores, before it is activated."""
    try:
        new = rules.load(directory)
    except Problems as err:
        raise Invalid("The rule set is not valid.", {"rules": err.problems}) from None
    changes, unchanged = [], 0
    for kind in new.kinds:
        current = active_rule_set(session, kind, record=False)
        for entity_id in live_entities(session, kind):
            facts, _, country, corridors = fact_source.assemble(session, entity_id)
            before = evaluate.evaluate(current, facts, kind=kind, country=country, corridors=corridors)
            after = evaluate.evaluate(new, facts, kind=kind, country=country, corridors=corridors)
            if before.tier != after.tier:
                changes.append({"entity_id": entity_id, "kind": kind, "from": before.tier, "to": after.tier,
                                "total": [before.total, after.total]})
            else:
                unchanged += 1
    return new, changes, unchanged


def activate(session, actor, directory, progress=silent):
    """Make a valid rule set the active one for its kinds and re-score every entity of those kinds."""
    try:
        ruleset = load_rule_set(directory)
    except Problems as err:
        raise Invalid("The rule set is not valid; the active one stays.", {"rules": err.problems}) from None
    for kind in ruleset.kinds:
        record_activation(session, actor, kind, ruleset)
    scored = sum(rescore(session, kind, f"rule set {ruleset.id} activated", ruleset, progress)
                 for kind in ruleset.kinds)
    return ruleset, scored


MODELS = {"fee-lines": FeeLine, "practices": PracticeAssessment, "findings": AuditFinding}
