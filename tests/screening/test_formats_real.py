"""The parsers on the publishers' real files in ../shared/data (see its README); skipped when they are absent."""
from datetime import date
from pathlib import Path

import pytest

from app.screening import formats

WATCHLISTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "watchlists"


@pytest.fixture(scope="module")
def watchlists():
    if not WATCHLISTS.is_dir():
        pytest.skip(f"the real watchlists are not at {WATCHLISTS} (see shared/data/README.md)")
    return WATCHLISTS


def parsed(format_name, *paths):
    return {entry.entry_id: entry for entry in formats.parse(format_name, list(paths))}


@pytest.fixture(scope="module")
def ofac_2021(watchlists):
    folder = watchlists / "ofac_sdn_2021-07"
    return parsed("ofac-csv", folder / "sdn.csv", folder / "alt.csv", folder / "add.csv")


@pytest.fixture(scope="module")
def un(watchlists):
    return parsed("un-xml", watchlists / "un_consolidated_2026-02-27.xml")


def test_ofac_2021_has_every_record_with_alternate_names_and_addresses(ofac_2021):
    assert len(ofac_2021) == 8976
    zawahiri = ofac_2021["2676"]
    assert (zawahiri.kind, zawahiri.name) == ("person", "AL ZAWAHIRI, Dr. Ayman")
    assert "AL-ZAWAHIRI, Ayman" in zawahiri.aliases
    assert ("passport", "1084010") in zawahiri.identifiers
    assert zawahiri.countries == ("EG",)
    bank = ofac_2021["306"]
    assert (bank.aliases, bank.weak_aliases) == (("NATIONAL BANK OF CUBA",), ("BNC",))
    assert bank.countries == ("CH", "ES", "JP", "PA")


def test_ofac_snapshots_parse_from_sdn_csv_alone(watchlists):
    older = parsed("ofac-csv", watchlists / "ofac_sdn_snapshots" / "sdn_2023-12-28.csv")
    newer = parsed("ofac-csv", watchlists / "ofac_sdn_snapshots" / "sdn_2024-05-03.csv")
    assert (len(older), len(newer)) == (13821, 14965)
    assert newer["906"].identifiers == (("swift", "HAVIGB2L"), ("registration", "01074897"))
    assert newer["906"].countries == ("GB",)
    assert sum(len(entry.weak_aliases) for entry in newer.values()) > 3000


def test_un_list_has_its_individuals_and_entities(un):
    kinds = [entry.kind for entry in un.values()]
    assert (kinds.count("person"), kinds.count("organization")) == (730, 273)


def test_un_individual_keeps_low_quality_aliases_apart(un):
    gaston = un["CDi.003"]
    assert gaston.name == "GASTON IYAMUREMYE"
    assert gaston.weak_aliases == ("Rumuli",)
    assert "Victor Rumuri" in gaston.aliases
    assert (gaston.countries, gaston.listed_on, gaston.reason) == (("CD", "RW"), date(2010, 12, 1), "DRC")


def test_un_entity_keeps_former_names_and_original_script(un):
    adf = un["CDe.001"]
    assert (adf.kind, adf.name) == ("organization", "ADF")
    assert {"Allied Democratic Forces", "ADF/NALU", "NALU"} <= set(adf.aliases)
    assert un["IQi.001"].aliases[0] == "صدام حسين التكريتي"


def test_world_bank_rows_become_one_entry_per_firm_and_country(watchlists):
    found = parsed("worldbank-xlsx", watchlists / "worldbank_debarred_2025-02.xlsx")
    assert len(found) == 1228  # 1,285 rows; 57 repeat a firm at another address
    lonestar = found["lonestar-supplies-and-logistics-pvt-ltd-gb"]
    assert lonestar.aliases == ("AMANI B.P., LTD.",)
    assert found["hoang-mai-construction-import-and-export-joint-stock-company-vn"].details["addresses"][4] == \
        "XOM BO, COMMUNE THANH LIET, DISTRICT THANH TRI, HANOI"
    assert found["mr-rufat-majidov-az"].kind == "person"
    assert found["kuvasoy-tamir-kurlish-llc-uz"].identifiers == (("registration", "200124780"),)


def test_ebrd_names_are_cleaned_and_aliases_split_off(watchlists):
    found = parsed("ebrd-csv", watchlists / "ebrd_ineligible_2025-02.csv")
    assert len(found) == 1320  # 1,322 rows; 2 repeat a firm
    assert found["gezhouba-dangyang-cement-co-ltd-cn"].name == "Gezhouba Dangyang Cement Co., Ltd."
    obiniyi = found["mr-bamidele-obiniyi-ng"]
    assert (obiniyi.kind, obiniyi.aliases) == ("person", ("Mr Bamidele Abayomi",))


def test_real_files_give_the_same_entries_and_hashes_twice(watchlists):
    path = watchlists / "ofac_sdn_snapshots" / "sdn_2024-05-03.csv"
    first = [entry.content_hash() for entry in formats.parse("ofac-csv", [path])]
    assert first == [entry.content_hash() for entry in formats.parse("ofac-csv", [path])]
