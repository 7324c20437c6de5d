"""The public figures engine: no published figure comes from fewer than k reporters, and no withheld figure can
be worked out from the published ones (property-based, with hypothesis)."""
from fractions import Fraction

from hypothesis import given, settings, strategies as st

from app.reports.figures import TOTAL, Contribution, publish, suppress, tabulate

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
