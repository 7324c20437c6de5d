"""Watchlist API: refresh a source by upload (platform staff), read sources, versions, changes and entries."""
import io
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

DATA = Path(__file__).resolve().parent.parent / "data" / "screening" / "sources"


def upload(client, headers, name, *files, **form):
    """POST fixture files as a new version of source `name`."""
    data = {"file": [(open(DATA / f, "rb"), f) for f in files], **form}
    try:
        return client.post(f"/api/v1/watchlists/{name}/versions", headers=headers, data=data,
                           content_type="multipart/form-data")
    finally:
        for handle, _ in data["file"]:
            handle.close()


@pytest.fixture
def staff(make_token):
    return make_token("analyst", kind="platform")


@pytest.fixture
def reader(make_token):
    return make_token("viewer")


def test_platform_analyst_creates_and_refreshes_a_source_by_upload(client, staff, reader):
    first = upload(client, staff, "np-banned", "banned_v1.csv", format="generic-csv", kind="banned_agency",
                   title="Banned agencies", publisher="DoFE Nepal")
    assert first.status_code == 201, first.json
    assert first.json["created"] and first.json["version"]["number"] == 1 and first.json["version"]["added"] == 4
    second = upload(client, staff, "np-banned", "banned_v2.csv")
    assert second.status_code == 201, second.json
    version = second.json["version"]
    assert (version["number"], version["added"], version["changed"], version["removed"]) == (2, 1, 1, 1)
    assert version["files"] == ["banned_v2.csv"] and second.json["unchanged"] == 2
    source = client.get("/api/v1/watchlists/np-banned", headers=reader).json
    assert source["title"] == "Banned agencies" and source["current_version"]["number"] == 2
    assert [s["name"] for s in client.get("/api/v1/watchlists", headers=reader).json] == ["np-banned"]


def test_versions_changes_and_entries_are_paged(client, staff, reader):
    upload(client, staff, "np-banned", "banned_v1.csv", format="generic-csv", kind="banned_agency")
    upload(client, staff, "np-banned", "banned_v2.csv")
    versions = client.get("/api/v1/watchlists/np-banned/versions", headers=reader).json
    assert [v["number"] for v in versions["items"]] == [2, 1] and versions["meta"]["total"] == 2
    changed = client.get("/api/v1/watchlists/np-banned/versions/2/changes?kind=changed", headers=reader).json
    assert changed["meta"]["total"] == 1
    item = changed["items"][0]
    assert item["entry"]["entry_id"] == "NP-B-004" and item["entry"]["revision"] == 2
    assert item["previous"]["aliases"] == ["Gulf Dreams"]
    assert item["entry"]["aliases"] == ["Gulf Dreams", "Gulf Dream Manpower"]
    page = client.get("/api/v1/watchlists/np-banned/entries?per_page=2", headers=reader).json
    assert page["meta"] == {"page": 1, "per_page": 2, "total": 4} and len(page["items"]) == 2
    found = client.get("/api/v1/watchlists/np-banned/entries?q=thapa", headers=reader).json["items"]
    assert [(e["entry_id"], e["kind"], e["first_version"]) for e in found] == [("NP-B-003", "person", 1)]
    removed = client.get("/api/v1/watchlists/np-banned/entries?removed=true", headers=reader).json["items"]
    assert [(e["entry_id"], e["removed_version"]) for e in removed] == [("NP-B-002", 2)]
    bad_kind = client.get("/api/v1/watchlists/np-banned/versions/2/changes?kind=renamed", headers=reader)
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json["errors"]
    assert client.get("/api/v1/watchlists/np-banned/versions/9/changes", headers=reader).status_code == 404


def test_reading_needs_a_signed_in_user_and_importing_platform_staff(client, make_token, reader):
    assert client.get("/api/v1/watchlists").status_code == 401
    assert upload(client, {}, "np-banned", "banned_v1.csv", format="generic-csv").status_code == 401
    viewer = upload(client, reader, "np-banned", "banned_v1.csv", format="generic-csv", kind="banned_agency")
    assert viewer.status_code == 403
    business = upload(client, make_token("analyst"), "np-banned", "banned_v1.csv", format="generic-csv",
                      kind="banned_agency")
    assert business.status_code == 403 and "platform" in business.json["message"]
    assert client.get("/api/v1/watchlists", headers=reader).json == []


def test_a_bad_upload_is_refused_with_its_places_and_the_source_is_unchanged(client, staff, reader):
    upload(client, staff, "np-banned", "banned_v1.csv", format="generic-csv", kind="banned_agency")
    bad = upload(client, staff, "np-banned", "duplicate_ids.csv")
    assert bad.status_code == 422 and bad.json["code"] == "invalid"
    assert "already used" in bad.json["errors"]['duplicate_ids.csv: row 3, column "id"'][0]
    unknown = upload(client, staff, "other-list", "banned_v1.csv", format="xml", kind="sanctions")
    assert unknown.status_code == 422 and "generic-csv" in unknown.json["errors"]["format"][0]
    nothing = client.post("/api/v1/watchlists/np-banned/versions", headers=staff, data={},
                          content_type="multipart/form-data")
    assert nothing.status_code == 422 and nothing.json["errors"] == {"file": ["missing"]}
    source = client.get("/api/v1/watchlists/np-banned", headers=reader).json
    assert source["current_version"]["number"] == 1
    assert client.get("/api/v1/watchlists/other-list", headers=reader).status_code == 404


def test_uploads_may_be_larger_than_ordinary_json_bodies(client, staff, app):
    rows = [f"X-{n},Trading House {n}," + "x" * 100_000 for n in range(app.config["JSON_MAX_BYTES"] // 100_000 + 1)]
    big = ("id,name,reason\n" + "\n".join(rows) + "\n").encode()
    # Encoded here in memory: the test client spools bodies this large to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(big), "big.csv"), "format": "generic-csv",
                                       "kind": "internal"})
    response = client.post("/api/v1/watchlists/big-list/versions", headers=staff, data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201, response.json
