"""Small builders shared by the audits tests."""

PLAN = {"kind": "announced", "reference": "FH-2026-001", "lead_auditor": "Elena Rossi", "scope": ["D", "C", "G"],
        "document_review": True, "management_interviews": 2, "worker_interviews": 24, "planned_on": "2026-01-10"}
FINDING = {"principle": "D", "grade": "major", "description": "Passports kept in the office safe",
           "found_on": "2026-01-13"}
ACTION = {"description": "Return every passport and log each return", "owner": "Branch manager",
          "deadline": "2026-03-01"}


def step(client, headers, audit, state, **body):
    """Move an audit on; returns the response."""
    return client.post(f"/api/v1/audits/{audit['id']}/state", headers=headers,
                       json={"version": audit["version"], "state": state, **body})


def audit_in_fieldwork(client, headers, entity_id, **plan):
    """An audit of the entity with fieldwork started on 2026-01-12."""
    created = client.post(f"/api/v1/entities/{entity_id}/audits", headers=headers, json={**PLAN, **plan})
    assert created.status_code == 201, created.json
    started = step(client, headers, created.json, "fieldwork", on="2026-01-12")
    assert started.status_code == 200, started.json
    return started.json


def reported_audit_with_action(client, headers, entity_id, plan=None, **action):
    """(audit, finding, action): a reported audit with one major finding under D and one open action."""
    audit = audit_in_fieldwork(client, headers, entity_id, **(plan or {}))
    finding = client.post(f"/api/v1/audits/{audit['id']}/findings", headers=headers, json=FINDING).json
    planned = client.post(f"/api/v1/findings/{finding['id']}/corrective-actions", headers=headers,
                          json={**ACTION, **action})
    assert planned.status_code == 201, planned.json
    reported = step(client, headers, audit, "reported", on="2026-01-20", fieldwork_ended_on="2026-01-14")
    assert reported.status_code == 200, reported.json
    return reported.json, finding, planned.json
