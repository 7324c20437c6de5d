"""The words of worker reports, shared by the models, the figures engine and the scoring catalogue."""

# What a report says happened, as categories (ILO forced-labour indicators as they show in recruitment).
CATEGORIES = ("fees_paid", "documents_kept", "contract_substitution", "wages_withheld", "deception",
              "threats_violence", "debt_bondage")
# received -> triaged -> (referred | investigating) -> resolved -> closed; a case may be closed from any state.
STATES = ("received", "triaged", "referred", "investigating", "resolved", "closed")
NEXT_STATES = {"received": ("triaged", "closed"), "triaged": ("referred", "investigating", "resolved", "closed"),
               "referred": ("investigating", "resolved", "closed"), "investigating": ("referred", "resolved", "closed"),
               "resolved": ("closed", "investigating"), "closed": ()}
CHANNELS = ("public", "partner", "import")
# Who a worker paid (a fee line's `paid_to`).
PAYEES = ("agency", "sub_agent", "employer", "broker", "official", "other")
CONTRACT = ("as_promised", "changed", "not_given")
FEE_CATEGORIES = ("recruitment_fee", "medical", "insurance", "skills_test", "training_orientation", "equipment",
                  "travel_lodging", "administrative", "illegitimate")


def categories_of(answers):
    """The categories a report's structured answers fall under (answers: a mapping of the answer fields)."""
    found = []
    if answers.get("fees"):
        found.append("fees_paid")  # repaid or not: the worker paid (repayment is remediation, not innocence)
    if answers.get("documents_kept"):
        found.append("documents_kept")
    if answers.get("contract") in ("changed", "not_given"):
        found.append("contract_substitution")
    for name, category in (("wages_withheld", "wages_withheld"), ("deceived", "deception"),
                           ("threats_or_violence", "threats_violence"), ("in_debt", "debt_bondage")):
        if answers.get(name):
            found.append(category)
    return found
