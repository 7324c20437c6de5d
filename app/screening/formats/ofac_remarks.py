"""What the Remarks column of OFAC's legacy CSV says: identifiers, weak aliases, nationalities, birth facts.

Remarks are "; "-separated statements such as `Passport A123 (Egypt) issued 01 Jan 2001`, `nationality Iran`
or `a.k.a. 'BNC'`. OFAC cuts long remarks off mid-statement; a cut-off statement is simply not recognised.
"""
from dataclasses import dataclass, field
import re

from app.screening.formats.countries import code_for_name

# The labels OFAC writes before an identifier (from the 2021 and 2024 files), by scheme.
LABELS = {
    "registration": (
        "Registration Number", "Registration ID", "Business Registration Number", "Business Registration Document #",
        "Commercial Registry Number", "Company Number", "UK Company Number", "Chamber of Commerce Number",
        "Folio Mercantil No.", "Matricula Mercantil No", "C.R. No.", "Trade License No.",
        "Central Registration System Number", "Istanbul Chamber of Comm. No.", "Government Gazette Number",
        "Unified Social Credit Code (USCC)", "United Social Credit Code Certificate (USCCC)",
        "Economic Register Number (CBLS)", "Business Number", "Enterprise Number", "Public Registration Number",
        "Certificate of Incorporation Number", "Dubai Chamber of Commerce Membership No.", "Registered Charity No.",
        "Branch Unit Number", "Organization Code", "Registration Certificate Number (Dubai)", "Romanian C.R.",
        "C.I.N.", "MSB Registration Number",
        "Russian State Individual Business Registration Number Pattern (OGRNIP)",
    ),
    "tax_id": (
        "Tax ID No.", "V.A.T. Number", "NIT #", "RUC #", "RIF #", "R.F.C.", "R.F.C. #", "RFC", "C.U.I.T.",
        "US FEIN", "Italian Fiscal Code", "Italian Fiscal Code:", "Fiscal Code", "Romanian Tax Registration",
        "Paraguayan tax identification number", "C.I.F.", "N.I.F.", "RTN",
        "Numero Unico de Identificacao Tributaria (NUIT)",
    ),
    "national_id": (
        "National ID No.", "Cedula No.", "D.N.I.", "Identification Number", "C.U.R.P.", "C.U.R.P. #",
        "Personal ID Card", "National Foreign ID Number", "Turkish Identification Number", "Numero de Identidad",
        "Citizen's Card Number", "Kenyan ID No.", "C.U.I.", "C.U.I.P.", "Tazkira National ID Card",
        "Bosnian Personal ID No.", "Moroccan Personal ID No.", "N.I.E.", "CNP (Personal Numerical Code)",
        "UAE Identification", "Electoral Registry No.", "Credencial electoral", "I.F.E.", "LE Number",
        "Residency Number", "Refugee ID Card", "Stateless Person ID Card", "SSN",
    ),
    "passport": (
        "Passport", "Diplomatic Passport", "Passport Booklet", "Passport Booklet:", "Stateless Person Passport",
        "British National Overseas Passport", "Travel Document Number",
    ),
    "imo": (
        "Vessel Registration Identification IMO", "Identification Number IMO", "Company Number IMO",
        "International Maritime Organization No.",
    ),
    "mmsi": ("MMSI",),
    "swift": ("SWIFT/BIC",),
    "duns": ("D-U-N-S Number",),
    "lei": ("Legal Entity Number",),
    "isin": ("ISIN", "Identification Number ISIN:"),
    "bik": ("BIK (RU)",),
    "driving_licence": ("Driver's License No.",),
    "birth_certificate": ("Birth Certificate Number",),
    "aircraft_serial": ("Aircraft Manufacturer's Serial Number (MSN)", "Aircraft Serial Identification"),
    "aircraft_tail": ("Aircraft Tail Number",),
}
SCHEMES = {label: scheme for scheme, labels in LABELS.items() for label in labels}
IDENTIFIER = re.compile(r"(?:alt\. )?(?P<label>%s) (?P<rest>.+)"
                        % "|".join(map(re.escape, sorted(SCHEMES, key=len, reverse=True))))
WEAK_ALIAS = re.compile(r"[afn]\.k\.a\. '(?P<name>.+)'\.?")
COUNTRY = re.compile(r"(?:alt\. )?(?:nationality|citizen) (?P<country>.+?)\.?")
BIRTH_DATE = re.compile(r"(?:alt\. )?DOB (?P<value>.+?)\.?")
BIRTH_PLACE = re.compile(r"(?:alt\. )?POB (?P<value>.+?)\.?")
GENDER = re.compile(r"Gender (?P<value>\w+)\.?")


@dataclass
class Remarks:
    """The facts found in one Remarks cell, in the order written."""

    identifiers: list = field(default_factory=list)
    weak_aliases: list = field(default_factory=list)
    country_names: list = field(default_factory=list)
    birth_dates: list = field(default_factory=list)
    birth_places: list = field(default_factory=list)
    gender: str | None = None


def read_remarks(text):
    """The identifiers, weak aliases, countries and birth facts of a Remarks cell."""
    found = Remarks()
    for statement in (part.strip() for part in text.split(";")):
        if match := WEAK_ALIAS.fullmatch(statement):
            found.weak_aliases.append(match["name"])
        elif match := IDENTIFIER.fullmatch(statement):
            value, country = identifier_value(match["rest"])
            if value:
                found.identifiers.append((SCHEMES[match["label"]], value))
            if country:
                found.country_names.append(country)
        elif match := COUNTRY.fullmatch(statement):
            found.country_names.append(match["country"])
        elif match := BIRTH_DATE.fullmatch(statement):
            found.birth_dates.append(match["value"])
        elif match := BIRTH_PLACE.fullmatch(statement):
            found.birth_places.append(match["value"])
        elif match := GENDER.fullmatch(statement):
            found.gender = match["value"]
    return found


def identifier_value(rest):
    """(value, issuing country or None) from what follows a label, e.g. `X123 (Egypt) issued 01 Jan 2001`."""
    rest = re.split(r" (?:issued|expires)\b", rest)[0].strip().rstrip(".,")
    groups = []
    while rest.endswith(")") and "(" in rest:
        start = rest.rfind("(")
        groups.insert(0, rest[start + 1:-1].strip())
        rest = rest[:start].strip()
    value = rest or (groups.pop(0) if groups else "")
    country = next((group for group in reversed(groups) if code_for_name(group)), None)
    return value.rstrip("."), country
