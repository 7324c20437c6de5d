"""The registry API: create, read, update with versions, soft delete, list, filter, search."""


def agency_body(**overrides):
    body = {
        "legal_name": "Himal Shikhar Overseas Pvt. Ltd.", "country": "NP", "website": "https://himal.example",
        "certification_status": "certified", "sectors": ["construction", "hospitality"],
        "aliases": [{"name": "Himal Sikhar Overseas", "kind": "former"}],
        "identifiers": [{"scheme": "company_registration", "value": "12345/067"}],
        "addresses": [{"line": "Bagbazar 4", "city": "Kathmandu", "country": "NP"}],
        "people": [{"name": "Ram Bahadur Thapa", "role": "owner", "nationality": "NP"}],
        "licences": [{"authority": "NP-DOFE", "number": "1234/067/68", "status": "valid", "status_raw": "Active",
                      "valid_from": "2024-01-01", "valid_until": "2036-12-31", "destinations": ["QA", "AE"],
                      "sectors": ["construction"]}],
    }
    body.update(overrides)
    return body


def test_registrar_registers_an_agency_with_its_licence(client, registrar):
    response = client.post("/api/v1/agencies", json=agency_body(certification_status=None), headers=registrar)
    assert response.status_code == 201, response.json
    agency = response.json
    assert agency["legal_name"] == "Himal Shikhar Overseas Pvt. Ltd."
    assert agency["licences"][0]["authority"] == "NP-DOFE"
    assert agency["licences"][0]["destinations"] == ["AE", "QA"]
    assert agency["people"][0]["role"] == "owner"
    assert agency["version"] == 1
    licence = client.get(f"/api/v1/licences/{agency['licences'][0]['id']}").json
    assert [h["status"] for h in licence["history"]] == ["valid"]


def test_anonymous_reader_sees_public_fields_only(client, make_token, authority):
    created = client.post("/api/v1/agencies", json=agency_body(), headers=make_token("admin", kind="platform")).json
    public = client.get(f"/api/v1/agencies/{created['id']}").json
    assert public["legal_name"] == created["legal_name"]
    assert public["licences"][0]["status"] == "valid"
    assert "people" not in public and "identifiers" not in public


def test_update_with_stale_version_is_a_conflict_and_changes_nothing(client, make_token, authority):
    headers = make_token("admin", kind="platform")
    agency = client.post("/api/v1/agencies", json=agency_body(), headers=headers).json
    first = client.patch(f"/api/v1/agencies/{agency['id']}", json={"version": 1, "website": "https://a.example"},
                         headers=headers)
    assert first.status_code == 200 and first.json["version"] == 2
    stale = client.patch(f"/api/v1/agencies/{agency['id']}", json={"version": 1, "website": "https://b.example"},
                         headers=headers)
    assert stale.status_code == 409
    assert stale.json["code"] == "conflict" and "version" in stale.json["errors"]
    assert client.get(f"/api/v1/agencies/{agency['id']}").json["website"] == "https://a.example"


def test_list_changes_bump_the_version(client, make_token, authority):
    headers = make_token("admin", kind="platform")
    agency = client.post("/api/v1/agencies", json=agency_body(), headers=headers).json
    response = client.patch(f"/api/v1/agencies/{agency['id']}",
                            json={"version": 1, "aliases": [{"name": "HSO"}]}, headers=headers)
    assert response.json["version"] == 2
    assert [a["name"] for a in response.json["aliases"]] == ["HSO"]


def test_soft_deleted_agency_disappears_but_stays_in_the_audit_log(client, make_token, authority, session):
    headers = make_token("admin", kind="platform")
    agency = client.post("/api/v1/agencies", json=agency_body(), headers=headers).json
    assert client.delete(f"/api/v1/agencies/{agency['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/agencies/{agency['id']}").status_code == 404
    assert client.get("/api/v1/agencies?q=Himal").json["meta"]["total"] == 0
    admin = make_token("admin", kind="platform")
    events = client.get(f"/api/v1/audit-events?object_type=entities&object_id={agency['id']}", headers=admin).json
    assert [e["action"] for e in events["items"]][:2] == ["update", "create"]
    assert events["items"][0]["after"]["deleted_at"] is not None


