"""The World Bank's listing of ineligible firms and individuals, as the XLSX its website exports.

The sheet starts with a "Downloaded on" line, then a two-row header. The file has no ids: an entry's id is
derived from its name and country, and rows naming the same firm in the same country (the list gives one row
per address) become one entry.
"""
import warnings
import zipfile

from app import xlsx
from app.errors import Invalid
from app.screening.formats import FormatError, wrong_format
from app.screening.formats.clean import (build_entry, clean_text, looks_like_person, merged, slug_id,
                                         to_date)
from app.screening.formats.countries import countries_of
from app.screening.formats.firm_info import read_info, split_name, strip_leading_marker

HEADER = ("Firm Name", "Additional Firm Info", "Address", "Country", "Ineligibility Period", None, "Grounds")
SUBHEADER = (None, None, None, None, "From Date", "To Date", None)
HEADER_SEARCH_ROWS = 10


def parse(paths):
    """Entries of each workbook's first sheet, one per firm and country."""
    yield from merged(row_entry(where, values) for path in paths for where, values in rows(path))


def rows(path):
    """(place, seven cell values) for each non-empty row under the header; FormatError for another layout."""
    from openpyxl import load_workbook  # noqa: PLC0415 (at first use: a process serving pages need not load it)
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415
    try:
        xlsx.check_size(path, path.name, **xlsx.limits())
    except Invalid as err:
        raise FormatError(err.message, path.name) from None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; only the cell values matter here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as err:
        raise wrong_format(path, "worldbank-xlsx", f"not an XLSX workbook ({err})") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the export's own dimension claims a single column
        values = sheet.iter_rows(values_only=True)
        header_row = find_header(path, sheet.title, values)
        for number, cells in enumerate(values, start=header_row + 2):
            if any(cell not in (None, "") for cell in cells):
                yield f'{path.name}: sheet "{sheet.title}", row {number}', (tuple(cells) + (None,) * 7)[:7]
    finally:
        workbook.close()


def find_header(path, title, values):
    """The row number of the header's first row, consuming both header rows; FormatError when it differs."""
    first = None
    for number, cells in enumerate(values, start=1):
        first = first or (cells if any(cell not in (None, "") for cell in cells) else None)
        if labels(cells[:1]) == labels(HEADER[:1]):
            subheader = next(values, ())
            if labels(cells) == labels(HEADER) and labels(subheader) == labels(SUBHEADER):
                return number
            raise FormatError(f"the header differs: expected {shown(HEADER)} over {shown(SUBHEADER)}, found "
                              f"{shown(cells)} over {shown(subheader)}", f'{path.name}: sheet "{title}", row {number}')
        if number == HEADER_SEARCH_ROWS:
            break
    raise FormatError(f"no header starting with \"{HEADER[0]}\" in the first {HEADER_SEARCH_ROWS} rows: expected "
                      f"{shown(HEADER)}, found {shown(first or ())} first", f'{path.name}: sheet "{title}", row 1')


def labels(cells):
    """Header cells compared without case or spacing, empty cells as None, trailing empty cells dropped."""
    cleaned = [" ".join(str(cell).split()).casefold() or None if cell is not None else None for cell in cells]
    while cleaned and cleaned[-1] is None:
        cleaned.pop()
    return tuple(cleaned)


def shown(cells):
    """Header cells as a reader sees them, without trailing empty cells: ("Firm Name", "", ...)."""
    cells = list(cells)
    while cells and cells[-1] in (None, ""):
        cells.pop()
    return "(" + ", ".join(f'"{"" if cell is None else cell}"' for cell in cells) + ")"


def row_entry(where, cells):
    """The ListedEntry of one row."""
    raw_name, info_text, address, country, start, end, grounds = (
        clean_text(cell) if isinstance(cell, str) else cell for cell in cells)
    name, inline = split_name(strip_leading_marker(raw_name))
    info = read_info(info_text)
    codes, unmapped = countries_of([country or ""])
    aliases = inline.aliases + info.aliases
    # The list mixes firms and individuals without saying which; only a personal title (MR., MS. ...) on the
    # name or an alias tells, so individuals written without one are read as organizations.
    kind = "person" if looks_like_person(name, *aliases) else "organization"
    start_date = to_date(start, f'{where}, column "From Date"')
    end_date = to_date(end, f'{where}, column "To Date"')
    details = {
        "addresses": [address], "references": inline.references + info.references,
        "notes": inline.notes + info.notes,
        # 2999-12-31 is how the World Bank writes a debarment without end.
        "periods": [{"from": start_date and start_date.isoformat(), "to": end_date and end_date.isoformat(),
                     "grounds": grounds}],
    }
    return build_entry(f'{where}, column "{HEADER[0]}"', slug_id(name, codes, unmapped), kind, name,
                       aliases=aliases, country_names=[country or ""], listed_on=start_date, reason=grounds,
                       identifiers=inline.identifiers + info.identifiers, details=details)
