"""The scheduler's sweeps on a fixed clock: `fairrecruit scheduler --once --now`, stale scores re-scored when the
rule set loads again, watchlists refreshed from a local HTTP server with conditional GETs, and bad settings and
arguments refused with their place."""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
import shutil
import threading

import pytest
from sqlalchemy import func, select

from app import config as settings, create_app
from app.accounts.auth import actor_for
from app.accounts.cli import OPERATOR
from app.audits import leader, outbox, refresh, stale, sweeps
from app.audits.outbox_models import Delivery, OutboxEvent
from app.cli import in_process_scheduler
from app.registry import private, service as registry
from app.registry.models import Entity
from app.scoring import service as scoring
from app.screening.models import Hit, WatchlistFetch, WatchlistSource, WatchlistVersion
from tests.audits.servers import Files, Webhook

ROOT = Path(__file__).resolve().parents[2]
HITS = ROOT / "tests" / "data" / "screening" / "hits"
NOW = datetime(2027, 1, 15, 6, 0, tzinfo=timezone.utc)


def test_once_runs_every_sweep_in_order_on_the_given_clock_and_a_second_run_finds_nothing(
        session, runner, client, make_user, make_token, make_agency):
    admin = make_user("admin")
    headers = make_token("admin", organisation=admin.organisation)
    agency = make_agency()
    with Webhook() as endpoint:
        assert client.post("/api/v1/notifications/subscriptions", headers=headers, json={
            "channel": "webhook", "events": ["task_due"], "url": endpoint.url("/hook")}).status_code == 201
        outbox.later(session, [outbox.task_due(admin.organisation_id, agency.id, task_id=1, reason="periodic review",
                                               due_on=date(2027, 1, 20), at=NOW)])
        session.commit()
        result = runner.invoke(args=["scheduler", "--once", "--now", "2027-01-15T06:00"])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [f"{sweep.name}: {count}" for sweep, count in
                                              zip(sweeps.SWEEPS, (0, 0, 0, 2))]  # one event fanned out, one sent
        again = runner.invoke(args=["scheduler", "--once", "--now", "2027-01-15T06:00"])
        assert again.exit_code == 0 and again.output.splitlines()[-1] == "outbox: 0"
    [delivery] = session.scalars(select(Delivery)).all()
    assert delivery.state == "delivered" and delivery.delivered_at == NOW and len(endpoint.received) == 1


def test_once_does_nothing_while_another_scheduler_leads(session, runner, app):
    lock = leader.for_app(app)
    assert lock.acquire()
    try:
        assert not leader.for_app(app).acquire()  # a second process's view of the same lock
        result = runner.invoke(args=["scheduler", "--once"])
    finally:
        lock.release()
    assert result.exit_code == 0 and "another scheduler is running" in result.output
    assert "outbox:" not in result.output


@pytest.mark.parametrize("args, words", [
    (["--once", "--now", "2027-13-01"], "'2027-13-01' is not a date: use YYYY-MM-DD"),
    (["--once", "--now", "next tuesday"], "'next tuesday' is not a date"),
    (["--once", "--now", ""], "'' is not a date"),
    (["--now", "2027-01-15"], "--now goes with --once"),
])
def test_bad_arguments_are_refused_before_anything_runs(session, runner, args, words):
    result = runner.invoke(args=["scheduler", *args])
    assert result.exit_code == 2 and words in result.output, result.output
    assert "outbox:" not in result.output


