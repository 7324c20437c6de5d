"""Compare two normalised names token by token, weighting distinctive words above common ones (pure)."""
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from app.screening.normalize import is_number
from app.screening.person_names import table as person_names

VOWELS = str.maketrans("", "", "aeiouy")
NAME_WEIGHT = 0.75            # the rest of the name score counts words without their weights
CONFLICTING_NUMBERS = 0.6     # "Star 1" and "Star 2" name different companies
OTHER_LEGAL_FORM = 0.95       # a legal form is weak evidence: registers and lists write it loosely
INITIAL = 0.7                 # "J" for "John", in people's names only
SHORT_FORM = 0.8              # "Meg" for "Megan", "Chris" for "Christopher": a given name cut short
TRANSLITERATION = 0.75        # the least similarity of two words written with the same consonants
ABJAD = 0.9                   # a word from a script that writes no vowels (محمد, "mhmd") and one with them
VOWEL_EDIT = 0.75             # what an edit costs between two words with the same consonants
COMPOUND = 0.8                # the least similarity for "alnoor" to stand for "al noor"
ONE_WORD = 0.8                # a one-word name inside a longer one ("Mohammed", "Mohammed Trading Co")
ACRONYM = 0.9                 # an organisation's initials for its words ("IRGC", "Islamic Revolutionary Guard Corps")
SAME_NAME = 0.9               # two spellings of one given name ("Bob", "Robert"; "Tse-tung", "Zedong")
OTHER_NAMES = 0.85            # both people have a name the other lacks: a family or tribal name, most often
SWAPPED_PARENT = 0.6          # "A bin B" and "B bin A" are a father and his son
OTHER_CHARACTERS = 0.7        # two names in Chinese characters that read alike but are written differently
# Small words an organisation's initials leave out ("Bank of the Republic" is "BR").
UNINITIALLED = frozenset({"of", "the", "and", "for", "de", "la", "du", "des", "del", "y", "et", "und"})
# Words that join a person's own name to a parent's: what stands on either side must stay there.
# ("bn", "abn": بن and ابن transliterated without vowels.)
PARENT = frozenset({"bin", "ibn", "ben", "bint", "binti", "bte", "ould", "walad", "wuld", "ibni", "bn", "abn", "bnt"})


@dataclass(frozen=True, slots=True)
class Side:
    """One name ready to compare: its tokens, each token's weight and its legal forms."""

    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    legal_forms: tuple[str, ...] = ()
    person: bool = False
    han: str = ""           # the name in Chinese characters, simplified


@lru_cache(maxsize=1 << 18)
def token_similarity(a, b):
    """Similarity of two tokens in [0, 1]: exact, a few edits for longer words, or the same consonants."""
    if a == b:
        return 1.0
    if is_number(a) or is_number(b):
        return 0.0
    shortest, longest = sorted((len(a), len(b)))
    if shortest < 3:
        return 0.0
    allowed = 1 if longest <= 5 else 2 if longest <= 9 else 3
    edits = OSA.distance(a, b, score_cutoff=allowed)
    similarity = 1 - edits / longest if edits <= allowed else 0.0
    # Transliterations differ in their vowels (Hezbollah, Hizballah; Mhmd, where a script writes none): with
    # the same consonants, an edit counts half, and the words are at least somewhat alike.
    if similarity < 1 and longest >= 4 and skeleton(a) == skeleton(b) and \
            (longest - shortest <= 2 or a == skeleton(a) or b == skeleton(b)):
        similarity = max(similarity, TRANSLITERATION, 1 - VOWEL_EDIT * OSA.distance(a, b) / longest,
                         ABJAD if a == skeleton(a) or b == skeleton(b) else 0.0)
    return similarity


@lru_cache(maxsize=1 << 16)
def skeleton(token):
    """The token's consonants with doubles collapsed: "mohammed" -> "mhmd"."""
    consonants = token[0] + token[1:].translate(VOWELS)
    return "".join(c for i, c in enumerate(consonants) if i == 0 or c != consonants[i - 1])


def align(query, candidate):
    """Pair query tokens with candidate tokens, best pairs first: [((i, ...), (j, ...), similarity)]."""
    scored = []
    for i, a in enumerate(query.tokens):
        for j, b in enumerate(candidate.tokens):
            similarity = token_similarity(a, b)
            if not similarity and query.person and candidate.person and a[0] == b[0]:
                similarity = short_form(a, b)
            if similarity:
                scored.append((similarity, (i,), (j,)))
    if query.person and candidate.person:
        scored.extend(same_names(query.tokens, candidate.tokens))
    elif not query.person and not candidate.person:
        scored.extend(initials_of(query.tokens, candidate.tokens))
    scored.extend((s, one, two) for s, one, two in compounds(query.tokens, candidate.tokens))
    scored.extend((s, two, one) for s, one, two in compounds(candidate.tokens, query.tokens))
    scored.sort(key=lambda option: (-option[0], len(option[1]) + len(option[2])))
    pairs, used_q, used_c = [], set(), set()
    for similarity, qs, cs in scored:
        if used_q.isdisjoint(qs) and used_c.isdisjoint(cs):
            used_q.update(qs), used_c.update(cs)
            pairs.append((qs, cs, similarity))
    return pairs


def short_form(a, b):
    """How far one word of a person's name may stand for another: an initial, or the name's first letters."""
    short, full = sorted((a, b), key=len)
    if not full.startswith(short):
        return 0.0
    if len(short) == 1:
        return INITIAL
    return SHORT_FORM if len(short) >= 3 and not is_number(full) else 0.0


