"""Erasure by receipt code leaves nothing readable (on its own database, committed for real: SQLite's file or
PostgreSQL's tables), and key rotation keeps every report readable."""
import base64
import glob
import uuid

import pytest
from sqlalchemy import select

from app import db
from app.accounts import service as accounts
from app.accounts.auth import actor_for
from app.db import Base
from app.reports import crypto, keys
from app.reports.models import Report, ReportAttachment
from tests.conftest import PASSWORD, fresh_database_url, make_app
from tests.reports.conftest import picture, report_body

MARK = "ERASE" + uuid.uuid4().hex[:10].upper()


@pytest.fixture
def own_app(tmp_path):
    """An app on a database of its own (commits are real), with its keyring in a file of its instance folder."""
    url = fresh_database_url(tmp_path, "erasure")
    app = make_app(url)
    app.config["REPORTS_KEYRING"] = None
    app.instance_path = str(tmp_path / "instance")
    yield app
    app.extensions["engine"].dispose()


def handler_in(app):
    """A case handler's headers, in a new NGO of the app's database."""
    with app.app_context():
        session = db.Session()
        organisation = accounts.create_organisation(session, name=f"NGO {uuid.uuid4().hex[:6]}", kind="civil_society")
        user = accounts.create_user(session, organisation_id=organisation.id, role="case_handler", password=PASSWORD,
                                    email=f"{uuid.uuid4().hex[:8]}@example.org", name="Handler")
        session.commit()
        _, raw = accounts.create_token(session, actor_for(session, user), name="t")
        session.commit()
        return organisation.id, {"Authorization": f"Bearer {raw}"}


def sent(client, receiver_id):
    body = report_body(receiver_id, account=f"{MARK} account", contact={"email": f"{MARK}@example.org"},
                       attachments=[{"name": f"{MARK}.png", "content": base64.b64encode(picture("PNG")).decode()}])
    answer = client.post("/api/v1/reports/intake", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json["receipt"]


def test_erasure_by_receipt_leaves_nothing_readable(own_app):
    receiver_id, headers = handler_in(own_app)
    client = own_app.test_client()
    receipt = sent(client, receiver_id)
    with own_app.app_context():
        session = db.Session()
        report = session.scalar(select(Report))
        before = (report.key_id, report.wrapped_key, report.sealed_account)
    assert client.get(f"/api/v1/reports/{report.id}/confidential", headers=headers).json["account"].startswith(MARK)
    assert client.post("/api/v1/reports/receipt/withdrawal", json={"receipt": receipt}).json["withdrawn"]
    keyring = keys.load(own_app.config, own_app.instance_path)
    with own_app.app_context():
        session = db.Session()
        report = session.get(Report, report.id)
        assert report.wrapped_key is None and report.sealed_account is None and report.sealed_contact is None
        assert session.scalars(select(ReportAttachment)).all() == []
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                assert MARK not in str(row) and before[1] not in [v for v in row if isinstance(v, bytes)]
    # The data key is gone: what was sealed cannot be opened with anything the installation holds.
    with pytest.raises(crypto.Unreadable):
        crypto.unseal(keys.fresh().keys["k1"], before[2], "account")
    assert keyring.unwrap(*before[:2])   # (the copy taken before erasure still opened: the test is not vacuous)
    assert client.get(f"/api/v1/reports/{report.id}/confidential", headers=headers).status_code == 409
    if own_app.config["DATABASE_URL"].startswith("sqlite"):
        path = own_app.config["DATABASE_URL"].removeprefix("sqlite:///")
        for name in glob.glob(path + "*"):
            with open(name, "rb") as handle:
                assert MARK.encode() not in handle.read(), name


def test_key_rotation_keeps_every_report_readable(own_app):
    receiver_id, headers = handler_in(own_app)
    client = own_app.test_client()
    for _ in range(3):
        sent(client, receiver_id)
    runner = own_app.test_cli_runner()
    first = runner.invoke(args=["reports", "rotate-key"])
    assert first.exit_code == 0 and "3 report keys re-wrapped under master key k2" in first.output
    sent(client, receiver_id)  # the servers read the new file: new reports are wrapped under k2
    second = runner.invoke(args=["reports", "rotate-key", "--retire"])
    assert second.exit_code == 0, second.output
    keyring = keys.load(own_app.config, own_app.instance_path)
    assert list(keyring.keys) == ["k3"]
    with own_app.app_context():
        ids = db.Session().scalars(select(Report.id)).all()
        assert set(db.Session().scalars(select(Report.key_id))) == {"k3"}
    for report_id in ids:
        answer = client.get(f"/api/v1/reports/{report_id}/confidential", headers=headers)
        assert answer.status_code == 200 and answer.json["account"] == f"{MARK} account"
        assert answer.json["attachments"][0]["name"] == f"{MARK}.png"


def test_a_bad_keyring_is_named_without_its_keys():
    good = keys.fresh()
    for text, problem in [("{", "not JSON"), ('{"keys": {}}', "expected"),
                          ('{"current": "k9", "keys": {"k1": "AAAA"}, "pepper": "AAAA"}', "keys.k1"),
                          (keys.dump(good).replace('"current": "k1"', '"current": "k2"'), "current names no key")]:
        with pytest.raises(ValueError) as err:
            keys.parse(text, "REPORTS_KEYRING")
        assert problem in str(err.value) and "REPORTS_KEYRING" in str(err.value)
        assert crypto.encode_key(good.keys["k1"]) not in str(err.value)
