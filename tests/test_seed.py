"""The demo data: what `fairrecruit seed` promises, and that loading it twice changes nothing."""
from sqlalchemy import func, select

from app.accounts.models import Organisation, User
from app.registry.models import Entity, Licence, LicenceDestination, Note, Person, PortfolioEntry, Relationship
from app.registry.vocab import LICENCE_STATUSES
from app.scoring.models import AuditFinding, FeeLine, PracticeAssessment, Score
from tests.conftest import count
from tests.web.test_sign_in import sign_in

TABLES = (Entity, Licence, Person, Relationship, Organisation, User, PortfolioEntry, Note, PracticeAssessment,
          FeeLine, AuditFinding, Score)


def test_seed_loads_the_promised_demo_and_a_second_run_changes_nothing(runner, session):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "agencies: created 64" in first.output and "employers: created 20" in first.output
    assert "analyst@northwind.example" in first.output

    agencies = session.scalar(select(func.count()).where(Entity.kind == "agency"))
    employers = session.scalar(select(func.count()).where(Entity.kind == "employer"))
    assert agencies >= 60 and employers == 20
    statuses = set(session.scalars(select(Licence.status).distinct()))
    assert statuses == set(LICENCE_STATUSES)
    corridors = set(session.execute(select(Entity.country, LicenceDestination.country)
                                    .join(Licence, Licence.entity_id == Entity.id)
                                    .join(LicenceDestination, LicenceDestination.licence_id == Licence.id)))
    for corridor in [("NP", "QA"), ("PH", "SA"), ("BD", "MY"), ("ID", "TW"), ("IN", "AE"), ("ET", "LB"),
                     ("MM", "TH"), ("GT", "US")]:
        assert corridor in corridors
    employer_sectors = {s.sector for e in session.scalars(select(Entity).where(Entity.kind == "employer"))
                        for s in e.sectors}
    assert {"construction", "electronics", "fishing", "agriculture", "domestic_work", "hospitality"} <= employer_sectors
    kinds = {o.kind: o for o in session.scalars(select(Organisation))}
    assert {"business", "government", "certification_body", "platform"} <= set(kinds)
    assert [a.code for a in kinds["government"].authorities] == ["NP-DOFE"]
    assert count(session, Relationship) >= 20 and count(session, Person) >= 100
    # Every entity has a score; the demo shows every tier.
    assert count(session, Score) == agencies + employers
    assert set(session.scalars(select(Score.tier).distinct())) == {"low", "medium", "high", "critical"}

    before = {model.__tablename__: count(session, model) for model in TABLES}
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "agencies: created 0, updated 0, unchanged 64" in second.output
    assert "employers: created 0, updated 0, unchanged 20" in second.output
    assert {model.__tablename__: count(session, model) for model in TABLES} == before


def test_demo_sign_ins_work(runner, session, client):
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert sign_in(client, "registrar@dofe.example", "demo-registrar-2026").status_code == 302
    me = client.get("/api/v1/me").get_json()
    assert me["role"] == "registrar" and me["organisation_kind"] == "government"
    # The demo NGO takes workers' reports: the form offers it, and its case handler signs in.
    receivers = client.get("/api/v1/reports/receivers").get_json()
    assert [r["name"] for r in receivers] == ["Safe Migration Help Desk"] and receivers[0]["kind"] == "civil_society"
    client.post("/logout", data={"csrf_token": client.get("/login").get_data(as_text=True).split(
        'name="csrf_token" value="')[1].split('"')[0]})
    assert sign_in(client, "cases@helpdesk.example", "demo-casework-2026").status_code == 302
    assert client.get("/api/v1/me").get_json()["role"] == "case_handler"


def test_seed_refuses_a_production_database(app, runner, session):
    app.config["FAIRRECRUIT_ENV"] = "production"
    try:
        result = runner.invoke(args=["seed"])
    finally:
        app.config["FAIRRECRUIT_ENV"] = "development"
    assert result.exit_code == 1 and "not loaded in production" in result.output
    assert session.scalar(select(User).where(User.email == "registrar@dofe.example")) is None


