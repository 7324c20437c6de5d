"""The in-memory name index: names of a collection, and candidate search with full comparison (pure).

Records and names are kept in flat arrays, not as an object each: at a million names that is a fraction of the
memory, and the worker processes forked from the one that built the index keep sharing its pages (reading a
Python object writes its reference count, which copies its page into the reader; reading an array's items does
not write the array).
"""
from array import array
from dataclasses import dataclass
from itertools import compress, islice
from operator import and_, itemgetter
import re

from app.screening.columns import Codes, Keys, Texts
from app.screening.match import NAME_WEIGHT, Side, acronym, compare, token_similarity
from app.screening.normalize import normalize
from app.screening.person_names import table as person_names
from app.screening.postings import Postings
from app.screening.vocabulary import Vocabulary

CANDIDATES = 60           # names fully compared per query name, best rough scores first
CROWDED = 20000           # a word on more names than this is only searched when nothing rarer matched
IDENTIFIER_EVIDENCE = 0.8  # an identical identifier alone scores this
KIND_MISMATCH = 0.7       # an organisation's name on a person, or the reverse
OTHER_COUNTRY = 0.85      # both sides name countries and none is shared
MIN_IDENTIFIER = 5        # shorter identifiers ("12", "A1") collide by chance
BOUND_SLACK = 1.2         # a near spelling on the list's side may weigh a little more than the query's word
ACRONYM_CANDIDATES = 20   # names compared in full for a one-word query that is their initials
ACRONYM_FIRST = 1e6       # the rough score that ranks them first
UNKNOWN_AT_MOST = 0.9     # the most a word two edits away from a query word resembles it
NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")   # \w is what str.isalnum() says, and the underscore


@dataclass(slots=True)
class Record:
    """One indexed thing (a list entry, a registered entity): its key, names and what else identifies it."""

    key: object
    group: str
    kind: str | None
    countries: frozenset
    identifiers: frozenset
    names: range = range(0)   # name ids
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
    return NOT_LETTER_OR_DIGIT.sub("", value.upper())