@pytest.mark.parametrize("setting, value, words", [
    ("WATCHLIST_SOURCES", [{"name": "np-banned", "format": "pdf", "kind": "banned_agency", "files": "x.csv"}],
     "WATCHLIST_SOURCES[0].format: 'pdf' is not one of"),
    ("WATCHLIST_SOURCES", [{"name": "Bad Name", "format": "generic-csv", "kind": "banned_agency", "files": []}],
     "WATCHLIST_SOURCES[0].name"),
    ("WATCHLIST_SOURCES", [{"name": "x", "format": "generic-csv", "kind": "banned_agency", "files": "ftp://h/x"}],
     "WATCHLIST_SOURCES[0].files[0]: 'ftp://h/x': only http(s) URLs and local paths"),
    ("WATCHLIST_SOURCES", [{"name": "x", "format": "generic-csv", "kind": "rumours", "files": "x.csv", "url": 1}],
     "WATCHLIST_SOURCES[0].url: unknown setting"),
    ("SCHEDULER_INTERVALS", {"outbox": 0}, "SCHEDULER_INTERVALS.outbox: must be a number of seconds above 0"),
    ("SCHEDULER_INTERVALS", {"reminders": 60}, "SCHEDULER_INTERVALS.reminders: no such sweep"),
    ("NOTIFY_KEEP_DAYS", 0, "NOTIFY_KEEP_DAYS: must be a whole number of days, 1 or more, not 0"),
    ("NOTIFY_KEEP_DAYS", 7.5, "NOTIFY_KEEP_DAYS: must be a whole number of days"),
])
def test_a_bad_configuration_is_refused_naming_the_setting(session, runner, app, monkeypatch, setting, value, words):
    monkeypatch.setitem(app.config, setting, value)
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 1 and words in result.output, result.output


@pytest.mark.parametrize("environ, words", [
    ({"WATCHLIST_SOURCES": "[{"}, "WATCHLIST_SOURCES is not valid"),
    ({"WATCHLIST_SOURCES": "{}"}, "not a JSON list"),
    ({"SCHEDULER_INTERVALS": "[]"}, "not a JSON object"),
    ({"SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS is not valid: not true or false"),
    ({"NOTIFY_MAX_ATTEMPTS": "eight"}, "NOTIFY_MAX_ATTEMPTS is not valid"),
    ({"NOTIFY_KEEP_DAYS": "a month"}, "NOTIFY_KEEP_DAYS is not valid"),
    ({"SCREENING_PROCESSES": "two"}, "SCREENING_PROCESSES is not valid"),
    ({"SNAPSHOTS": "maybe"}, "SNAPSHOTS is not valid: not true or false"),
])
def test_bad_environment_settings_name_the_variable(environ, words):
    with pytest.raises(RuntimeError) as refused:
        settings.from_environment(environ)
    assert words in str(refused.value)


def test_settings_are_read_from_the_environment_with_their_types():
    found = settings.from_environment({"SCHEDULER_IN_PROCESS": "false", "SMTP_STARTTLS": "yes", "SMTP_PORT": "2525",
                                       "SCHEDULER_INTERVALS": '{"outbox": 5}', "SMTP_HOST": "mail.example.org"})
    assert found == {"SCHEDULER_IN_PROCESS": False, "SMTP_STARTTLS": True, "SMTP_PORT": 2525,
                     "SCHEDULER_INTERVALS": {"outbox": 5}, "SMTP_HOST": "mail.example.org"}


def test_the_dev_server_runs_the_scheduler_in_development_only_unless_told(tmp_path):
    assert in_process_scheduler({"FAIRRECRUIT_ENV": "development", "SCHEDULER_IN_PROCESS": None})
    assert not in_process_scheduler({"FAIRRECRUIT_ENV": "production", "SCHEDULER_IN_PROCESS": None})
    assert not in_process_scheduler({"FAIRRECRUIT_ENV": "development", "SCHEDULER_IN_PROCESS": False})
    # Creating the app (what gunicorn's workers do) never starts it.
    create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite", "SECRET_KEY": "x" * 40})
    assert "fairrecruit-scheduler" not in {thread.name for thread in threading.enumerate()}


def copy_of_default_rules(tmp_path):
    directory = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "default", directory)
    return directory


