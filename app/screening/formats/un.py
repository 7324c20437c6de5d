"""The UN Security Council consolidated list: XML `CONSOLIDATED_LIST` of INDIVIDUALS and ENTITIES."""
import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse

from app.screening.formats import FormatError, wrong_format
from app.screening.formats.clean import build_entry, clean_text, to_date

ROOT = "CONSOLIDATED_LIST"
KINDS = {"INDIVIDUAL": "person", "ENTITY": "organization"}
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
PLACE_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY", "NOTE")
POSITION = re.compile(r": line \d+, column \d+$")  # expat's own position, given as file:line instead


def parse(paths):
    """Entries of each file in document order."""
    for path in paths:
        yield from read_file(path)


def read_file(path):
    """Entries of one file, streamed; FormatError with file:line for XML that is malformed or cut short."""
    root = None
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            if root is None:
                root = element.tag
                if root != ROOT:
                    raise wrong_format(path, "un-xml", f"the root element is <{root}>, not <{ROOT}>")
            elif event == "end" and element.tag in KINDS:
                yield entry(path, element)
                element.clear()
    except ParseError as err:
        line, column = err.position
        problem = f"{POSITION.sub('', str(err))}, column {column}"
        if root is None:
            raise wrong_format(path, "un-xml", f"not XML ({problem})", f"{path.name}:{line}") from None
        raise FormatError(f"malformed or cut-off XML ({problem})", f"{path.name}:{line}") from None
    except DefusedXmlException as err:
        raise FormatError(f"refused XML: {err}", path.name) from None


def entry(path, element):
    """The ListedEntry of one INDIVIDUAL or ENTITY element."""
    tag = element.tag
    entry_id = text(element, "REFERENCE_NUMBER") or text(element, "DATAID")
    where = f"{path.name}: {tag} {entry_id or '(without REFERENCE_NUMBER or DATAID)'}"
    aliases, weak_aliases = [text(element, "NAME_ORIGINAL_SCRIPT")], []
    for alias in element.iter(f"{tag}_ALIAS"):
        quality = (text(alias, "QUALITY") or "").lower()
        (weak_aliases if quality == "low" else aliases).append(text(alias, "ALIAS_NAME"))
    addresses = element.findall(f"{tag}_ADDRESS")
    identifiers, documents = documents_of(element)
    details = {
        "titles": values(element, "TITLE"), "designations": values(element, "DESIGNATION"),
        "gender": text(element, "GENDER"), "addresses": [place(address) for address in addresses],
        "birth_dates": [facts(birth) for birth in element.iter("INDIVIDUAL_DATE_OF_BIRTH")],
        "birth_places": [place(birth) for birth in element.iter("INDIVIDUAL_PLACE_OF_BIRTH")],
        "documents": documents, "comments": text(element, "COMMENTS1"),
    }
    details = {key: [v for v in value if v] if isinstance(value, list) else value for key, value in details.items()}
    return build_entry(
        where, entry_id, KINDS[tag], " ".join(filter(None, (text(element, part) for part in NAME_PARTS))),
        aliases=aliases, weak_aliases=weak_aliases,
        country_names=values(element, "NATIONALITY") + [text(address, "COUNTRY") for address in addresses],
        identifiers=identifiers, listed_on=to_date(text(element, "LISTED_ON"), where),
        reason=text(element, "UN_LIST_TYPE"), details=details)


def documents_of(element):
    """(identifiers, notes on documents without a number) from INDIVIDUAL_DOCUMENT elements."""
    identifiers, notes = [], []
    for document in element.iter("INDIVIDUAL_DOCUMENT"):
        kind = text(document, "TYPE_OF_DOCUMENT") or ""
        number = text(document, "NUMBER")
        if number:
            identifiers.append((scheme_of(kind), number))
        elif kind or text(document, "NOTE"):
            notes.append(": ".join(filter(None, (text(document, "TYPE_OF_DOCUMENT2") or kind,
                                                 text(document, "NOTE")))))
    return identifiers, notes


def scheme_of(document_type):
    """The identifier scheme of a TYPE_OF_DOCUMENT, which the UN writes in English, French or Spanish."""
    lowered = document_type.lower()
    if any(word in lowered for word in ("passport", "passeport", "pasaporte")):
        return "passport"
    if "identification" in lowered or "identity" in lowered:
        return "national_id"
    return "other"


def text(element, path):
    """The cleaned text at `path` under `element`, or None."""
    return clean_text(element.findtext(path))


def values(element, tag):
    """The VALUE texts under each `tag` child, e.g. NATIONALITY/VALUE."""
    return [clean_text(value.text) for value in element.findall(f"{tag}/VALUE") if clean_text(value.text)]


def place(element):
    """An address or place of birth as one line."""
    return ", ".join(filter(None, (text(element, part) for part in PLACE_PARTS)))


def facts(element):
    """The non-empty child texts of an element, by lower-case tag (e.g. a date of birth's type and year)."""
    found = {child.tag.lower(): clean_text(child.text) for child in element}
    return {key: value for key, value in found.items() if value}
