"""Name normalisation for matching: fold, transliterate, recognise legal forms, tag, tokenise (pure)."""
from dataclasses import dataclass
from functools import lru_cache
import re
import unicodedata

from anyascii import anyascii
import icu
from normality import ascii_text
from rigour.names import remove_person_prefixes, replace_org_types_compare

from app.screening.legal_forms import split_legal_forms
from app.screening.romanise import han_of, hyphenated_syllables, pinyin, simplified
from app.screening.tagging import tag

# Longer text is not a name; the API refuses it, the engine cuts it. A real list has a 324-character alias.
MAX_NAME_LENGTH = 1000

# Apostrophes join ("O'Brien" -> "obrien"), and so do the dots of letter-by-letter abbreviations ("W.L.L.",
# "S.A. de C.V."); other dots and punctuation separate words ("Iran.Space.Research").
JOINERS = re.compile(r"['’`´ʻʼ]")
ABBREVIATION = re.compile(r"\b(?:[^\W\d_]\.)+[^\W\d_]\b\.?")
SEPARATORS = re.compile(r"[^a-z0-9]+")
DIGIT = re.compile(r"\d")
CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
CYRILLIC = icu.Transliterator.createInstance("Russian-Latin/BGN")
# "&" and "+" are "and" ("Tan & Sons" is "Tan and Sons").
AND = re.compile(r"\s*[&+]\s*")
# Digits written for letters inside a word ("Gl0bal Ex1t"), and digits run into a word ("7Seas").
LEET = str.maketrans("013457", "oieast")
LETTERS_AROUND_DIGITS = re.compile(r"[a-z]+[013457]+[a-z]+(?:[013457]+[a-z]+)*")
DIGITS_THEN_WORD = re.compile(r"(\d+)(?!(?:st|nd|rd|th|eme|ere|er)\b)([a-z]{3,})")


@dataclass(frozen=True, slots=True)
class NormalName:
    """A name as the matcher sees it: distinctive tokens, and the legal forms taken out of them."""

    original: str
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...] = ()
    transliterated: bool = True  # False when a script was unknown and tokens keep their own letters
    han: str = ""                # the Chinese characters of the name, when written in them

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
    # A company's "S.A." is one abbreviation (before rigour reads legal forms: "L.L.P."); a person's "J.P." is
    # two initials.
    dot = " " if kind == "person" else ""
    text = ABBREVIATION.sub(lambda m: m.group().replace(".", dot), text)
    # rigour knows legal forms in many scripts and languages ("общество с ограниченной ответственностью").
    text = replace_org_types_compare(AND.sub(" and ", text))
    han = simplified(han_of(text))
    text = JOINERS.sub("", hyphenated_syllables(text))
    words, transliterated = [], True
    for word in words_of(text):
        latin = latin_word(word, kind)
        if latin is None:
            transliterated = False
            words.append(word)
        else:
            words.extend(latin.split())
    words = [word for word in words if word]
    if kind != "person":
        words = join_letters(words)
    tokens, forms = split_legal_forms(words)
    tokens = tag(tokens, kind)
    return NormalName(name, tuple(tokens), tuple(dict.fromkeys(forms)), transliterated, han)


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
def latin_word(word, kind=None):
    """The word in lower-case ASCII letters and digits, or None when no transliterator knows its script."""
    if word.isascii():
        return ascii_word(word)
    if han_of(word):
        return pinyin(word, kind)
    # Russian as English-language lists write it (BGN/PCGN: "Кузнецов" -> "kuznetsov", not ICU's "kuznecov").
    latin = ascii_text(CYRILLIC.transliterate(word) if CYRILLIC_LETTER.search(word) else word)
    if "?" in latin:
        # ICU does not know every script; anyascii knows more (Tifinagh, Lisu, Old Persian...).
        latin = anyascii(word)
    latin = SEPARATORS.sub(" ", JOINERS.sub("", latin.lower())).strip()
    return ascii_word(latin) if latin else None


def ascii_word(word):
    """Letters for the digits written inside a word ("gl0bal"), and a number run into a word split off ("7seas")."""
    if not DIGIT.search(word):
        return word
    word = LETTERS_AROUND_DIGITS.sub(lambda m: m.group().translate(LEET), word)
    return DIGITS_THEN_WORD.sub(r"\1 \2", word)


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
