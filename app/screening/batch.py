"""Batch screening of a CSV of names, for analysts and for evaluation: `fairrecruit screen`.

The input has columns `id,name` and optional `kind,country,aliases,identifiers` (`;` between values,
identifiers as `scheme:value`). Every row is checked before any is screened; problems name row and column.
A row that cannot be screened is reported in the output with its problems and the others are screened, unless
the run is strict: then one bad row stops the whole file.
"""
import csv
import json
import re

from app.errors import Invalid
from app.screening.index import Query
from app.screening.screen import name_problem

REQUIRED = ("id", "name")
OPTIONAL = ("kind", "country", "aliases", "identifiers")
KINDS = ("organization", "person")
COUNTRY = re.compile(r"[A-Z]{2}")


def read_queries(path, *, strict=True):
    """[(id, name, Query)] of every row; Invalid listing every bad cell (row and column) otherwise.

    Not strict, a bad row comes back as (id, name, {"column C": [problem]}) in its place instead of a Query.
    """
    problems = {}
    queries = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = [cell.strip().lower() for cell in next(reader, [])]
            missing = [column for column in REQUIRED if column not in header]
            unknown = [column for column in header if column not in REQUIRED + OPTIONAL]
            if missing or unknown:
                message = (f"missing column(s) {', '.join(missing)}; " if missing else "") + \
                          (f"unknown column(s) {', '.join(unknown)}; " if unknown else "")
                raise Invalid(f"row 1: {message}the columns are {', '.join(REQUIRED + OPTIONAL)} "
                              "(id and name required).", {"row 1": [message.rstrip("; ")]})
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                cells = dict(zip(header, row + [""] * (len(header) - len(row))))
                where = f"row {number}"
                query = row_query(where, cells, problems)
                if query or not strict:
                    queries.append((cells["id"].strip(), cells["name"].strip(), query or {
                        key.removeprefix(where + ", "): messages for key, messages in problems.items()
                        if key.startswith(where + ",")}))
    except (csv.Error, UnicodeDecodeError) as err:
        raise Invalid(f"not a readable UTF-8 CSV file: {err}", {"file": [str(err)]}) from None
    if problems and strict:
        raise Invalid(f"{len(problems)} bad cell(s); nothing was screened.", problems)
    return queries


def row_query(where, cells, problems):
    """The Query of one row, or None after noting its problems under "row N, column C"."""
    def problem(column, message):
        problems[f'{where}, column "{column}"'] = [message]

    if not cells["id"].strip():
        problem("id", "missing")
    name = cells["name"].strip()
    if name_problem(name):
        problem("name", name_problem(name))
    kind = cells.get("kind", "").strip() or None
    if kind and kind not in KINDS:
        problem("kind", f"must be one of: {', '.join(KINDS)}; got {kind!r}")
    countries = values(cells.get("country", ""))
    for country in countries:
        if not COUNTRY.fullmatch(country):
            problem("country", f"{country!r} is not an ISO 3166 alpha-2 code (two capital letters)")
    identifiers = []
    for identifier in values(cells.get("identifiers", "")):
        scheme, colon, value = identifier.partition(":")
        if not colon or not scheme.strip() or not value.strip():
            problem("identifiers", f"{identifier!r} is not scheme:value")
        identifiers.append(value.strip())
    if any(key.startswith(where + ",") for key in problems):
        return None
    return Query((name, *values(cells.get("aliases", ""))), kind, frozenset(countries), frozenset(identifiers))


def values(cell):
    """The `;`-separated values of a cell, stripped, empty ones dropped."""
    return [value.strip() for value in cell.split(";") if value.strip()]


def problem_line(row_id, name, problems):
    """The output line of a row that was not screened: its id and name and what is wrong with it."""
    return json.dumps({"id": row_id, "name": name, "not_screened": problems}, ensure_ascii=False)


def result_line(row_id, name, found):
    """One output line: the row's id and name and every hit, best first."""
    return json.dumps({"id": row_id, "name": name, "hits": [
        {"list": match.group, "entry_id": entry.entry_id, "name": entry.name, "matched_name": match.matched_name,
         "query_name": match.query_name, "score": round(match.score, 4), "explanation": match.explanation}
        for match, entry in found]},
        ensure_ascii=False)
