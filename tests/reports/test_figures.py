"""The public figures engine: no published figure comes from fewer than k reporters, and no withheld figure can
be worked out from the published ones, of its own table or of both the agency and the corridor tables together
(property-based, with hypothesis)."""
from fractions import Fraction

from hypothesis import given, settings, strategies as st

from app.reports.figures import TOTAL, Contribution, publish, publish_together, suppress, suppress_together, tabulate

CATEGORIES = ("fees_paid", "documents_kept", "contract_substitution", "wages_withheld")


def determined(table, withheld, cell):
    """True when the row and column sums of the extended table fix the withheld cell's value (exact rationals)."""
    rows, columns = table.rows + [TOTAL], table.columns + [TOTAL]
    unknown = sorted(withheld)
    index = {c: i for i, c in enumerate(unknown)}
    equations = []
    for r in rows:     # each row: its cells minus its total are 0 (for the totals row, likewise)
        equations.append({index[(r, c)]: Fraction(-1 if c == TOTAL else 1) for c in columns if (r, c) in index})
    for c in columns:
        equations.append({index[(r, c)]: Fraction(-1 if r == TOTAL else 1) for r in rows if (r, c) in index})
    matrix = [[eq.get(i, Fraction(0)) for i in range(len(unknown))] for eq in equations if eq]
    target = [Fraction(int(i == index[cell])) for i in range(len(unknown))]
    return rank(matrix + [target]) == rank(matrix)


