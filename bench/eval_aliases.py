"""Recall of the real lists' organisation aliases: does an organisation's name match each of its own aliases?

Most aliases are other names altogether (a translation, a former name, initials), so no matcher finds most of
them; the figure says how many of the findable ones a matcher finds. Every name is in one index, as in
eval_pairs.py, and each alias is scored against its own entry's name. The lists were looked at while the matcher
was tuned (eval_matching.py), though not these pairs.
    python bench/eval_aliases.py [--threshold 0.8]      (--logic-v2 in the venv of compare_logic_v2.py)
"""
import argparse
from collections import Counter
from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import SCREENING_THRESHOLD  # noqa: E402
from bench.eval_pairs import ORG, score_pairs, score_pairs_logic_v2  # noqa: E402
from bench.lists import load_all  # noqa: E402


def alias_pairs():
    """(list, True, the entry's name, one of its aliases, ORG) for every organisation alias on the lists."""
    return [(entry.source, True, entry.name, alias, ORG) for entry in load_all() if entry.kind == "organization"
            for alias in entry.aliases if alias.casefold() != entry.name.casefold()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=SCREENING_THRESHOLD)
    parser.add_argument("--logic-v2", action="store_true", help="score with logic-v2 (needs nomenklatura)")
    args = parser.parse_args()
    pairs = alias_pairs()
    scores = score_pairs_logic_v2(pairs) if args.logic_v2 else score_pairs(pairs)
    total, found = Counter(), Counter()
    for (source, _, _, _, _), score in zip(pairs, scores):
        total[source] += 1
        found[source] += score >= args.threshold
    print(f"{'logic-v2' if args.logic_v2 else 'FairRecruit'} at {args.threshold}: recall of organisation aliases")
    for source in total:
        print(f"  {source:<12}{found[source]:>6} of {total[source]:>6}  {found[source] / total[source]:.3f}")
    print(f"  {'all':<12}{sum(found.values()):>6} of {sum(total.values()):>6}  "
          f"{sum(found.values()) / sum(total.values()):.3f}")


if __name__ == "__main__":
    main()
