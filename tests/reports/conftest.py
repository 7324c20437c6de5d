"""Fixtures of the reports tests: a receiving NGO with a case handler, a regulator, reports and files."""
import base64
import io

from PIL import Image
import pytest

from app.accounts import service as accounts
from app.accounts.auth import actor_for


@pytest.fixture
def receiver(make_org):
    """An NGO that receives workers' reports."""
    return make_org("civil_society")


@pytest.fixture
def handler_of(session, make_user):
    """Headers of a new case handler of an organisation."""
    def make(organisation):
        user = make_user("case_handler", organisation=organisation)
        _, raw = accounts.create_token(session, actor_for(session, user), name="test")
        session.commit()
        return {"Authorization": f"Bearer {raw}"}
    return make


@pytest.fixture
def handler(receiver, handler_of):
    return handler_of(receiver)


@pytest.fixture
def regulator(make_org, authority):
    return make_org("government", authority_codes=[authority.code])


def report_body(receiver_id=None, **overrides):
    """A worker's report as the public intake takes it."""
    body = {"agency": {"name": "Gulf Dream Manpower"}, "origin_country": "NP", "destination_country": "QA",
            "period_from": "2026-03-01", "period_until": "2026-06-30",
            "fees": [{"amount": 1500, "currency": "USD", "paid_to": "agency", "category": "recruitment_fee"}],
            "documents_kept": True, "contract": "changed", "account": "They took my passport at the airport.",
            "contact": {"phone": "+977 980 000 0000"},
            "consent": {"share_with_regulator": True, "count_in_figures": True, "may_contact": True}}
    if receiver_id is not None:
        body["receiver_id"] = receiver_id
    body.update(overrides)
    return body


@pytest.fixture
def send(client, receiver, handler):
    """Send a report through the public intake (the receiver has a case handler); returns the response."""
    def make(_address="192.0.2.10", **overrides):
        return client.post("/api/v1/reports/intake", json=report_body(receiver.id, **overrides),
                           environ_base={"REMOTE_ADDR": _address})
    return make


def picture(fmt="JPEG", size=(40, 30), exif=None):
    """A small picture's bytes, with EXIF (GPS included) when given {tag: value, "gps": {...}}."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    extra = {}
    if exif:
        found = Image.Exif()
        for tag, value in exif.items():
            if tag != "gps":
                found[tag] = value
        if "gps" in exif:
            found.get_ifd(0x8825).update(exif["gps"])
        extra["exif"] = found.tobytes()
    image.save(out, format=fmt, **extra)
    return out.getvalue()


def encoded(data):
    return base64.b64encode(data).decode()


def pdf_file(text=b"Contract", info=None, xmp=None, note_by=None):
    """A real one-page PDF showing `text`; with a document information dictionary (`info`), XMP metadata in the
    catalogue and on the page (`xmp`), and a comment signed by `note_by`, when given."""
    def stream(body, extra=b""):
        return b"<< %s /Length %d >>\nstream\n" % (extra, len(body)) + body + b"\nendstream"
    metadata = b" /Metadata 6 0 R" if xmp else b""
    note = (b" /Annots [<< /Type /Annot /Subtype /Text /Rect [0 0 20 20] /T (%s) /Contents (Seen) >>]" % note_by
            if note_by else b"")
    objects = [b"<< /Type /Catalog /Pages 2 0 R%s >>" % metadata, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R%s%s "
               b"/Resources << /Font << /F1 5 0 R >> >> >>" % (metadata, note),
               stream(b"BT /F1 12 Tf 20 100 Td (%s) Tj ET" % text),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    if xmp:
        objects.append(stream(xmp, b"/Type /Metadata /Subtype /XML"))
    if info:
        objects.append(b"<< " + b" ".join(b"/%s (%s)" % (key, value) for key, value in info.items()) + b" >>")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer_info = b" /Info %d 0 R" % len(objects) if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_info, xref)
    return bytes(out)