class NameIndex:
    """Names of one collection (the watchlists, or the registry), searchable by fuzzy weighted words."""

    def __init__(self, vocabulary=None):
        self.vocabulary = vocabulary or Vocabulary()
        self.groups, self.kinds, self.country_sets, self.legal_forms = Codes(), Codes(), Codes(), Codes()
        # Records, by position: a record's names are the name ids from its first to the next record's first.
        self.keys = Keys()
        self.by_key = {}
        self.record_first = array("I")
        self.record_group = array("I")
        self.record_kind = array("I")
        self.record_countries = array("I")
        self.record_identifiers = Texts()   # by position: a record's identifiers, one per line
        self.alive = bytearray()
        self.postings = Postings()
        self.by_identifier = {}
        # Names, by id: a name's word ids run from its start to the next name's in name_words.
        self.name_record = array("I")
        self.word_start = array("I", [0])
        self.name_words = array("I")
        self.name_legal = array("I")
        self.name_person = bytearray()
        self.written = Texts()           # the names as written
        self.name_han = {}       # name id -> the name in Chinese characters, for the names written in them
        self.acronyms = {}       # an organisation's initials -> ids of the names of three words or more they stand for

    def __len__(self):
        return len(self.by_key)

    def add(self, key, names, *, group="", kind=None, countries=(), identifiers=()):
        """Index a record's names (replacing what was indexed under the same key)."""
        countries = frozenset(countries)
        identifiers = frozenset(k for k in map(identifier_key, identifiers) if len(k) >= MIN_IDENTIFIER)
        names = list(dict.fromkeys(names))
        if key in self.by_key:
            if self._unchanged(self.by_key[key], group, kind, countries, identifiers, names):
                # Re-read after a change elsewhere (its website, say): removing and adding it again would cost
                # a pass over the postings of each of its words, and leave a dead copy behind.
                return
            self.remove(key)
        person = kind == "person"
        if person:
            person_names()  # loaded while the index is built, not in the first search that needs it
        # The record first, then its names, then their postings: a search in another thread finds only what is
        # complete.
        position = len(self.keys)
        self.record_first.append(len(self.name_record))
        self.record_group.append(self.groups.code(group))
        self.record_kind.append(self.kinds.code(kind))
        self.record_countries.append(self.country_sets.code(countries))
        # (Identifier keys are letters and digits only: no line break.)
        self.record_identifiers.append("\n".join(identifiers))
        self.alive.append(1)
        self.keys.append(key)
        self.by_key[key] = position
        vocabulary = self.vocabulary
        for name in names:
            normal = normalize(name, kind)
            if not normal.tokens:
                continue
            name_id = len(self.name_record)
            token_ids = [vocabulary.add(token) for token in normal.tokens]
            self.name_words.extend(token_ids)
            self.word_start.append(len(self.name_words))
            self.name_legal.append(self.legal_forms.code(normal.legal_forms))
            self.name_person.append(person)
            self.written.append(name)
            if normal.han:
                self.name_han[name_id] = normal.han
            self.name_record.append(position)
            initials = acronym(normal.tokens) if not person else ""
            if initials:
                self.acronyms.setdefault(initials, array("I")).append(name_id)
            distinct = set(token_ids)
            vocabulary.count(distinct, 1)
            for token_id in distinct:
                self.postings.add(token_id, name_id)
        for identifier in identifiers:
            # Most identifiers are one record's: kept as a plain position, a list only once shared.
            known = self.by_identifier.get(identifier)
            if known is None:
                self.by_identifier[identifier] = position
            elif isinstance(known, int):
                self.by_identifier[identifier] = [known, position]
            else:
                known.append(position)

    def settle(self):
        """Pack the postings once many words have names indexed since the last packing (after a build, say)."""
        if self.postings.waiting() > len(self.vocabulary.words) // 10:
            self.postings.pack(len(self.vocabulary.words))

    def record(self, position):
        """The record at a position."""
        return Record(self.keys[position], self.groups.values[self.record_group[position]],
                      self.kinds.values[self.record_kind[position]],
                      self.country_sets.values[self.record_countries[position]],
                      self.identifiers_of(position), self.names_of(position),
                      bool(self.alive[position]))

    def identifiers_of(self, position):
        """A record's identifiers (identifier keys)."""
        joined = self.record_identifiers[position]
        return frozenset(joined.split("\n")) if joined else frozenset()

    def names_of(self, position):
        """The ids of a record's names."""
        last = self.record_first[position + 1] if position + 1 < len(self.record_first) else len(self.name_record)
        return range(self.record_first[position], last)

    def words_of(self, name_id):
        """A name's word ids."""
        return tuple(self.name_words[self.word_start[name_id]:self.word_start[name_id + 1]])

    def name_text(self, name_id):
        """A name as it was written."""
        return self.written[name_id]

    def _unchanged(self, position, group, kind, countries, identifiers, names):
        """Whether a record is indexed already exactly as it would be again."""
        indexed = self.record(position)
        return (indexed.group, indexed.kind, indexed.countries, indexed.identifiers) == \
            (group, kind, countries, identifiers) and list(map(self.name_text, indexed.names)) == names

    def remove(self, key):
        """Stop finding a record; its names leave the word counts too."""
        position = self.by_key.pop(key, None)
        if position is None:
            return
        self.alive[position] = 0
        for name_id in self.names_of(position):
            tokens = self.words_of(name_id)
            distinct = set(tokens)
            self.vocabulary.count(distinct, -1)
            self.name_han.pop(name_id, None)
            words = [self.vocabulary.words[t] for t in tokens]
            initials = acronym(words) if not self.name_person[name_id] else ""
            if initials:
                self.acronyms[initials].remove(name_id)
            # Out of the postings too, or records re-indexed many times would crowd out the live ones.
            for token_id in distinct:
                self.postings.remove(token_id, name_id)

    def search(self, query, *, threshold, limit=10, groups=None, kinds=None, candidates=CANDIDATES, explain=True):
        """Records whose names or identifiers match the query at or above the threshold, best first.

        groups and kinds, when given, are the only record groups (lists) and kinds to look at; candidates is
        how many names per query name are compared in full; explain=False leaves the matches' explanations
        empty (a search box needs only which records, and explaining costs a second comparison each).
        """
        alive, group_of, kind_of, name_record = self.alive, self.record_group, self.record_kind, self.name_record
        group_codes = None if groups is None else self.groups.known(groups)
        kind_codes = None if kinds is None else self.kinds.known(kinds)

        def wanted(positions):
            """The records at these positions that are alive and of the groups and kinds asked for, worked out in
            C (a common name has thousands of candidates)."""
            keep = map(alive.__getitem__, positions)
            if group_codes is not None:
                keep = map(and_, keep, map(group_codes.__contains__, map(group_of.__getitem__, positions)))
            if kind_codes is not None:
                keep = map(and_, keep, map(kind_codes.__contains__, map(kind_of.__getitem__, positions)))
            return keep

        def pick(ranked, count):
            """The first `count` of the ranked (name id, rough score) pairs whose records are wanted."""
            return list(islice(compress(ranked, wanted(list(map(name_record.__getitem__, map(itemgetter(0), ranked))))),
                                count))

        best = {}
        for name in dict.fromkeys(query.names):
            for match in self._search_name(name, query, threshold, pick, candidates, explain):
                if match.score > best.get(match.key, (0.0,))[0]:
                    best[match.key] = (match.score, match)
        for position in self._identified(query, wanted):
            record = self.record(position)
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
                weights.append(vocabulary.rare_weight(token))
        self._compound_expansions(normal.tokens, expansions)
        if kind != "person":
            # "IRGC" finds the names it is the initials of, and a name of three words the initials written alone.
            initials = vocabulary.ids.get(acronym(normal.tokens))
            if initials is not None:
                expansions[0].append((initials, 1.0))
        side = Side(normal.tokens, tuple(weights), normal.legal_forms, kind == "person", normal.han)
        return normal, side, expansions

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

    def _candidates(self, side, expansions, pick, candidates, floor=0.0):
        """Names sharing a word (or a near spelling) with the query, with a rough score to rank them by; those
        below the floor could not reach the threshold and are left out."""
        rough = {}
        if len(side.tokens) == 1 and not side.person:
            # Names the word is the initials of come first (their words are not the query's, so a rough score
            # made of shared words would rank them last), a few of them: short initials stand for many names.
            for name_id in self.acronyms.get(side.tokens[0], ())[:ACRONYM_CANDIDATES]:
                rough[name_id] = ACRONYM_FIRST
        order = sorted(range(len(side.tokens)), key=lambda i: -side.weights[i])
        plan = [(word_id, side.weights[i] * similarity) for i in order for word_id, similarity in expansions[i]]
        # What the words from each one on can add at most: a name first found there that cannot reach the floor
        # would be left out anyway, so the common words at the end only add to the names found already.
        rest = [0.0] * (len(plan) + 1)
        for position in range(len(plan) - 1, -1, -1):
            rest[position] = rest[position + 1] + plan[position][1]
        start, name_words = self.word_start, self.name_words
        for position, (word_id, gain) in enumerate(plan):
            postings = self.postings.get(word_id)
            if not postings or (len(postings) > CROWDED and rough):
                continue
            get = rough.get
            if floor <= 0 or rest[position] * (1 + 1e-9) >= floor:
                for name_id in postings:
                    rough[name_id] = get(name_id, 0.0) + gain
            elif len(rough) < len(postings):
                for name_id, value in rough.items():
                    if word_id in name_words[start[name_id]:start[name_id + 1]]:
                        rough[name_id] = value + gain
            else:
                for name_id in postings:
                    value = get(name_id)
                    if value is not None:
                        rough[name_id] = value + gain
        # One sort, keyed in C; it is stable, so names with equal rough scores keep their order. Leaving out the
        # names below the floor leaves the order of the others as it was.
        items = rough.items() if floor <= 0 else [item for item in rough.items() if item[1] >= floor]
        return pick(sorted(items, key=itemgetter(1), reverse=True)[:candidates * 4], candidates)

    def _search_name(self, name, query, threshold, pick, candidates, explain=True):
        normal, side, expansions = self.side(name, query.kind)
        if not side.tokens:
            return []
        found = []
        query_weight = sum(side.weights)
        # Words the index does not know (typos, most likely) may resemble a candidate's word by more edits than
        # the near spellings found for them: such words are compared with each candidate's words directly.
        unknown = [(token, weight) for token, weight, near in zip(side.tokens, side.weights, expansions)
                   if len(token) >= 6 and (not near or near[0][1] < 1.0)]
        # Words not found near have two edits or more: at most this similar.
        hope = UNKNOWN_AT_MOST * sum(weight for _, weight in unknown)

        def bound(rough, weight):
            """What the names share can weigh at most about twice the query's matched words (weight: what the
            candidate's words weigh together)."""
            return NAME_WEIGHT * min(1.0, BOUND_SLACK * 2 * rough / (query_weight + weight)) + 1 - NAME_WEIGHT

        def ceiling(rough):
            """The bound whatever the candidate's words weigh (they weigh at least nothing)."""
            return NAME_WEIGHT * min(1.0, BOUND_SLACK * 2 * rough / query_weight) + 1 - NAME_WEIGHT

        # Candidates come best rough score first: once one cannot reach the threshold, none after it can, and
        # the bound skips them all anyway (the floor a little lower than exact, for rounding).
        floor = (threshold - 1 + NAME_WEIGHT) / NAME_WEIGHT * query_weight / (BOUND_SLACK * 2) * (1 - 1e-9) - hope
        sure = floor + 2e-9 * (floor + hope)  # at or above it the ceiling reaches the threshold
        # Registries repeat names (common people's names above all): each written form is weighed and compared
        # once, and only the record's own factors (kind, countries) are applied per name.
        forms = {}
        # How much each word of the index resembles each unknown word, worked out once a search: forms share words.
        similar = {}
        start, name_words = self.word_start, self.name_words
        legal_forms, name_legal = self.legal_forms.values, self.name_legal
        name_person, name_han = self.name_person, self.name_han
        for name_id, rough in self._candidates(side, expansions, pick, candidates, floor):
            if rough < sure and ceiling(rough + hope) < threshold:
                break
            words = name_words[start[name_id]:start[name_id + 1]]
            form = (words.tobytes(), name_legal[name_id], name_person[name_id], name_han.get(name_id, ""), rough)
            compared = forms.get(form, False)
            if compared is False:
                compared = forms[form] = self._form_score(side, (tuple(words), legal_forms[form[1]], bool(form[2]),
                                                                 *form[3:]), bound, threshold, unknown, hope, similar)
            if compared is not None:
                match = self._matched(side, normal, name, name_id, self.record(self.name_record[name_id]), query,
                                      threshold, *compared, explain=explain)
                if match:
                    found.append(match)
        return found

    def _form_score(self, side, form, bound, threshold, unknown, hope, similar):
        """(score before the record's factors, candidate side) of one written form, or None when its bound says
        it cannot reach the threshold. similar: each word id's similarity to each unknown word, as worked out."""
        tokens, legal_forms, person, han, rough = form
        vocabulary = self.vocabulary
        weights = tuple(map(vocabulary.weight, tokens))
        total = sum(weights)
        if bound(rough, total) < threshold:
            if not unknown or bound(rough + hope, total) < threshold:
                return None
            rows = []
            for word_id in tokens:
                row = similar.get(word_id, False)
                if row is False:
                    word = vocabulary.words[word_id]
                    row = tuple(token_similarity(token, word) for token, _ in unknown)
                    # (Most words resemble no unknown word at all: None, and the form adds nothing for them.)
                    row = similar[word_id] = row if any(row) else None
                if row is not None:
                    rows.append(row)
            if not rows:
                return None
            rough += sum(weight * max(row[i] for row in rows) for i, (_, weight) in enumerate(unknown))
            if bound(rough, total) < threshold:
                return None
        candidate = Side(tuple(vocabulary.words[t] for t in tokens), weights, legal_forms, person, han)
        score = compare(side, candidate)[0]
        # A record's factors only lower a score.
        return (score, candidate) if score >= threshold else None

    def _compare(self, side, normal, name, name_id, record, query, threshold):
        """The match of one query name with one indexed name, or None below the threshold."""
        vocabulary = self.vocabulary
        tokens = self.words_of(name_id)
        candidate = Side(tuple(vocabulary.words[t] for t in tokens), tuple(vocabulary.weight(t) for t in tokens),
                         self.legal_forms.values[self.name_legal[name_id]], bool(self.name_person[name_id]),
                         self.name_han.get(name_id, ""))
        return self._matched(side, normal, name, name_id, record, query, threshold, compare(side, candidate)[0],
                             candidate)

    def _matched(self, side, normal, name, name_id, record, query, threshold, score, candidate, explain=True):
        """The match of a compared name on one record, with the record's factors, or None below the threshold."""
        factors = self._record_factors(record, query)
        for factor in factors.values():
            score *= factor
        if score < threshold or not side.tokens:
            return None
        if not explain:
            return Match(record.key, record.group, score, name, self.name_text(name_id), {})
        _, explanation = compare(side, candidate, explain=True)
        explanation = explanation or {}
        explanation.update(query_normalised=normal.text, list_normalised=" ".join(candidate.tokens +
                           candidate.legal_forms), record_factors=factors, score=round(score, 4))
        return Match(record.key, record.group, score, name, self.name_text(name_id), explanation)

    def _record_factors(self, record, query):
        factors = {}
        if query.kind and record.kind and (query.kind == "person") != (record.kind == "person"):
            factors["kind_mismatch"] = KIND_MISMATCH
        if query.countries and record.countries and not query.countries & record.countries:
            factors["other_country"] = OTHER_COUNTRY
        return factors

    def _identified(self, query, wanted):
        positions = []
        for identifier in query.identifiers:
            known = self.by_identifier.get(identifier_key(identifier), ())
            positions.extend((known,) if isinstance(known, int) else known)
        return compress(positions, wanted(positions))

    def _identifier_match(self, record, query, by_name):
        """An identical identifier is strong evidence, on top of whatever the names say."""
        by_name = by_name or self._best_name(record, query)
        shared = sorted(record.identifiers & {identifier_key(i) for i in query.identifiers})
        name_score = by_name.score if by_name else 0.0
        score = 1 - (1 - name_score) * (1 - IDENTIFIER_EVIDENCE)
        explanation = dict(by_name.explanation) if by_name else {}
        explanation.update(identifiers=shared, identifier_evidence=IDENTIFIER_EVIDENCE, score=round(score, 4))
        return Match(record.key, record.group, score, by_name.query_name if by_name else query.names[0],
                     by_name.matched_name if by_name else self.name_text(record.names[0]), explanation)

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
