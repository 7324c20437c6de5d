"""Validating flat table rows (CSV, XLSX) column by column, with the import schema's own fields.

A registry file repeats the same countries, statuses, sectors and authorities on every row; checking each
distinct cell value once, with the very field objects of the schemas, gives the schema's verdicts and
messages at a fraction of the cost of loading every row as nested records.
"""
from marshmallow import ValidationError, fields, validate

from app.registry import tables
from app.registry.schemas import (AddressSchema, AliasSchema, EntityImportSchema, IdentifierSchema, LicenceSchema,
                                  PersonRoleSchema, check_date_order, check_in_force)

ENTITY = EntityImportSchema._declared_fields
LICENCE = LicenceSchema._declared_fields
MISSING = "Missing data for required field."


def length_limits(field):
    """(min, max) when a text field's only check is its length, else None.

    A cell of such a field within its limits is the field's verdict as it stands (a plain String returns the
    text it is given); names, lines and numbers are mostly distinct, so checking them through the field and
    remembering each verdict cost more than it saved. A cell outside the limits still goes through the field,
    for its own message.
    """
    if type(field) is not fields.String or field.pre_load or field.post_load or not field.validators:
        return None
    lengths = field.validators
    if not all(type(v) is validate.Length and v.equal is None for v in lengths):
        return None
    return (max((v.min or 0 for v in lengths), default=0),
            min((v.max for v in lengths if v.max is not None), default=float("inf")))


class Checker:
    """Checks cell values with schema fields, remembering each (field, value) verdict."""

    def __init__(self):
        self.fields = {}  # field -> (length limits or None, {value: verdict})

    def check(self, field, value):
        """The deserialised value; raises ValidationError with the field's own messages."""
        known = self.fields.get(field)
        if known is None:
            known = self.fields[field] = (length_limits(field), {})
        limits, seen = known
        if limits is not None and type(value) is str and limits[0] <= len(value) <= limits[1]:
            return value
        verdict = seen.get(value)
        if verdict is None:
            try:
                verdict = (True, field.deserialize(value))
            except ValidationError as err:
                verdict = (False, err.messages)
            seen[value] = verdict
        if verdict[0]:
            return verdict[1]
        raise ValidationError(verdict[1])


def messages_of(err):
    """The messages of a field's ValidationError as a flat list."""
    found = err.messages
    if isinstance(found, dict):
        return [m for value in found.values() for m in (value if isinstance(value, list) else [value])]
    return found if isinstance(found, list) else [found]


def validate_row(checker, cells):
    """The record a row describes, as the import schema would load it, and {column: [messages]}."""
    problems = {}

    def cell(column):
        return cells.get(column, "").strip()

    def take(column, field, value, required=False):
        if value == "":
            if required:
                problems.setdefault(column, []).append(MISSING)
            return None
        try:
            return checker.check(field, value)
        except ValidationError as err:
            problems.setdefault(column, []).extend(messages_of(err))
            return None

    record = {"kind": take("kind", ENTITY["kind"], cell("kind")),
              "legal_name": take("legal_name", ENTITY["legal_name"], cell("legal_name"), required=True),
              "country": take("country", ENTITY["country"], cell("country"), required=True)}
    for column in ("website", "certification_status"):
        if cell(column):
            record[column] = take(column, ENTITY[column], cell(column))
    record["sectors"] = [take("sectors", ENTITY["sectors"].inner, s) for s in tables.split(cells.get("sectors"))]
    record["aliases"] = [{"name": take("aliases", AliasSchema._declared_fields["name"], a), "kind": "other"}
                         for a in tables.split(cells.get("aliases"))]
    record["identifiers"] = identifiers(cells, take, problems)
    record["addresses"] = []
    if cell("address"):
        address = {"kind": "registered", "line": take("address", AddressSchema._declared_fields["line"],
                                                      cell("address")),
                   "country": record["country"]}
        if cell("city"):
            address["city"] = take("city", AddressSchema._declared_fields["city"], cell("city"))
        record["addresses"].append(address)
    record["people"] = people(cells, take, problems)
    record["licences"] = licences(cells, take, problems)
    return record, problems


def identifiers(cells, take, problems):
    """The identifiers cell: 'scheme:value' entries."""
    found = []
    for part in tables.split(cells.get("identifiers")):
        scheme, sep, value = part.partition(":")
        if not sep or not value.strip():
            problems.setdefault("identifiers", []).append(
                f"{part!r} is not written as scheme:value (e.g. company_registration:12345).")
            continue
        found.append({"scheme": take("identifiers", IdentifierSchema._declared_fields["scheme"], scheme.strip()),
                      "value": take("identifiers", IdentifierSchema._declared_fields["value"], value.strip())})
    return found


def people(cells, take, problems):
    """The people cell: 'Name (role)' entries."""
    found = []
    fields = PersonRoleSchema._declared_fields
    for part in tables.split(cells.get("people")):
        match = tables.PERSON.match(part)
        if not match:
            problems.setdefault("people", []).append(
                f"{part!r} is not written as 'Name (role)', e.g. 'Sita Sharma (owner)'.")
            continue
        found.append({"name": take("people", fields["name"], match["name"].strip()),
                      "role": take("people", fields["role"], match["role"].strip().replace(" ", "_"))})
    return found


def licences(cells, take, problems):
    """The licence columns: one licence, or none when they are all blank."""
    given = {field: cells.get(column, "").strip() for field, column in tables.LICENCE_COLUMNS.items()}
    if not any(given.values()):
        return []
    licence = {"type": "full", "destinations": [], "sectors": []}
    for field, value in given.items():
        column = tables.LICENCE_COLUMNS[field]
        if field in ("destinations", "sectors"):
            licence[field] = [take(column, LICENCE[field].inner, v) for v in tables.split(value)]
        elif value or field in ("authority", "number", "status"):
            result = take(column, LICENCE[field], value, required=field in ("authority", "number", "status"))
            if value:
                licence[field] = result
    try:
        check_date_order(licence, "valid_from", "valid_until")
        check_in_force(licence)
    except ValidationError as err:
        problems.setdefault("licence_valid_until", []).extend(messages_of(err))
    return [licence]
