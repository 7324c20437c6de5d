"""Cleaning every parser shares: names, dates, derived ids, and the entry built from them."""
from dataclasses import replace
from datetime import date, datetime
import hashlib
import re

import normality
from rigour.names import extract_org_types

from app.screening.formats import KINDS, FormatError, ListedEntry
from app.screening.formats.countries import countries_of

QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"
PERSON_TITLE = re.compile(r"^(?:mr|mrs|ms|miss|dr)\b\.?\s", re.IGNORECASE)
SLUG_LENGTH = 80  # the importer allows 100 characters for an entry id; the rest is for the country part


def clean_text(value):
    """Text with its whitespace collapsed to single spaces, or None when nothing is left."""
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def clean_name(value):
    """A name with collapsed whitespace and without quotes wrapping the whole of it, or None."""
    text = clean_text(value)
    while text and len(text) > 2 and text[0] in QUOTES and text[-1] in QUOTES \
            and not any(mark in text[1:-1] for mark in QUOTES):
        text = clean_text(text[1:-1])
    return text


def unique_names(names, exclude=()):
    """Cleaned names in first-seen order, without case-only repeats or any name in `exclude`."""
    seen = {name.casefold() for name in exclude if name}
    kept = []
    for name in map(clean_name, names):
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return tuple(kept)


def looks_like_person(*names):
    """Whether any of the names starts with a personal title (Mr., Ms., Dr. ...).

    "MS" in capitals without a dot before a mixed-case name is the South Asian "Messrs" of a firm.
    """
    return any(name and PERSON_TITLE.match(name) and not (name.startswith("MS ") and not name.isupper())
               for name in names)


def surname_first(name):
    """Whether a name is written "SURNAME, Given Names", as lists write individuals (not "T.E. USA, Ltd.")."""
    surname, comma, given = name.partition(", ")
    return bool(comma) and surname.isupper() and given[:1].isupper() and any(c.islower() for c in given) \
        and not extract_org_types(name)


def slug_id(name, countries, unmapped=()):
    """An id derived from the name and countries, for lists without ids: stable while neither changes."""
    slug = normality.slugify(name, sep="-") or hashlib.sha1(name.encode()).hexdigest()[:16]
    if len(slug) > SLUG_LENGTH:
        # Cut long names but keep them apart: two names sharing their first 70 characters get different ids.
        slug = slug[:SLUG_LENGTH - 9].rstrip("-") + "-" + hashlib.sha1(slug.encode()).hexdigest()[:8]
    place = "-".join(code.lower() for code in countries) or normality.slugify(" ".join(unmapped), sep="-")
    return f"{slug}-{place[:16].rstrip('-')}" if place else slug


def to_date(value, where):
    """A date from a date, a datetime or ISO text (a time part is ignored); None when empty."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise FormatError(f"{text!r} is not a date (YYYY-MM-DD)", where) from None


def build_entry(where, entry_id, kind, name, *, aliases=(), weak_aliases=(), country_names=(), country_codes=(),
                identifiers=(), listed_on=None, reason=None, details=None):
    """A ListedEntry with cleaned names, ISO countries and unique identifiers; FormatError at `where` if nameless.

    Country texts that map to no ISO code are kept in details["unmapped_countries"], never guessed.
    """
    name = clean_name(name)
    if not name:
        raise FormatError("the entry has no name", where)
    entry_id = clean_text(entry_id)
    if not entry_id:
        raise FormatError("the entry has no id", where)
    if kind not in KINDS:
        raise FormatError(f"kind {kind!r} is not one of {', '.join(KINDS)}", where)
    aliases = unique_names(aliases, exclude=[name])
    weak_aliases = unique_names(weak_aliases, exclude=[name, *aliases])
    from_names, unmapped = countries_of(country_names)
    from_codes, bad_codes = countries_of(country_codes, codes=True)
    details = {key: [item for item in value if item not in (None, "")] if isinstance(value, list) else value
               for key, value in (details or {}).items()}
    details = {key: value for key, value in details.items() if value not in (None, "", [], {})}
    if unmapped or bad_codes:
        details["unmapped_countries"] = list(dict.fromkeys(unmapped + bad_codes))
    ids = []
    for scheme, value in identifiers:
        value = clean_text(value)
        if value and (scheme, value) not in ids:
            ids.append((scheme, value))
    return ListedEntry(entry_id=entry_id, kind=kind, name=name, aliases=aliases, weak_aliases=weak_aliases,
                       countries=tuple(sorted(set(from_names + from_codes))), identifiers=tuple(ids),
                       listed_on=listed_on, reason=clean_text(reason), details=details)


def merged(entries):
    """The entries with those of the same id (rows of one party in one country) merged, in first-seen order."""
    found = {}
    for entry in entries:
        known = found.get(entry.entry_id)
        found[entry.entry_id] = merge_entries(known, entry) if known else entry
    return list(found.values())


def merge_entries(first, second):
    """One entry from two rows of a list without ids that name the same party in the same country.

    Names, identifiers and countries are combined, the earlier listing date kept, reasons and list-valued
    details joined; the first row's other facts win.
    """
    details = dict(first.details)
    for key, value in second.details.items():
        if isinstance(value, list):
            known = details.get(key, [])
            details[key] = known + [item for item in value if item not in known]
        else:
            details.setdefault(key, value)
    dates = [day for day in (first.listed_on, second.listed_on) if day]
    reasons = dict.fromkeys(part for reason in (first.reason, second.reason) if reason for part in reason.split("; "))
    return replace(first, aliases=unique_names(first.aliases + second.aliases, exclude=[first.name]),
                   weak_aliases=unique_names(first.weak_aliases + second.weak_aliases,
                                             exclude=[first.name, *first.aliases, *second.aliases]),
                   countries=tuple(sorted(set(first.countries + second.countries))),
                   identifiers=tuple(dict.fromkeys(first.identifiers + second.identifiers)),
                   listed_on=min(dates, default=None), reason="; ".join(reasons) or None, details=details)
