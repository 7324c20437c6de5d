"""Aliases, identifiers and cross-references in the free text of the development banks' debarment lists.

The World Bank's "Additional Firm Info" column and the EBRD's firm names carry text such as
`(f/k/a Henan Xinjinzhu Landscaping Co., Ltd.) *286`, `(Reg. No. 0106042747)*586` or `(湖南建设集团有限公司)`.
"""
from dataclasses import dataclass, field
import re

from app.screening.formats.clean import clean_name, clean_text

# Alias markers as the lists write them ("also d/b/a", "formerly known as", "f/k/a", "AKA"...).
MARKERS = (
    r"(?:(?:may also be|also|currently|formerly|previously|now)\s+)?(?:doing business (?:as|under)|operating as:?|d/b/a"
    r"|d\.b\.a\.?|dba|a\.k\.a\.?|aka|f\.k\.a\.?|fka|n\.k\.a\.?|f/k/a)",
    r"(?:also|formerly|previously|now|currently) known as",
    r"formerly",
)
MARKER = re.compile(r"(?<![\w/.])(?:%s)(?=[\s:(\[]|$)" % "|".join(MARKERS), re.IGNORECASE)
LEADING_MARKER = re.compile(r"(?:%s|also)(?=[\s:(\[]|$)[\s:]*" % "|".join(MARKERS), re.IGNORECASE)
NAME_MARKER = re.compile(MARKER.pattern + r"[\s:]*", re.IGNORECASE)
# Where a name stops and its aliases, identifiers or conditions start.
NAME_END = re.compile(r"[\s,;(]*(?:%s|\((?=(?:cnpj|reg|tin|tax id)\b)|\band any entity\b)"
                      % MARKER.pattern, re.IGNORECASE)
IDENTIFIER_LABELS = (
    ("registration", r"reg(?:istration)?[.,]?\s*(?:no|number)[.:;]*|registration\s*#"),
    ("tax_id", r"tin(?:\s*no\.?)?:?|tax\s+id(?:\s+no\.)?:?|tax\s+registration\s+no\.|cnpj:?"),
    ("national_id", r"national\s+id:?|id\s+no\."),
    ("registration", r"id:"),
)
# The value follows a space, or directly a label ending in punctuation ("TIN:123"), so "TINA LTD" is no TIN.
IDENTIFIERS = [(scheme, re.compile(rf"(?:{label})(?:\s+|(?<=[.:;#])\s*)(?P<value>\S.*)", re.IGNORECASE))
               for scheme, label in IDENTIFIER_LABELS]
BARE_CODE = re.compile(r"(?=(?:\D*\d){8})[0-9A-Z]{15,20}")  # e.g. a Chinese unified social credit code
REFERENCES = re.compile(r"\*\s*\d+(?:\s*(?:,|and)\s*\*?\s*\d+)*")
NOTE = re.compile(r"(?i:but only|physical address|address:)|[a-z]")  # conditions and remarks, not names
TITLE_IN_BRACKETS = re.compile(r"\((mr|mrs|ms|dr)\.?\)", re.IGNORECASE)


@dataclass
class FirmInfo:
    """What a free-text cell adds to a name."""

    aliases: list = field(default_factory=list)
    identifiers: list = field(default_factory=list)
    references: list = field(default_factory=list)  # the list's own cross-reference numbers (*123)
    notes: list = field(default_factory=list)


def read_info(text):
    """The aliases, identifiers, cross-references and notes of a free-text cell."""
    info = FirmInfo()
    text = TITLE_IN_BRACKETS.sub(r"\1.", clean_text(text) or "").replace("[", "").replace("]", "")
    for segment in segments(text):
        for reference in REFERENCES.findall(segment):
            info.references.extend(re.findall(r"\d+", reference))
        segment = REFERENCES.sub(" ", segment).strip(" ,;:")
        if segment:
            read_segment(segment, info)
    return info


def read_segment(segment, info):
    """File one bracketed or free-standing piece of text under aliases, identifiers, references or notes."""
    for scheme, pattern in IDENTIFIERS:
        if match := pattern.fullmatch(segment):
            info.identifiers.append((scheme, match["value"].strip(" .")))
            return
    if BARE_CODE.fullmatch(segment):
        info.identifiers.append(("registration", segment))
    elif segment.isdigit():
        info.references.append(segment)
    elif marker := LEADING_MARKER.match(segment):
        for alias in segment[marker.end():].split(";"):
            info.aliases.append(clean_name(LEADING_MARKER.sub("", alias.strip(), count=1)))
    elif NOTE.match(segment):
        info.notes.append(segment)
    else:
        info.aliases.append(clean_name(segment))


def segments(text):
    """The free text and the bracketed groups that stand apart from it, in order.

    A group stands apart when it opens the text or follows another group, or when it holds an alias marker or
    an identifier; otherwise it belongs to the name around it, as in "LONESTAR SUPPLIES (PVT) LTD".
    """
    pieces, current, group, depth = [], "", "", 0
    for char in text:
        if depth:
            depth += (char == "(") - (char == ")")
            if depth:
                group += char
                continue
            pieces, current = close_group(pieces, current, group)
            group = ""
        elif char == "(":
            depth = 1
        else:
            current += char
    if depth:  # a group the list cut off ends with the text
        pieces, current = close_group(pieces, current, group)
    pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def close_group(pieces, current, group):
    """(pieces, current text) once a group closes: a piece of its own, or part of the current text."""
    if stands_apart(current, group):
        return pieces + [current, group], ""
    return pieces, f"{current}({group})"


def stands_apart(before, group):
    """Whether a bracketed group is a piece of its own rather than part of the name before it."""
    if not REFERENCES.sub("", before).strip(" ,;:"):
        return True
    group = group.strip()
    return bool(LEADING_MARKER.match(group) or BARE_CODE.fullmatch(group)
                or any(pattern.fullmatch(group) for _, pattern in IDENTIFIERS))


def split_name(text):
    """(name, FirmInfo) for a name that carries aliases or ids, e.g. `X Ltd (formerly known as Y Ltd)`."""
    text = clean_text(text) or ""
    end = NAME_END.search(text)
    if end is None or end.start() == 0:
        return text, FirmInfo()
    return text[:end.start()].rstrip(" ,;("), read_info(text[end.start():])


def strip_leading_marker(text):
    """A name without an alias marker in front of it (the World Bank writes some as "A.K.A. NAME")."""
    text = clean_text(text) or ""
    marker = NAME_MARKER.match(text)
    return text[marker.end():] if marker else text
