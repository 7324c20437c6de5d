"""Keys for comparing names and licence numbers the way people type them."""
import re
import unicodedata

NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


def name_key(name):
    """Case- and accent-folded name with punctuation and spacing collapsed: 'Al-Noor  Manpower' -> 'al noor manpower'."""
    name = name or ""
    if not name.isascii():
        decomposed = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return NON_WORD.sub(" ", name.casefold()).strip()


def licence_key(number):
    """A licence number without spaces and punctuation, upper-cased: 'POEA-123 / 2024' -> 'POEA1232024'."""
    return NOT_ALNUM.sub("", unicodedata.normalize("NFKC", number or "").upper())
