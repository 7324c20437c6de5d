"""Name normalisation for matching: fold, transliterate, recognise legal forms, tokenise (pure)."""
from dataclasses import dataclass
from functools import lru_cache
import re
import unicodedata

from anyascii import anyascii
from normality import ascii_text
from rigour.names import remove_person_prefixes, replace_org_types_compare

from app.screening.legal_forms import split_legal_forms

MAX_NAME_LENGTH = 300  # longer text is not a name; the API refuses it, the engine cuts it

# Apostrophes join ("O'Brien" -> "obrien"), and so do the dots of letter-by-letter abbreviations ("W.L.L.",
# "S.A. de C.V."); other dots and punctuation separate words ("Iran.Space.Research").
JOINERS = re.compile(r"['’`´ʻʼ]")
ABBREVIATION = re.compile(r"\b(?:[^\W\d_]\.)+[^\W\d_]\b\.?")
SEPARATORS = re.compile(r"[^a-z0-9]+")
DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class NormalName:
    """A name as the matcher sees it: distinctive tokens, and the legal forms taken out of them."""

    original: str
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...] = ()
    transliterated: bool = True  # False when a script was unknown and tokens keep their own letters

    @property
    def text(self):
        """The normalised form shown in explanations."""
        return " ".join(self.tokens + self.legal_forms)


def normalize(name, kind=None):
    """Normalise one name; kind "person" reorders "SURNAME, Given" and drops titles."""
    return _normalize(name[:MAX_NAME_LENGTH], kind if kind == "person" else None)


@lru_cache(maxsize=65536)
def _normalize(name, kind):
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    if kind == "person":
        text = reorder(remove_person_prefixes(text))
    # rigour knows legal forms in many scripts and languages ("общество с ограниченной ответственностью").
    text = replace_org_types_compare(text)
    words, transliterated = [], True
    text = ABBREVIATION.sub(lambda m: m.group().replace(".", ""), JOINERS.sub("", text))
    for word in words_of(text):
        latin = latin_word(word)
        if latin is None:
            transliterated = False
            words.append(word)
        else:
            words.extend(latin.split())
    words = [word for word in words if word]
    if kind != "person":
        words = join_letters(words)
    tokens, forms = split_legal_forms(words)
    return NormalName(name, tuple(tokens), tuple(dict.fromkeys(forms)), transliterated)


def reorder(text):
    """Turn "surname, given names" into "given names surname", as lists write people."""
    if text.count(",") != 1:
        return text
    surname, given = (part.strip() for part in text.split(","))
    return f"{given} {surname}" if surname and given else text


def words_of(text):
    """Split on anything that is not a letter, a mark or a digit (marks: Indic vowel signs belong to words)."""
    if text.isascii():
        return SEPARATORS.split(text)
    return "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in text).split()


@lru_cache(maxsize=65536)
def latin_word(word):
    """The word in lower-case ASCII letters and digits, or None when no transliterator knows its script."""
    if word.isascii():
        return word
    latin = ascii_text(word)
    if "?" in latin:
        # ICU does not know every script; anyascii knows more (Tifinagh, Lisu, Old Persian...).
        latin = anyascii(word)
    latin = SEPARATORS.sub(" ", JOINERS.sub("", latin.lower())).strip()
    return latin or None


def join_letters(words):
    """Single letters in a row are one abbreviation in a company's name: "s a de c v" -> "sa de cv"."""
    joined, run = [], []
    for word in words + [""]:
        if len(word) == 1:
            run.append(word)
            continue
        if run:
            joined.extend(["".join(run)] if len(run) > 1 else run)
            run = []
        if word:
            joined.append(word)
    return joined


def is_number(token):
    """Tokens with digits match only exactly: "Star 1" is not "Star 2"."""
    return DIGIT.search(token) is not None