def acronym(tokens):
    """An organisation's initials ("islamic revolutionary guard corps" -> "irgc"), or "" for fewer than three."""
    words = [token for token in tokens if token not in UNINITIALLED]
    if len(words) < 3 or any(is_number(word) for word in words):
        return ""
    return "".join(word[0] for word in words)


def initials_of(one, other):
    """Where one name is a single word made of the other's initials: [(s, (i, ...), (j, ...))]."""
    if len(one) == 1 and len(other) >= 3 and one[0] == acronym(other):
        return [(ACRONYM, (0,), tuple(range(len(other))))]
    if len(other) == 1 and len(one) >= 3 and other[0] == acronym(one):
        return [(ACRONYM, tuple(range(len(one))), (0,))]
    return []


def same_names(one, other):
    """Words of two people's names that rigour's data says are one name: [(s, (i,), (j,))]."""
    names = person_names()
    theirs = [names.get(token) for token in other]
    return [(SAME_NAME, (i,), (j,)) for i, a in enumerate(one) if len(a) > 1 and (mine := names.get(a))
            for j, b in enumerate(other) if a != b and len(b) > 1 and theirs[j] and not mine.isdisjoint(theirs[j])]


def compounds(one, other):
    """Where `one` writes as a word what `other` writes as two ("alnoor", "al noor"): [(s, (i,), (j, j+1))]."""
    found = []
    for i, token in enumerate(one):
        if len(token) < 3:
            continue
        for j in range(len(other) - 1):
            if abs(len(other[j]) + len(other[j + 1]) - len(token)) <= 2:
                similarity = token_similarity(token, other[j] + other[j + 1])
                # Short words ("sad", "sa d") only join when spelt exactly alike.
                if similarity >= COMPOUND and (len(token) >= 5 or similarity == 1.0):
                    found.append((similarity, (i,), (j, j + 1)))
    return found


def person_factors(query, candidate, pairs, paired_q, paired_c):
    """What two people's names say against each other beyond their words: a name each lacks, parents swapped."""
    factors = {}
    if any(len(t) > 1 for i, t in enumerate(query.tokens) if i not in paired_q and t not in PARENT) and \
            any(len(t) > 1 for j, t in enumerate(candidate.tokens) if j not in paired_c and t not in PARENT):
        factors["other_names"] = OTHER_NAMES
    q_parent, c_parent = parent_at(query.tokens), parent_at(candidate.tokens)
    if q_parent is not None and c_parent is not None:
        sides = {(qs[0] > q_parent, cs[0] > c_parent) for qs, cs, _ in pairs
                 if query.tokens[qs[0]] not in PARENT and candidate.tokens[cs[0]] not in PARENT}
        if (True, False) in sides and (False, True) in sides:
            factors["swapped_parent"] = SWAPPED_PARENT
    return factors


def parent_at(tokens):
    """Where the first word joining a name to a parent's stands, or None."""
    return next((i for i, token in enumerate(tokens) if token in PARENT and 0 < i < len(tokens) - 1), None)


def compare(query, candidate, explain=False):
    """Score two names in [0, 1]; with explain, also say which words matched and why the score is what it is."""
    pairs = align(query, candidate)
    matched = plain = 0.0
    for qs, cs, similarity in pairs:
        matched += similarity * (sum(query.weights[i] for i in qs) + sum(candidate.weights[j] for j in cs))
        plain += similarity * (len(qs) + len(cs))
    total = sum(query.weights) + sum(candidate.weights)
    count = len(query.tokens) + len(candidate.tokens)
    if not total or not count:
        return 0.0, None
    weighted, unweighted = matched / total, min(plain / count, 1.0)
    score = NAME_WEIGHT * weighted + (1 - NAME_WEIGHT) * unweighted
    factors = {}
    paired_q = {i for qs, _, _ in pairs for i in qs}
    paired_c = {j for _, cs, _ in pairs for j in cs}
    if any(is_number(t) for i, t in enumerate(query.tokens) if i not in paired_q) and \
            any(is_number(t) for j, t in enumerate(candidate.tokens) if j not in paired_c):
        factors["conflicting_numbers"] = CONFLICTING_NUMBERS
    if min(len(query.tokens), len(candidate.tokens)) == 1 and len(query.tokens) != len(candidate.tokens) and \
            not any(len(qs) + len(cs) > 2 and similarity == ACRONYM for qs, cs, similarity in pairs):
        factors["one_word_against_more"] = ONE_WORD
    if query.legal_forms and candidate.legal_forms and not set(query.legal_forms) & set(candidate.legal_forms):
        factors["other_legal_form"] = OTHER_LEGAL_FORM
    if query.person and candidate.person:
        factors.update(person_factors(query, candidate, pairs, paired_q, paired_c))
    if query.han and candidate.han and query.han != candidate.han:
        factors["other_characters"] = OTHER_CHARACTERS
    for factor in factors.values():
        score *= factor
    if not explain:
        return score, None
    return score, {
        "words": [{"query": " ".join(query.tokens[i] for i in qs), "list": " ".join(candidate.tokens[j] for j in cs),
                   "similarity": round(similarity, 3),
                   "weight": round(sum(query.weights[i] for i in qs) + sum(candidate.weights[j] for j in cs), 2)}
                  for qs, cs, similarity in sorted(pairs)],
        "unmatched_query": [t for i, t in enumerate(query.tokens) if i not in paired_q],
        "unmatched_list": [t for j, t in enumerate(candidate.tokens) if j not in paired_c],
        "weighted_overlap": round(weighted, 3),
        "word_overlap": round(unweighted, 3),
        "legal_forms": {"query": list(query.legal_forms), "list": list(candidate.legal_forms)},
        "factors": factors,
        "name_score": round(score, 3),
    }
