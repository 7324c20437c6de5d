"""The named facts rules may use: their types, allowed values, and for lists the fields of each item.

A source of facts (the registry, evidence, screening, worker reports) registers what it provides here; the
evaluator only ever sees a dict of values, so a new source needs no change to it. A fact that is absent from
an entity's dict is unknown, never false or zero.
"""
from dataclasses import dataclass, field

from app.registry.vocab import CERTIFICATION_STATUSES, LICENCE_STATUSES
from app.reports.vocab import CATEGORIES as REPORT_CATEGORIES

TYPES = ("bool", "int", "number", "string", "list")
FEE_CATEGORIES = ("recruitment_fee", "medical", "insurance", "skills_test", "training_orientation", "equipment",
                  "travel_lodging", "administrative", "illegitimate")
FEE_PAYERS = ("worker", "employer", "agency")
FEE_STAGES = ("before_departure", "in_transit", "on_arrival", "salary_deduction")
PRINCIPLES = {"A": "Respect for laws, fundamental principles and rights at work",
              "B": "Ethical and professional conduct",
              "C": "Prohibition of recruitment fees and related costs to migrant workers",
              "D": "Respect for freedom of movement",
              "E": "Transparency of terms and conditions of employment",
              "F": "Confidentiality and data protection",
              "G": "Access to remedy"}


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    description: str
    values: tuple = ()                                 # allowed values of a string fact (empty: any)
    fields: dict = field(default_factory=dict)         # list facts: item field -> type
    field_values: dict = field(default_factory=dict)   # list facts: item field -> allowed values


CATALOGUE: dict[str, Fact] = {}


def register(*facts):
    """Add facts to the catalogue (each source of facts calls this when it is imported)."""
    for fact in facts:
        if fact.type not in TYPES:
            raise ValueError(f"fact {fact.name}: unknown type {fact.type}")
        CATALOGUE[fact.name] = fact


register(
    Fact("licence_status", "string", "Normalised status of the entity's best licence", LICENCE_STATUSES),
    Fact("licence_days_to_expiry", "int", "Days until the best licence expires (negative: expired)"),
    Fact("licence_count", "int", "Licences on record"),
    Fact("licence_destination_count", "int", "Destination countries the licences authorise"),
    Fact("certification_status", "string", "Certification status", CERTIFICATION_STATUSES),
    Fact("fee_lines", "list", "Fees and costs recorded for the entity's recruitment",
         fields={"category": "string", "amount": "number", "currency": "string", "paid_by": "string",
                 "stage": "string", "repaid": "bool"},
         field_values={"category": FEE_CATEGORIES, "paid_by": FEE_PAYERS, "stage": FEE_STAGES}),
    Fact("written_contract", "bool", "Workers get a written employment contract"),
    Fact("contract_in_worker_language", "bool", "The contract is in a language the worker understands"),
    Fact("contract_days_before_departure", "int", "Days before departure the worker receives the contract"),
    Fact("contract_substitution_found", "bool", "A contract was replaced by a worse one after signing"),
    Fact("documents_retained", "bool", "Passports or identity documents are held by the recruiter"),
    Fact("grievance_mechanism", "bool", "Workers have a grievance mechanism"),
    Fact("grievance_channels", "int", "Ways workers can raise a grievance (phone, app, in person...)"),
    Fact("data_protection_policy", "bool", "A policy protects workers' personal data"),
    Fact("minimum_age_checked", "bool", "Workers' age is verified (no recruitment under 18)"),
    Fact("uses_subagents", "bool", "The agency recruits through sub-agents"),
    Fact("subagents_unlicensed", "int", "Sub-agents used that hold no valid licence"),
    Fact("deposits_demanded", "bool", "Workers are asked for deposits, bonds or collateral"),
    Fact("findings", "list", "Audit findings",
         fields={"principle": "string", "grade": "string", "status": "string"},
         field_values={"principle": tuple(PRINCIPLES), "grade": ("major", "minor"), "status": ("open", "closed")}),
    Fact("overdue_corrective_actions", "list", "Corrective actions of findings still open past their deadline",
         fields={"principle": "string", "grade": "string", "days_overdue": "int"},
         field_values={"principle": tuple(PRINCIPLES), "grade": ("major", "minor")}),
    Fact("confirmed_hits", "list", "Confirmed watchlist hits",
         fields={"list_kind": "string"},
         field_values={"list_kind": ("sanctions", "debarment", "banned_agency", "internal")}),
    # Only what a case handler verified, of reports the worker let count (app/reports/aggregates.py); no fact
    # at all for an entity without one, so rules on it read unknown rather than clean.
    Fact("worker_reports", "list", "Worker reports a case handler verified: one item per category found true",
         fields={"category": "string", "days_since_verified": "int"},
         field_values={"category": REPORT_CATEGORIES}),
)
