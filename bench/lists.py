"""The real watchlists in ../shared/data, parsed by the project's own importers."""
from dataclasses import dataclass
from pathlib import Path

from app.screening.formats import ListedEntry, parse

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "watchlists"
LISTS = {
    "ofac-sdn": ("ofac-csv", ["ofac_sdn_2021-07/sdn.csv", "ofac_sdn_2021-07/alt.csv", "ofac_sdn_2021-07/add.csv"]),
    "un": ("un-xml", ["un_consolidated_2026-02-27.xml"]),
    "worldbank": ("worldbank-xlsx", ["worldbank_debarred_2025-02.xlsx"]),
    "ebrd": ("ebrd-csv", ["ebrd_ineligible_2025-02.csv"]),
}


@dataclass(frozen=True)
class Listed:
    """A list entry with the name of the list it came from."""

    source: str
    entry: ListedEntry

    def __getattr__(self, name):
        return getattr(self.entry, name)


def load_all(lists=LISTS):
    """Every entry of every list, in file order."""
    if not DATA.is_dir():
        raise SystemExit(f"The real watchlists are not here: {DATA}")
    return [Listed(source, entry) for source, (fmt, files) in lists.items()
            for entry in parse(fmt, [DATA / f for f in files])]
