"""Chinese names in Latin letters: pinyin for characters, and the older Wade-Giles spellings read as pinyin (pure)."""
from functools import lru_cache
import re

import icu
from normality import ascii_text
from pypinyin import lazy_pinyin
from pypinyin.style.wadegiles import _convert_table, _except_table

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
# Given names written in syllables joined by hyphens: "Tse-tung", "Hsiao-p'ing", "Ze-dong".
HYPHENATED = re.compile(r"(?<![\w'])[a-zü']+(?:-[a-zü']+)+(?![\w'])")
SYLLABLE = re.compile(r"(?<![\w'-])[a-zü']+(?![\w'-])")


def _tables():
    """{Wade-Giles syllable: pinyin}, with and without its apostrophe and umlaut, and the pinyin syllables."""
    wade_giles, syllables = {}, set()
    for table in (_except_table, _convert_table):
        for py, wg in table:
            syllables.add(py)
            wade_giles.setdefault(wg, py)
    # Without the apostrophe of aspiration a syllable reads as the plain one ("ch'ang" written "chang" is
    # usually zhang's "chang"): the plain spellings were taken first above.
    for spelling, py in list(wade_giles.items()):
        for loose in (spelling.replace("'", ""), spelling.replace("ü", "u"), spelling.replace("'", "").replace("ü", "u")):
            wade_giles.setdefault(loose, py)
    return wade_giles, frozenset(syllables)


WADE_GILES, PINYIN = _tables()


SIMPLIFIED = icu.Transliterator.createInstance("Traditional-Simplified")


def simplified(text):
    """Chinese characters in their simplified forms, so that 張偉 and 张伟 read as one name."""
    return SIMPLIFIED.transliterate(text) if text else text


def han_of(text):
    """The Chinese characters (hanzi, kanji, hanja) of a text, in their order."""
    return "".join(HAN.findall(text)) if not text.isascii() else ""


@lru_cache(maxsize=65536)
def pinyin(word, kind=None):
    """A word with Chinese characters in tone-less pinyin; a person's given name is one word ("mao zedong")."""
    syllables = [ascii_text(s).lower() for s in lazy_pinyin(word)]
    syllables = [s for s in syllables if s.strip()]
    if kind == "person" and len(syllables) >= 3 and len(han_of(word)) == len(word):
        # Chinese writes the family name first, in one character (two are rare); lists join the given name.
        syllables = [syllables[0], "".join(syllables[1:])]
    return " ".join(syllables) or None


def hyphenated_syllables(text):
    """Join hyphenated Chinese syllables, reading Wade-Giles as pinyin: "tse-tung" -> "zedong"."""
    if "-" not in text:
        return text
    read_as_wade_giles = []

    def syllables(match):
        parts = match.group().split("-")
        if all(part in PINYIN for part in parts):
            return "".join(parts)
        if all(part in WADE_GILES for part in parts):
            read_as_wade_giles.append(True)
            return "".join(WADE_GILES[part] for part in parts)
        return match.group()

    text = HYPHENATED.sub(syllables, text.replace("’", "'"))
    if read_as_wade_giles:
        # A given name in Wade-Giles goes with a family name in it: "Teng" is Deng, "Chu" is Zhu.
        text = SYLLABLE.sub(lambda m: WADE_GILES.get(m.group(), m.group()), text)
    return text
