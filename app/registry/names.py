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


def latin_digits(text):
    """Digits of any script as 0-9: Devanagari '१००', Bengali '১০০', Arabic-Indic '١٠٠', Myanmar '၁၀၀' -> '100'."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.digit(c)) if c.isdigit() and unicodedata.digit(c, None) is not None else c
                   for c in text)


def licence_key(number):
    """A licence number without spaces and punctuation, upper-cased, its digits as 0-9, however it was typed:
    'POEA-123 / 2024' -> 'POEA1232024', '१००/०७६/७७' -> '10007677'."""
    return NOT_ALNUM.sub("", latin_digits(unicodedata.normalize("NFKC", number or "")).upper())
