"""Columns of an index's records kept in arrays rather than as an object each (pure).

Gunicorn's workers share the pages of the index their master built. Reading an object writes its reference
count, which copies its page into the reader; a worker reading records' keys, identifiers and words as objects
copied most of them within a minute of searches. Read from these columns, each read makes a new object instead.
"""
from array import array


class Codes:
    """Distinct values (lists, kinds, sets of countries, legal forms) numbered, so arrays can hold them."""

    def __init__(self):
        self.values = []
        self.codes = {}

    def code(self, value):
        """The value's number, given on first sight."""
        code = self.codes.get(value)
        if code is None:
            code = len(self.values)
            self.values.append(value)
            self.codes[value] = code
        return code

    def known(self, values):
        """The numbers of those of the values seen so far."""
        return {self.codes[value] for value in values if value in self.codes}


class Texts:
    """Strings by number, one after another in one UTF-8 buffer."""

    def __init__(self):
        self.data = bytearray()
        self.starts = array("Q", [0])

    def append(self, text):
        """Add a string; it is number len(self) - 1."""
        self.data.extend(text.encode("utf-8", "surrogatepass"))
        self.starts.append(len(self.data))

    def __getitem__(self, number):
        return self.data[self.starts[number]:self.starts[number + 1]].decode("utf-8", "surrogatepass")

    def __len__(self):
        return len(self.starts) - 1


class Keys:
    """Records' keys by position: ints, and pairs of a kind and an int (("entity", 12)), in two arrays; keys of
    other shapes are kept as they are."""

    def __init__(self):
        self.shapes = Codes()    # ("int",), ("pair", kind) or ("other",)
        self.shape = array("I")
        self.number = array("q")
        self.others = {}         # position -> key, for the keys of other shapes

    def append(self, key):
        """Add the key of the next position."""
        if type(key) is int and fits(key):
            shape, number = ("int",), key
        elif type(key) is tuple and len(key) == 2 and type(key[0]) is str and type(key[1]) is int and fits(key[1]):
            shape, number = ("pair", key[0]), key[1]
        else:
            shape, number = ("other",), 0
            self.others[len(self.shape)] = key
        # The number first: a search in another thread reads a position only once its shape is there.
        self.number.append(number)
        self.shape.append(self.shapes.code(shape))

    def __getitem__(self, position):
        shape = self.shapes.values[self.shape[position]]
        if shape[0] == "int":
            return self.number[position]
        if shape[0] == "pair":
            return shape[1], self.number[position]
        return self.others[position]

    def __len__(self):
        return len(self.shape)


def fits(number):
    """Whether an int fits an array of signed 64-bit numbers."""
    return -2**63 <= number < 2**63
