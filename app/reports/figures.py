"""Public figures (pure: no Flask, no database): counts of reports by category, per agency and per corridor and
year, published only where they identify no one.

Each table has a row per subject (agency or corridor), a column per category, and totals: a row's total is the
sum of its cells (a report in two categories counts in both), a column's the sum over subjects. Suppression:

1. Primary: a cell (totals included) that fewer than k distinct reporters contributed to is withheld. A cell of
   0 is published: it tells of no one.
2. Complementary: every withheld cell is put on a cycle of withheld cells, by withholding the cheapest rectangle
   (r, c), (r, c2), (r2, c), (r2, c2) through it, the totals row and column included. Along such a cycle the
   values can all move by +1 or -1 (alternately) and every published row and column sum stays the same; as every
   withheld cell is at least 1, both moves keep the table non-negative. So no withheld cell can be worked out
   from the published ones, by arithmetic or by knowing that counts are not negative.
"""
from dataclasses import dataclass
import heapq
from typing import NamedTuple

TOTAL = "all"
# Rows tried as the far corner of a rectangle: the cheapest few of a column and those withheld already.
CANDIDATES = 8


class Contribution(NamedTuple):
    """One report as the figures see it: what about, which year, who (a keyed digest), which categories."""

    subject: str
    year: int
    reporter: str
    categories: tuple


@dataclass
class Table:
    """An extended table: values and distinct-reporter counts (capped at k) by (row, column), totals included."""

    rows: list
    columns: list
    values: dict
    reporters: dict


def tabulate(contributions, columns, k):
    """{year: Table} of these contributions; reporter sets are kept only until they reach k."""
    tables = {}
    for item in contributions:
        if not item.categories:
            continue
        table = tables.get(item.year)
        if table is None:
            table = tables[item.year] = Table([], list(columns), {}, {})
        for column in item.categories:
            for cell in ((item.subject, column), (item.subject, TOTAL), (TOTAL, column), (TOTAL, TOTAL)):
                table.values[cell] = table.values.get(cell, 0) + 1
                seen = table.reporters.setdefault(cell, set())
                if seen is not None:
                    seen.add(item.reporter)
                    if len(seen) >= k:
                        table.reporters[cell] = None   # enough: no need to remember who
    for table in tables.values():
        table.rows = sorted({row for row, _ in table.values if row != TOTAL})
    return tables


def enough(table, cell):
    """True when at least k distinct reporters contributed to the cell (tabulate forgets them past k)."""
    return table.reporters.get(cell, ()) is None


def suppress(table):
    """The set of withheld cells of an extended table (see the module's docstring)."""
    rows, columns = table.rows + [TOTAL], table.columns + [TOTAL]
    value = lambda cell: table.values.get(cell, 0)  # noqa: E731
    withheld = {(r, c) for r in rows for c in columns if value((r, c)) > 0 and not enough(table, (r, c))}
    # The cheapest non-zero rows of each column: the usual far corners of a rectangle.
    cheapest = {c: heapq.nsmallest(CANDIDATES + 1, (r for r in rows if value((r, c)) > 0),
                                   key=lambda r, c=c: (value((r, c)), r)) for c in columns}
    by_column = {}
    for r, c in sorted(withheld):
        by_column.setdefault(c, []).append(r)
    cost = lambda cell: 0 if cell in withheld else value(cell)  # noqa: E731
    for r, c in sorted(withheld):
        far_rows = dict.fromkeys([*by_column[c][:CANDIDATES + 1], *cheapest[c], TOTAL])
        best = None
        for r2 in far_rows:
            if r2 == r or value((r2, c)) == 0:
                continue
            for c2 in columns:
                if c2 == c or value((r, c2)) == 0 or value((r2, c2)) == 0:
                    continue
                corners = ((r, c2), (r2, c), (r2, c2))
                price = (sum(cost(cell) for cell in corners), sum(cell not in withheld for cell in corners),
                         r2, c2)
                if best is None or price < best[0]:
                    best = (price, corners)
        for cell in best[1]:
            if cell not in withheld:
                withheld.add(cell)
                by_column.setdefault(cell[1], []).append(cell[0])
    return withheld


def publish(contributions, columns, k):
    """{year: {(subject, category): reports}}: the published cells ("all" for totals); withheld cells are absent."""
    published = {}
    for year, table in tabulate(contributions, columns, k).items():
        withheld = suppress(table)
        published[year] = {(r, c): table.values.get((r, c), 0) for r in table.rows + [TOTAL]
                           for c in table.columns + [TOTAL] if (r, c) not in withheld}
    return published
