"""The agency search finds names typed with typos, as well as names containing what was typed."""
import pytest


@pytest.fixture
def agencies(make_agency):
    for name in ("Gulf Dreams Manpower Pvt. Ltd.", "Kantipur Sky Recruitment Pvt Ltd", "Annapurna Job Link Pvt Ltd"):
        make_agency(legal_name=name)


def names(client, q):
    return [a["legal_name"] for a in client.get("/api/v1/agencies", query_string={"q": q}).json["items"]]


@pytest.mark.parametrize("q", ["Gulf Draems Manpower", "gulf dream manpowr pvt ltd", "Gulff Dreams"])
def test_a_name_typed_with_typos_finds_the_agency(client, agencies, q):
    assert names(client, q) == ["Gulf Dreams Manpower Pvt. Ltd."]


def test_part_of_a_name_still_finds_the_agency(client, agencies):
    assert names(client, "sky recruit") == ["Kantipur Sky Recruitment Pvt Ltd"]


def test_an_unrelated_name_finds_nothing(client, agencies):
    response = client.get("/api/v1/agencies", query_string={"q": "Everest Tea Estates"})
    assert response.status_code == 200 and response.json == {"items": [], "meta": {"page": 1, "per_page": 50,
                                                                                    "total": 0}}


def test_a_typo_search_keeps_the_other_filters(client, agencies, make_agency):
    make_agency(legal_name="Gulf Dreams Manpower Sdn Bhd", country="MY")
    assert names(client, "Gulf Draems Manpower") == ["Gulf Dreams Manpower Pvt. Ltd.", "Gulf Dreams Manpower Sdn Bhd"]
    found = client.get("/api/v1/agencies", query_string={"q": "Gulf Draems Manpower", "country": "MY"}).json
    assert [a["legal_name"] for a in found["items"]] == ["Gulf Dreams Manpower Sdn Bhd"]