def test_stale_scores_wait_for_the_rules_to_load_and_are_then_scored_in_the_sweep(session, make_agency, make_user,
                                                                                 tmp_path):
    follower = make_user("analyst")
    agency = make_agency()
    private.add_to_portfolio(session, actor_for(session, follower), agency.id)
    rules = copy_of_default_rules(tmp_path)
    scoring.activate(session, None, rules)
    session.commit()
    text = (rules / "F-data.yaml").read_text()
    (rules / "F-data.yaml").write_text(text.replace("weight: 3", "weight: 4"))
    licence = agency.licences[0]
    registry.change_licence_status(session, OPERATOR, licence.id, {"version": licence.version, "status": "revoked",
                                                                   "reason": "fees charged"})
    session.commit()
    session.expire_all()
    assert session.get(Entity, agency.id).score_stale_since is not None
    before = scoring.current_score(session, agency.id).id

    assert stale.rescore_stale(session, NOW) == 0  # the rules still do not load
    session.expire_all()
    assert session.get(Entity, agency.id).score_stale_since is not None
    (rules / "F-data.yaml").write_text(text)  # put back as activated: they load again
    assert stale.rescore_stale(session, NOW) == 1
    session.expire_all()
    current = scoring.current_score(session, agency.id)
    assert current.id != before and current.facts["licence_status"] == "revoked" and current.tier == "critical"
    assert session.get(Entity, agency.id).score_stale_since is None
    tier = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "tier_changed")).all()
    assert [event.organisation_id for event in tier] == [follower.organisation_id]  # told in the sweep's commit
    assert stale.rescore_stale(session, NOW) == 0  # idempotent


def source(url_or_path, name="np-banned"):
    return refresh.Source(name, "generic-csv", "banned_agency", (str(url_or_path),))


def refresh_now(session, sources, now=NOW):
    return refresh.refresh_sources(session, now, sources, threshold=0.8, timeout=5, max_bytes=10_000_000)


def versions(session, name="np-banned"):
    return session.scalar(select(func.count()).select_from(WatchlistVersion).join(
        WatchlistSource, WatchlistSource.id == WatchlistVersion.source_id).where(WatchlistSource.name == name))


def test_a_watchlist_on_a_local_http_server_is_imported_only_when_it_changed(session, make_agency):
    agency = make_agency(legal_name="Gulf Dream Manpower Pvt. Ltd.")
    with Files({"/lists/banned.csv": (HITS / "banned_v1.csv").read_bytes()}) as server:
        sources = [source(server.url("/lists/banned.csv"))]
        assert refresh_now(session, sources) == 1
        assert versions(session) == 1
        assert session.scalar(select(Hit.id).where(Hit.entity_id == agency.id)) is not None  # screened like import
        state = session.scalar(select(WatchlistFetch))
        assert state.etag and state.sha256 and state.changed_at == NOW and state.last_error is None

        assert refresh_now(session, sources, NOW + timedelta(hours=1)) == 0
        assert server.requests[-1]["headers"]["If-None-Match"] == state.etag
        assert server.requests[-1]["headers"]["If-Modified-Since"] == state.last_modified
        assert versions(session) == 1  # 304: nothing fetched, nothing imported

        # The same bytes under another validator: fetched, compared with the current version, not imported.
        state.etag = '"something-else"'
        session.commit()
        assert refresh_now(session, sources) == 0 and versions(session) == 1

        server.files["/lists/banned.csv"] = (HITS / "banned_v2.csv").read_bytes()
        assert refresh_now(session, sources, NOW + timedelta(hours=2)) == 1
        assert versions(session) == 2
        session.expire_all()
        assert session.scalar(select(WatchlistFetch)).changed_at == NOW + timedelta(hours=2)


def test_a_source_that_fails_keeps_its_version_and_the_others_go_on(session, tmp_path):
    local = tmp_path / "banned.csv"
    local.write_bytes((HITS / "banned_v1.csv").read_bytes())
    with Files({}) as server:
        sources = [source(server.url("/missing.csv"), "gone-list"), source(local)]
        assert refresh_now(session, sources) == 1  # the local file is imported
        failed = session.scalar(select(WatchlistFetch).where(WatchlistFetch.source_name == "gone-list"))
        assert failed.last_error.endswith("/missing.csv: HTTP 404") and failed.checked_at == NOW
        assert refresh_now(session, sources) == 0  # the local file did not change
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nNo id column\n")
    assert refresh_now(session, [source(bad, "np-banned")]) == 0
    state = session.scalar(select(WatchlistFetch).where(WatchlistFetch.location == str(bad)))
    assert "id" in state.last_error and versions(session) == 1  # the bad file changed nothing
    assert refresh_now(session, [source(tmp_path / "nowhere.csv")]) == 0
    assert "No such file" in session.scalar(select(WatchlistFetch.last_error).where(
        WatchlistFetch.location == str(tmp_path / "nowhere.csv")))
