"""Reading registry files (CSV, XLSX, JSON) into numbered rows, and the flat column layout they share."""
import csv
from datetime import date, datetime
import io
import json
import re
import zipfile

from app import xlsx
from app.errors import Invalid

COLUMNS = ("kind", "legal_name", "country", "aliases", "identifiers", "website", "sectors", "certification_status",
           "address", "city", "people", "licence_authority", "licence_number", "licence_type", "licence_status",
           "licence_status_raw", "licence_valid_from", "licence_valid_until", "licence_destinations",
           "licence_sectors")
REQUIRED = ("legal_name", "country")
LICENCE_COLUMNS = {"authority": "licence_authority", "number": "licence_number", "type": "licence_type",
                   "status": "licence_status", "status_raw": "licence_status_raw", "valid_from": "licence_valid_from",
                   "valid_until": "licence_valid_until", "destinations": "licence_destinations",
                   "sectors": "licence_sectors"}
PERSON = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<role>[a-z_ ]+)\)$")
FORMATS = ("csv", "json", "xlsx")
# A spreadsheet program runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text):
    """A CSV cell that a spreadsheet shows as text: an apostrophe before any run of apostrophes and a formula start.

    restored() takes the apostrophe off again, so an export imports back to exactly what was exported.
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def restored(text):
    """A CSV cell read as it was before neutralised() (and as a spreadsheet shows a quoted formula: as text)."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS) else text


def detect_format(filename, given=None):
    """The file format from an explicit choice or the file name's extension."""
    fmt = (given or filename.rsplit(".", 1)[-1]).lower()
    if fmt not in FORMATS:
        raise Invalid(f"Cannot tell the format of {filename!r}: use a .csv, .json or .xlsx file, or name the format.",
                      {"format": [f"Must be one of: {', '.join(FORMATS)}."]})
    return fmt


def read_rows(data, fmt, layout=None):
    """Numbered rows from a file's bytes: (row number, {column: text}) for tables, (row, object) for JSON."""
    if fmt == "csv":
        return read_csv(data, layout)
    if fmt == "xlsx":
        return read_xlsx(data, layout)
    return read_json(data)


def check_header(header, where, layout=None):
    """Refuse a header with unknown or missing columns, naming them."""
    names = [h.strip().lower() if isinstance(h, str) else "" for h in header]
    columns, required = layout or (COLUMNS, REQUIRED)
    unknown = [h or "(blank)" for h in names if h not in columns]
    missing = [c for c in required if c not in names]
    duplicated = sorted({h for h in names if h and names.count(h) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if duplicated:
        problems.append(f"repeated column(s): {', '.join(duplicated)}")
    if problems:
        raise Invalid(f"The header ({where}) does not fit: {'; '.join(problems)}.",
                      {"header": [f"Allowed columns: {', '.join(columns)}; required: {', '.join(required)}."]})
    return names


def read_csv(data, layout=None):
    """Rows of a UTF-8 CSV file with a header line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise Invalid(f"The file is not UTF-8 text: byte 0x{data[err.start]:02x} on line {line} cannot be read. "
                      "Save it as 'CSV UTF-8' and try again.", {"file": [f"line {line}: not UTF-8"]}) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise Invalid("The file is empty: it needs a header line and at least one row.", {"file": ["empty"]}) from None
    names = check_header(header, "line 1", layout)
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                raise Invalid(f"Line {reader.line_num} has {len(cells)} cells; the header has {len(names)}.",
                              {f"row {reader.line_num}": [f"{len(cells)} cells, expected {len(names)}"]})
            rows.append((reader.line_num, dict(zip(names, [restored(c) if c[:1] == "'" else c for c in cells]))))
    except csv.Error as err:
        raise Invalid(f"The CSV cannot be read at line {reader.line_num}: {err}.",
                      {f"row {reader.line_num}": [str(err)]}) from None
    return rows


def cell_text(value):
    """A spreadsheet cell as the text a CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data, layout=None):
    """Rows of the first sheet of an XLSX workbook whose first row is the header."""
    from openpyxl import load_workbook  # noqa: PLC0415 (at first use: a process serving pages need not load it)
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415
    xlsx.check_size(io.BytesIO(data), "file", **xlsx.limits())
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise Invalid("The file is not an XLSX spreadsheet (it could not be opened as one). "
                      "Save it from your spreadsheet program as .xlsx, or upload a CSV.",
                      {"file": ["not an XLSX spreadsheet"]}) from None
    try:
        sheet = book.worksheets[0]
        # The sheet's own dimension may claim thousands of columns; every row would be padded to them.
        sheet.reset_dimensions()
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise Invalid("The spreadsheet is empty: it needs a header row.", {"file": ["empty"]})
        while header and header[-1] is None:
            header = header[:-1]
        names = check_header(header, f"sheet {sheet.title!r}, row 1", layout)
        rows = []
        for number, values in enumerate(lines, start=2):
            cells = [cell_text(v) for v in values[:len(names)]]
            if any(c.strip() for c in cells):
                rows.append((number, dict(zip(names, cells + [""] * (len(names) - len(cells))))))
        return rows
    finally:
        book.close()


def read_json(data):
    """Records of a JSON array (or {"records": [...]}), numbered from 1."""
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text.", {"file": ["not UTF-8"]}) from None
    except json.JSONDecodeError as err:
        raise Invalid(f"The file is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}.",
                      {"file": [f"line {err.lineno}, column {err.colno}: {err.msg}"]}) from None
    if isinstance(parsed, dict) and isinstance(parsed.get("records"), list):
        parsed = parsed["records"]
    if not isinstance(parsed, list):
        raise Invalid("The JSON must be an array of records (or an object with a 'records' array).",
                      {"file": ["not an array"]})
    return list(enumerate(parsed, start=1))


def split(cell):
    """A multi-valued cell: values separated by ';', blanks dropped."""
    return [part.strip() for part in (cell or "").split(";") if part.strip()]
