"""Who reads audits: the performer, regulators licensing the entity and the platform; to others they do not exist."""
from app.registry import private
from app.accounts.auth import actor_for
from tests.audits.helpers import PLAN, reported_audit_with_action


def test_audits_are_private_to_the_performer_the_entity_s_regulators_and_the_platform(
        client, session, make_token, make_user, make_org, make_agency, registrar):
    certifier = make_org("certification_body")
    auditor = make_token("auditor", organisation=certifier)
    agency = make_agency()
    audit, finding, action = reported_audit_with_action(client, auditor, agency.id)
    planned = client.post(f"/api/v1/entities/{agency.id}/audits", headers=auditor,
                          json={**PLAN, "reference": "FH-2026-777", "planned_on": "2027-02-01"}).json
    brand_user = make_user("admin", kind="business")
    private.add_to_portfolio(session, actor_for(session, brand_user), agency.id)
    session.commit()
    follower = make_token("admin", organisation=brand_user.organisation)

    readers = {"performer": auditor, "regulator": registrar, "platform viewer": make_token("viewer", kind="platform")}
    others = {"follower": follower, "other regulator": make_token("registrar", kind="government"),
              "other certifier": make_token("admin", kind="certification_body")}
    item_urls = (f"/api/v1/audits/{audit['id']}", f"/api/v1/audits/{audit['id']}/findings",
                 f"/api/v1/findings/{finding['id']}/corrective-actions", f"/api/v1/corrective-actions/{action['id']}")
    for who, headers in readers.items():
        listed = client.get(f"/api/v1/entities/{agency.id}/audits", headers=headers).json
        assert [a["id"] for a in listed["items"]] == [planned["id"], audit["id"]], who
        assert listed["meta"] == {"page": 1, "per_page": 50, "total": 2}, who
        assert [a["id"] for a in client.get("/api/v1/audits?state=reported", headers=headers).json["items"]] == [
            audit["id"]], who
        assert all(client.get(url, headers=headers).status_code == 200 for url in item_urls), who
    for who, headers in others.items():
        assert client.get(f"/api/v1/entities/{agency.id}/audits", headers=headers).json["meta"]["total"] == 0, who
        assert client.get("/api/v1/audits", headers=headers).json["items"] == [], who
        assert [client.get(url, headers=headers).status_code for url in item_urls] == [404] * 4, who
    # The findings of a reported audit are shared evidence, like any finding; its actions are not.
    assert client.get(f"/api/v1/entities/{agency.id}/findings", headers=follower).json[0]["id"] == finding["id"]
    page = client.get(f"/api/v1/entities/{agency.id}/audits?per_page=1&page=2", headers=auditor).json
    assert [a["id"] for a in page["items"]] == [audit["id"]]


def test_a_regulator_reads_but_only_the_performer_changes_or_verifies(client, make_token, make_org, make_agency,
                                                                      registrar):
    certifier = make_org("certification_body")
    auditor = make_token("auditor", organisation=certifier)
    analyst = make_token("analyst", organisation=certifier)
    audit, finding, action = reported_audit_with_action(client, auditor, make_agency().id)
    changed = client.patch(f"/api/v1/audits/{audit['id']}", headers=registrar,
                           json={"version": audit["version"], "summary": "Edited by the regulator"})
    assert changed.status_code == 403 and "auditing.change" in changed.json["message"]
    url = f"/api/v1/corrective-actions/{action['id']}"
    done = client.post(f"{url}/completion", headers=analyst, json={"version": action["version"],
                                                                  "evidence": "Passports returned"})
    assert done.status_code == 200
    refused = client.post(f"{url}/verification", headers=analyst, json={"version": done.json["version"],
                                                                       "outcome": "verified"})
    assert refused.status_code == 403
    admin = make_token("admin", kind="platform")
    assert client.post(f"{url}/verification", headers=admin, json={"version": done.json["version"],
                                                                  "outcome": "verified"}).status_code == 403
    assert client.post(f"{url}/verification", headers=auditor, json={"version": done.json["version"],
                                                                    "outcome": "verified"}).status_code == 200
