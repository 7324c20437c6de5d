"""The tasks page's forms through the test client (no browser, no script): claim, release, done, snooze and
cancel with the API's service and permission checks; a refused form says why beside the field, keeps what was
typed and saves nothing."""
from datetime import date, timedelta
import html
import re

from babel.dates import format_date
import pytest
from sqlalchemy import select

from app.accounts.models import AuditEvent
from app.audits.tasks_models import ReviewTask
from tests.web.test_sign_in import csrf_of, sign_in

TODAY = date.today()


@pytest.fixture
def brand(make_org):
    return make_org("business")


@pytest.fixture
def task(session, make_agency, brand):
    """An open task of the brand: a licence ending in ten days."""
    agency = make_agency(legal_name="Sagarmatha Overseas Pvt. Ltd.")
    found = ReviewTask(entity_id=agency.id, reason="licence_expiring", organisation_id=brand.id,
                       trigger_key="licence:1:x", due_on=TODAY + timedelta(days=10),
                       explanation={"message": "licence_expiring", "params": {
                           "licence": "NP-DOFE 1/2", "valid_until": (TODAY + timedelta(days=10)).isoformat()}})
    session.add(found)
    session.commit()
    return found


@pytest.fixture
def analyst(client, make_user, brand):
    """The brand's analyst, signed in: (user, the tasks page's HTML)."""
    user = make_user("analyst", organisation=brand)
    sign_in(client, user.email)
    return user


def post(client, task, **data):
    page = client.get("/tasks")
    return client.post(f"/tasks/{task.id}/state", data={"csrf_token": csrf_of(page), "version": task.version, **data})


def reread(session, task):
    session.expire_all()
    return session.get(ReviewTask, task.id)


def text(response):
    return html.unescape(response.get_data(as_text=True))


def test_the_page_offers_the_moves_of_each_task_as_plain_forms(client, session, task, analyst):
    page = text(client.get("/tasks"))
    row = page.split(f'id="task-{task.id}"')[1].split("</tr>")[0]
    assert f'action="/tasks/{task.id}/state"' in row and 'name="csrf_token"' in row
    assert [button for button in re.findall(r"<button type=\"submit\">([^<]+)</button>", row)] == [
        "Claim", "Mark done", "Snooze", "Cancel the task"]
    assert "<details>" in row and "<script" not in page
    assert f'<label for="task-{task.id}-snoozed-until">Until</label>' in row


def test_claim_then_release_then_done_with_a_note(client, session, task, analyst):
    claimed = post(client, task, state="claimed")
    assert claimed.status_code == 303 and claimed.headers["Location"].endswith("/tasks")
    found = reread(session, task)
    assert (found.state, found.claimed_by_user_id, found.version) == ("claimed", analyst.id, 2)
    shown = text(client.get("/tasks"))
    assert f"Task {task.id} (Sagarmatha Overseas Pvt. Ltd.) is now claimed." in shown and ">Release</button>" in shown
    assert post(client, found, state="open").status_code == 303
    assert reread(session, task).state == "open"
    done = post(client, reread(session, task), state="done", note="Renewal filed")
    assert done.status_code == 303
    found = reread(session, task)
    assert (found.state, found.close_note, found.closed_by_user_id) == ("done", "Renewal filed", analyst.id)
    # Written through the commit pipeline like any change: the audit log has it, by the analyst.
    event = session.scalar(select(AuditEvent).where(AuditEvent.object_type == "review_tasks",
                                                    AuditEvent.object_id == str(task.id))
                           .order_by(AuditEvent.id.desc()).limit(1))
    assert event.after["state"] == "done" and event.actor_user_id == analyst.id


