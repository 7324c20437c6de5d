"""The listing's entries packed into a few large objects (bytes and arrays) instead of several objects each.

gunicorn's workers are forked from a master that built the listing (app/prefork.py) and share its memory until
they write to it; in Python reading an object writes to it (its reference count), so workers reading 100,000
entry objects would each soon hold a copy of most of them. Reading a packed entry makes new objects from slices
of a few shared ones and writes to none of their pages.
"""
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains

# Sort keys 0 to 2 (legal_name, country, created_at) are kept as UTF-8, which sorts as the text does; the last,
# the id, is the entry's id.
TEXT_KEYS = 3


@dataclass(slots=True)
class Entry:
    """What the listing keeps of one entity: its summary (the list item, as JSON), facets, names, sort keys."""

    id: int
    kind: str
    summary: bytes
    facets: tuple
    names: str                  # its name keys joined by "|"
    keys: tuple                 # one per sort field (app/registry/listing.py SORTS)


class Column:
    """Byte strings one after another in one bytes object; the i-th comes back as a new bytes object."""

    def __init__(self):
        # Filled in place, then closed, so that the build never holds each part as an object of its own.
        self.data, self.at = bytearray(), array("Q", [0])

    @classmethod
    def of(cls, parts):
        column = cls()
        for part in parts:
            column.add(part)
        return column.close()

    def add(self, part):
        self.data += part
        self.at.append(len(self.data))

    def close(self):
        self.data = bytes(self.data)
        return self

    def __getitem__(self, slot):
        return self.data[self.at[slot]:self.at[slot + 1]]

    def many(self, slots):
        """The strings at these places, in their order (sliced without a Python call each)."""
        slots = list(slots)
        ends = map(self.at.__getitem__, map((1).__add__, slots))
        return map(self.data.__getitem__, map(slice, map(self.at.__getitem__, slots), ends))


class Packed:
    """Entries built together (a listing's full build), read by entity id; dropped ones are forgotten."""

    def __init__(self, entries=()):
        self.ids, kinds, self.kind_names, words = array("I"), bytearray(), [], {}
        # Each entry's facets as numbers into one list of the distinct facets.
        self.facet_list, numbers = [], {}
        self.summaries, self.facets, self.names, *self.keys = columns = [Column() for _ in range(3 + TEXT_KEYS)]
        for entry in entries:
            self.ids.append(entry.id)
            if entry.kind not in self.kind_names:
                self.kind_names.append(entry.kind)
            kinds.append(self.kind_names.index(entry.kind))
            for facet in entry.facets:
                if facet not in numbers:
                    numbers[facet] = len(self.facet_list)
                    self.facet_list.append(facet)
            facets = array("I", map(numbers.__getitem__, entry.facets)).tobytes()
            for column, part in zip(columns, (entry.summary, facets, entry.names.encode(),
                                              *(key.encode() for key in entry.keys[:TEXT_KEYS]))):
                column.add(part)
            for word in words_of(entry.names):
                words.setdefault(word, array("I")).append(entry.id)
        for column in columns:
            column.close()
        self.kinds = bytes(kinds)
        self.slots = array("i", [-1]) * (max(self.ids, default=0) + 1)
        for slot, entity_id in enumerate(self.ids):
            self.slots[entity_id] = slot
        # Every word of the entries' name keys, each after a newline (which no name key holds), and the ids of
        # the entries having each: the words a search asks for are found in one bytes object.
        ordered = sorted(words)
        self.words = Column.of([*(b"\n" + word.encode() for word in ordered), b"\n"])
        self.word_ids = Column.of(words.pop(word).tobytes() for word in ordered)
        self.dropped = set()    # ids replaced or removed since

    def __len__(self):
        return len(self.ids) - len(self.dropped)

    def __contains__(self, entity_id):
        return self.slot(entity_id) >= 0

    def slot(self, entity_id):
        """The entry's place in the columns, or -1."""
        if not 0 <= entity_id < len(self.slots) or entity_id in self.dropped:
            return -1
        return self.slots[entity_id]

    def drop(self, entity_id):
        """Forget an entry (replaced or removed)."""
        self.dropped.add(entity_id)

    def kind(self, entity_id):
        return self.kind_names[self.kinds[self.slots[entity_id]]]

    def summary(self, entity_id):
        return self.summaries[self.slots[entity_id]]

    def sort_key(self, entity_id, position):
        """The entry's sort key `position` (bytes for text, the id itself last)."""
        return self.keys[position][self.slots[entity_id]] if position < TEXT_KEYS else entity_id

    def entry(self, entity_id):
        """The entry as an object again."""
        slot = self.slots[entity_id]
        keys = tuple(key[slot].decode() for key in self.keys)
        facets = tuple(map(self.facet_list.__getitem__, memoryview(self.facets[slot]).cast("I")))
        return Entry(entity_id, self.kind(entity_id), self.summaries[slot], facets,
                     self.names[slot].decode(), (*keys, entity_id))

    def alive(self):
        """The ids of the entries not dropped, as new objects."""
        return (entity_id for entity_id in self.ids if entity_id not in self.dropped)

    def of_kind(self, kind):
        """The ids of the live entries of one kind."""
        if kind not in self.kind_names:
            return iter(())
        code = self.kind_names.index(kind)
        return (entity_id for entity_id, k in zip(self.ids, self.kinds) if k == code and entity_id not in self.dropped)

    def sort_keys(self, entity_ids, position):
        """The sort keys `position` of these entries, in their order."""
        if position == TEXT_KEYS:
            return entity_ids
        return self.keys[position].many(map(self.slots.__getitem__, entity_ids))

    def named(self, needle, within):
        """The ids in `within` of the live entries one of whose name keys contains `needle` (a name key).

        Within a name, the needle's first word ends a word, its last begins one and those between are whole
        words (a single word may lie anywhere in one): the entries having such words are the candidates, checked
        against the whole needle.
        """
        tokens = [token.encode() for token in needle.split(" ")]
        if not all(tokens):
            # (Name keys have single spaces between words: only an empty needle, which every name holds.)
            candidates = {entity_id for entity_id in within if entity_id in self}
        elif len(tokens) == 1:
            # A word holding the needle is the needle in a name: nothing to check.
            return self.having(tokens[0]).intersection(within) - self.dropped
        elif len(tokens) == 2:
            candidates = self.having(tokens[0] + b"\n") & self.having(b"\n" + tokens[1])
        else:
            inner = sorted((self.having(b"\n" + token + b"\n") for token in tokens[1:-1]), key=len)
            candidates = inner[0].intersection(*inner[1:])
        candidates = list(candidates.intersection(within) - self.dropped)
        names = self.names.many(map(self.slots.__getitem__, candidates))
        return set(compress(candidates, map(contains, names, repeat(needle.encode()))))

    def having(self, pattern):
        """The ids of the entries with a word holding `pattern` (bytes; a newline first or last stands for the
        start or the end of the word)."""
        data, starts, found = self.words.data, self.words.at, set()
        position = data.find(pattern)
        while position >= 0:
            word = bisect_right(starts, position) - 1
            found.update(memoryview(self.word_ids[word]).cast("I"))
            position = data.find(pattern, starts[word + 1])
        return found


def words_of(names):
    """The distinct words of an entry's names (name keys joined by "|")."""
    return set(names.replace("|", " ").split(" ")) - {""}
