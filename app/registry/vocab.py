"""The registry's controlled vocabularies (see DOMAIN.md)."""
import functools

import pycountry

ENTITY_KINDS = ("agency", "employer")
LICENCE_STATUSES = ("valid", "provisional", "expired", "preventive_suspension", "suspended", "cancelled",
                    "revoked", "delisted", "banned", "surrendered")
LICENCE_TYPES = ("full", "provisional", "branch")
CERTIFICATION_STATUSES = ("applicant", "deferred", "rejected", "accepted", "certified", "suspended", "withdrawn",
                          "expired")
ALIAS_KINDS = ("other", "former", "trading", "transliteration")
PERSON_ROLES = ("owner", "director", "authorised_representative", "principal_officer")
RELATIONSHIP_KINDS = ("employer_uses_agency", "agency_uses_subagent")
SECTORS = ("agriculture", "construction", "domestic_work", "electronics", "fishing", "garments", "healthcare",
           "hospitality", "manufacturing", "food_processing", "cleaning", "security", "transport", "mining",
           "retail", "other")
ADDRESS_KINDS = ("registered", "office", "branch")


@functools.lru_cache(maxsize=1024)
def country_name(code):
    """The English short name of an ISO 3166-1 alpha-2 code, or None if there is no such country."""
    if not isinstance(code, str) or len(code) != 2 or not code.isalpha():
        return None
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else None
