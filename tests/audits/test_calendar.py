"""The organisation's iCalendar feed: a token in the URL made, listed and revoked by its admins, stored hashed;
RFC 5545 text (CRLF, lines folded at 75 octets, escaped text) that calendar programs read back."""
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit
import uuid

import icalendar
from sqlalchemy import select

from app.accounts.auth import actor_for
from app.audits import calendar, service as audits
from app.audits.outbox_models import CalendarToken
from app.audits.tasks_models import ReviewTask
from app.registry import private

NOW = datetime(2027, 1, 15, 9, 0, tzinfo=timezone.utc)
LONG_NAME = "काठमाडौं Overseas Recruitment, Placement; and Manpower Services \\ Pvt. Ltd. " * 2


def feed_path(created):
    return urlsplit(created["url"]).path


def make_feed(client, headers, name="Compliance calendar"):
    response = client.post("/api/v1/calendar/tokens", headers=headers, json={"name": name})
    assert response.status_code == 201, response.json
    return response.json


def licence(number, valid_until):
    return {"authority": "NP-DOFE", "number": number, "type": "full", "status": "valid", "destinations": ["QA"],
            "sectors": [], "valid_until": valid_until}


def test_the_feed_lists_the_licence_ends_of_followed_entities_as_valid_icalendar(session, client, make_user,
                                                                                 make_token, make_agency):
    admin = make_user("admin")
    headers = make_token("admin", organisation=admin.organisation)
    ends = date.today() + timedelta(days=90)  # the feed shows the year ahead of the real clock
    followed = make_agency(legal_name=LONG_NAME.strip(), licences=[licence("77/080", ends)])
    private.add_to_portfolio(session, actor_for(session, admin), followed.id)
    make_agency(licences=[licence("78/080", ends)])  # not followed: not in the feed
    session.commit()
    created = make_feed(client, headers)
    assert created["url"].endswith(".ics") and created["prefix"] == feed_path(created)[10:22]

    response = client.get(feed_path(created))  # no sign-in: the token is the credential
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.get_data()
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75  # octets, not characters
    assert any(line.startswith(b" ") for line in lines)  # the long summary was folded
    assert b"Recruitment\\, Placement\\; and Manpower Services \\\\ Pvt" in raw.replace(b"\r\n ", b"")
    parsed = icalendar.Calendar.from_ical(raw)
    [event] = parsed.walk("VEVENT")
    assert str(event["summary"]) == f"Licence 77/080 of {LONG_NAME.strip()} ends"
    assert event.decoded("dtstart") == ends and event.decoded("dtend") == ends + timedelta(days=1)
    assert str(event["uid"]).startswith("licence-")


def test_calendar_items_are_empty_for_an_organisation_following_nothing(session, make_org, make_agency):
    make_agency(licences=[licence("79/080", date(2027, 3, 30))])
    assert calendar.calendar_items(session, make_org("business").id, NOW) == []


def test_a_revoked_or_unknown_token_opens_no_feed(session, client, make_user, make_token, make_org):
    admin = make_user("admin")
    headers = make_token("admin", organisation=admin.organisation)
    stranger = make_token("admin", organisation=make_org("business"))
    created = make_feed(client, headers)
    path = feed_path(created)
    token = path.rsplit("/", 1)[1][:-len(".ics")]
    stored = session.scalar(select(CalendarToken).where(CalendarToken.id == created["id"]))
    assert stored.token_hash == calendar.digest(token) and token not in stored.token_hash  # only its hash is kept
    assert client.get("/calendar/frcal_" + "x" * 43 + ".ics").status_code == 404
    assert client.get(path).status_code == 200

    url = f"/api/v1/calendar/tokens/{created['id']}"
    assert client.delete(url, headers=stranger).status_code == 404
    assert client.get("/api/v1/calendar/tokens", headers=stranger).json == []
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(path).status_code == 404
    [listed] = client.get("/api/v1/calendar/tokens", headers=headers).json
    assert listed["revoked_at"] and "url" not in listed and listed["name"] == "Compliance calendar"


def test_only_the_organisations_admins_manage_its_feeds(session, client, make_token):
    analyst = make_token("analyst")
    assert client.post("/api/v1/calendar/tokens", headers=analyst, json={"name": "mine"}).status_code == 403
    assert client.post("/api/v1/calendar/tokens", json={"name": "mine"}).status_code == 401


def test_a_bad_token_name_is_refused_naming_the_field(session, client, make_token):
    headers = make_token("admin")
    for body in ({}, {"name": ""}, {"name": "x" * 101}, {"name": 5}):
        response = client.post("/api/v1/calendar/tokens", headers=headers, json=body)
        assert response.status_code == 422 and "name" in response.json["errors"], body
    assert session.scalar(select(CalendarToken.id)) is None


