"""The review tasks API and page: an organisation's list and its filters, who reads and works a task, the states
a task moves through, stale versions (409) and bad input (422 naming the field)."""
from datetime import date, timedelta

import pytest

from app.audits import sweep as review_sweep
from app.audits.tasks_models import ReviewTask
from app.registry.models import PortfolioEntry
from tests.web.test_sign_in import sign_in

NOW = date(2026, 3, 10)


@pytest.fixture
def brand(make_org):
    return make_org("business")


@pytest.fixture
def task(session, make_agency, brand):
    """A licence_expiring task of the brand, which follows an agency whose licence ends in 20 days."""
    agency = make_agency(licences=[{"authority": "NP-DOFE", "number": "T-77/080", "type": "full", "status": "valid",
                                    "valid_until": NOW + timedelta(days=20), "destinations": ["QA"], "sectors": []}])
    session.add(PortfolioEntry(organisation_id=brand.id, entity_id=agency.id))
    session.commit()
    review_sweep.sweep_due(session, NOW)
    session.commit()
    return session.query(ReviewTask).filter_by(entity_id=agency.id, organisation_id=brand.id).one()


def move(client, headers, task_id, **body):
    return client.post(f"/api/v1/tasks/{task_id}/state", json=body, headers=headers)


def test_an_organisation_lists_its_tasks_with_filters(client, make_token, brand, task):
    headers = make_token("viewer", organisation=brand)
    page = client.get("/api/v1/tasks", headers=headers).get_json()
    assert page["meta"] == {"page": 1, "per_page": 50, "total": 1}
    [item] = page["items"]
    assert item["id"] == task.id and item["reason"] == "licence_expiring" and item["state"] == "open"
    assert item["due_on"] == "2026-03-30" and item["entity_name"] == task.entity.legal_name
    assert item["summary"] == "Licence NP-DOFE T-77/080 ends on 2026-03-30: check its renewal."
    for query, total in (("reason=licence_expiring", 1), ("reason=periodic_review", 0), ("due_before=2026-03-31", 1),
                         ("due_before=2026-03-30", 0), ("state=open", 1), ("state=done", 0)):
        assert client.get(f"/api/v1/tasks?{query}", headers=headers).get_json()["meta"]["total"] == total, query
    bad = client.get("/api/v1/tasks?state=finished&due_before=soon", headers=headers)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"state", "due_before"}


def test_the_entity_record_shows_its_next_review_date(client, make_token, task):
    record = client.get(f"/api/v1/agencies/{task.entity_id}", headers=make_token("viewer")).get_json()
    assert record["next_review_on"] == "2026-03-30" and record["certification_valid_until"] is None
    assert "next_review_on" not in client.get(f"/api/v1/agencies/{task.entity_id}").get_json()   # anonymous


def test_tasks_are_private_to_their_organisation_and_platform_staff_read_them(client, make_token, make_org, task):
    other = make_token("admin", organisation=make_org("business"))
    assert client.get("/api/v1/tasks", headers=other).get_json()["meta"]["total"] == 0
    assert client.get(f"/api/v1/tasks/{task.id}", headers=other).status_code == 404
    assert move(client, other, task.id, state="claimed", version=task.version).status_code == 404
    assert client.get(f"/api/v1/tasks?organisation_id={task.organisation_id}", headers=other).status_code == 403
    platform = make_token("analyst", organisation=make_org("platform"))
    assert client.get(f"/api/v1/tasks/{task.id}", headers=platform).status_code == 200
    listed = client.get(f"/api/v1/tasks?organisation_id={task.organisation_id}", headers=platform).get_json()
    assert [item["id"] for item in listed["items"]] == [task.id]
    assert move(client, platform, task.id, state="claimed", version=task.version).status_code == 403
    assert client.get("/api/v1/tasks").status_code == 401


