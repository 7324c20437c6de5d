"""A plain CSV for lists without a format of their own: `id,name` and optional columns, `;` between values.

Optional columns: kind (one of KINDS, organization when empty), aliases, countries (ISO alpha-2),
identifiers (`scheme:value`), listed_on (YYYY-MM-DD) and reason. Every bad cell is reported, by row and
column, in one FormatError; rows count as a spreadsheet shows them, the header being row 1.
"""
import csv
from datetime import date
import re

from app.screening.formats import KINDS, FormatError, sniff, wrong_format
from app.screening.formats.clean import build_entry, clean_name, clean_text
from app.screening.formats.countries import code_for_code

REQUIRED = ("id", "name")
OPTIONAL = ("kind", "aliases", "countries", "identifiers", "listed_on", "reason")
SCHEME = re.compile(r"[a-z][a-z0-9_]*")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse(paths):
    """Entries of each file once every file has been checked; FormatError listing every problem otherwise."""
    entries, problems, seen = [], [], {}
    for path in paths:
        entries.extend(read_file(path, problems, seen))
    if problems:
        raise FormatError(f"{len(problems)} problem(s); no entry was read", problems=problems)
    yield from entries


def read_file(path, problems, seen):
    """The entries of one file's good rows; each problem is appended to `problems` as (place, message)."""
    if sniff(path) != "generic-csv":
        raise wrong_format(path, "generic-csv", f"the header is not id, name and optional {', '.join(OPTIONAL)}")
    entries = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        number = 1
        try:
            header = [(clean_text(cell) or "").lower() for cell in next(reader, [])]
            for column in header:
                if column not in REQUIRED + OPTIONAL or header.count(column) > 1:
                    problems.append((f'{path.name}: row 1, column "{column}"', "unknown or repeated column; the "
                                     f"columns are {', '.join(REQUIRED + OPTIONAL)}"))
            for number, row in enumerate(reader, start=2):
                where = f"{path.name}: row {number}"
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    problems.append((where, f"{len(row)} cells; the header has {len(header)}"))
                    continue
                entry = row_entry(where, dict(zip(header, row)), problems, seen)
                if entry:
                    entries.append(entry)
        except (csv.Error, UnicodeDecodeError) as err:
            raise FormatError(f"unreadable CSV: {err}", f"{path.name}: row {number + 1}") from None
    return entries


def row_entry(where, cells, problems, seen):
    """The entry of one row, or None after appending the row's problems."""
    found = []

    def problem(column, message):
        found.append((f'{where}, column "{column}"', message))

    entry_id, name = clean_text(cells["id"]), clean_name(cells["name"])
    if not entry_id:
        problem("id", "no id")
    elif entry_id in seen:
        problem("id", f"id {entry_id!r} is already used ({seen[entry_id]})")
    else:
        seen[entry_id] = where
    if not name:
        problem("name", "no name")
    kind = clean_text(cells.get("kind")) or "organization"
    if kind not in KINDS:
        problem("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    countries = values(cells, "countries")
    for code in countries:
        if not code_for_code(code):
            problem("countries", f"{code!r} is not an ISO 3166 alpha-2 country code")
    identifiers = []
    for text in values(cells, "identifiers"):
        scheme, colon, value = (part.strip() for part in text.partition(":"))
        if not (colon and SCHEME.fullmatch(scheme) and value):
            problem("identifiers", f"{text!r} is not scheme:value (scheme in lower_snake case, e.g. registration:123)")
        identifiers.append((scheme, value))
    listed_on = clean_text(cells.get("listed_on"))
    if listed_on:
        try:
            listed_on = date.fromisoformat(listed_on) if ISO_DATE.fullmatch(listed_on) else None
        except ValueError:
            listed_on = None
        if listed_on is None:
            problem("listed_on", f"{cells['listed_on']!r} is not a date (YYYY-MM-DD)")
    problems.extend(found)
    if found:
        return None
    return build_entry(where, entry_id, kind, name, aliases=values(cells, "aliases"), country_codes=countries,
                       identifiers=identifiers, listed_on=listed_on, reason=cells.get("reason"))


def values(cells, column):
    """The `;`-separated values of a cell (none when the column is absent)."""
    return [value.strip() for value in (cells.get(column) or "").split(";") if value.strip()]