def task(session, entity, organisation, due_on, state="open", **fields):
    found = ReviewTask(entity_id=entity.id, reason="licence_expiring", organisation_id=organisation.id,
                       trigger_key=f"licence:{uuid.uuid4().hex}", due_on=due_on, state=state,
                       explanation={"message": "licence_expiring",
                                    "params": {"licence": "NP-DOFE 1/2", "valid_until": due_on.isoformat()}},
                       **fields)
    session.add(found)
    session.commit()
    return found


def test_the_feed_lists_the_organisations_own_live_review_tasks_on_their_day(session, client, make_user, make_token,
                                                                             make_org, make_agency):
    admin = make_user("admin")
    brand, other = admin.organisation, make_org("business")
    agency = make_agency()
    due = task(session, agency, brand, NOW.date() + timedelta(days=12))
    snoozed = task(session, make_agency(), brand, NOW.date() - timedelta(days=3), state="snoozed",
                   snoozed_until=NOW.date() + timedelta(days=20), snooze_reason="waiting for the renewal")
    task(session, agency, brand, NOW.date() + timedelta(days=5), state="done")   # closed: not shown
    task(session, agency, other, NOW.date() + timedelta(days=6))                 # another's: not shown
    task(session, make_agency(), brand, NOW.date() + timedelta(days=500))        # beyond the year shown
    items = calendar.calendar_items(session, brand.id, NOW)
    assert [(item.uid, item.day) for item in items] == [
        (f"task-{due.id}@fairrecruit", NOW.date() + timedelta(days=12)),
        (f"task-{snoozed.id}@fairrecruit", NOW.date() + timedelta(days=20))]
    assert items[0].summary == f"Review {agency.legal_name}: licence expiring"
    assert "Licence NP-DOFE 1/2 ends on" in items[0].description
    assert [item.uid for item in calendar.calendar_items(session, other.id, NOW)] == [
        f"task-{other_task.id}@fairrecruit" for other_task in session.scalars(
            select(ReviewTask).where(ReviewTask.organisation_id == other.id))]

    # Through the feed's address, on the real clock.
    soon = task(session, make_agency(), brand, date.today() + timedelta(days=3))
    created = make_feed(client, make_token("admin", organisation=brand))
    parsed = icalendar.Calendar.from_ical(client.get(feed_path(created)).get_data())
    days = {str(event["uid"]): event.decoded("dtstart") for event in parsed.walk("VEVENT")}
    assert days[f"task-{soon.id}@fairrecruit"] == date.today() + timedelta(days=3)
    assert all(uid.startswith("task-") for uid in days)


def test_planned_audits_are_in_the_feeds_of_those_who_may_read_them_only(session, make_org, make_user, make_agency,
                                                                         authority):
    body, brand, rival = make_org("certification_body"), make_org("business"), make_org("certification_body")
    regulator, elsewhere = make_org("government", authority_codes=[authority.code]), make_org("government")
    platform = make_org("platform")
    auditor = actor_for(session, make_user("auditor", organisation=body))
    agency = make_agency(licences=[licence("80/080", date(2030, 1, 1))])
    private.add_to_portfolio(session, actor_for(session, make_user("analyst", organisation=brand)), agency.id)
    planned_on = NOW.date() + timedelta(days=30)
    planned = audits.create_audit(session, auditor, agency.id, {"kind": "unannounced", "scope": "CD",
                                                                "reference": "FH-77", "planned_on": planned_on})
    started = audits.create_audit(session, auditor, agency.id, {"kind": "announced", "scope": "A",
                                                                "planned_on": NOW.date() - timedelta(days=2)})
    audits.change_state(session, auditor, started.id, {"version": started.version, "state": "fieldwork"},
                        today=NOW.date())
    session.commit()

    def audit_items(organisation):
        return [item for item in calendar.calendar_items(session, organisation.id, NOW)
                if item.uid.startswith("audit-")]

    [item] = audit_items(body)
    assert (item.uid, item.day) == (f"audit-{planned.id}@fairrecruit", planned_on)
    assert item.summary == f"Audit of {agency.legal_name} (unannounced)"
    assert "FH-77" in item.description and "principles C, D" in item.description and body.name in item.description
    assert [i.uid for i in audit_items(regulator)] == [item.uid] == [i.uid for i in audit_items(platform)]
    # A brand following the entity, another certification body, a regulator of another authority: not theirs.
    assert audit_items(brand) == audit_items(rival) == audit_items(elsewhere) == []
