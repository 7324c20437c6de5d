"""The in-memory name index: words, their weights and near spellings, and candidate search (pure).

One Vocabulary is shared by every NameIndex (watchlists, registry), so word weights are learned from all the
names the service knows: a word used by many agencies or listed companies counts for little.
"""
from array import array
from dataclasses import dataclass, field
from math import log
from operator import itemgetter

from app.screening.match import NAME_WEIGHT, Side, compare, skeleton, token_similarity
from app.screening.normalize import is_number, normalize

# Words so common in recruiters' and companies' names that they barely tell two apart, whatever the counts say.
GENERIC = frozenset("""
    manpower overseas recruitment recruiting recruiters employment employments services service international
    intl human resources resource agency agencies global trading traders trade general consultancy consultants
    consulting consultant group holding holdings enterprise enterprises solutions industries industry
    travels travel tours placement placements staffing workforce labour labor supply suppliers export
    import exports imports the and of for al el
""".split())
GENERIC_SHARE = 0.02      # a generic word weighs at most what a word found in 2% of names weighs
CANDIDATES = 60           # names fully compared per query name, best rough scores first
CROWDED = 20000           # a word on more names than this is only searched when nothing rarer matched
IDENTIFIER_EVIDENCE = 0.8  # an identical identifier alone scores this
KIND_MISMATCH = 0.7       # an organisation's name on a person, or the reverse
OTHER_COUNTRY = 0.85      # both sides name countries and none is shared
MIN_IDENTIFIER = 5        # shorter identifiers ("12", "A1") collide by chance
BOUND_SLACK = 1.2         # a near spelling on the list's side may weigh a little more than the query's word
UNSEEN = 0.75             # the most a word with no near spelling in the index is assumed to match by
NEARBY = 50000            # query words whose near spellings are remembered


class Vocabulary:
    """Every word of every indexed name: ids, how many names use each, and one-deletion neighbours."""

    def __init__(self):
        self.ids = {}
        self.words = []
        self.df = array("I")
        self.deletes = {}
        self.skeletons = {}
        self.names = 0
        self.weights = {}   # word id -> weight, valid until the counts change
        self.nearby = {}    # query word -> its near spellings, valid until a new word comes

    def add(self, word):
        """The word's id, registering it on first sight."""
        word_id = self.ids.get(word)
        if word_id is None:
            word_id = self.ids[word] = len(self.words)
            self.words.append(word)
            self.df.append(0)
            if len(word) >= 4 and not is_number(word):
                for variant in deletions(word):
                    remember(self.deletes, variant, word_id)
                remember(self.skeletons, skeleton(word), word_id)
            self.nearby = {}  # last, and a new dict (see count)
        return word_id

    def count(self, token_ids, step):
        """Count a name's distinct words in (step 1) or out (step -1) of the word frequencies."""
        for token_id in token_ids:
            self.df[token_id] += step
        self.names += step
        # A new dict, not clear(): a weight computed meanwhile by a search in another thread goes to the old one.
        self.weights = {}

    def weight(self, word_id):
        """Inverse document frequency, capped for the field's generic words."""
        # Every word of every candidate name is weighed, a few hundred per query; counts change far less often.
        known = self.weights
        weight = known.get(word_id)
        if weight is None:
            df = max(self.df[word_id], 1)
            weight = log(1 + self.names / df)
            if self.words[word_id] in GENERIC:
                weight = min(weight, log(1 + 1 / GENERIC_SHARE))
            known[word_id] = weight
        return weight

    def rare_weight(self):
        """The weight of a word no indexed name uses."""
        return log(1 + max(self.names, 1))

    def near(self, word):
        """Known words within a few edits of this one: [(word id, similarity)], the word itself first."""
        # Queries repeat their words ("manpower", "mohammed"), and what is near a word only changes with new words.
        known = self.nearby
        found = known.get(word)
        if found is None:
            if len(known) >= NEARBY:
                known.clear()
            found = known[word] = tuple(self._near(word))
        return list(found)

    def _near(self, word):
        found = {}
        exact = self.ids.get(word)
        if exact is not None:
            found[exact] = 1.0
        if len(word) < 4 or is_number(word):
            return list(found.items())
        probes = {word, *deletions(word)}
        if len(word) >= 7:
            probes.update(d for variant in deletions(word) for d in deletions(variant))
        candidates = [self.ids.get(probe) for probe in probes]
        candidates += [word_id for probe in probes for word_id in ids_of(self.deletes.get(probe))]
        # Transliterations that differ in their vowels ("nurzai", "noorzai") share their consonants.
        candidates += ids_of(self.skeletons.get(skeleton(word)))
        for word_id in candidates:
            if word_id is not None and word_id not in found:
                similarity = token_similarity(word, self.words[word_id])
                if similarity:
                    found[word_id] = similarity
        return sorted(found.items(), key=lambda item: -item[1])


