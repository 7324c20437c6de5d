"""FollowTheMoney entities, one JSON object per line (as OpenSanctions and Aleph export them).

Only parties become entries; a Sanction entity lends its programme and listing date to the party it names.
Sanctions may come before or after their party, so the parties are held until the whole file is read.
"""
import json

from app.screening.formats import FormatError, sniff, wrong_format
from app.screening.formats.clean import build_entry, to_date

SCHEMAS = {"Person": "person", "Organization": "organization", "Company": "organization",
           "LegalEntity": "organization", "PublicBody": "organization", "Vessel": "vessel", "Airplane": "aircraft"}
IDENTIFIERS = {"registrationNumber": "registration", "taxNumber": "tax_id", "idNumber": "national_id",
               "passportNumber": "passport", "imoNumber": "imo", "innCode": "inn", "ogrnCode": "ogrn",
               "leiCode": "lei", "swiftBic": "swift", "dunsCode": "duns", "vatCode": "vat", "okpoCode": "okpo",
               "mmsi": "mmsi"}
COUNTRIES = ("country", "nationality", "jurisdiction", "citizenship")
DETAILS = {"birthDate": "birth_dates", "birthPlace": "birth_places", "incorporationDate": "incorporation_dates",
           "address": "addresses", "flag": "flags", "topics": "topics"}


def parse(paths):
    """Entries of each file, in file order."""
    for path in paths:
        parties, sanctions = read_file(path)
        for where, record in parties:
            yield party_entry(where, record, sanctions.get(record["id"], []))


def read_file(path):
    """([(file:line, party)], {party id: [sanction properties]}); FormatError for a line that is not an entity."""
    if sniff(path) != "ftm-json":
        raise wrong_format(path, "ftm-json", "the first line is not a FollowTheMoney entity")
    parties, sanctions, seen = [], {}, {}
    with open(path, encoding="utf-8") as handle:
        number = 0
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = f"{path.name}:{number}"
                record = entity(line.rstrip("\r\n"), where)
                if record["schema"] == "Sanction":
                    for party_id in record["properties"].get("entity", []):
                        sanctions.setdefault(party_id, []).append(record["properties"])
                elif record["schema"] in SCHEMAS:
                    if record["id"] in seen:
                        raise FormatError(f"entity {record['id']} is listed twice (first at {seen[record['id']]})",
                                          where)
                    seen[record["id"]] = where
                    parties.append((where, record))
        except UnicodeDecodeError as err:
            raise FormatError(f"not UTF-8 text: {err}", f"{path.name}:{number + 1}") from None
    return parties, sanctions


def entity(line, where):
    """One line's entity: an object with an id, a schema and properties; FormatError otherwise."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise FormatError(f"not JSON ({err.msg} at column {err.colno})", where) from None
    if not isinstance(record, dict) or not record.get("id") or not isinstance(record.get("schema"), str) \
            or not isinstance(record.get("properties", {}), dict):
        raise FormatError("not a FollowTheMoney entity: expected an object with id, schema and properties", where)
    # FtM writes every property as a list; a lone value is read as a list of one.
    record["properties"] = {name: values if isinstance(values, list) else [values]
                            for name, values in record.get("properties", {}).items()}
    return record


def party_entry(where, record, sanctions):
    """The ListedEntry of a party and the sanctions naming it."""
    props = record["properties"]
    names = props.get("name", [])
    days = [day for sanction in sanctions for day in sanction.get("listingDate", []) + sanction.get("startDate", [])]
    listed = [to_date(day, where) for day in days if len(day) >= 10]  # FtM dates may be a year or a month only
    programmes = dict.fromkeys(value for sanction in sanctions
                               for value in sanction.get("program", []) or sanction.get("reason", []))
    return build_entry(
        where, record["id"], SCHEMAS[record["schema"]], names[0] if names else None,
        aliases=names[1:] + props.get("alias", []) + props.get("previousName", []),
        weak_aliases=props.get("weakAlias", []),
        country_codes=[code for prop in COUNTRIES for code in props.get(prop, [])],
        identifiers=[(scheme, value) for prop, scheme in IDENTIFIERS.items() for value in props.get(prop, [])],
        listed_on=min(listed, default=None), reason="; ".join(programmes) or None,
        details={"schema": record["schema"], **{key: props.get(prop, []) for prop, key in DETAILS.items()}})
