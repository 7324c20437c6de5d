"""Refuse a spreadsheet too big to open before openpyxl opens it: a small XLSX can unpack to a huge sheet."""
import re
import zipfile

from flask import current_app, has_app_context

from app import config
from app.errors import Invalid

# A row element, with or without a namespace prefix (not <rowBreaks>).
ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
CHUNK = 1024 * 1024


def limits():
    """The configured limits (the defaults outside an app, e.g. in a pure parser's tests).

    Read here rather than passed in: the readers are reached from the API and the commands through several
    importers, and the limits protect the process, not a use case.
    """
    source = current_app.config if has_app_context() else vars(config)
    return {"max_bytes": source["XLSX_MAX_UNCOMPRESSED_BYTES"], "max_rows": source["XLSX_MAX_ROWS"]}


def check_size(source, name, *, max_bytes, max_rows):
    """Raise Invalid naming `name` when the workbook unpacks to more than max_bytes or a sheet has more rows.

    `source` is a path or a binary file. Something that is not a zip passes: the reader refuses it in its
    own words. The sizes a zip declares are the most zipfile (and so openpyxl) will unpack.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > max_bytes:
            raise Invalid(f"{name} unpacks to {megabytes(unpacked)} MB, more than the {megabytes(max_bytes)} MB "
                          "a spreadsheet may hold here; split it, or upload it as CSV.",
                          {name: [f"unpacks to {unpacked} bytes; the limit is {max_bytes}"]})
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                if count_rows(archive, member, max_rows) > max_rows:
                    raise Invalid(f"{name} has more than {max_rows} rows in one sheet; split it, or upload it "
                                  "as CSV.", {name: [f"more than {max_rows} rows"]})


def count_rows(archive, member, stop_after):
    """The number of row elements in a sheet, counting no further than stop_after + 1."""
    count, tail = 0, b""
    with archive.open(member) as sheet:
        while chunk := sheet.read(CHUNK):
            # A row tag may straddle two chunks: tags starting in the last few bytes are counted next time.
            text = tail + chunk
            cut = max(len(text) - 16, 0)
            count += sum(1 for match in ROW.finditer(text) if match.start() < cut)
            tail = text[cut:]
            if count > stop_after:
                return count
    return count + len(ROW.findall(tail))


def megabytes(size):
    return f"{size / 1024 / 1024:.1f}"
