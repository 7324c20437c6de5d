"""Words of people's names that rigour's data says are one name ("robert", "bob"; "zhang", "chang") (pure).

rigour's person tagger holds Wikidata's names, 680,000 forms in many scripts, and takes about 7 s of CPU and
250 MB to load in each process. The matcher compares words in ASCII, so it needs only the names written with two
or more ASCII words, and rigour's English short forms: about 70,000 words in 30,500 names. They are read from
rigour's data once and kept in instance/ under the rigour version they came from; a process loads them in a
fraction of a second and about 15 MB.
"""
from functools import cache
from importlib.metadata import version
import json
import logging
import os
from pathlib import Path
import re
import tempfile

import rigour._core
from rigour.names import tokenize_name
import zstandard

log = logging.getLogger(__name__)

CACHE = Path(__file__).resolve().parents[2] / "instance"
WORD = re.compile(r"[a-z0-9]+")
# rigour compiles its data, compressed, into its module and has no function that returns its person names:
# the data is found by zstd's magic number and known by its content.
FRAME = b"\x28\xb5\x2f\xfd"


@cache
def table():
    """{word: frozenset of the numbers of the names it is a form of}, loaded at first use."""
    path = CACHE / f"person_names-rigour-{version('rigour')}.txt"
    try:
        with open(path, encoding="ascii") as lines:
            return parse(lines)
    except (OSError, ValueError):
        pass  # not made yet (or unreadable): made again below
    try:
        text = "".join(" ".join(sorted(forms)) + "\n" for forms in names_of_rigour())
    except (OSError, ValueError, zstandard.ZstdError) as error:
        # The matcher works without it, a little less well on short forms of given names.
        log.warning("screening.person_names unavailable: %s", error)
        return {}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: processes starting together never read half a file.
        with tempfile.NamedTemporaryFile("w", encoding="ascii", dir=path.parent, delete=False) as out:
            out.write(text)
        os.chmod(out.name, 0o644)
        os.replace(out.name, path)
    except OSError as error:
        log.warning("screening.person_names not kept in %s: %s", path.parent, error)
    return parse(text.splitlines())


def parse(lines):
    """The table from its lines: the words of one name on each."""
    words = {}
    get = words.get
    for number, line in enumerate(lines):
        name = frozenset((number,))
        for word in line.split():
            known = get(word)
            words[word] = name if known is None else known | name
    return words


def names_of_rigour():
    """Sets of two or more ASCII words that rigour's person tagger reads as one name or one short form."""
    names = symbols = None
    for data in frames(Path(rigour._core.__file__).read_bytes()):
        if names is None and data[:4096].count(b" => Q") >= 3:
            names = data.decode("utf-8")     # lines of "form, form, ... => Q123" (Wikidata's names)
        elif symbols is None and data.startswith(b"{") and b'"person_nick"' in data:
            symbols = json.loads(data)
        if names and symbols:
            break
    if names is None or symbols is None:
        raise ValueError(f"rigour {version('rigour')}: no person names found in {rigour._core.__file__}")
    found = [line.rpartition(" => ")[0].split(", ") for line in names.splitlines()]
    # English short forms ("Bob", "Robert") and a few names rigour knows in many spellings ("Gaddafi", "Qadhdhafi").
    found += [[form.lower() for form in forms] for part in ("person_nick", "person_name_parts")
              for forms in symbols.get(part, {}).values()]
    words = [{word for word in map(one_word, forms) if word} for forms in found]
    return [forms for forms in words if len(forms) >= 2]


def one_word(form):
    """The form as rigour reads it ("anatol'evna" is "anatolevna", "yeo¹" is "yeo") if that is one ASCII word."""
    words = tokenize_name(form)
    return words[0] if len(words) == 1 and WORD.fullmatch(words[0]) else None


def frames(module):
    """The data of each zstd frame in a file's bytes."""
    view = memoryview(module)
    start = module.find(FRAME)
    while start >= 0:
        try:
            yield zstandard.ZstdDecompressor().decompressobj().decompress(view[start:])
        except zstandard.ZstdError:
            pass  # four bytes that only look like the start of a frame
        start = module.find(FRAME, start + 1)
