"""Country names and codes as the lists write them, mapped to ISO 3166 alpha-2 without guessing."""
from functools import cache
import re

from anyascii import anyascii
import pycountry

# Kosovo has no ISO code; "XK" is the user-assigned code the EU, the UN and the lists themselves use.
EXTRA_CODES = {"XK": "Kosovo"}

# The lists' own spellings that pycountry's names do not cover, checked against the real files.
SPELLINGS = {
    "bahamas, the": "BS",
    "brunei": "BN",
    "burma": "MM",
    "china, hong kong special administrative region": "HK",
    "congo, democratic republic of": "CD",
    "congo, democratic republic of the": "CD",
    "congo, republic of": "CG",
    "congo, republic of the": "CG",
    "cote d ivoire": "CI",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "egypt, arab republic of": "EG",
    "hong kong sar, china": "HK",
    "iran (islamic republic of)": "IR",
    "korea, north": "KP",
    "korea, south": "KR",
    "kosovo": "XK",
    "lao peoples democratic republic": "LA",
    "north macedonia, the republic of": "MK",
    "macau": "MO",
    "macedonia, the former yugoslav republic of": "MK",
    "palestinian": "PS",
    "peoples republic of china": "CN",
    "region: crimea": "UA",
    "region: gaza": "PS",
    "region: northern mali": "ML",
    "republic of korea": "KR",
    "republic of kosovo": "XK",
    "russia": "RU",
    "st. lucia": "LC",
    "state of palestine": "PS",
    "taiwan, china": "TW",
    "turkey": "TR",
    "uk": "GB",
    "usa": "US",
    "venezuela, republica bolivariana de": "VE",
    "west bank": "PS",
}

# Placeholders for "no country": they are dropped rather than kept as unmapped text.
NO_COUNTRY = {"", "-0-", "na", "n/a", "none", "unknown", "undetermined"}


def key(text):
    """The form names are compared in: case-folded, single spaces, straight apostrophes, no leading "the"."""
    text = " ".join(text.replace("\u2019", "'").split()).casefold()
    return re.sub(r"^the ", "", text)


@cache
def names_index():
    """Every pycountry name, official and common name (also without diacritics), then the lists' spellings."""
    index = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                index.setdefault(key(name), country.alpha_2)
                index.setdefault(key(anyascii(name)), country.alpha_2)
    index.update({key(name): code for code, name in EXTRA_CODES.items()})
    index.update(SPELLINGS)
    return index


@cache
def code_for_name(text):
    """The alpha-2 code of a country name, or None when the name is not a known spelling."""
    return names_index().get(key(text))


@cache
def code_for_code(text):
    """The upper-case alpha-2 code for an alpha-2 code in any case, or None when it is not one."""
    code = text.strip().upper()
    if code in EXTRA_CODES or (len(code) == 2 and pycountry.countries.get(alpha_2=code)):
        return code
    return None


def countries_of(texts, *, codes=False):
    """(sorted unique alpha-2 codes, unmapped texts in first-seen order) for names, or for codes if `codes`."""
    found, unmapped = set(), []
    for text in texts:
        text = " ".join((text or "").split())
        if key(text) in NO_COUNTRY:
            continue
        code = code_for_code(text) if codes else code_for_name(text)
        if code:
            found.add(code)
        elif text not in unmapped:
            unmapped.append(text)
    return tuple(sorted(found)), tuple(unmapped)
