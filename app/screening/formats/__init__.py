"""Watchlist file formats: each parser turns a publisher's files into ListedEntry values (pure, no database)."""
from dataclasses import dataclass, field
from datetime import date
import csv
import hashlib
import io
import json
from pathlib import Path
import re
import zipfile

KINDS = ("organization", "person", "vessel", "aircraft", "other")
SNIFF_BYTES = 64 * 1024
FTM_KEYS = re.compile(r'"schema"\s*:\s*"')


class FormatError(Exception):
    """A watchlist file that cannot be read as the chosen format; `where` names the place (file:line, row, column).

    `problems` lists every (where, message) when a parser reports several at once.
    """

    def __init__(self, message, where=None, problems=None):
        self.message = message
        self.where = where
        self.problems = list(problems or [])
        text = f"{where}: {message}" if where else message
        super().__init__("\n".join([text] + [f"  {w}: {m}" for w, m in self.problems]))


@dataclass(frozen=True)
class ListedEntry:
    """One entry of a watchlist as its publisher wrote it."""

    entry_id: str                       # the publisher's own id, stable across versions (OFAC ent_num, UN DATAID...)
    kind: str                           # one of KINDS
    name: str                           # primary name as written (OFAC individuals stay "SURNAME, Given")
    aliases: tuple[str, ...] = ()       # strong aliases (aka, fka, nka, good-quality)
    weak_aliases: tuple[str, ...] = ()  # low-quality aliases (UN QUALITY=Low, OFAC remarks' a.k.a. ...)
    countries: tuple[str, ...] = ()     # ISO 3166 alpha-2, upper case, sorted, no duplicates
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, value), e.g. ("registration", "123"), ("passport", "X1")
    listed_on: date | None = None
    reason: str | None = None           # programme, grounds or prohibited practice
    details: dict = field(default_factory=dict, compare=False)  # extra JSON-safe facts: addresses, birth dates...

    def content_hash(self):
        """A hash of everything a re-import compares, so an unchanged entry is recognised."""
        body = [self.entry_id, self.kind, self.name, self.aliases, self.weak_aliases, self.countries,
                self.identifiers, self.listed_on and self.listed_on.isoformat(), self.reason, self.details]
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def sniff(path):
    """The format a file looks like from its first bytes (one of FORMATS), or None when it looks like none."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                return "worldbank-xlsx" if "xl/workbook.xml" in archive.namelist() else None
        except zipfile.BadZipFile:
            return None
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("<"):
        return "un-xml" if "<CONSOLIDATED_LIST" in text else None
    first_line = text.split("\n", 1)[0].strip()
    if first_line.startswith("{"):
        # A long entity may not end within the bytes read, so its keys are looked for rather than parsed.
        return "ftm-json" if FTM_KEYS.search(first_line) and '"properties"' in first_line else None
    try:
        header = next(csv.reader(io.StringIO(first_line)), [])
    except csv.Error:
        return None
    columns = {cell.strip().lower() for cell in header}
    if {"id", "schema", "name"} <= columns:
        return "opensanctions-csv"
    if {"firm name", "prohibited practice"} <= columns:
        return "ebrd-csv"
    if {"id", "name"} <= columns:
        return "generic-csv"
    if header and header[0].strip().isdigit() and len(header) in (5, 6, 12):
        return "ofac-csv"
    return None


def wrong_format(path, expected, problem, where=None):
    """A FormatError saying the file is not `expected`, naming the format it looks like when there is one."""
    looks_like = sniff(path)
    hint = f"; this looks like {looks_like}" if looks_like and looks_like != expected else ""
    return FormatError(f"not {expected}: {problem}{hint}", where or Path(path).name)


def parse(format_name, paths):
    """Every entry of the files read as `format_name`; FormatError for an unknown format or a bad file."""
    parser = FORMATS.get(format_name)
    if parser is None:
        raise FormatError(f"unknown watchlist format {format_name!r}; known formats: {', '.join(FORMATS)}")
    return parser([Path(p) for p in paths])


# The parsers import the names above, so they are imported once those exist.
from app.screening.formats import ebrd, ftm, generic, ofac, opensanctions, un, worldbank  # noqa: E402

FORMATS = {
    "ofac-csv": ofac.parse,
    "un-xml": un.parse,
    "worldbank-xlsx": worldbank.parse,
    "ebrd-csv": ebrd.parse,
    "opensanctions-csv": opensanctions.parse,
    "ftm-json": ftm.parse,
    "generic-csv": generic.parse,
}
