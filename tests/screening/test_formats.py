"""Watchlist formats on small fixture files: what each parser makes of a publisher's entries."""
from datetime import date
from pathlib import Path

import pytest

from app.screening import formats
from app.screening.formats import FormatError
from app.screening.formats.countries import countries_of

DATA = Path(__file__).parent.parent / "data" / "screening"


def entries(format_name, *names):
    return {entry.entry_id: entry for entry in formats.parse(format_name, [DATA / name for name in names])}


def ofac_small(*names):
    return entries("ofac-csv", *(f"ofac_small/{name}" for name in names))


def test_every_format_is_registered_under_its_name():
    assert list(formats.FORMATS) == ["ofac-csv", "un-xml", "worldbank-xlsx", "ebrd-csv", "opensanctions-csv",
                                     "ftm-json", "generic-csv"]


def test_an_unknown_format_name_lists_the_known_ones():
    with pytest.raises(FormatError) as caught:
        formats.parse("csv", [DATA / "generic_good.csv"])
    assert "unknown watchlist format 'csv'" in str(caught.value)
    assert "ofac-csv, un-xml, worldbank-xlsx, ebrd-csv, opensanctions-csv, ftm-json, generic-csv" in str(caught.value)


@pytest.mark.parametrize("name, expected", [
    ("ofac_small/sdn.csv", "ofac-csv"), ("ofac_small/alt.csv", "ofac-csv"), ("ofac_small/add.csv", "ofac-csv"),
    ("un_small.xml", "un-xml"), ("ebrd_small.csv", "ebrd-csv"), ("targets.simple.csv", "opensanctions-csv"),
    ("entities.ftm.json", "ftm-json"), ("generic_good.csv", "generic-csv"),
])
def test_sniff_names_the_format_a_file_looks_like(name, expected):
    assert formats.sniff(DATA / name) == expected


def test_sniff_says_none_for_a_file_like_no_format(tmp_path):
    (tmp_path / "notes.txt").write_text("just some notes\n")
    assert formats.sniff(tmp_path / "notes.txt") is None


def test_ofac_individual_keeps_surname_first_with_alt_names_address_and_remarks():
    khan = ofac_small("sdn.csv", "alt.csv", "add.csv")["1001"]
    assert (khan.kind, khan.name) == ("person", "KHAN, Imran Example")
    assert khan.aliases == ("KHAN, Imran Ahmed",)  # the alt name repeating the primary name is dropped
    assert khan.weak_aliases == ("IMRAN BHAI",)
    assert khan.identifiers == (("passport", "AB1234567"), ("national_id", "35202-1234567-1"))
    assert khan.countries == ("PK",)
    assert khan.reason == "SDGT; IFSR"
    assert khan.details["birth_dates"] == ["01 Feb 1970"]
    assert khan.details["addresses"] == ["House 12, Street 4, Lahore, Pakistan"]


def test_ofac_entity_takes_registration_and_tax_ids_and_every_address_country():
    firm = ofac_small("sdn.csv", "alt.csv", "add.csv")["1002"]
    assert firm.kind == "organization"
    assert firm.aliases == ("EXAMPLE RECRUITMENT HOUSE",)
    assert firm.weak_aliases == ("EXAMPLE LABOUR EXPORT, OOO",)
    assert firm.identifiers == (("registration", "1187746123456"), ("tax_id", "7701234567"))
    assert firm.countries == ("AE", "RU")


def test_ofac_alt_name_marked_weak_is_a_weak_alias_and_imo_numbers_are_identifiers():
    vessel = ofac_small("sdn.csv", "alt.csv", "add.csv")["1003"]
    assert vessel.kind == "vessel"
    assert vessel.weak_aliases == ("OCEAN EXAMPLE",)
    assert vessel.identifiers == (("imo", "9123456"), ("mmsi", "352001234"))
    assert vessel.countries == ()  # "undetermined" is no country, and a flag is not the vessel's country
    assert vessel.details["vessel"]["flag"] == "Panama"


def test_ofac_sdn_csv_alone_is_enough():
    alone = ofac_small("sdn.csv")
    assert sorted(alone) == ["1001", "1002", "1003"]
    assert alone["1001"].aliases == ()


def test_un_entries_take_names_aliases_by_quality_documents_and_countries():
    found = entries("un-xml", "un_small.xml")
    amina, mining, transport = found["EXi.001"], found["EXe.001"], found["9000003"]
    assert (amina.kind, amina.name) == ("person", "AMINA YUSUF EXAMPLE")
    assert amina.aliases == ("أمينة يوسف", "Amina Yusuf")
    assert amina.weak_aliases == ("Mama Amina",)  # quality Low, its quotes removed
    assert amina.identifiers == (("passport", "OB0123456"),)
    assert amina.details["documents"] == ["National Identification Number: voter card seen in 2015"]
    assert amina.countries == ("CD", "RW")
    assert amina.details["unmapped_countries"] == ["former Soviet Union"]
    assert (amina.listed_on, amina.reason) == (date(2020, 1, 15), "Example")
    assert (mining.kind, mining.aliases, mining.weak_aliases) == ("organization", ("GLEMCO",), ("The Lakes Company",))
    assert transport.name == "KIVU EXAMPLE TRANSPORT"  # no REFERENCE_NUMBER: the DATAID is the id


