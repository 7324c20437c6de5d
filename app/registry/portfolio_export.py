"""The dashboard's portfolio table as a file: CSV or XLSX, one row per followed entity, no cell a formula."""
import csv
import io

from app.registry.tables import neutralised

COLUMNS = ("entity_id", "name", "kind", "country", "tier", "score", "previous_score", "score_change",
           "open_hits", "confirmed_hits", "licences_expiring_90_days", "licences_expired", "next_licence_end",
           "due_review_tasks", "overdue_review_tasks", "next_review_due")
# Said in every file, as on every page that shows a score.
SCORE_NOTE = "Higher score = lower risk"


def values(row):
    """A dashboard row as the export's values, in COLUMNS order (None where there is nothing)."""
    return (row.entity_id, row.name, row.kind, row.country, row.tier, row.score, row.previous_score, row.change,
            row.open_hits, row.confirmed_hits, row.expiring, row.expired, row.next_end, row.due_tasks,
            row.overdue_tasks, row.next_due)


def text(value):
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)


def to_csv(rows):
    """The rows as CSV text, a header first; names come from anyone who registers an entity, so a cell that
    would start a formula gets a leading apostrophe (as the registry export does)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([neutralised(text(value)) for value in values(row)] for row in rows)
    return out.getvalue()


def to_xlsx(rows):
    """The rows as an XLSX workbook (bytes); text cells are stored as text, never as formulas."""
    from openpyxl import Workbook  # noqa: PLC0415 (at first use: a process serving pages need not load it)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Portfolio")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([cell(sheet, value) for value in values(row)])
    notes = book.create_sheet("About")
    notes.append([SCORE_NOTE])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell(sheet, value):
    """A worksheet cell: numbers and dates as themselves, text typed as a string (openpyxl would otherwise
    read text starting with "=" as a formula)."""
    if value is None or isinstance(value, (int, float)) or hasattr(value, "isoformat"):
        return value
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 (see to_xlsx)
    found = WriteOnlyCell(sheet, value=value)
    found.data_type = "s"
    return found