def test_search_by_alias_and_by_licence_number_as_typed(client, make_token, authority):
    headers = make_token("admin", kind="platform")
    client.post("/api/v1/agencies", json=agency_body(), headers=headers)
    client.post("/api/v1/agencies", json=agency_body(legal_name="Other Manpower", aliases=[],
                                                     licences=[{"authority": "NP-DOFE", "number": "999/070",
                                                                "status": "expired"}]), headers=headers)
    by_alias = client.get("/api/v1/agencies?q=sikhar").json
    assert [a["legal_name"] for a in by_alias["items"]] == ["Himal Shikhar Overseas Pvt. Ltd."]
    by_number = client.get("/api/v1/agencies?licence_number=1234-067-68").json
    assert by_number["meta"]["total"] == 1 and by_number["items"][0]["legal_name"].startswith("Himal")


def test_filters_corridor_sector_statuses_and_sorting(client, make_token, authority):
    headers = make_token("admin", kind="platform")
    client.post("/api/v1/agencies", json=agency_body(), headers=headers)
    client.post("/api/v1/agencies", json=agency_body(
        legal_name="Annapurna Fishing Crew Supply", sectors=["fishing"], certification_status="suspended",
        licences=[{"authority": "NP-DOFE", "number": "77/080", "status": "suspended", "destinations": ["MY"]}]),
        headers=headers)
    def names(query):
        return [a["legal_name"] for a in client.get(f"/api/v1/agencies?{query}").json["items"]]
    assert names("corridor=NP-QA") == ["Himal Shikhar Overseas Pvt. Ltd."]
    assert names("corridor=np-my") == ["Annapurna Fishing Crew Supply"]
    assert names("sector=fishing") == ["Annapurna Fishing Crew Supply"]
    assert names("licence_status=valid") == ["Himal Shikhar Overseas Pvt. Ltd."]
    assert names("status=suspended") == ["Annapurna Fishing Crew Supply"]
    assert names("country=NP&sort=-legal_name") == ["Himal Shikhar Overseas Pvt. Ltd.", "Annapurna Fishing Crew Supply"]
    assert names("country=NP&sort=legal_name&per_page=1&page=2") == ["Himal Shikhar Overseas Pvt. Ltd."]


def test_employers_are_listed_apart_from_agencies(client, make_token, authority):
    headers = make_token("admin", kind="platform")
    client.post("/api/v1/employers", json={"legal_name": "Gulf Towers Contracting W.L.L.", "country": "QA",
                                           "sectors": ["construction"]}, headers=headers)
    assert client.get("/api/v1/employers").json["meta"]["total"] == 1
    assert client.get("/api/v1/agencies").json["meta"]["total"] == 0


def test_employer_uses_agency_on_a_corridor(client, make_token, authority):
    headers = make_token("admin", kind="platform")
    agency = client.post("/api/v1/agencies", json=agency_body(licences=[]), headers=headers).json
    employer = client.post("/api/v1/employers", json={"legal_name": "Doha Build Co", "country": "QA"},
                           headers=headers).json
    link = client.post("/api/v1/relationships", json={
        "kind": "employer_uses_agency", "client_id": employer["id"], "provider_id": agency["id"],
        "origin_country": "NP", "destination_country": "QA", "sector": "construction"}, headers=headers)
    assert link.status_code == 201
    assert [a["id"] for a in client.get("/api/v1/agencies?corridor=NP-QA").json["items"]] == [agency["id"]]
    backwards = client.post("/api/v1/relationships", json={
        "kind": "employer_uses_agency", "client_id": agency["id"], "provider_id": employer["id"],
        "origin_country": "NP", "destination_country": "QA"}, headers=headers)
    assert backwards.status_code == 422