def test_ebrd_names_lose_stray_spaces_and_carried_aliases_and_same_firm_rows_merge():
    found = entries("ebrd-csv", "ebrd_small.csv")
    himalaya = found["himalaya-example-manpower-pvt-ltd-np"]
    assert himalaya.name == "Himalaya Example Manpower Pvt. Ltd."
    assert himalaya.details["addresses"] == ["Ward 4, Kathmandu, Nepal", "Biratnagar, Nepal"]
    assert himalaya.listed_on == date(2021, 1, 5)
    assert himalaya.reason == "Fraudulent Practice; Collusive Practice"
    assert [period["until"] for period in himalaya.details["periods"]] == ["2027-06-30", "2024-01-04"]
    ramesh = found["mr-ramesh-example-np"]
    assert (ramesh.kind, ramesh.name, ramesh.aliases) == ("person", "Mr Ramesh Example", ("Mr Ramesh Sharma",))
    assert ramesh.listed_on == date(2023, 2, 10)  # no start date: the notice's date
    assert found["gulf-example-contracting-llc-ae"].aliases == ("Desert Example Contracting LLC",)
    assert found["lotus-example-recruiting-co-br"].identifiers == (("tax_id", "12.345.678/0001-90"),)
    sita = found["sharma-sita-example-sri-lanca"]
    assert (sita.kind, sita.countries, sita.details["unmapped_countries"]) == ("person", (), ["Sri Lanca"])


def test_opensanctions_targets_map_schemas_and_keep_export_dates_out_of_the_content():
    found = entries("opensanctions-csv", "targets.simple.csv")
    gulf, khan = found["NK-ExampleGulfManpower"], found["NK-ExampleKhan"]
    assert (gulf.kind, gulf.aliases, gulf.countries) == ("organization", ("Gulf Example Manpower",), ("AE", "IN"))
    assert gulf.identifiers == (("other", "CN-4419872"), ("other", "TRN 100200300400003"))
    assert (khan.kind, khan.reason, khan.countries) == ("person", "US-OFAC-SDGT; US-OFAC-IFSR", ("PK",))
    assert khan.details["unmapped_countries"] == ["suhh"]
    assert "last_seen" not in khan.details and "last_change" not in khan.details
    assert (found["NK-ExampleSea"].kind, found["NK-ExampleWallet"].kind) == ("vessel", "other")


def test_ftm_parties_become_entries_with_their_sanctions_and_other_schemas_are_skipped():
    found = entries("ftm-json", "entities.ftm.json")
    assert sorted(found) == ["gb-coh-09876543", "per-amina", "ves-sea"]
    northstar = found["gb-coh-09876543"]
    assert northstar.aliases == ("Northstar Labour", "Northstar Example Recruitment Ltd")
    assert northstar.weak_aliases == ("NELS",)
    assert (northstar.countries, northstar.identifiers) == (("GB",), (("registration", "09876543"),))
    assert (northstar.listed_on, northstar.reason) == (date(2021, 11, 30), "Forced labour designations")
    amina = found["per-amina"]
    assert (amina.kind, amina.countries, amina.identifiers) == ("person", ("NG",), (("passport", "A01234567"),))
    assert found["ves-sea"].identifiers == (("imo", "IMO 9123456"),)


def test_generic_csv_reads_every_column_and_defaults_to_organization():
    found = entries("generic-csv", "generic_good.csv")
    sunrise = found["A-1"]
    assert sunrise.aliases == ("Sunrise Example OEA",)
    assert sunrise.countries == ("IN", "NP")
    assert sunrise.identifiers == (("registration", "NP-1234"), ("tax_id", "600123456"))
    assert (sunrise.listed_on, sunrise.reason) == (date(2024, 3, 1), "Retained workers' passports")
    assert (found["A-2"].kind, found["A-2"].name) == ("person", "Kamal Example Thapa")
    assert found["A-3"].kind == "organization"


def test_country_texts_map_to_iso_codes_and_unknown_ones_are_kept_not_guessed():
    codes, unmapped = countries_of(["Korea, North", "Burma", "Russia", "Kosovo", "Region: Crimea", "Türkiye",
                                    "Turkiye", "Iran (Islamic Republic of)", "undetermined", "na", "Sri Lanca"])
    assert codes == ("IR", "KP", "MM", "RU", "TR", "UA", "XK")
    assert unmapped == ("Sri Lanca",)


def test_the_same_file_gives_the_same_entries_and_hashes():
    first = [(e, e.content_hash()) for e in formats.parse("un-xml", [DATA / "un_small.xml"])]
    second = [(e, e.content_hash()) for e in formats.parse("un-xml", [DATA / "un_small.xml"])]
    assert first == second
    assert len({digest for _, digest in first}) == len(first)
