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