def remember(table, key, word_id):
    """Add a word id under a key, keeping a single id as a plain int to save memory."""
    known = table.get(key)
    if known is None:
        table[key] = word_id
    elif isinstance(known, int):
        table[key] = [known, word_id]
    else:
        known.append(word_id)


def ids_of(known):
    """The word ids kept under a key: none, one or several."""
    if known is None:
        return ()
    return (known,) if isinstance(known, int) else known


def deletions(word):
    """The word with one letter taken out, every way."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@dataclass(slots=True)
class Record:
    """One indexed thing (a list entry, a registered entity): its key, names and what else identifies it."""

    key: object
    group: str
    kind: str | None
    countries: frozenset
    identifiers: frozenset
    names: list = field(default_factory=list)   # name ids
    alive: bool = True


@dataclass(frozen=True, slots=True)
class Query:
    """What to look for: names, and optionally the kind, countries and identifiers that go with them."""

    names: tuple[str, ...]
    kind: str | None = None
    countries: frozenset = frozenset()
    identifiers: frozenset = frozenset()


@dataclass(slots=True)
class Match:
    """One record found for a query, its score in [0, 1] and the explanation of that score."""

    key: object
    group: str
    score: float
    query_name: str
    matched_name: str
    explanation: dict


def identifier_key(value):
    """Identifiers compare on letters and digits only, upper case: "AB-123 456" is "AB123456"."""
    return "".join(c for c in value.upper() if c.isalnum())


class NameIndex:
    """Names of one collection (the watchlists, or the registry), searchable by fuzzy weighted words."""

    def __init__(self, vocabulary=None):
        self.vocabulary = vocabulary or Vocabulary()
        self.records = []
        self.by_key = {}
        self.postings = {}
        self.by_identifier = {}
        self.name_record = array("I")
        self.name_tokens = []
        self.name_forms = []
        self.name_text = []
        self.name_person = []

    def __len__(self):
        return len(self.by_key)

    def add(self, key, names, *, group="", kind=None, countries=(), identifiers=()):
        """Index a record's names (replacing what was indexed under the same key)."""
        if key in self.by_key:
            self.remove(key)
        person = kind == "person"
        record = Record(key, group, kind, frozenset(countries),
                        frozenset(k for k in map(identifier_key, identifiers) if len(k) >= MIN_IDENTIFIER))
        position = len(self.records)
        self.records.append(record)
        self.by_key[key] = position
        vocabulary = self.vocabulary
        for name in dict.fromkeys(names):
            normal = normalize(name, kind)
            if not normal.tokens:
                continue
            name_id = len(self.name_text)
            token_ids = tuple(vocabulary.add(token) for token in normal.tokens)
            distinct = set(token_ids)
            vocabulary.count(distinct, 1)
            for token_id in distinct:
                self.postings.setdefault(token_id, array("I")).append(name_id)
            self.name_record.append(position)
            self.name_tokens.append(token_ids)
            self.name_forms.append(normal.legal_forms)
            self.name_text.append(name)
            self.name_person.append(person)
            record.names.append(name_id)
        for identifier in record.identifiers:
            self.by_identifier.setdefault(identifier, []).append(position)

    def remove(self, key):
        """Stop finding a record; its names leave the word counts too."""
        position = self.by_key.pop(key, None)
        if position is None:
            return
        record = self.records[position]
        record.alive = False
        for name_id in record.names:
            self.vocabulary.count(set(self.name_tokens[name_id]), -1)

    def search(self, query, *, threshold, limit=10, groups=None, kinds=None):
        """Records whose names or identifiers match the query at or above the threshold, best first.

        groups and kinds, when given, are the only record groups (lists) and kinds to look at.
        """
        def wanted(record):
            return record.alive and (groups is None or record.group in groups) and \
                (kinds is None or record.kind in kinds)

        best = {}
        for name in dict.fromkeys(query.names):
            for match in self._search_name(name, query, threshold, wanted):
                if match.score > best.get(match.key, (0.0,))[0]:
                    best[match.key] = (match.score, match)
        for position in self._identified(query, wanted):
            record = self.records[position]
            if record.key not in best or best[record.key][0] < 1.0:
                match = self._identifier_match(record, query, best.get(record.key, (0.0, None))[1])
                if match.score >= threshold:
                    best[record.key] = (match.score, match)
        found = sorted((m for _, m in best.values()), key=lambda m: (-m.score, str(m.key)))
        return found[:limit]

    def side(self, name, kind):
        """The query side of a comparison: normalised tokens with their weights."""
        normal = normalize(name, kind)
        vocabulary = self.vocabulary
        weights, expansions = [], []
        for token in normal.tokens:
            near = vocabulary.near(token)
            expansions.append(near)
            if near and near[0][1] == 1.0:
                weights.append(vocabulary.weight(near[0][0]))
            elif near:
                # A misspelt word weighs what the word it probably means weighs.
                weights.append(max(vocabulary.weight(word_id) for word_id, _ in near))
            else:
                weights.append(vocabulary.rare_weight())
        self._compound_expansions(normal.tokens, expansions)
        return normal, Side(normal.tokens, tuple(weights), normal.legal_forms, kind == "person"), expansions

    def _compound_expansions(self, tokens, expansions):
        """Let "al noor" find "alnoor" and "alnoor" find "al noor" among the candidates."""
        ids = self.vocabulary.ids
        for i in range(len(tokens) - 1):
            joined = ids.get(tokens[i] + tokens[i + 1])
            if joined is not None:
                expansions[i].append((joined, 1.0))
                expansions[i + 1].append((joined, 1.0))
        for i, token in enumerate(tokens):
            if len(token) >= 5 and token not in ids:
                for cut in range(2, len(token) - 1):
                    head, tail = ids.get(token[:cut]), ids.get(token[cut:])
                    if head is not None and tail is not None:
                        expansions[i].extend(((head, 1.0), (tail, 1.0)))

    def _candidates(self, side, expansions, wanted):
        """Names sharing a word (or a near spelling) with the query, with a rough score to rank them by."""
        rough = {}
        order = sorted(range(len(side.tokens)), key=lambda i: -side.weights[i])
        for i in order:
            weight = side.weights[i]
            for word_id, similarity in expansions[i]:
                postings = self.postings.get(word_id)
                if not postings or (len(postings) > CROWDED and rough):
                    continue
                gain = weight * similarity
                get = rough.get
                for name_id in postings:
                    rough[name_id] = get(name_id, 0.0) + gain
        # One sort, keyed in C; it is stable, so names with equal rough scores keep their order.
        ranked = sorted(rough.items(), key=itemgetter(1), reverse=True)[:CANDIDATES * 4]
        records = self.records
        picked = []
        for name_id, value in ranked:
            record = records[self.name_record[name_id]]
            if wanted(record):
                picked.append((name_id, value))
                if len(picked) == CANDIDATES:
                    break
        return picked

    def _search_name(self, name, query, threshold, wanted):
        normal, side, expansions = self.side(name, query.kind)
        if not side.tokens:
            return []
        vocabulary = self.vocabulary
        found = []
        query_weight = sum(side.weights)
        # Words the index knows no near spelling of may still resemble a candidate's word more loosely.
        unseen = sum(UNSEEN * weight for weight, near in zip(side.weights, expansions) if not near)
        for name_id, rough in self._candidates(side, expansions, wanted):
            rough += unseen
            tokens = self.name_tokens[name_id]
            weights = tuple(map(vocabulary.weight, tokens))
            # What the names share can weigh at most about twice the query's matched words: skip hopeless ones.
            if NAME_WEIGHT * min(1.0, BOUND_SLACK * 2 * rough / (query_weight + sum(weights))) + 1 - NAME_WEIGHT \
                    < threshold:
                continue
            match = self._compare(side, normal, name, name_id, self.records[self.name_record[name_id]], query,
                                  threshold, weights)
            if match:
                found.append(match)
        return found

    def _compare(self, side, normal, name, name_id, record, query, threshold, weights=None):
        """The match of one query name with one indexed name, or None below the threshold."""
        vocabulary = self.vocabulary
        tokens = self.name_tokens[name_id]
        weights = weights or tuple(vocabulary.weight(t) for t in tokens)
        candidate = Side(tuple(vocabulary.words[t] for t in tokens), weights, self.name_forms[name_id],
                         self.name_person[name_id])
        score, _ = compare(side, candidate)
        factors = self._record_factors(record, query)
        for factor in factors.values():
            score *= factor
        if score < threshold or not side.tokens:
            return None
        _, explanation = compare(side, candidate, explain=True)
        explanation = explanation or {}
        explanation.update(query_normalised=normal.text, list_normalised=" ".join(candidate.tokens +
                           candidate.legal_forms), record_factors=factors, score=round(score, 4))
        return Match(record.key, record.group, score, name, self.name_text[name_id], explanation)

    def _record_factors(self, record, query):
        factors = {}
        if query.kind and record.kind and (query.kind == "person") != (record.kind == "person"):
            factors["kind_mismatch"] = KIND_MISMATCH
        if query.countries and record.countries and not query.countries & record.countries:
            factors["other_country"] = OTHER_COUNTRY
        return factors

    def _identified(self, query, wanted):
        for identifier in query.identifiers:
            for position in self.by_identifier.get(identifier_key(identifier), ()):
                if wanted(self.records[position]):
                    yield position

    def _identifier_match(self, record, query, by_name):
        """An identical identifier is strong evidence, on top of whatever the names say."""
        by_name = by_name or self._best_name(record, query)
        shared = sorted(record.identifiers & {identifier_key(i) for i in query.identifiers})
        name_score = by_name.score if by_name else 0.0
        score = 1 - (1 - name_score) * (1 - IDENTIFIER_EVIDENCE)
        explanation = dict(by_name.explanation) if by_name else {}
        explanation.update(identifiers=shared, identifier_evidence=IDENTIFIER_EVIDENCE, score=round(score, 4))
        return Match(record.key, record.group, score, by_name.query_name if by_name else query.names[0],
                     by_name.matched_name if by_name else self.name_text[record.names[0]], explanation)

    def _best_name(self, record, query):
        """The best of the record's names for the query, however low it scores."""
        best = None
        for name in dict.fromkeys(query.names):
            normal, side, _ = self.side(name, query.kind)
            for name_id in record.names:
                match = self._compare(side, normal, name, name_id, record, query, threshold=0.0)
                if match and (best is None or match.score > best.score):
                    best = match
        return best
