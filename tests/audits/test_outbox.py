"""The transactional outbox: events written in their cause's transaction for the right organisations, fanned out
to subscriptions and delivered by webhook (signed, with an idempotency key) and e-mail (a real SMTP server on
loopback), retried with backoff, dead after too many tries and retried by an admin; daily digests."""
from datetime import date, datetime, timedelta, timezone
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.audits import deliver, outbox
from app.audits.outbox_models import Delivery, OutboxEvent, Subscription
from app.registry import private, service as registry
from app.screening.screen import import_and_screen
from tests.audits.servers import Smtp, Webhook, free_port
from tests.conftest import count

ROOT = Path(__file__).resolve().parents[2]
BANNED = ROOT / "tests" / "data" / "screening" / "hits" / "banned_v1.csv"
T0 = datetime(2027, 1, 15, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def config(app):
    """The app's settings for a sweep, with a short backoff; nothing global is changed."""
    return dict(app.config, NOTIFY_BACKOFF_SECONDS=60, NOTIFY_MAX_ATTEMPTS=3, NOTIFY_TIMEOUT=5)


@pytest.fixture
def brand(session, make_user):
    """A business with an admin who follows agencies: (organisation, admin user, admin actor)."""
    admin = make_user("admin")
    return admin.organisation, admin, actor_for(session, admin)


def headers_of(session, actor):
    _, raw = accounts.create_token(session, actor, name="test")
    session.commit()
    return {"Authorization": f"Bearer {raw}"}


def follow(session, actor, entity):
    private.add_to_portfolio(session, actor, entity.id)
    session.commit()


def revoke(session, entity):
    licence = entity.licences[0]
    registry.change_licence_status(session, OPERATOR, licence.id, {"version": licence.version, "status": "revoked",
                                                                   "reason": "fees charged"})


def outbox_rows(session, kind=None):
    query = select(OutboxEvent).order_by(OutboxEvent.id)
    return session.scalars(query.where(OutboxEvent.kind == kind) if kind else query).all()


def subscribe(client, headers, **body):
    response = client.post("/api/v1/notifications/subscriptions", headers=headers, json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_a_tier_change_is_written_with_its_cause_for_followers_and_the_registering_organisation(
        session, make_agency, make_org, brand):
    organisation, _, actor = brand
    registrar_org = make_org("business")
    agency = make_agency()
    agency.registered_by_organisation_id = registrar_org.id
    session.commit()
    follow(session, actor, agency)
    assert outbox_rows(session) == []  # a first score changes no tier

    revoke(session, agency)
    session.commit()
    rows = outbox_rows(session, "tier_changed")
    assert {row.organisation_id for row in rows} == {organisation.id, registrar_org.id}
    params = rows[0].payload["params"]
    assert rows[0].payload["message"] == "notify.tier_changed" and params["to"] == "critical"
    assert params["from"] != "critical" and params["entity_name"] == agency.legal_name
    assert rows[0].entity_id == agency.id and rows[0].fanned_out_at is None


def test_a_rolled_back_cause_leaves_no_event(session, make_agency, brand):
    agency = make_agency()
    follow(session, brand[2], agency)
    revoke(session, agency)
    session.flush()
    session.rollback()
    assert outbox_rows(session) == []
    session.commit()  # nothing noted before the rollback comes back at the next commit
    assert outbox_rows(session) == []


def test_a_new_hit_on_a_followed_entity_is_told_to_its_followers_only(session, make_agency, make_org, brand):
    organisation, _, actor = brand
    registrar_org = make_org("business")
    agency = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.")
    agency.registered_by_organisation_id = registrar_org.id
    session.commit()
    follow(session, actor, agency)
    import_and_screen(session, "np-banned", "generic-csv", [BANNED], actor=OPERATOR, kind="banned_agency",
                      threshold=0.8)
    session.commit()
    hits = outbox_rows(session, "new_hit")
    assert [row.organisation_id for row in hits] == [organisation.id]
    assert hits[0].payload["params"]["source"] == "np-banned" and hits[0].payload["params"]["hit_id"]
    # Screening the same entity again finds no new hit: nothing more is told.
    import_and_screen(session, "np-banned", "generic-csv", [BANNED], actor=OPERATOR, threshold=0.8)
    session.commit()
    assert len(outbox_rows(session, "new_hit")) == 1


def test_other_capabilities_note_events_with_the_named_constructors(session, make_agency, brand):
    organisation = brand[0]
    agency = make_agency()
    outbox.later(session, [
        outbox.task_due(organisation.id, agency.id, task_id=7, reason="periodic review", due_on=date(2027, 2, 1),
                        at=T0),
        outbox.licence_expiring(organisation.id, agency.id, licence_id=agency.licences[0].id, number="1/2",
                                valid_until=date(2027, 3, 1), days=45, at=T0),
        outbox.action_overdue(organisation.id, agency.id, action_id=3, audit_id=2, deadline=date(2027, 1, 1),
                              at=T0)])
    session.commit()
    rows = outbox_rows(session)
    assert [row.kind for row in rows] == ["task_due", "licence_expiring", "action_overdue"]
    assert rows[0].payload["params"] == {"task_id": 7, "reason": "periodic review", "due_on": "2027-02-01",
                                         "entity_name": agency.legal_name}
    assert all(row.created_at == T0 and row.organisation_id == organisation.id for row in rows)


def note_task_due(session, organisation, agency, at=T0, task_id=1):
    outbox.later(session, [outbox.task_due(organisation.id, agency.id, task_id=task_id, reason="periodic review",
                                           due_on=date(2027, 2, 1), at=at)])
    session.commit()


def deliveries(session):
    session.expire_all()
    return session.scalars(select(Delivery).order_by(Delivery.id)).all()


def test_a_webhook_is_signed_and_carries_the_same_idempotency_key_on_every_try(
        session, client, make_token, make_agency, brand, config):
    organisation, admin, _ = brand
    headers = make_token("admin", organisation=organisation)
    agency = make_agency()
    with Webhook(statuses=[500, 500]) as endpoint:
        created = subscribe(client, headers, channel="webhook", events=["task_due"], url=endpoint.url("/hook"))
        secret = created["secret"]
        assert secret.startswith("whsec_") and len(secret) > 40
        listed = client.get("/api/v1/notifications/subscriptions", headers=headers).json
        assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
        note_task_due(session, organisation, agency)

        deliver.deliver_due(session, T0, config)
        [delivery] = deliveries(session)
        assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 500 from the endpoint")
        assert delivery.next_attempt_at == T0 + timedelta(seconds=60)
        deliver.deliver_due(session, T0 + timedelta(seconds=59), config)  # not due yet
        assert len(endpoint.received) == 1
        deliver.deliver_due(session, T0 + timedelta(seconds=60), config)
        assert deliveries(session)[0].next_attempt_at == T0 + timedelta(seconds=60 + 120)  # twice the wait
        deliver.deliver_due(session, T0 + timedelta(seconds=180), config)
        [delivery] = deliveries(session)
        assert (delivery.state, delivery.attempts, delivery.delivered_at) == ("delivered", 3,
                                                                             T0 + timedelta(seconds=180))
        deliver.deliver_due(session, T0 + timedelta(days=1), config)  # a delivered one is never sent again
    assert [r["status"] for r in endpoint.received] == [500, 500, 200]
    assert {r["headers"]["Idempotency-Key"] for r in endpoint.received} == {delivery.idempotency_key}
    request = endpoint.received[-1]
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-FairRecruit-Signature"], expected)
    body = json.loads(request["body"])
    assert body["delivery"] == delivery.idempotency_key
    assert body["event"]["kind"] == "task_due" and body["event"]["entity_id"] == agency.id
    assert body["event"]["text"] == (f"A review of {agency.legal_name} is due on 2027-02-01 (periodic review).")


def test_dead_deliveries_are_listed_and_retried_by_the_organisations_admin(
        session, client, make_token, make_agency, make_org, brand, config):
    organisation, _, _ = brand
    admin, analyst = make_token("admin", organisation=organisation), make_token("analyst", organisation=organisation)
    stranger = make_token("admin", organisation=make_org("business"))
    agency = make_agency()
    port = free_port()  # nothing listens there yet
    subscribe(client, admin, channel="webhook", events=["task_due"], url=f"http://127.0.0.1:{port}/hook")
    note_task_due(session, organisation, agency)
    for minutes in (0, 1, 3):
        deliver.deliver_due(session, T0 + timedelta(minutes=minutes), config)
    [delivery] = deliveries(session)
    assert (delivery.state, delivery.attempts) == ("dead", 3) and "could not reach" in delivery.last_error

    dead = client.get("/api/v1/notifications/deliveries?state=dead", headers=admin).json
    assert [item["id"] for item in dead["items"]] == [delivery.id] and dead["meta"]["total"] == 1
    assert client.get("/api/v1/notifications/deliveries?state=dead", headers=stranger).json["items"] == []
    assert client.get("/api/v1/notifications/deliveries?state=gone", headers=admin).status_code == 422
    url = f"/api/v1/notifications/deliveries/{delivery.id}/retry"
    assert client.post(url, headers=stranger).status_code == 404
    assert client.post(url, headers=analyst).status_code == 403
    retried = client.post(url, headers=admin)
    assert retried.status_code == 200 and retried.json["state"] == "pending" and retried.json["attempts"] == 0

    with Webhook() as endpoint:
        session.get(Subscription, delivery.subscription_id).url = endpoint.url("/hook")
        session.commit()
        deliver.deliver_due(session, datetime.now(timezone.utc) + timedelta(seconds=1), config)
    assert deliveries(session)[0].state == "delivered" and len(endpoint.delivered()) == 1
    again = client.post(url, headers=admin)
    assert again.status_code == 409 and "only dead deliveries" in again.json["message"]


def test_email_waits_for_the_smtp_server_to_come_back(session, client, make_token, make_user, make_agency, brand,
                                                     config):
    organisation, _, _ = brand
    headers = make_token("admin", organisation=organisation)
    reader = make_user("viewer", organisation=organisation)
    agency = make_agency()
    smtp = Smtp()
    config = dict(config, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    subscribe(client, headers, channel="email", events=["task_due", "tier_changed"], user_id=reader.id)
    note_task_due(session, organisation, agency)
    deliver.deliver_due(session, T0, config)  # the SMTP server is down
    [delivery] = deliveries(session)
    assert delivery.state == "pending" and "could not reach the SMTP server" in delivery.last_error
    smtp.start()
    try:
        deliver.deliver_due(session, T0 + timedelta(seconds=30), config)
        assert smtp.mailbox.messages == []  # still waiting for its next try
        deliver.deliver_due(session, T0 + timedelta(seconds=60), config)
    finally:
        smtp.stop()
    [(recipients, message)] = smtp.mailbox.messages
    assert recipients == [reader.email] and message["To"] == reader.email
    assert message["Message-ID"] == f"<{delivery.idempotency_key}@fairrecruit>"
    assert message["Subject"] == f"FairRecruit: A review of {agency.legal_name} is due on 2027-02-01 (periodic review)."
    assert deliveries(session)[0].state == "delivered"


def test_a_daily_digest_gathers_the_days_events_into_one_email(session, client, make_token, make_agency, brand,
                                                               config):
    organisation, admin, actor = brand
    headers = headers_of(session, actor)
    agencies = [make_agency() for _ in range(3)]
    subscribe(client, headers, channel="digest", events=["task_due"])  # to the admin making it
    for number, agency in enumerate(agencies):
        note_task_due(session, organisation, agency, at=T0 + timedelta(hours=number), task_id=number)
    smtp = Smtp().start()
    config = dict(config, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, DIGEST_HOUR=6)
    try:
        deliver.deliver_due(session, T0.replace(hour=23), config)
        assert smtp.mailbox.messages == [] and len(deliveries(session)) == 3
        deliver.deliver_due(session, (T0 + timedelta(days=1)).replace(hour=6), config)
        deliver.deliver_due(session, (T0 + timedelta(days=1)).replace(hour=7), config)
    finally:
        smtp.stop()
    [(recipients, message)] = smtp.mailbox.messages
    assert recipients == [admin.email] and message["Subject"] == "FairRecruit: 3 notifications of 2027-01-15"
    text = message.get_content()
    assert all(agency.legal_name in text for agency in agencies)
    assert {d.state for d in deliveries(session)} == {"delivered"}


def test_only_the_kinds_an_organisation_chose_reach_it(session, client, make_token, make_agency, make_org, brand,
                                                       config):
    organisation, _, _ = brand
    other = make_org("business")
    headers = make_token("admin", organisation=organisation)
    agency = make_agency()
    with Webhook() as endpoint:
        subscribe(client, headers, channel="webhook", events=["tier_changed"], url=endpoint.url("/hook"))
        note_task_due(session, organisation, agency)      # a kind it did not choose
        note_task_due(session, other, agency, task_id=2)  # another organisation's event
        assert deliver.deliver_due(session, T0, config) == 2  # both fanned out, to nobody
        assert deliveries(session) == [] and endpoint.received == []
        assert all(row.fanned_out_at == T0 for row in outbox_rows(session))


def test_deleting_a_subscription_cancels_what_it_had_waiting(session, client, make_token, make_agency, make_org,
                                                              brand, config):
    organisation, _, _ = brand
    headers = make_token("admin", organisation=organisation)
    stranger = make_token("admin", organisation=make_org("business"))
    agency = make_agency()
    created = subscribe(client, headers, channel="webhook", events=["task_due"],
                        url=f"http://127.0.0.1:{free_port()}/hook")
    note_task_due(session, organisation, agency)
    deliver.deliver_due(session, T0, config)
    url = f"/api/v1/notifications/subscriptions/{created['id']}"
    assert client.delete(url, headers=stranger).status_code == 404
    assert client.get("/api/v1/notifications/subscriptions", headers=stranger).json == []
    assert client.delete(url, headers=headers).status_code == 204
    assert client.delete(url, headers=headers).status_code == 404
    assert [d.state for d in deliveries(session)] == ["cancelled"]
    assert client.get("/api/v1/notifications/subscriptions", headers=headers).json == []


@pytest.mark.parametrize("body, field, words", [
    ({"channel": "pigeon", "events": ["task_due"]}, "channel", "Must be one of"),
    ({"channel": "email", "events": []}, "events", "Length"),
    ({"channel": "email", "events": ["task_due", "weather"]}, "events[1]", "Must be one of"),
    ({"channel": "email"}, "events", "required"),
    ({"channel": "webhook", "events": ["task_due"]}, "url", "required for a webhook"),
    ({"channel": "webhook", "events": ["task_due"], "url": "http://hooks.example.org/x"}, "url", "must use https"),
    ({"channel": "webhook", "events": ["task_due"], "url": "ftp://127.0.0.1/x"}, "url", "https://"),
    ({"channel": "webhook", "events": ["task_due"], "url": "https://me:pw@hooks.example.org/x"}, "url", "password"),
    ({"channel": "webhook", "events": ["task_due"], "url": "https://hooks.example.org:99999/x"}, "url", "not a URL"),
    ({"channel": "webhook", "events": ["task_due"], "url": "https://"}, "url", "has no host"),
    ({"channel": "email", "events": ["task_due"], "url": "https://hooks.example.org/x"}, "url", "only webhooks"),
    ({"channel": "email", "events": ["task_due"], "user_id": 999999}, "user_id", "no active user"),
    ({"channel": "email", "events": ["task_due"], "user_id": "x"}, "user_id", "Not a valid integer"),
    ({"channel": "email", "events": "task_due"}, "events", "Not a valid list"),
])
def test_a_bad_subscription_is_refused_naming_the_field_and_nothing_is_written(session, client, make_token, brand,
                                                                               body, field, words):
    headers = make_token("admin", organisation=brand[0])
    before = count(session, Subscription)
    response = client.post("/api/v1/notifications/subscriptions", headers=headers, json=body)
    assert response.status_code == 422, response.json
    assert any(words in message for message in response.json["errors"][field]), response.json
    assert count(session, Subscription) == before


def test_a_user_of_another_organisation_cannot_be_subscribed(session, client, make_token, make_user, make_org, brand):
    headers = make_token("admin", organisation=brand[0])
    outsider = make_user("analyst", organisation=make_org("business"))
    response = client.post("/api/v1/notifications/subscriptions", headers=headers,
                           json={"channel": "email", "events": ["task_due"], "user_id": outsider.id})
    assert response.status_code == 422 and "user_id" in response.json["errors"]


def test_http_webhooks_outside_loopback_and_in_production_are_refused(session, client, make_token, brand):
    from app.audits.subscriptions import webhook_problem
    assert webhook_problem("http://127.0.0.1:8080/x", development=True) is None
    assert webhook_problem("http://[::1]:8080/x", development=True) is None
    assert webhook_problem("http://localhost/x", development=True) is None
    assert "https" in webhook_problem("http://127.0.0.1:8080/x", development=False)
    assert webhook_problem("https://hooks.example.org/fairrecruit", development=False) is None
    for internal in ("https://10.0.0.5/x", "https://169.254.169.254/latest", "https://[::1]/x", "https://localhost/x"):
        assert "private" in webhook_problem(internal, development=False), internal


def test_a_webhook_answering_with_a_redirect_is_not_followed(session, client, make_token, make_agency, brand, config):
    organisation = brand[0]
    headers = make_token("admin", organisation=organisation)
    agency = make_agency()
    with Webhook(statuses=[307]) as endpoint:
        subscribe(client, headers, channel="webhook", events=["task_due"], url=endpoint.url("/hook"))
        note_task_due(session, organisation, agency)
        deliver.deliver_due(session, T0, config)
    [delivery] = deliveries(session)
    assert delivery.state == "pending" and delivery.last_error == "HTTP 307 from the endpoint"
    assert len(endpoint.received) == 1


def test_the_followed_entitys_organisations_are_found_in_bulk(session, make_agency, make_org, brand):
    organisation, _, actor = brand
    agencies = [make_agency() for _ in range(3)]
    for agency in agencies[:2]:
        follow(session, actor, agency)
    found = outbox.audiences(session, [a.id for a in agencies], registrar=False)
    assert found == {agencies[0].id: {organisation.id}, agencies[1].id: {organisation.id}}


def test_old_events_whose_deliveries_are_done_are_deleted_with_them_and_dead_letters_stay(
        session, client, make_token, make_agency, brand, config):
    organisation, _, actor = brand
    admin = make_token("admin", organisation=organisation)
    agency = make_agency()
    follow(session, actor, agency)
    month = timedelta(days=30)
    with Webhook() as endpoint:
        subscribe(client, admin, channel="webhook", events=["task_due"], url=endpoint.url("/hook"))
        subscribe(client, admin, channel="webhook", events=["licence_expiring"],
                  url=f"http://127.0.0.1:{free_port()}/nobody")
        note_task_due(session, organisation, agency)                                   # delivered
        outbox.later(session, [outbox.licence_expiring(organisation.id, agency.id, licence_id=1, number="1/2",
                                                       valid_until=date(2027, 3, 1), days=45, at=T0),  # dead
                               outbox.tier_changed(agency.id, before="low", after="high")])   # to nobody
        session.commit()
        session.execute(update(OutboxEvent).where(OutboxEvent.kind == "tier_changed").values(created_at=T0))
        session.commit()
        for minutes in (0, 1, 3):
            deliver.deliver_due(session, T0 + timedelta(minutes=minutes), config)
        note_task_due(session, organisation, agency, at=T0 + month - timedelta(days=1), task_id=2)  # recent
        deliver.deliver_due(session, T0 + month - timedelta(days=1), config)
    states = {row.kind: row.state for row in session.execute(
        select(OutboxEvent.kind, Delivery.state).join(Delivery, Delivery.event_id == OutboxEvent.id))}
    assert states == {"task_due": "delivered", "licence_expiring": "dead"} and count(session, OutboxEvent) == 4

    assert deliver.clean_up(session, T0 + month - timedelta(minutes=1), 30) == 0  # not old enough yet
    assert deliver.clean_up(session, T0 + month + timedelta(minutes=5), 30, batch=1) == 2
    session.expire_all()
    left = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert [(e.kind, e.payload["params"].get("task_id")) for e in left] == [("licence_expiring", None),
                                                                          ("task_due", 2)]
    assert [d.event_id for d in deliveries(session)] == [e.id for e in left]
    assert deliver.clean_up(session, T0 + month + timedelta(minutes=5), 30) == 0

    # A dead letter retried and delivered is kept for the days after its delivery, then goes too.
    [dead] = [d for d in deliveries(session) if d.state == "dead"]
    session.execute(update(Delivery).where(Delivery.id == dead.id).values(
        state="delivered", delivered_at=T0 + month + timedelta(days=1)))
    session.commit()
    assert deliver.clean_up(session, T0 + 2 * month, 30) == 1  # the recent one, a month on
    assert [e.kind for e in session.scalars(select(OutboxEvent))] == ["licence_expiring"]
    assert deliver.clean_up(session, T0 + 2 * month + timedelta(days=2), 30) == 1
    assert count(session, OutboxEvent) == count(session, Delivery) == 0


def test_the_delivery_sweep_cleans_up_after_the_days_configured(session, make_agency, brand, config):
    organisation, _, _ = brand
    note_task_due(session, organisation, make_agency())  # nobody subscribed: done once fanned out
    assert deliver.deliver_due(session, T0, config) == 1
    assert deliver.deliver_due(session, T0 + timedelta(days=7, minutes=1), dict(config, NOTIFY_KEEP_DAYS=8)) == 0
    assert deliver.deliver_due(session, T0 + timedelta(days=7, minutes=1), dict(config, NOTIFY_KEEP_DAYS=7)) == 1
    assert count(session, OutboxEvent) == 0
