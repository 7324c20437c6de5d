"""Which names use each word: one packed array for the names indexed before the last packing, and a small array
per word for those indexed since (pure)."""
from array import array
from itertools import chain


class Postings:
    """Name ids by word id, in the order the names were indexed."""

    def __init__(self):
        # Offsets and live counts by word id, the name ids one word after another, and what came since. One
        # tuple, replaced whole by pack(): a search in another thread reads it once and sees one consistent state.
        self.state = (array("I", [0]), array("I"), array("I"), {})

    def add(self, word_id, name_id):
        """Note that a name uses the word."""
        self.state[3].setdefault(word_id, array("I")).append(name_id)

    def remove(self, word_id, name_id):
        """Note that a name no longer uses the word (keeping the order of the others)."""
        offsets, counts, ids, recent = self.state
        since = recent.get(word_id)
        if since is not None and name_id in since:
            since.remove(name_id)
            return
        start = offsets[word_id]
        end = start + counts[word_id]
        at = ids.index(name_id, start, end)
        # The live ids of a word stay one run from its offset; the freed place at its end is never read.
        ids[at:end - 1] = ids[at + 1:end]
        counts[word_id] -= 1

    def get(self, word_id):
        """The ids of the names using the word, oldest first (a sequence)."""
        offsets, counts, ids, recent = self.state
        since = recent.get(word_id)
        if word_id < len(counts) and counts[word_id]:
            start = offsets[word_id]
            packed = memoryview(ids)[start:start + counts[word_id]]
            return Joined(packed, since) if since else packed
        return since or ()

    def waiting(self):
        """How many words have names indexed since the last packing."""
        return len(self.state[3])

    def pack(self, words):
        """Pack everything into one array (words: how many word ids there are)."""
        old_offsets, old_counts, old_ids, recent = self.state
        offsets, counts, ids = array("I", [0]), array("I"), array("I")
        for word_id in range(words):
            if word_id < len(old_counts) and old_counts[word_id]:
                start = old_offsets[word_id]
                ids.extend(old_ids[start:start + old_counts[word_id]])
            since = recent.get(word_id)
            if since:
                ids.extend(since)
            counts.append(len(ids) - offsets[-1])
            offsets.append(len(ids))
        self.state = (offsets, counts, ids, {})


class Joined:
    """Two runs of name ids read as one, without copying them (a common word's run is long)."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    def __len__(self):
        return len(self.first) + len(self.second)

    def __iter__(self):
        return chain(self.first, self.second)
