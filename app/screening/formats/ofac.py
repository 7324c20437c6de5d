"""OFAC's legacy SDN CSV: sdn.csv, joined with alt.csv (alternate names) and add.csv (addresses) when given.

The files have no header; `-0-` means empty; the files are told apart by name (sdn*.csv, alt*.csv, add*.csv),
so a dated snapshot such as sdn_2024-05-03.csv reads as sdn.csv.
"""
import csv
import re

from app.screening.formats import FormatError, sniff, wrong_format
from app.screening.formats.clean import build_entry
from app.screening.formats.ofac_remarks import read_remarks

EMPTY = "-0-"
END_OF_FILE = "\x1a"  # OFAC ends each file with a DOS end-of-file character on a line of its own
COLUMNS = {"sdn": 12, "alt": 5, "add": 6}
SDN_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "organization"}
WEAK_MARK = re.compile(r"\b(?:weak|low)\b", re.IGNORECASE)


def parse(paths):
    """Entries of sdn.csv with the alternate names and addresses of alt.csv and add.csv on the same ent_num."""
    files = classify(paths)
    alternates = joined(files.get("alt"), "alt")
    addresses = joined(files.get("add"), "add")
    seen = {}
    for where, row in records(files["sdn"], "sdn"):
        if row[0] in seen:
            raise FormatError(f"ent_num {row[0]} is listed twice (first at {seen[row[0]]})", where)
        seen[row[0]] = where
        yield entry(where, row, alternates.get(row[0], ()), addresses.get(row[0], ()))


def classify(paths):
    """The given files by role (sdn, alt, add); FormatError for a file of another shape or an unknown name."""
    files = {}
    for path in paths:
        if sniff(path) != "ofac-csv":
            raise wrong_format(path, "ofac-csv", "the first record is not an OFAC legacy CSV record")
        role = next((role for role in COLUMNS if path.name.lower().startswith(role)), None)
        if role is None:
            raise FormatError("not an OFAC file name: expected sdn.csv, alt.csv or add.csv", path.name)
        if role in files:
            raise FormatError(f"two {role}.csv files given ({files[role].name} and {path.name})", path.name)
        files[role] = path
    if "sdn" not in files:
        raise FormatError("no sdn.csv among the files: alt.csv and add.csv only complete it",
                          ", ".join(p.name for p in paths) or None)
    return files


def records(path, role):
    """(file:line, cells) for each record, `-0-` read as empty; FormatError for a record of the wrong shape."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                if not row or row == [END_OF_FILE]:
                    continue
                where = f"{path.name}:{reader.line_num}"
                if len(row) != COLUMNS[role] or not row[0].strip().isdigit():
                    raise FormatError(f"{len(row)} columns starting {row[0][:20]!r}; {role}.csv records have "
                                      f"{COLUMNS[role]} columns starting with ent_num", where)
                yield where, ["" if cell.strip() == EMPTY else cell.strip() for cell in row]
        except (csv.Error, UnicodeDecodeError) as err:
            raise FormatError(f"unreadable CSV: {err}", f"{path.name}:{reader.line_num + 1}") from None


def joined(path, role):
    """alt.csv or add.csv records grouped by ent_num, in file order; empty when the file is not given."""
    grouped = {}
    if path is not None:
        for _, row in records(path, role):
            grouped.setdefault(row[0], []).append(row)
    return grouped


def entry(where, row, alternates, addresses):
    """The ListedEntry of one sdn.csv record and its alt.csv and add.csv records."""
    ent_num, name, sdn_type, program, title, call_sign, vessel_type, tonnage, grt, flag, owner, remarks = row
    kind = SDN_TYPES.get(sdn_type.lower())
    if kind is None:
        raise FormatError(f"SDN_Type {sdn_type!r} is not individual, vessel, aircraft or -0-", where)
    found = read_remarks(remarks)
    aliases, weak_aliases = [], list(found.weak_aliases)
    for _, _, _, alt_name, alt_remarks in alternates:
        (weak_aliases if WEAK_MARK.search(alt_remarks) else aliases).append(alt_name)
    places = [", ".join(filter(None, address[2:5])) for address in addresses]
    vessel = {"type": vessel_type, "tonnage": tonnage, "grt": grt, "flag": flag, "owner": owner}
    details = {
        "title": title, "call_sign": call_sign, "vessel": {k: v for k, v in vessel.items() if v},
        "addresses": [place for place in places if place],
        "birth_dates": found.birth_dates, "birth_places": found.birth_places, "gender": found.gender,
        "remarks": remarks,
    }
    countries = [address[4] for address in addresses] + found.country_names
    return build_entry(where, ent_num, kind, name, aliases=aliases, weak_aliases=weak_aliases,
                       country_names=countries, identifiers=found.identifiers, reason=program.replace("] [", "; "),
                       details=details)
