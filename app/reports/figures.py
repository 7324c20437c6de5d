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
3. Together: the agency and the corridor tables of a year count the same reports, so their totals row (the
   figures per category of all reports) is the same, and one table's published total could pin down what the
   other withholds. A totals-row cell withheld in either table is withheld in both, and in each it is put on the
   rectangle (r, c), (r, all), (all, c), (all, all): any move of the totals row that one table's cycles make,
   the other table makes too. Cycles of cells below the totals row keep off it where they can (a move there
   changes nothing the other table shows); where one cannot, its totals become shared and all is done again.
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


def suppress(table, shared=()):
    """The set of withheld cells of an extended table whose totals-row cells of the columns `shared` are also
    withheld (by the other table: see the module's docstring)."""
    rows, columns = table.rows + [TOTAL], table.columns + [TOTAL]
    value = lambda cell: table.values.get(cell, 0)  # noqa: E731
    withheld = {(r, c) for r in rows for c in columns if value((r, c)) > 0 and not enough(table, (r, c))}
    withheld |= {(TOTAL, c) for c in shared if value((TOTAL, c)) > 0}
    # The cheapest non-zero rows of each column: the usual far corners of a rectangle.
    cheapest = {c: heapq.nsmallest(CANDIDATES + 1, (r for r in table.rows if value((r, c)) > 0),
                                   key=lambda r, c=c: (value((r, c)), r)) for c in columns}
    by_column = {}
    for r, c in sorted(withheld):
        by_column.setdefault(c, []).append(r)
    cost = lambda cell: 0 if cell in withheld else value(cell)  # noqa: E731

    def hide(corners):
        for cell in corners:
            if cell not in withheld:
                withheld.add(cell)
                by_column.setdefault(cell[1], []).append(cell[0])

    for r, c in sorted(cell for cell in withheld if cell[0] != TOTAL):
        best = None
        for r2 in dict.fromkeys([*by_column[c][:CANDIDATES + 1], *cheapest[c], TOTAL]):
            if r2 == r or value((r2, c)) == 0:
                continue
            for c2 in columns:
                if c2 == c or value((r, c2)) == 0 or value((r2, c2)) == 0:
                    continue
                corners = ((r, c2), (r2, c), (r2, c2))
                # Off the totals row first: a move there is the other table's business too.
                price = (r2 == TOTAL, sum(cost(cell) for cell in corners),
                         sum(cell not in withheld for cell in corners), r2, c2)
                if best is None or price < best[0]:
                    best = (price, corners)
        hide(best[1])
    totals = sorted(c for r, c in withheld if r == TOTAL and c != TOTAL)
    if not totals and (TOTAL, TOTAL) in withheld:
        totals = [min((c for c in table.columns if value((TOTAL, c)) > 0), key=lambda c: (value((TOTAL, c)), c))]
    for c in totals:
        r = min((r for r in table.rows if value((r, c)) > 0), key=lambda r: (cost((r, c)) + cost((r, TOTAL)), r))
        hide(((r, c), (r, TOTAL), (TOTAL, c), (TOTAL, TOTAL)))
    return withheld


def suppress_together(tables):
    """[withheld cells] of tables that count the same reports (so share their totals row), in their order."""
    shared = set()
    while True:
        found = [suppress(table, shared) for table in tables]
        more = {c for withheld in found for r, c in withheld if r == TOTAL} - shared
        if not more:
            return found
        shared |= more


def publish(contributions, columns, k):
    """{year: {(subject, category): reports}}: the published cells ("all" for totals); withheld cells are absent."""
    return publish_together([contributions], columns, k)[0]


def publish_together(kinds, columns, k):
    """publish() of several breakdowns of the same reports (by agency, by corridor), suppressed together."""
    tables = [tabulate(contributions, columns, k) for contributions in kinds]
    published = [{} for _ in kinds]
    for year in sorted({year for by_year in tables for year in by_year}):
        present = [(n, by_year[year]) for n, by_year in enumerate(tables) if year in by_year]
        for (n, table), withheld in zip(present, suppress_together([table for _, table in present])):
            published[n][year] = {(r, c): table.values.get((r, c), 0) for r in table.rows + [TOTAL]
                                  for c in table.columns + [TOTAL] if (r, c) not in withheld}
    return published
