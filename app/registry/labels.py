"""The words of the entity page in the reader's language: the forms' field labels (also named in the error
summary) and the registry's and evidence's vocabularies."""
from flask_babel import gettext as _


def labels():
    """{form: {field: label}}."""
    source = _("Where this comes from")
    note = _("Note")
    return {
        "follow": {"label": _("Your label for it (optional)")},
        "note": {"body": note},
        "fee-line": {"source": source, "category": _("What it paid for"), "amount": _("Amount"),
                     "currency": _("Currency"), "paid_by": _("Paid by"), "stage": _("When it was paid"),
                     "repaid": _("Repaid in full to the worker"), "observed_on": _("Seen on (optional)"),
                     "note": note},
        "practices": {
            "source": source, "assessed_on": _("Assessed on"),
            "fee_survey_done": _("Workers were asked what they paid"),
            "written_contract": _("Workers get a written contract"),
            "contract_in_worker_language": _("The contract is in a language the worker understands"),
            "contract_days_before_departure": _("Days before departure the worker gets the contract"),
            "contract_substitution_found": _("A contract was replaced by a worse one"),
            "documents_retained": _("Passports or identity documents are held by the recruiter"),
            "grievance_mechanism": _("Workers have a way to complain"),
            "grievance_channels": _("Ways to complain (telephone, in person...)"),
            "data_protection_policy": _("A policy protects workers' personal data"),
            "minimum_age_checked": _("Workers' age is checked (no one under 18)"),
            "uses_subagents": _("It recruits through sub-agents"),
            "subagents_unlicensed": _("Sub-agents without a valid licence"),
            "deposits_demanded": _("Workers are asked for deposits or bonds")},
        "licence": {"version": _("Version"), "status": _("New status"), "effective_on": _("In effect from"),
                    "status_raw": _("The status in the authority's words (optional)"), "reason": _("Reason"),
                    "reason_public": _("Show the reason on the public page")},
        "correction": {"field": _("What to correct"), "value": _("The correct value"),
                       "reason": _("Why: your source")},
    }


def words():
    """{vocabulary: {code: word}}."""
    return {
        "tier": {"critical": _("critical"), "high": _("high"), "medium": _("medium"), "low": _("low")},
        "licence_status": {
            "valid": _("licensed"), "provisional": _("provisionally licensed"), "expired": _("expired"),
            "preventive_suspension": _("suspended as a precaution"), "suspended": _("suspended"),
            "cancelled": _("cancelled"), "revoked": _("revoked"), "delisted": _("delisted"), "banned": _("banned"),
            "surrendered": _("licence given up")},
        "fee_category": {
            "recruitment_fee": _("recruitment fee"), "medical": _("medical examination"),
            "insurance": _("insurance"), "skills_test": _("skills test"),
            "training_orientation": _("training and orientation"), "equipment": _("equipment"),
            "travel_lodging": _("travel and lodging"), "administrative": _("passport, visa and other papers"),
            "illegitimate": _("bribe, deposit or bond")},
        "payer": {"worker": _("the worker"), "employer": _("the employer"), "agency": _("the agency")},
        "stage": {"before_departure": _("before departure"), "in_transit": _("in transit"),
                  "on_arrival": _("on arrival"), "salary_deduction": _("deducted from wages")},
        "source": {"self_assessment": _("self-assessment"), "audit": _("audit"),
                   "worker_interviews": _("worker interviews"), "receipts": _("receipts"),
                   "regulator": _("regulator"), "other": _("other")},
        "document": {"audit_report": _("audit report"), "self_assessment": _("self-assessment"),
                     "contract": _("contract"), "receipt": _("receipt"), "licence_copy": _("copy of the licence"),
                     "correspondence": _("letters and e-mails"), "other": _("other")},
        "field": {"legal_name": _("Registered name"), "country": _("Country"), "website": _("Website"),
                  "sectors": _("Kinds of work"), "aliases": _("Other names"), "identifiers": _("Identifiers")},
        "person_role": {"owner": _("owner"), "director": _("director"),
                        "authorised_representative": _("authorised representative"),
                        "principal_officer": _("principal officer")},
        "kind": {"agency": _("agency"), "employer": _("employer")},
        "grade": {"major": _("major"), "minor": _("minor")},
        "finding_status": {"open": _("open"), "closed": _("closed")},
    }