def rank(matrix):
    rows = [row[:] for row in matrix]
    found, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((i for i in range(found, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for i in range(len(rows)):
            if i != found and rows[i][col] != 0:
                factor = rows[i][col] / rows[found][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[found])]
        found += 1
    return found


contributions = st.lists(st.builds(
    Contribution, subject=st.sampled_from("ABCDEF"), year=st.just(2025),
    reporter=st.integers(1, 30).map(str), categories=st.lists(st.sampled_from(CATEGORIES), min_size=0, max_size=3,
                                                              unique=True).map(tuple)), max_size=120)


@settings(max_examples=300, deadline=None)
@given(contributions, st.integers(5, 8))
def test_no_published_figure_comes_from_fewer_than_k_reporters(items, k):
    for year, cells in publish(items, CATEGORIES, k).items():
        for (subject, category), value in cells.items():
            reporters = {i.reporter for i in items if i.year == year and (subject == TOTAL or i.subject == subject)
                         and (category in i.categories if category != TOTAL else i.categories)}
            assert value == 0 or len(reporters) >= k


@settings(max_examples=300, deadline=None)
@given(contributions, st.integers(5, 8))
def test_no_withheld_figure_can_be_worked_out_from_the_published_ones(items, k):
    for table in tabulate(items, CATEGORIES, k).values():
        withheld = suppress(table)
        for cell in withheld:
            assert table.values.get(cell, 0) >= 1   # zeros are published, so a shift by one stays non-negative
            assert not determined(table, withheld, cell), cell


def test_a_lone_small_cell_takes_others_with_it():
    items = [Contribution("A", 2025, f"a{i}", ("fees_paid",)) for i in range(9)]
    items += [Contribution("B", 2025, f"b{i}", ("fees_paid", "documents_kept")) for i in range(6)]
    items += [Contribution("B", 2025, "b-alone", ("wages_withheld",))]
    cells = publish(items, CATEGORIES, 5)[2025]
    assert ("B", "wages_withheld") not in cells
    assert cells[("A", "fees_paid")] == 9
    # B's total (13) less its other cells would give the lone report away: another of B's cells goes too, and
    # so does one in another row of that cell's column.
    assert ("B", TOTAL) not in cells or sum(v for (s, c), v in cells.items() if s == "B" and c != TOTAL) < 12


def test_one_reporter_many_reports_is_still_one_reporter():
    items = [Contribution("A", 2025, "same", ("fees_paid",)) for _ in range(20)]
    assert publish(items, CATEGORIES, 5)[2025].get(("A", "fees_paid")) is None


def determined_together(tables, withheld):
    """A test of withheld cells (table number, cell): True when the row and column sums of tables that share their
    totals row (the same reports, by agency and by corridor) fix the cell; a totals-row cell published by either
    table is known in both. The equations' rank is worked out once for all the cells asked about."""
    def variable(n, cell):
        if cell[0] != TOTAL:
            return (n, cell) if cell in withheld[n] else None
        return ("shared", cell) if all(cell in cells for cells in withheld) else None

    unknowns = sorted({v for n, cells in enumerate(withheld) for cell in cells if (v := variable(n, cell))}, key=str)
    index = {v: i for i, v in enumerate(unknowns)}
    equations = []
    for n, table in enumerate(tables):
        rows, columns = table.rows + [TOTAL], table.columns + [TOTAL]
        for r in rows:
            equations.append({index[v]: Fraction(-1 if c == TOTAL else 1) for c in columns
                              if (v := variable(n, (r, c))) is not None})
        for c in columns:
            equations.append({index[v]: Fraction(-1 if r == TOTAL else 1) for r in rows
                              if (v := variable(n, (r, c))) is not None})
    matrix = [[eq.get(i, Fraction(0)) for i in range(len(unknowns))] for eq in equations if eq]
    known = rank(matrix)

    def determined(target):
        if variable(*target) is None:
            return True
        goal = [Fraction(int(i == index[variable(*target)])) for i in range(len(unknowns))]
        return rank(matrix + [goal]) == known

    return determined


# Each report names an agency and a corridor: the two tables count the same reports (their worst case).
reports = st.lists(st.tuples(st.sampled_from("ABCDEF"), st.sampled_from("XYZ"), st.integers(1, 30).map(str),
                             st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True).map(tuple)),
                   max_size=120)


def both_tables(items, k):
    by_agency = [Contribution(agency, 2025, who, found) for agency, _, who, found in items]
    by_corridor = [Contribution(corridor, 2025, who, found) for _, corridor, who, found in items]
    return [tabulate(breakdown, CATEGORIES, k).get(2025) for breakdown in (by_agency, by_corridor)]


@settings(max_examples=300, deadline=None)
@given(reports, st.integers(5, 8))
def test_no_withheld_figure_can_be_worked_out_from_the_agency_and_corridor_tables_together(items, k):
    tables = both_tables(items, k)
    if tables[0] is None:
        return
    withheld = suppress_together(tables)
    determined = determined_together(tables, withheld)
    for n, cells in enumerate(withheld):
        for cell in cells:
            assert tables[n].values.get(cell, 0) >= 1
            assert not determined((n, cell)), (n, cell)


def test_a_total_one_table_withholds_is_withheld_by_the_other_too():
    # Agency A: five workers paid fees (corridor X), one of them also had documents kept (corridor Y). The agency
    # table has one row, so to hide A's lone documents report it withholds a rectangle through its totals row, the
    # fees total included; alone, the corridor table publishes that same total (X's five), and A's fees follow.
    items = [("A", "X", str(n), ("fees_paid",)) for n in range(1, 6)] + [("A", "Y", "1", ("documents_kept",))]
    tables = both_tables(items, 5)
    assert determined_together(tables, [suppress(table) for table in tables])((0, (TOTAL, "fees_paid")))
    withheld = suppress_together(tables)
    determined = determined_together(tables, withheld)
    assert not any(determined((n, cell)) for n in (0, 1) for cell in withheld[n])
    by_agency, by_corridor = publish_together([
        [Contribution(a, 2025, who, found) for a, _, who, found in items],
        [Contribution(x, 2025, who, found) for _, x, who, found in items]], CATEGORIES, 5)
    assert (TOTAL, "fees_paid") not in by_agency[2025] and (TOTAL, "fees_paid") not in by_corridor[2025]
    assert ("A", "documents_kept") not in by_agency[2025] and ("Y", "documents_kept") not in by_corridor[2025]