def test_a_task_is_claimed_snoozed_and_done_from_the_version_read(client, make_token, make_user, brand, task):
    analyst = make_token("analyst", organisation=brand)
    colleague = make_token("analyst", organisation=brand)
    viewer = make_token("viewer", organisation=brand)
    assert move(client, viewer, task.id, state="claimed", version=1).status_code == 403
    claimed = move(client, analyst, task.id, state="claimed", version=1)
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["state"] == "claimed" and claimed.get_json()["claimed_by_user_id"]
    assert claimed.get_json()["version"] == 2
    stale = move(client, analyst, task.id, state="done", version=1)
    assert stale.status_code == 409 and stale.get_json()["errors"] == {"version": ["stale"]}
    taken = move(client, colleague, task.id, state="done", version=2)
    assert taken.status_code == 409 and "claimed by someone else" in taken.get_json()["message"]
    again = move(client, analyst, task.id, state="claimed", version=2)
    assert again.status_code == 409 and again.get_json()["errors"] == {"state": ["the task is claimed"]}
    later = (date.today() + timedelta(days=7)).isoformat()
    snoozed = move(client, analyst, task.id, state="snoozed", version=2, until=later, reason="renewal filed")
    assert snoozed.status_code == 200
    assert (snoozed.get_json()["state"], snoozed.get_json()["snoozed_until"], snoozed.get_json()["claimed_by_user_id"]
            ) == ("snoozed", later, None)
    done = move(client, colleague, task.id, state="done", version=3, note="Renewed until 2029")
    assert done.status_code == 200
    body = done.get_json()
    assert (body["state"], body["close_note"], body["closed_by_sweep"]) == ("done", "Renewed until 2029", False)
    assert body["closed_at"] and body["snoozed_until"] is None
    closed = move(client, analyst, task.id, state="open", version=4)
    assert closed.status_code == 409 and "closed tasks stay closed" in closed.get_json()["message"]


def test_each_state_asks_for_what_it_needs(client, make_token, brand, task):
    analyst = make_token("analyst", organisation=brand)
    no_reason = move(client, analyst, task.id, state="snoozed", version=1)
    assert no_reason.status_code == 422 and set(no_reason.get_json()["errors"]) == {"until", "reason"}
    past = move(client, analyst, task.id, state="snoozed", version=1, until="2020-01-01", reason="later")
    assert past.status_code == 422 and "is not after today" in past.get_json()["errors"]["until"][0]
    not_a_snooze = move(client, analyst, task.id, state="claimed", version=1, until="2099-01-01")
    assert not_a_snooze.status_code == 422
    assert not_a_snooze.get_json()["errors"] == {"until": ["Only a snooze takes this."]}
    cancelled = move(client, analyst, task.id, state="cancelled", version=1, note="  ")
    assert cancelled.status_code == 422 and set(cancelled.get_json()["errors"]) == {"note"}
    unknown = move(client, analyst, task.id, state="finished", version=1, colour="red")
    assert unknown.status_code == 422 and set(unknown.get_json()["errors"]) == {"state", "colour"}
    assert move(client, analyst, task.id, state="claimed").status_code == 422
    assert client.post("/api/v1/tasks/999999/state", json={"state": "claimed", "version": 1},
                       headers=analyst).status_code == 404
    fine = move(client, analyst, task.id, state="cancelled", version=1, note="We no longer use this agency")
    assert fine.status_code == 200 and fine.get_json()["state"] == "cancelled"


def test_a_closed_task_is_not_brought_back_by_the_sweep(session, client, make_token, brand, task):
    analyst = make_token("analyst", organisation=brand)
    assert move(client, analyst, task.id, state="done", version=1).status_code == 200
    session.expire_all()
    result = review_sweep.sweep_due(session, NOW)
    assert (result.created, result.updated, result.cancelled) == (0, 0, 0)


def test_the_tasks_page_lists_the_organisations_due_work(client, make_user, brand, task):
    name = task.entity.legal_name
    assert client.get("/tasks").status_code == 401
    user = make_user("viewer", organisation=brand)
    sign_in(client, user.email)
    page = client.get("/tasks")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and name in text
    assert "ends on March 30, 2026" in text and "overdue" in text   # the real today is after 2026-03-30
    assert "No tasks." in client.get("/tasks?reason=confirmed_hit").get_data(as_text=True)
    assert 'href="/tasks"' in client.get("/").get_data(as_text=True)


def test_a_certifier_sets_the_certification_end_date_that_the_policy_reads(client, make_token, make_org, make_agency):
    agency = make_agency()
    auditor = make_token("auditor", organisation=make_org("certification_body"))
    bad = client.patch(f"/api/v1/agencies/{agency.id}", json={"version": agency.version,
                                                               "certification_valid_until": "next year"},
                       headers=auditor)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"certification_valid_until"}
    refused = client.patch(f"/api/v1/agencies/{agency.id}", json={"version": agency.version,
                                                                   "certification_valid_until": "2027-06-30"},
                           headers=make_token("analyst"))
    assert refused.status_code == 403
    done = client.patch(f"/api/v1/agencies/{agency.id}", json={
        "version": agency.version, "certification_status": "certified", "certification_valid_until": "2027-06-30"},
        headers=auditor)
    assert done.status_code == 200, done.get_json()
    assert (done.get_json()["certification_status"], done.get_json()["certification_valid_until"]) == (
        "certified", "2027-06-30")
    assert client.get(f"/api/v1/agencies/{agency.id}").get_json()["certification_valid_until"] == "2027-06-30"
