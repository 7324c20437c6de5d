"""The words of an index's names: ids, how many names use each (their weights), and near spellings (pure).

Weights are learned from the indexed names (inverse document frequency): a word used by many agencies or
listed companies counts for little.
"""
from array import array
from math import log
import zlib

from app.screening.columns import Texts
from app.screening.legal_forms import FORMS, WORDS
from app.screening.match import skeleton, token_similarity
from app.screening.normalize import is_number

# Words so common in recruiters' and companies' names that they barely tell two apart, whatever the counts say.
GENERIC = frozenset("""
    manpower overseas recruitment recruiting recruiters employment employments services service international
    intl human resources resource agency agencies global trading traders trade general consultancy consultants
    consulting consultant group holding holdings enterprise enterprises solutions industries industry
    travels travel tours placement placements staffing workforce labour labor supply suppliers export
    import exports imports the and of for al el
""".split()) | {word for spelling in FORMS for word in spelling.split()} | set(WORDS.values())
# (Legal-form words left among a name's words, like "pvt" in "X (Private) Resources Limited", count as generic.)
GENERIC_SHARE = 0.02      # a generic word weighs at most what a word found in 2% of names weighs
NEARBY = 50000            # query words whose near spellings are remembered


class Vocabulary:
    """Every word of every indexed name: ids, how many names use each, and one-deletion neighbours."""

    def __init__(self):
        self.ids = {}
        self.words = Texts()
        self.df = array("I")
        self.deletes = Filed()
        self.skeletons = Filed()
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
            if len(word) >= 3 and not is_number(word):
                if len(word) >= 4:
                    for variant in deletions(word):
                        self.deletes.add(variant, word_id)
                self.skeletons.add(skeleton(word), word_id)
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
            word = self.words[word_id]
            if word in GENERIC or len(word) == 1:
                # (An initial says little however rare it is: "J" stands for many names.)
                weight = min(weight, log(1 + 1 / GENERIC_SHARE))
            known[word_id] = weight
        return weight

    def rare_weight(self, word=""):
        """The weight of a word no indexed name uses."""
        if len(word) == 1:
            return log(1 + 1 / GENERIC_SHARE)
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
        if len(word) < 3 or is_number(word):
            return list(found.items())
        probes = {word, *deletions(word)} if len(word) >= 4 else set()
        if len(word) >= 7:
            probes.update(d for variant in deletions(word) for d in deletions(variant))
        candidates = [self.ids.get(probe) for probe in probes]
        candidates += [word_id for probe in probes for word_id in self.deletes.get(probe)]
        # Transliterations that differ in their vowels ("nurzai", "noorzai"; "mid", "meed") share consonants.
        candidates += self.skeletons.get(skeleton(word))
        for word_id in candidates:
            if word_id is not None and word_id not in found:
                similarity = token_similarity(word, self.words[word_id])
                if similarity:
                    found[word_id] = similarity
        # Ties by word id, not by the order of a set: every process finds the same near spellings first.
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))


class Filed:
    """Word ids filed under strings (a word's one-letter deletions, its skeleton) by the strings' hashes.

    An open-addressing table in two arrays: a dict of the millions of short strings a large index files would
    take several times the memory. Two strings whose hashes agree share their ids, which only adds candidates
    that the similarity then turns down.
    """

    def __init__(self, capacity=1024):
        self.table = (array("I", bytes(4 * capacity)), array("I", bytes(4 * capacity)))   # hashes, word ids + 1
        self.size = 0

    def add(self, key, word_id):
        """File a word id under a key (a key holds as many ids as are filed under it)."""
        hashes, ids = self.table
        if 3 * (self.size + 1) > 2 * len(ids):
            hashes, ids = self._grown()
        place(hashes, ids, stable_hash(key), word_id + 1)
        self.size += 1

    def get(self, key):
        """The word ids filed under the key (and under keys of the same hash)."""
        hashes, ids = self.table   # one read: a table grown meanwhile in another thread is a new pair
        full = stable_hash(key)
        mask, short = len(ids) - 1, full & 0xFFFFFFFF
        slot, found = full & mask, []
        while stored := ids[slot]:
            if hashes[slot] == short:
                found.append(stored - 1)
            slot = (slot + 1) & mask
        return found

    def _grown(self):
        old_hashes, old_ids = self.table
        hashes, ids = array("I", bytes(8 * len(old_ids))), array("I", bytes(8 * len(old_ids)))
        for short, stored in zip(old_hashes, old_ids):
            if stored:
                place(hashes, ids, short, stored)
        self.table = (hashes, ids)
        return self.table


def stable_hash(key):
    """A string's hash, the same in every process: str's own is salted per process, and a table filed by it
    would find nothing in the next start's process, which loads it from a snapshot (app/snapshot.py)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass"))


def place(hashes, ids, full, stored):
    """Put an entry in the first free slot from its hash's (a slot is free while its id is 0)."""
    mask = len(ids) - 1
    slot = full & mask
    while ids[slot]:
        slot = (slot + 1) & mask
    hashes[slot] = full & 0xFFFFFFFF
    ids[slot] = stored


def deletions(word):
    """The word with one letter taken out, every way."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}