def test_the_filters_shown_are_kept_after_a_change(client, session, task, analyst):
    page = client.get("/tasks?reason=licence_expiring")
    assert f'action="/tasks/{task.id}/state?reason=licence_expiring"' in text(page)
    response = client.post(f"/tasks/{task.id}/state?reason=licence_expiring&page=2", data={
        "csrf_token": csrf_of(page), "version": task.version, "state": "claimed"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/tasks?reason=licence_expiring&page=2")


def test_a_snooze_needs_a_reason_and_a_day_after_today_and_keeps_what_was_typed(client, session, task, analyst):
    refused = post(client, task, state="snoozed", reason="", until=TODAY.isoformat())
    assert refused.status_code == 422
    page = text(refused)
    assert f'<a href="#task-{task.id}-snoozed-reason">Say why the task waits.</a>' in page
    row = page.split(f'id="task-{task.id}"')[1].split("</tr>")[0]
    assert f'<details open>' in row
    reason_error = row.index("Say why the task waits."), row.index(f'id="task-{task.id}-snoozed-reason" name')
    assert reason_error[0] < reason_error[1]  # beside (just above) its field
    assert f"{TODAY} is not after today" in row and f'value="{TODAY.isoformat()}"' in row
    assert reread(session, task).version == 1 and reread(session, task).state == "open"

    not_a_day = post(client, task, state="snoozed", reason="Waiting for the renewal receipt", until="next week")
    assert not_a_day.status_code == 422
    page = text(not_a_day)
    assert "Not a valid date." in page and 'value="Waiting for the renewal receipt"' in page
    assert reread(session, task).version == 1

    until = TODAY + timedelta(days=14)
    snoozed = post(client, task, state="snoozed", reason="Waiting for the renewal receipt", until=until.isoformat())
    assert snoozed.status_code == 303
    found = reread(session, task)
    assert (found.state, found.snoozed_until, found.snooze_reason) == ("snoozed", until,
                                                                       "Waiting for the renewal receipt")
    assert f"until {until.isoformat()}" in text(client.get("/tasks"))


def test_a_cancellation_needs_a_note(client, session, task, analyst):
    refused = post(client, task, state="cancelled", note="  ")
    assert refused.status_code == 422
    assert "Say in a note why the task is not needed." in text(refused).split(f'id="task-{task.id}"')[1]
    assert reread(session, task).state == "open"
    assert post(client, task, state="cancelled", note="The agency closed down").status_code == 303
    assert reread(session, task).state == "cancelled"


def test_a_stale_version_or_a_move_not_allowed_says_why_and_saves_nothing(client, session, task, analyst):
    stale = post(client, task, state="claimed", version=7)
    assert stale.status_code == 409 and "changed since you read it" in text(stale)
    assert post(client, task, state="claimed").status_code == 303
    again = post(client, reread(session, task), state="claimed")
    assert again.status_code == 409 and "is claimed already" in text(again)
    bogus = post(client, reread(session, task), state="archived")
    assert bogus.status_code == 422 and "Must be one of" in text(bogus)
    assert reread(session, task).version == 2


def test_a_viewer_sees_no_forms_and_cannot_post(client, session, task, make_user, brand):
    sign_in(client, make_user("viewer", organisation=brand).email)
    page = client.get("/tasks")
    assert page.status_code == 200 and "Sagarmatha" in text(page) and f'id="task-{task.id}"' not in text(page)
    assert post(client, task, state="claimed").status_code == 403
    assert reread(session, task).state == "open"


def test_another_organisations_task_is_not_found_and_a_claimed_one_is_left_to_its_claimer(
        client, session, task, make_user, make_org, brand):
    sign_in(client, make_user("analyst", organisation=make_org("business")).email)
    assert post(client, task, state="claimed").status_code == 404
    assert reread(session, task).state == "open"

    other = make_user("analyst", organisation=brand)
    claimed = reread(session, task)  # the request ended the session the task was read in
    claimed.state, claimed.claimed_by_user_id = "claimed", other.id
    session.commit()
    sign_in(client, make_user("analyst", organisation=brand).email)
    assert f'id="task-{task.id}"' not in text(client.get("/tasks"))  # nothing to offer
    refused = post(client, reread(session, task), state="done")
    assert refused.status_code == 409 and "claimed by someone else" in text(refused)
    assert reread(session, task).state == "claimed"


def test_no_sign_in_or_no_csrf_token_changes_nothing(client, session, task, analyst, app):
    assert client.post(f"/tasks/{task.id}/state", data={"state": "claimed", "version": 1}).status_code == 400
    anonymous = app.test_client()
    page = anonymous.get("/login")
    assert anonymous.post(f"/tasks/{task.id}/state", data={"csrf_token": csrf_of(page), "state": "claimed",
                                                          "version": 1}).status_code == 401
    assert reread(session, task).state == "open"


def test_why_a_task_is_due_is_said_in_the_readers_language_with_its_dates_written_that_way(client, task, analyst):
    day = TODAY + timedelta(days=10)
    spanish = text(client.get("/tasks?lang=es"))
    assert f"La licencia NP-DOFE 1/2 termina el {format_date(day, 'long', locale='es')}: compruebe su renovación." \
        in spanish
    english = text(client.get("/tasks?lang=en"))
    assert f"Licence NP-DOFE 1/2 ends on {format_date(day, 'long', locale='en')}: check its renewal." in english
