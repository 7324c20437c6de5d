"""A worker's report in without an account, the receipt code's uses, attachments, the honeypot and the limits."""
import io

from PIL import Image
from pypdf import PdfReader, PdfWriter

from app.accounts import throttle
from app.reports.models import Report, ReportAttachment
from tests.conftest import count
from tests.reports.conftest import encoded, pdf_file, picture, report_body

GPS = {1: "N", 2: (27.0, 42.0, 30.5), 3: "E", 4: (85.0, 19.0, 12.0)}


def test_a_worker_sends_a_report_and_keeps_a_receipt_that_opens_nothing_else(client, send, session):
    answer = send()
    assert answer.status_code == 201
    receipt = answer.json["receipt"]
    assert len(receipt.replace("-", "")) == 25 and set(answer.json) == {"receipt"}
    report = session.query(Report).one()
    assert receipt not in (report.receipt_hash, "") and report.state == "received"
    assert b"passport" not in report.sealed_account and report.categories == "contract_substitution,documents_kept,fees_paid"
    status = client.post("/api/v1/reports/receipt/status", json={"receipt": receipt.lower().replace("-", " ")})
    assert status.json == {"state": "received", "received_on": status.json["received_on"], "withdrawn": False}
    wrong = client.post("/api/v1/reports/receipt/status", json={"receipt": "00000-00000-00000-00000-00000"})
    assert wrong.status_code == 404 and "00000" not in wrong.get_data(as_text=True)


def test_the_worker_adds_to_the_report_and_the_handler_reads_it(client, send, handler, session):
    receipt = send().json["receipt"]
    added = client.post("/api/v1/reports/receipt/additions", json={
        "receipt": receipt, "account": "The contract in Doha paid half.",
        "attachments": [{"name": "contract.png", "content": encoded(picture("PNG"))}]})
    assert added.status_code == 200
    report_id = session.query(Report).one().id
    confidential = client.get(f"/api/v1/reports/{report_id}/confidential", headers=handler).json
    assert confidential["additions"][0]["account"] == "The contract in Doha paid half."
    assert confidential["attachments"][0]["name"] == "contract.png"
    assert confidential["contact"] == {"phone": "+977 980 000 0000"}


def test_pictures_lose_their_location_and_every_other_metadata(client, send, handler, session):
    tagged = picture(exif={0x010E: "MARKER-exif-description", 0x013B: "MARKER-exif-artist", "gps": GPS})
    assert Image.open(io.BytesIO(tagged)).getexif().get_ifd(0x8825)
    send(attachments=[{"name": "receipt.jpg", "content": encoded(tagged)}])
    report = session.query(Report).one()
    attachment = session.query(ReportAttachment).one()
    file = client.get(f"/api/v1/reports/{report.id}/attachments/{attachment.id}", headers=handler)
    assert file.status_code == 200 and file.mimetype == "image/jpeg"
    cleaned = Image.open(io.BytesIO(file.data))
    assert cleaned.size == (40, 30) and not cleaned.getexif() and not cleaned.getexif().get_ifd(0x8825)
    assert b"MARKER" not in file.data and b"Exif" not in file.data


def locked_pdf():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file())))
    writer.encrypt("secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_attachments_are_told_by_content_and_size(client, send, app, session):
    too_big = b"%PDF-1.4\n" + b"0" * app.config["REPORTS_ATTACHMENT_MAX_BYTES"] + b"\n%%EOF"
    cases = {"text named as a picture": (b"just some words, not a picture", "photo.jpg", "not a JPEG or PNG"),
             "a GIF": (picture("GIF"), "a.gif", "GIF content"),
             "a broken PDF": (b"%PDF-1.4 truncated", "x.pdf", "not a whole one"),
             "a damaged PDF": (b"%PDF-1.4\nno objects, no pages\n%%EOF\n", "x.pdf", "damaged"),
             "a PDF locked with a password": (locked_pdf(), "locked.pdf", "password"),
             "too large": (too_big, "big.pdf", "at most"),
             "empty": (b"", "empty.png", "empty")}
    for what, (data, name, message) in cases.items():
        answer = send(attachments=[{"name": name, "content": encoded(data)}])
        assert answer.status_code in (413, 422), what
        if answer.status_code == 422:
            assert message in answer.json["errors"]["attachments[0].content"][0], what
    not_base64 = send(attachments=[{"name": "x.png", "content": "%%%"}])
    assert not_base64.status_code == 422 and "attachments[0].content" in not_base64.json["errors"]
    assert count(session, Report) == 0
    assert send(attachments=[{"name": "contract.pdf", "content": encoded(pdf_file())}]).status_code == 201


def test_pdfs_lose_their_author_xmp_metadata_and_comments_and_keep_their_pages(client, send, handler, session):
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/">'
           b'<dc:creator>MARKER-xmp-author</dc:creator><exif:GPSLatitude>27,42.5N</exif:GPSLatitude>'
           b'</rdf:Description></rdf:RDF></x:xmpmeta>')
    tagged = pdf_file(b"Salary 1200 QAR a month", info={b"Author": b"MARKER-author", b"Creator": b"MARKER-phone-app",
                                                        b"Subject": b"GPS 27.7172 N 85.3240 E MARKER"},
                      xmp=xmp, note_by=b"MARKER-commenter")
    sent = PdfReader(io.BytesIO(tagged))
    assert sent.metadata["/Author"] == "MARKER-author" and sent.xmp_metadata and sent.pages[0]["/Annots"]
    send(attachments=[{"name": "contract.pdf", "content": encoded(tagged)}])
    report, attachment = session.query(Report).one(), session.query(ReportAttachment).one()
    file = client.get(f"/api/v1/reports/{report.id}/attachments/{attachment.id}", headers=handler)
    assert file.status_code == 200 and file.mimetype == "application/pdf"
    assert b"MARKER" not in file.data and b"xmpmeta" not in file.data and b"27.7172" not in file.data
    cleaned = PdfReader(io.BytesIO(file.data))
    assert cleaned.metadata is None and cleaned.xmp_metadata is None and "/Annots" not in cleaned.pages[0]
    assert cleaned.pages[0].extract_text() == "Salary 1200 QAR a month"


