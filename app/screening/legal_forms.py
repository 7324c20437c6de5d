"""Legal forms compared as a class: "LTD = Limited = Ltd.", "Pvt Ltd = Private Limited", "W.L.L.", "Sdn Bhd"...

Two steps, both applied to every name on both sides: WORDS writes each word of a legal form one way
("limited" -> "ltd", "company" -> "co", even misspelt "Limted"), then CLASSES names the phrases those words make.
Spellings are as normalise() leaves them (lower case, ASCII, abbreviations' dots dropped), and include the
compare forms rigour writes for the forms it knows in other languages and scripts ("ooo", "coltd").
"""
from functools import lru_cache

from rapidfuzz.distance import OSA

WORDS = {
    "limited": "ltd", "limitada": "ltd", "ltda": "ltd", "ltee": "ltd", "limitee": "ltd",
    "company": "co", "compagnie": "co", "compania": "co", "companhia": "co", "cia": "co", "cos": "co",
    "private": "pvt", "pte": "pvt", "incorporated": "inc", "corporation": "corp",
    "berhad": "bhd", "sendirian": "sdn", "establishment": "est", "estb": "est", "aktiengesellschaft": "ag",
    "partnership": "partnership", "liability": "liability", "joint": "joint", "stock": "stock",
    # The Arabic article, however it is written in Latin letters ("El-Sayed", "Al Sayed", "Ul-Haq").
    "el": "al", "ul": "al",
}
# Long legal words are recognised with one typo too ("Limted", "Compnay", "Corporaton").
FUZZY_WORDS = [word for word in WORDS if len(word) >= 6]

CLASSES = {
    "ltd": ["ltd"],
    "pvt ltd": ["pvt ltd", "p ltd", "pvt", "pvt ltd co", "pra li", "pra ltd"],
    "co ltd": ["co ltd", "coltd"],
    "co": ["co", "and co"],
    "llc": ["llc", "ltd liability co", "ooo", "tov", "mchj", "fz llc", "fzllc", "llc fz"],
    "wll": ["wll", "with ltd liability", "spc", "single person co"],
    "sdn bhd": ["sdn bhd"],
    "bhd": ["bhd"],
    "pt": ["pt", "perseroan terbatas", "pt tbk", "tbk", "persero"],
    "plc": ["plc", "public ltd co", "public co ltd", "pcl"],
    "inc": ["inc"],
    "corp": ["corp"],
    "llp": ["llp", "ltd liability partnership"],
    "lp": ["lp", "ltd partnership"],
    "est": ["est"],
    "fze": ["fze", "fzco", "fzc", "fze llc", "free zone est", "free zone co", "dmcc"],
    "jsc": ["jsc", "joint stock co", "ojsc", "cjsc", "pjsc", "oao", "zao", "pao", "ao", "jsco",
            "open joint stock co", "closed joint stock co", "public joint stock co", "pvt joint stock co"],
    "gmbh": ["gmbh", "gesellschaft mit beschrankter haftung"],
    "ag": ["ag"],
    "sa": ["sa", "sa de cv", "sacv", "sab de cv", "sapi de cv", "societe anonyme", "sociedad anonima", "sal",
           "saog", "saoc", "psc"],
    "sarl": ["sarl", "societe a responsabilite limitee"],
    "srl": ["srl", "s de rl", "s de rl de cv", "srl de cv", "societa a responsabilita limitata", "sociedad de responsabilidad limitada"],
    "spa": ["spa", "societa per azioni"],
    "bv": ["bv", "besloten vennootschap"],
    "nv": ["nv", "naamloze vennootschap"],
    "sas": ["sas"], "cv": ["cv"], "kft": ["kft"], "doo": ["doo"], "sro": ["sro"], "oy": ["oy", "oyj"],
    "ab": ["ab"], "as": ["as", "asa"], "aps": ["aps"], "kg": ["kg", "gmbh and co kg", "gmbh co kg"],
}

FORMS = {spelling: name for name, spellings in CLASSES.items() for spelling in spellings}
LONGEST = max(len(spelling.split()) for spelling in FORMS)
FIRST_WORDS = frozenset(spelling.split()[0] for spelling in FORMS)

# Short forms that are also words or initials ("AB Trading", "SA Manpower", "Est"): they count as a legal form
# only at the start or the end of a name. "Co" is a legal form anywhere ("Tanker Co LLC", "Al Noor Co for Trading").
AMBIGUOUS = {spelling for spelling in FORMS if len(spelling.replace(" ", "")) <= 2} - {"co"} | {"est", "as", "pvt"}


@lru_cache(maxsize=65536)
def legal_word(word):
    """The one spelling of a legal word ("limited" and "limted" -> "ltd"); other words unchanged."""
    known = WORDS.get(word)
    if known:
        return known
    if len(word) >= 6:
        for legal in FUZZY_WORDS:
            if abs(len(legal) - len(word)) <= 1 and OSA.distance(word, legal, score_cutoff=1) <= 1:
                return WORDS[legal]
    return word


def split_legal_forms(words):
    """Take legal forms out of the words: (distinctive tokens, legal-form classes).

    The split covers as many words with legal forms as possible, so "Co Limited Liability Company" reads as
    "co" + "llc" rather than "co ltd" + two stray words.
    """
    words = [legal_word(word) for word in words]
    if FIRST_WORDS.isdisjoint(words):
        return words, []
    last = len(words)
    # best[i]: (words covered by forms, minus how many forms, the forms) for words[i:], filled from the end;
    # among splits covering as many words, the one with fewest forms wins ("co ltd", not "co" + "ltd").
    best = [(0, 0, ())] * (last + 1)
    for i in range(last - 1, -1, -1):
        choice = best[i + 1]
        for size in range(1, min(LONGEST, last - i) + 1) if words[i] in FIRST_WORDS else ():
            phrase = " ".join(words[i:i + size])
            form = FORMS.get(phrase)
            if form and (phrase not in AMBIGUOUS or i == 0 or i + size == last):
                covered, fewer, forms = best[i + size]
                option = (covered + size, fewer - 1, ((i, size, form),) + forms)
                if option[:2] > choice[:2]:
                    choice = option
        best[i] = choice
    taken = best[0][2]
    if not taken:
        return words, []
    skip = {i + k for i, size, _ in taken for k in range(size)}
    tokens = [word for i, word in enumerate(words) if i not in skip]
    if not tokens:
        # A name made only of legal-form words ("Limited Company") keeps them as its tokens.
        return words, []
    return tokens, [form for _, _, form in taken]
