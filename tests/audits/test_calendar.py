"""The organisation's iCalendar feed: a token in the URL made, listed and revoked by its admins, stored hashed;
RFC 5545 text (CRLF, lines folded at 75 octets, escaped text) that calendar programs read back."""
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import icalendar
from sqlalchemy import select

from app.accounts.auth import actor_for
from app.audits import calendar
from app.audits.outbox_models import CalendarToken
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