def test_seed_says_so_when_the_active_rules_changed_on_disk(runner, session, tmp_path):
    import shutil
    from pathlib import Path
    copy = tmp_path / "default"
    shutil.copytree(Path(__file__).resolve().parents[1] / "rules" / "default", copy)
    assert runner.invoke(args=["rules", "activate", str(copy)]).exit_code == 0
    (copy / "F-data.yaml").write_text((copy / "F-data.yaml").read_text().replace("weight: 3", "weight: 4"))
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Not scored: The rules in" in result.output and "changed on disk" in result.output


def test_seeding_again_keeps_what_people_changed_and_adds_no_duplicates(runner, session, client):
    from app.accounts import service as accounts
    from app.accounts.auth import actor_for
    from tests.accounts.test_sessions import bearer

    assert runner.invoke(args=["seed"]).exit_code == 0
    platform = bearer(session, session.scalar(select(User).where(User.email == "admin@fairrecruit.example")))
    agency = session.scalar(select(Entity).where(Entity.legal_name == "Shikhar Overseas Employment Pvt. Ltd."))
    read = client.get(f"/api/v1/agencies/{agency.id}", headers=platform).json
    assert client.patch(f"/api/v1/agencies/{agency.id}", json={"version": read["version"],
                        "website": "https://shikhar.changed.example"}, headers=platform).status_code == 200
    licence = client.get(f"/api/v1/licences/{read['licences'][0]['id']}").json
    assert client.patch(f"/api/v1/licences/{licence['id']}", json={"version": licence["version"],
                        "valid_until": "2030-01-31"}, headers=platform).status_code == 200
    analyst = session.scalar(select(User).where(User.email == "analyst@northwind.example"))
    accounts.change_password(session, actor_for(session, analyst), current_password="demo-analyst-2026",
                             new_password="my own passphrase now")
    session.commit()
    analyst_token = bearer(session, analyst)
    entry = next(e for e in client.get("/api/v1/portfolio", headers=analyst_token).json
                 if e["entity_id"] == agency.id)
    assert client.delete(f"/api/v1/portfolio/{entry['id']}", headers=analyst_token).status_code == 204
    version = client.get("/api/v1/users", headers=platform).json
    version = next(u["version"] for u in version if u["id"] == analyst.id)
    assert client.patch(f"/api/v1/users/{analyst.id}", json={"version": version, "role": "viewer"},
                        headers=platform).status_code == 200
    deleted = [session.scalar(select(Entity).where(Entity.kind == kind, Entity.id != agency.id)
                              .order_by(Entity.id)) for kind in ("agency", "employer")]
    for entity, path in zip(deleted, ("agencies", "employers")):
        assert client.delete(f"/api/v1/{path}/{entity.id}", headers=platform).status_code == 204
    before = {model.__tablename__: count(session, model) for model in TABLES}

    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0, again.output
    assert "agencies: created 0, updated 0, unchanged 64" in again.output
    assert "employers: created 0, updated 0, unchanged 20" in again.output
    assert "(changed)" in again.output and "demo-analyst-2026" not in again.output
    assert {model.__tablename__: count(session, model) for model in TABLES} == before
    session.expire_all()
    assert session.get(Entity, agency.id).website == "https://shikhar.changed.example"
    assert client.get(f"/api/v1/licences/{licence['id']}").json["valid_until"] == "2030-01-31"
    assert session.get(User, analyst.id).role == "viewer"
    assert sign_in(client, "analyst@northwind.example", "demo-analyst-2026").status_code == 401
    assert sign_in(client, "analyst@northwind.example", "my own passphrase now").status_code == 302
    assert agency.id not in [e["entity_id"] for e in client.get("/api/v1/portfolio").json]
    assert all(session.get(Entity, entity.id).deleted_at is not None for entity in deleted)
