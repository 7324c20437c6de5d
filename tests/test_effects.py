"""The commit's effects pipeline: ordered phases over all pending ids, run until settled, discarded on rollback,
the same for bulk imports as for the API; the audit log keeps only what models opt in to."""
import io
import json
import os
from pathlib import Path
import shutil
import threading

from marshmallow import Schema
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import db, effects
from app.accounts import service as accounts
from app.accounts.audit import REDACTED, set_actor
from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.accounts.models import AuditEvent, Organisation
from app.registry import service as registry
from app.registry.models import Authority, Entity, Licence, PortfolioEntry, RegistryState
from app.schemas import Secret, one_of
from app.scoring import evaluate, service as scoring
from app.scoring.models import Score
from app.screening.models import Hit
from app.screening.screen import import_and_screen
from tests.conftest import PASSWORD, fresh_database_url, make_app, rolled_back

ROOT = Path(__file__).resolve().parents[1]
BANNED = ROOT / "tests" / "data" / "screening" / "hits" / "banned_v1.csv"


def events(session, object_type=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return session.scalars(query).all()


def test_a_change_made_by_a_later_phase_is_scored_in_the_same_commit(session, make_agency, monkeypatch):
    agency = make_agency()
    first = scoring.current_score(session, agency.id)
    assert "certification_status" not in first.facts

    def certify(session, entity_ids):
        for entity_id in entity_ids:
            session.get(Entity, entity_id).certification_status = "certified"

    # A phase after scoring that changes a scoring fact: the pipeline must go round again.
    phases = effects.PHASES + (effects.Phase("certify", lambda session: [], certify),)
    monkeypatch.setattr(effects, "PHASES", phases)
    session.get(Entity, agency.id).website = "https://changed.example"
    effects.later(session, "certify", [agency.id])
    session.commit()
    latest = scoring.current_score(session, agency.id)
    assert latest.id != first.id and latest.facts["certification_status"] == "certified"
    assert effects.PENDING not in session.info  # nothing left over for whatever commits next


def test_a_failed_flush_leaves_no_audit_event_and_nothing_pending(session, authority):
    before = len(events(session, "authorities"))
    session.add(Authority(code=authority.code, name="A duplicate", country="NP"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    assert effects.PENDING not in session.info
    session.add(Authority(code="BD-BMET", name="Bureau of Manpower, Employment and Training", country="BD"))
    session.commit()
    created = events(session, "authorities")[before:]
    assert [(e.action, e.after["code"]) for e in created] == [("create", "BD-BMET")]
    assert all(e.object_id != "None" for e in created)


def test_a_rolled_back_savepoint_takes_its_pending_effects_with_it(session, make_agency):
    agency = make_agency()
    entity = session.get(Entity, agency.id)
    entity.website = "https://kept.example"
    session.flush()
    savepoint = session.begin_nested()
    entity.legal_name = "Undone Name Pvt Ltd"
    session.flush()
    savepoint.rollback()
    session.commit()
    updates = [e for e in events(session, "entities") if e.object_id == str(agency.id) and e.action == "update"]
    assert [e.after for e in updates] == [{"website": "https://kept.example"}]


def test_the_audit_log_keeps_only_opted_in_fields_and_redacts_secrets(session, make_user, make_org, make_agency):
    agency = make_agency()
    created = next(e for e in events(session, "entities") if e.object_id == str(agency.id))
    assert set(created.after) == set(Entity.__audited__.fields)  # no generation, name_key or timestamps

    user = make_user("analyst")
    actor = actor_for(session, user)
    accounts.change_password(session, actor, current_password=PASSWORD, new_password="another long passphrase")
    _, raw = accounts.create_token(session, actor, name="ci")
    session.commit()
    changed = [e for e in events(session, "users") if e.object_id == str(user.id) and e.action == "update"][-1]
    assert changed.before["password_hash"] == REDACTED and changed.after["password_hash"] == REDACTED
    token = events(session, "api_tokens")[-1]
    assert "token_hash" not in token.after and raw not in json.dumps(token.after)
    assert token.organisation_id == user.organisation_id  # a user's own organisation reads its token events

    # Readers are chosen by the model's rule: a portfolio entry's events belong to its organisation.
    other = make_org("business")
    set_actor(session, None, None)
    session.add(PortfolioEntry(organisation_id=other.id, entity_id=agency.id, label="watch"))
    session.commit()
    assert events(session, "portfolio_entries")[-1].organisation_id == other.id
    assert next(e for e in events(session, "organisations") if e.object_id == str(other.id)).organisation_id is None


def test_secret_fields_never_repeat_what_was_sent():
    class Form(Schema):
        password = Secret(validate=one_of(["only-this-one"]))

    errors = Form().validate({"password": "hunter2-correct-horse"})
    assert "hunter2-correct-horse" not in json.dumps(errors) and "(hidden)" in json.dumps(errors)


def test_a_failed_statement_does_not_carry_the_values_it_was_writing(session, authority):
    session.add(Authority(code=authority.code, name="Secret Name 8812", country="NP"))
    with pytest.raises(IntegrityError) as failure:
        session.flush()
    session.rollback()
    assert "Secret Name 8812" not in str(failure.value) and "hide_parameters" in str(failure.value)


def test_a_short_password_is_refused_without_being_repeated(client, make_token):
    headers = make_token("analyst")
    response = client.post("/api/v1/me/password", headers=headers,
                           json={"current_password": "x", "new_password": "tiny-secret"})
    assert response.status_code == 422 and "tiny-secret" not in response.get_data(as_text=True)


# The same rows through the API and through a bulk import: the same hits, scores, audit events and stamps.
RECORDS = [
    {"kind": "agency", "legal_name": "Gulf Dreams Manpower Pvt Ltd", "country": "NP", "website": "https://gd.example",
     "sectors": ["construction"], "aliases": [{"name": "Gulf Dream Overseas", "kind": "trading"}],
     "identifiers": [{"scheme": "company_registration", "value": "77/070"}],
     "addresses": [{"line": "Gongabu 3", "city": "Kathmandu", "country": "NP"}],
     "people": [{"name": "Ram Bahadur Thapa", "role": "owner", "nationality": "NP"}],
     "licences": [{"authority": "NP-DOFE", "number": "901/070/71", "status": "valid", "valid_from": "2024-01-01",
                   "valid_until": "2036-12-31", "destinations": ["QA"], "sectors": ["construction"]}]},
    {"kind": "agency", "legal_name": "Sagarmatha Fair Jobs Pvt Ltd", "country": "NP", "sectors": ["hospitality"],
     "aliases": [], "identifiers": [], "addresses": [], "people": [],
     "licences": [{"authority": "NP-DOFE", "number": "902/070/71", "status": "suspended",
                   "destinations": ["AE"], "sectors": []}]},
]
# Row ids differ between the two runs (PostgreSQL's sequences do not roll back): compare without them.
IDS = {"id", "entity_id", "person_id", "licence_id", "authority_id", "watchlist_entry_id", "source_id",
       "list_version_id", "decided_by", "recorded_by_user_id", "registered_by_organisation_id"}


def without_ids(after):
    """An event's values without row ids (a hit's subject keeps its kind: entity or person)."""
    values = {key: value for key, value in (after or {}).items() if key not in IDS}
    if "subject" in values:
        values["subject"] = values["subject"].split(":")[0]
    return values


def outcome(app, write):
    """Register RECORDS with `write(client, headers)` on a fresh copy of the database; what it led to."""
    with rolled_back(app) as session:
        authority = Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP")
        regulator = Organisation(name="DoFE (test)", kind="government")
        regulator.authorities.append(authority)
        session.add(regulator)
        session.flush()
        user = accounts.create_user(session, organisation_id=regulator.id, email="r@dofe.test", name="R",
                                    role="registrar", password=PASSWORD)
        _, raw = accounts.create_token(session, actor_for(session, user), name="test")
        import_and_screen(session, "np-banned", "generic-csv", [BANNED], actor=OPERATOR, kind="banned_agency",
                          threshold=app.config["SCREENING_THRESHOLD"])
        session.commit()
        generation = session.scalar(select(RegistryState.generation))
        first_event = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
        write(app.test_client(), {"Authorization": f"Bearer {raw}"})
        names = dict(session.execute(select(Entity.id, Entity.legal_name)).all())
        created = session.scalars(select(Entity).where(Entity.legal_name.in_([r["legal_name"] for r in RECORDS]))).all()
        hits = sorted((names[h.entity_id], h.subject.split(":")[0], h.entry.entry_id, h.score, h.state)
                      for h in session.scalars(select(Hit)))
        scores = sorted((names[s.entity_id], s.total, s.tier, json.dumps(s.outcomes), s.reason)
                        for s in session.scalars(select(Score)))
        logged = sorted(json.dumps([e.action, e.object_type, e.actor_user_id == user.id, without_ids(e.after)],
                                   sort_keys=True)
                        for e in session.scalars(select(AuditEvent).where(AuditEvent.id > first_event)))
        stamped = all(entity.generation > generation for entity in created) and len(created) == len(RECORDS)
        return hits, scores, logged, stamped


def test_a_bulk_import_has_the_same_effects_as_the_api(app):
    def through_api(client, headers):
        for record in RECORDS:
            body = {k: v for k, v in record.items() if k != "kind"}
            assert client.post("/api/v1/agencies", json=body, headers=headers).status_code == 201

    def through_import(client, headers):
        data = {"file": (io.BytesIO(json.dumps(RECORDS).encode()), "agencies.json")}
        response = client.post("/api/v1/registry/import", headers=headers, data=data,
                               content_type="multipart/form-data")
        assert response.status_code == 200 and response.json["created"] == 2, response.json

    api, imported = outcome(app, through_api), outcome(app, through_import)
    hits, scores, logged, stamped = api
    assert hits and any(name.startswith("Gulf") for name, *_ in hits)
    assert len(scores) == 2 and stamped
    assert {"entities", "aliases", "identifiers", "addresses", "people", "roles", "licences", "hits"} <= {
        json.loads(line)[1] for line in logged}
    assert imported == api


def copy_of_default_rules(tmp_path):
    directory = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "default", directory)
    return directory


def test_changed_rule_files_do_not_fail_a_registry_edit_the_score_says_it_is_stale(session, client, registrar,
                                                                                     make_agency, tmp_path):
    agency = make_agency()
    rules = copy_of_default_rules(tmp_path)
    scoring.activate(session, None, rules)
    session.commit()
    (rules / "F-data.yaml").write_text((rules / "F-data.yaml").read_text().replace("weight: 3", "weight: 4"))

    entity = client.get(f"/api/v1/agencies/{agency.id}", headers=registrar).json
    edited = client.patch(f"/api/v1/agencies/{agency.id}", headers=registrar,
                          json={"version": entity["version"], "website": "https://edited.example"})
    assert edited.status_code == 200, edited.json
    licence = entity["licences"][0]
    revoked = client.post(f"/api/v1/licences/{licence['id']}/status", headers=registrar,
                          json={"version": licence["version"], "status": "revoked", "reason": "fees charged"})
    assert revoked.status_code == 200, revoked.json  # this one sets off a re-score, which cannot run
    score = client.get(f"/api/v1/entities/{agency.id}/score", headers=registrar).json
    assert score["stale"]["since"] and "changed on disk" in score["stale"]["problem"]

    scoring.activate(session, None, rules)  # the rules load again: everything is scored anew
    session.commit()
    score = client.get(f"/api/v1/entities/{agency.id}/score", headers=registrar).json
    assert score["stale"] is None and score["facts"]["licence_status"] == "revoked"


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="SQLite has one writer at a time by design")
def test_two_writers_on_postgresql_commit_without_waiting_for_each_others_scoring(tmp_path_factory, monkeypatch):
    app = make_app(fresh_database_url(tmp_path_factory.mktemp("writers"), "writers"))
    db.Session.configure(bind=app.extensions["engine"])
    try:
        session = db.Session()
        session.add(Authority(code="NP-DOFE", name="Department of Foreign Employment", country="NP"))
        set_actor(session, None, None)
        ids = [registry.create_entity(session, None, "agency", {
            "legal_name": f"Writer {n} Overseas Pvt Ltd", "country": "NP", "licences": [
                {"authority": "NP-DOFE", "number": f"W-{n}", "status": "valid", "destinations": ["QA"]}]}).id
            for n in (1, 2)]
        session.commit()
        db.Session.remove()

        first_scoring, second_committed = threading.Event(), threading.Event()
        waited = {}
        evaluate_now = evaluate.evaluate

        def slow_evaluate(*args, **kwargs):
            # The first writer is in its scoring phase until the second has committed (or 20 s have passed).
            if threading.current_thread().name == "first":
                first_scoring.set()
                waited["second committed meanwhile"] = second_committed.wait(timeout=20)
            return evaluate_now(*args, **kwargs)

        monkeypatch.setattr(evaluate, "evaluate", slow_evaluate)

        def revoke(entity_id):
            session = db.Session()
            try:
                licence = session.scalar(select(Licence).where(Licence.entity_id == entity_id))
                registry.change_licence_status(session, OPERATOR, licence.id, {
                    "version": licence.version, "status": "revoked", "reason": "test"})
                session.commit()
            finally:
                db.Session.remove()

        def second():
            assert first_scoring.wait(timeout=20)
            revoke(ids[1])
            second_committed.set()

        threads = [threading.Thread(target=revoke, args=(ids[0],), name="first"),
                   threading.Thread(target=second, name="second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert waited == {"second committed meanwhile": True}
        session = db.Session()
        for entity_id in ids:
            latest = session.scalar(select(Score).where(Score.entity_id == entity_id).order_by(Score.id.desc()).limit(1))
            assert latest.facts["licence_status"] == "revoked"
        generations = session.scalars(select(Entity.generation).where(Entity.id.in_(ids))).all()
        assert len(set(generations)) == 2  # each commit stamped its own entity in its own generation
    finally:
        db.Session.remove()
        app.extensions["engine"].dispose()