def test_withdrawal_erases_what_the_worker_said(client, send, handler, session):
    receipt = send(attachments=[{"name": "a.png", "content": encoded(picture("PNG"))}]).json["receipt"]
    report_id = session.query(Report).one().id
    withdrawn = client.post("/api/v1/reports/receipt/withdrawal", json={"receipt": receipt})
    assert withdrawn.json["withdrawn"] is True and withdrawn.json["state"] == "closed"
    session.expire_all()
    report = session.get(Report, report_id)
    assert report.wrapped_key is report.sealed_account is report.sealed_contact is report.reporter_key is None
    assert report.fees is None and report.documents_kept is None and report.categories == ""
    assert count(session, ReportAttachment) == 0
    assert client.get(f"/api/v1/reports/{report_id}/confidential", headers=handler).status_code == 409
    again = client.post("/api/v1/reports/receipt/additions", json={"receipt": receipt, "account": "more"})
    assert again.status_code == 404


def test_a_robot_filling_the_trap_gets_a_receipt_and_nothing_is_stored(send, session):
    answer = send(website="http://spam.example")
    assert answer.status_code == 201 and answer.json["receipt"]
    assert count(session, Report) == 0


def test_intake_is_limited_per_address_and_per_agency(client, receiver, handler, app):
    throttle.reset()
    for n in range(5):
        assert client.post("/api/v1/reports/intake", json=report_body(receiver.id, agency={"name": f"Agency {n}"}),
                           environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 201
    refused = client.post("/api/v1/reports/intake", json=report_body(receiver.id),
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    throttle.reset()
    app.config["REPORTS_AGENCY_LIMITS"] = "3 per hour"
    try:
        answers = [client.post("/api/v1/reports/intake", json=report_body(receiver.id, agency={"licence_number": "4411/080"}),
                               environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code for n in range(4)]
    finally:
        app.config["REPORTS_AGENCY_LIMITS"] = "30 per hour; 200 per day"
        throttle.reset()
    assert answers == [201, 201, 201, 429]


def test_bad_reports_are_refused_naming_the_field_and_never_quoting_the_worker(send, receiver, client):
    secret = "MARKER-refused-phone-" + "9" * 60
    answers = {
        "contact without consent": (send(contact={"phone": "+977 1"}, consent={"may_contact": False}), "contact"),
        "phone too long": (send(contact={"phone": secret}), "contact.phone"),
        "no agency": (send(agency={}), "agency"),
        "unknown agency id": (send(agency={"entity_id": 999999}), "agency.entity_id"),
        "future period": (send(period_from="2999-01-01"), "period_from"),
        "backwards period": (send(period_from="2026-05-01", period_until="2026-01-01"), "period_until"),
        "bad currency": (send(fees=[{"amount": 10, "currency": "XXQ", "paid_to": "agency"}]), "fees[0].currency"),
        "negative fee": (send(fees=[{"amount": -1, "currency": "USD", "paid_to": "agency"}]), "fees[0].amount"),
        "unknown receiver": (client.post("/api/v1/reports/intake", json=report_body(424242)), "receiver_id"),
        "account not text": (send(account=["MARKER-list"]), "account"),
    }
    for what, (answer, field) in answers.items():
        assert answer.status_code == 422, what
        assert field in answer.json["errors"], (what, answer.json)
        assert "MARKER" not in answer.get_data(as_text=True), what
