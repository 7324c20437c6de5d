"""The public report form and the receipt page, without an account and without script: what is stored, the
receipt shown once, problems beside the fields in the reader's language (nothing stored), the trap and limits."""
import io
import re

import pytest

from app.accounts import throttle
from app.reports.models import Report, ReportAddition, ReportAttachment
from tests.conftest import count
from tests.reports.conftest import picture

GPS = {1: "N", 2: (27.0, 42.0, 30.5), 3: "E", 4: (85.0, 19.0, 12.0)}


def csrf(client, path="/report"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def fill(client, receiver, handler):
    """Post the form with these fields over a worker's usual answers; returns the response."""
    def post(_path="/report", _files=(), **fields):
        data = {"csrf_token": csrf(client), "receiver_id": str(receiver.id), "agency_name": "Gulf Dream Manpower",
                "origin_country": "NP", "destination_country": "QA", "period_from": "2026-03-01",
                "fee_amount_0": "1500", "fee_currency_0": "usd", "fee_paid_to_0": "agency", "documents_kept": "yes",
                "contract": "changed", "wages_withheld": "no", "deceived": "", "account": "They kept my passport.",
                "consent_regulator": "1", "consent_figures": "1", "consent_contact": "1",
                "contact_phone": "+977 980 000 0000", **fields}
        data = {key: value for key, value in data.items() if value is not None}
        data["attachments"] = [(io.BytesIO(content), name) for name, content in _files]
        return client.post(_path, data=data, content_type="multipart/form-data", environ_base={
            "REMOTE_ADDR": "192.0.2.44"})
    return post


def test_a_worker_reports_from_the_agency_page_and_gets_the_receipt_once(client, fill, make_agency, session):
    agency = make_agency()
    form = client.get(f"/report?agency={agency.id}")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    html = form.get_data(as_text=True)
    assert agency.legal_name in html and f'name="agency_id" value="{agency.id}"' in html
    for odd in ("x", "99999999999999999999", "-1"):   # no such agency: the form asks for its name instead
        assert 'id="agency_licence"' in client.get(f"/report?agency={odd}").get_data(as_text=True)
    sent = fill(agency_id=str(agency.id), agency_name=None, fee_amount_1="१,२००", fee_currency_1="NPR",
                fee_paid_to_1="sub_agent", fee_repaid_1="1",
                _files=[("receipt.jpg", picture(exif={0x013B: "MARKER-artist", "gps": GPS}))])
    assert sent.status_code == 201 and sent.headers["Cache-Control"] == "no-store" and "Location" not in sent.headers
    receipt = re.search(r'id="receipt"[^>]*>([^<]+)<', sent.get_data(as_text=True)).group(1)
    assert len(receipt.replace("-", "")) == 25
    report = session.query(Report).one()
    assert report.agency_entity_id == agency.id and report.channel == "public" and report.state == "received"
    assert report.categories == "contract_substitution,documents_kept,fees_paid"
    assert report.fees == [{"amount": "1500.00", "currency": "USD", "paid_to": "agency", "repaid": False},
                           {"amount": "1200.00", "currency": "NPR", "paid_to": "sub_agent", "repaid": True}]
    assert (report.documents_kept, report.wages_withheld, report.deceived) == (True, False, None)
    assert report.consent_regulator and report.consent_figures and report.consent_contact
    assert report.sealed_contact and b"980" not in report.sealed_contact
    stored = session.query(ReportAttachment).one()
    assert stored.media_type == "image/jpeg" and b"MARKER" not in stored.sealed_content
    # The receipt is never asked for again by the page nor put in an address: the check page takes it in a form.
    assert receipt not in client.get("/report/receipt").get_data(as_text=True)


def test_problems_are_shown_beside_their_fields_in_the_readers_language_and_nothing_is_stored(fill, session):
    answer = fill("/report?lang=ne", receiver_id="", agency_name="", fee_amount_0="a lot", fee_currency_0="dollars",
                  period_from="2999-01-01", consent_contact=None, account="मेरो राहदानी राखियो")
    assert answer.status_code == 422 and answer.headers["Cache-Control"] == "no-store"
    html = answer.get_data(as_text=True)
    assert 'lang="ne"' in html
    for field in ("receiver_id", "agency_name", "fee_amount_0", "fee_currency_0", "period_from", "consent_contact"):
        assert f'id="{field}-error"' in html and f'href="#{field}"' in html, field
    assert "एजेन्सीको नाम वा यसको इजाजतपत्र नम्बर लेख्नुहोस्।" in html   # beside the agency field, in Nepali
    assert "मेरो राहदानी राखियो" in html and 'value="+977 980 000 0000"' in html   # nothing typed is lost
    assert count(session, Report) == 0


def test_a_refused_file_is_named_beside_the_file_field_and_nothing_is_stored(fill, session):
    answer = fill(_files=[("photo.gif", picture("GIF"))])
    assert answer.status_code == 422
    assert 'id="attachments-error"' in answer.get_data(as_text=True)
    assert count(session, Report) == 0 and count(session, ReportAttachment) == 0


def test_without_the_forms_token_nothing_is_taken(client, fill, session):
    assert fill(csrf_token="forged").status_code == 400
    assert count(session, Report) == 0


def test_the_trap_and_the_limits_of_the_api_hold_for_the_form(fill, client, session, receiver):
    trapped = fill(website="http://spam.example")
    assert trapped.status_code == 201 and 'id="receipt"' in trapped.get_data(as_text=True)
    assert count(session, Report) == 0
    throttle.reset()
    for _ in range(4):
        assert fill().status_code == 201
    api = client.post("/api/v1/reports/intake", environ_base={"REMOTE_ADDR": "192.0.2.44"}, json={
        "receiver_id": receiver.id, "agency": {"name": "Another One"}})
    assert api.status_code == 201   # the fifth report from this address this hour, through the API
    assert fill().status_code == 429
    assert count(session, Report) == 5


def test_the_receipt_shows_the_status_adds_to_the_report_and_withdraws_it(client, fill, session):
    receipt = re.search(r'id="receipt"[^>]*>([^<]+)<', fill().get_data(as_text=True)).group(1)
    token = csrf(client, "/report/receipt")
    wrong = client.post("/report/receipt", data={"csrf_token": token, "receipt": "00000-00000-00000-00000-00000"})
    assert wrong.status_code == 404 and 'id="receipt-error"' in wrong.get_data(as_text=True)
    status = client.post("/report/receipt", data={"csrf_token": token, "receipt": receipt.lower()})
    assert status.status_code == 200 and status.headers["Cache-Control"] == "no-store"
    assert "Received: it is waiting to be read." in status.get_data(as_text=True)
    nothing = client.post("/report/receipt", data={"csrf_token": token, "receipt": receipt, "action": "add"})
    assert nothing.status_code == 422 and 'id="more-error"' in nothing.get_data(as_text=True)
    added = client.post("/report/receipt", content_type="multipart/form-data", data={
        "csrf_token": token, "receipt": receipt, "action": "add", "account": "They also took my phone.",
        "attachments": [(io.BytesIO(picture("PNG")), "phone.png")]})
    assert added.status_code == 200 and "what you added was sent" in added.get_data(as_text=True)
    assert count(session, ReportAddition) == 1 and count(session, ReportAttachment) == 1
    unconfirmed = client.post("/report/receipt", data={"csrf_token": token, "receipt": receipt, "action": "withdraw"})
    assert unconfirmed.status_code == 422 and 'id="confirm-error"' in unconfirmed.get_data(as_text=True)
    assert session.query(Report).one().withdrawn_at is None
    gone = client.post("/report/receipt", data={"csrf_token": token, "receipt": receipt, "action": "withdraw",
                                                "confirm": "1"})
    assert gone.status_code == 200 and "You withdrew it." in gone.get_data(as_text=True)
    session.expire_all()
    report = session.query(Report).one()
    assert report.withdrawn_at and report.sealed_account is None and count(session, ReportAttachment) == 0
    again = client.post("/report/receipt", data={"csrf_token": token, "receipt": receipt, "action": "add",
                                                 "account": "more"})
    assert again.status_code == 200 and "You withdrew it." in again.get_data(as_text=True)
    assert count(session, ReportAddition) == 0

