"""What the scoring API accepts and returns."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
import pycountry

from app.registry.vocab import ENTITY_KINDS
from app.schemas import Boolean, CountryCode, Id, Integer, PageMeta, one_of
from app.scoring.catalogue import CATALOGUE, FEE_CATEGORIES, FEE_PAYERS, FEE_STAGES, PRINCIPLES
from app.scoring.located import nearest
from app.scoring.activation import explained

SOURCES = ("self_assessment", "audit", "worker_interviews", "receipts", "regulator", "other")
NON_NEGATIVE = validate.Range(min=0, error="Must be 0 or more; got {input}.")


class CurrencyCode(fields.String):
    """An ISO 4217 currency code; the error names the bad value."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if pycountry.currencies.get(alpha_3=code) is None:
            raise ValidationError(f"{value!r} is not an ISO 4217 currency code (e.g. USD, NPR, QAR).")
        return code


class Amount(fields.Decimal):
    """A money amount: read exactly to the cent, written as a JSON number (a Decimal would reach JSON as text)."""

    def _serialize(self, value, attr, obj, **kwargs):
        number = super()._serialize(value, attr, obj, **kwargs)
        return None if number is None else float(number)


class RecordedSchema(Schema):
    id = Integer(dump_only=True)
    entity_id = Integer(dump_only=True)
    source = fields.String(required=True, validate=one_of(SOURCES))
    recorded_at = fields.DateTime(dump_only=True)
    recorded_by_user_id = Integer(dump_only=True)
    recorded_by_organisation_id = Integer(dump_only=True)


class FeeLineSchema(RecordedSchema):
    category = fields.String(required=True, validate=one_of(FEE_CATEGORIES))
    amount = Amount(required=True, places=2, validate=NON_NEGATIVE)
    currency = CurrencyCode(required=True)
    paid_by = fields.String(required=True, validate=one_of(FEE_PAYERS))
    stage = fields.String(required=True, validate=one_of(FEE_STAGES))
    repaid = Boolean(load_default=False)
    observed_on = fields.Date(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class PracticeSchema(RecordedSchema):
    source = fields.String(required=True, validate=one_of(("self_assessment", "audit")))
    assessed_on = fields.Date(required=True)
    fee_survey_done = Boolean(allow_none=True)
    written_contract = Boolean(allow_none=True)
    contract_in_worker_language = Boolean(allow_none=True)
    contract_days_before_departure = Integer(allow_none=True, validate=NON_NEGATIVE)
    contract_substitution_found = Boolean(allow_none=True)
    documents_retained = Boolean(allow_none=True)
    grievance_mechanism = Boolean(allow_none=True)
    grievance_channels = Integer(allow_none=True, validate=NON_NEGATIVE)
    data_protection_policy = Boolean(allow_none=True)
    minimum_age_checked = Boolean(allow_none=True)
    uses_subagents = Boolean(allow_none=True)
    subagents_unlicensed = Integer(allow_none=True, validate=NON_NEGATIVE)
    deposits_demanded = Boolean(allow_none=True)


class FindingSchema(RecordedSchema):
    source = fields.String(load_default="audit", validate=one_of(SOURCES))
    audit_id = Integer(dump_only=True, allow_none=True, metadata={"description": "The audit that found it, if any"})
    principle = fields.String(required=True, validate=one_of(tuple(PRINCIPLES)))
    grade = fields.String(required=True, validate=one_of(("major", "minor")))
    status = fields.String(dump_only=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    found_on = fields.Date(required=True)
    closed_on = fields.Date(dump_only=True, allow_none=True)
    version = Integer(dump_only=True)


class FindingUpdateSchema(Schema):
    version = Integer(required=True)
    status = fields.String(required=True, validate=one_of(("open", "closed")))
    closed_on = fields.Date(allow_none=True)


class ScoreSchema(Schema):
    id = Integer()
    entity_id = Integer()
    ruleset_id = fields.String()
    ruleset_hash = fields.String()
    total = fields.Float(allow_none=True)
    tier = fields.String()
    coverage = fields.Float()
    outcomes = fields.Function(lambda score: explained(score), metadata={
        "type": "array", "items": {"type": "object"},
        "description": "Per rule: rule_id, title, principle, source, severity, weight, outcome "
                       "(pass/fail/unknown), message, the facts it used, remediation"})
    facts = fields.Raw(metadata={"type": "object"})
    reason = fields.String()
    scored_at = fields.DateTime()


class CurrentScoreSchema(ScoreSchema):
    stale = fields.Function(
        lambda score: {"since": score.entity.score_stale_since.isoformat(), "problem": score.entity.score_problem}
        if score.entity.score_stale_since else None,
        metadata={"type": "object", "nullable": True,
                  "description": "Set when the entity's facts changed after this score but it could not be scored "
                                 "again (the active rule set failed to load): since when, and why. The scheduler "
                                 "re-scores it once the rules load again."})


class ScorePageSchema(Schema):
    items = fields.List(fields.Nested(ScoreSchema))
    meta = fields.Nested(PageMeta)


class DiffArgs(Schema):
    from_ = Id(data_key="from", metadata={"description": "Older score id (default: the one before 'to')"})
    to = Id(metadata={"description": "Newer score id (default: the current score)"})


def check_fact_value(name, value):
    """The problem with one posted fact value, or None."""
    fact = CATALOGUE[name]
    if value is None:
        return None
    expected = {"bool": bool, "int": int, "number": (int, float), "string": str, "list": list}[fact.type]
    if not isinstance(value, expected) or (fact.type in ("int", "number") and isinstance(value, bool)):
        return f"must be {fact.type}"
    if fact.values and value not in fact.values:
        return f"must be one of: {', '.join(fact.values)}; got {value!r}"
    if fact.type == "list":
        for index, item in enumerate(value):
            if not isinstance(item, dict) or set(item) - set(fact.fields):
                return f"item {index} must be an object with fields {', '.join(fact.fields)}"
    return None


class WhatIfSchema(Schema):
    kind = fields.String(load_default="agency", validate=one_of(ENTITY_KINDS))
    country = CountryCode(required=True)
    corridors = fields.List(fields.String(), load_default=list)
    facts = fields.Dict(keys=fields.String(), required=True)

    @validates_schema
    def known_facts(self, data, **kwargs):
        problems = {}
        for name, value in data.get("facts", {}).items():
            if name not in CATALOGUE:
                problems[f"facts.{name}"] = [f"Unknown fact{nearest(name, CATALOGUE)}."]
            elif (problem := check_fact_value(name, value)):
                problems[f"facts.{name}"] = [problem]
        if problems:
            raise ValidationError(problems)


class WhatIfResultSchema(Schema):
    ruleset_id = fields.String()
    ruleset_hash = fields.String()
    total = fields.Float(allow_none=True)
    tier = fields.String()
    coverage = fields.Float()
    outcomes = fields.Raw(metadata={"type": "array", "items": {"type": "object"}})


class EvidenceImportArgs(Schema):
    type = fields.String(required=True, validate=one_of(("fee-lines", "practices", "findings")))
    skip_invalid = Boolean(load_default=False)


class EvidenceImportReport(Schema):
    rows = Integer()
    imported = Integer()
    entities = Integer(metadata={"description": "Entities given new evidence (each re-scored)"})
    skipped = fields.List(fields.Dict())
