"""The EBRD's list of ineligible entities: CSV with a header, UTF-8 with a byte-order mark.

The file has no ids: an entry's id is derived from its name and nationality, and rows naming the same firm in
the same country become one entry. Names carry stray spaces and, at times, their aliases or a registration
number ("X Ltd (formerly known as Y Ltd)"), which are split off.
"""
import csv

from app.screening.formats import FormatError, sniff, wrong_format
from app.screening.formats.clean import (build_entry, clean_text, looks_like_person, merged, slug_id,
                                         surname_first, to_date)
from app.screening.formats.countries import countries_of
from app.screening.formats.firm_info import split_name

HEADER = ("Firm Name", "Address", "Nationality", "Ineligible From", "Ineligible Until", "Notice Effective At EBRD",
          "Originating Institution", "Prohibited Practice")


def parse(paths):
    """Entries of each file, one per firm and country."""
    yield from merged(row_entry(where, row) for path in paths for where, row in rows(path))


def rows(path):
    """(place, cells) for each non-empty row; FormatError for a file of another shape."""
    if sniff(path) != "ebrd-csv":
        raise wrong_format(path, "ebrd-csv", f"the first line is not the EBRD header ({', '.join(HEADER)})")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        number = 1
        try:
            header = tuple(clean_text(cell) or "" for cell in next(reader))
            if tuple(cell.casefold() for cell in header) != tuple(cell.casefold() for cell in HEADER):
                raise FormatError(f"the header differs: expected ({', '.join(HEADER)}), found ({', '.join(header)})",
                                  f"{path.name}: row 1")
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(HEADER):
                    raise FormatError(f"{len(row)} cells, expected {len(HEADER)}", f"{path.name}: row {number}")
                yield f"{path.name}: row {number}", row
        except (csv.Error, UnicodeDecodeError) as err:
            raise FormatError(f"unreadable CSV: {err}", f"{path.name}: row {number + 1}") from None


def row_entry(where, row):
    """The ListedEntry of one row."""
    at = dict(zip(HEADER, row))
    name, info = split_name(at["Firm Name"])
    nationalities = at["Nationality"].splitlines()
    codes, unmapped = countries_of(nationalities)
    # Only a personal title or the "SURNAME, Given" form tells an individual from a firm; others read as firms.
    kind = "person" if looks_like_person(name, *info.aliases) or surname_first(name) else "organization"
    start = to_date(at["Ineligible From"], f'{where}, column "Ineligible From"')
    notice = to_date(at["Notice Effective At EBRD"], f'{where}, column "Notice Effective At EBRD"')
    until = clean_text(at["Ineligible Until"])  # a date, "Ongoing" or "Indefinite"
    if until and until[:1].isdigit():
        until = to_date(until, f'{where}, column "Ineligible Until"').isoformat()
    period = {"from": start and start.isoformat(), "until": until, "notice_effective": notice and notice.isoformat(),
              "originating_institution": clean_text(at["Originating Institution"]),
              "practice": clean_text(at["Prohibited Practice"])}
    details = {"addresses": [clean_text(at["Address"])], "notes": info.notes, "periods": [period]}
    # Many rows have no start date; the day the EBRD's notice took effect is when the EBRD listed them.
    return build_entry(f'{where}, column "Firm Name"', slug_id(name, codes, unmapped), kind, name,
                       aliases=info.aliases, country_names=nationalities, identifiers=info.identifiers,
                       listed_on=start or notice, reason=at["Prohibited Practice"], details=details)
