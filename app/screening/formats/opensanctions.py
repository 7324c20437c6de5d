"""OpenSanctions' `targets.simple.csv` export: one row per target, several values in a cell separated by `;`."""
import csv

from app.screening.formats import FormatError, sniff, wrong_format
from app.screening.formats.clean import build_entry, clean_text

REQUIRED = ("id", "schema", "name")
SCHEMAS = {"Person": "person", "Organization": "organization", "Company": "organization",
           "LegalEntity": "organization", "PublicBody": "organization", "Vessel": "vessel", "Airplane": "aircraft"}


def parse(paths):
    """Entries of each file; a target of another schema (a crypto wallet, a security...) is of kind "other"."""
    seen = {}
    for path in paths:
        for where, row in rows(path):
            entry_id = row["id"]
            if entry_id in seen:
                raise FormatError(f"id {entry_id} is listed twice (first at {seen[entry_id]})", f'{where}, column "id"')
            seen[entry_id] = where
            yield row_entry(where, row)


def rows(path):
    """(place, cells by column) for each non-empty row; FormatError for a file of another shape."""
    if sniff(path) != "opensanctions-csv":
        raise wrong_format(path, "opensanctions-csv", f"the header lacks the columns {', '.join(REQUIRED)}")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        number = 1
        try:
            header = [(clean_text(cell) or "").lower() for cell in next(reader, [])]
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    raise FormatError(f"{len(cells)} cells where the header has {len(header)} (a cut or broken row)",
                                      f"{path.name}: row {number}")
                yield f"{path.name}: row {number}", {key: clean_text(value) or "" for key, value in zip(header, cells)}
        except (csv.Error, UnicodeDecodeError) as err:
            raise FormatError(f"unreadable CSV: {err}", f"{path.name}: row {number + 1}") from None


def values(row, column):
    """The `;`-separated values of a cell."""
    return [value.strip() for value in row.get(column, "").split(";") if value.strip()]


def row_entry(where, row):
    """The ListedEntry of one row."""
    details = {
        "schema": row["schema"], "birth_dates": values(row, "birth_date"), "addresses": values(row, "addresses"),
        "sanctions": values(row, "sanctions"), "phones": values(row, "phones"), "emails": values(row, "emails"),
        "datasets": values(row, "dataset"),
        # last_seen and last_change move with every export: kept out so that unchanged targets stay unchanged.
        "first_seen": row.get("first_seen"),
    }
    # The export lists identifier values without saying which kind each is.
    identifiers = [("other", value) for value in values(row, "identifiers")]
    return build_entry(f'{where}, column "name"', row["id"], SCHEMAS.get(row["schema"], "other"), row["name"],
                       aliases=values(row, "aliases"), country_codes=values(row, "countries"),
                       identifiers=identifiers,
                       reason="; ".join(values(row, "program_ids")) or "; ".join(values(row, "sanctions")),
                       details=details)
