"""Switching rule sets: see the impact first, activate, everyone is re-scored; a bad set never activates."""
from datetime import date, timedelta
import shutil
from pathlib import Path

from sqlalchemy import select

from app.accounts.cli import OPERATOR
from app.registry.models import Entity
from app.scoring import activation, service
from app.scoring.models import RuleSetActivation, Score
from tests.conftest import count
from tests.scoring.test_api import CLEAN_PRACTICES

DEFAULT = Path(__file__).resolve().parents[2] / "rules" / "default"


def stricter_copy(tmp_path):
    """The default set with the renewal rule made critical: agencies near expiry become critical."""
    directory = tmp_path / "stricter"
    shutil.copytree(DEFAULT, directory)
    laws = directory / "A-laws.yaml"
    laws.write_text(laws.read_text().replace("    severity: minor\n    weight: 2\n", "    severity: critical\n    weight: 2\n"))
    (directory / "ruleset.yaml").write_text((directory / "ruleset.yaml").read_text()
                                            .replace("id: default", "id: stricter").split("examples:")[0])
    return directory


def test_impact_then_activate_rescores_everyone(runner, client, make_agency, make_token, session, tmp_path):
    headers = make_token("analyst")
    soon = make_agency(licences=[{"authority": "NP-DOFE", "number": "EXP-1", "type": "full", "status": "valid",
                                  "valid_until": date.today() + timedelta(days=10), "destinations": ["QA"], "sectors": []}])
    later = make_agency()
    for agency in (soon, later):
        client.post(f"/api/v1/entities/{agency.id}/practices", json=CLEAN_PRACTICES, headers=headers)
    directory = stricter_copy(tmp_path)
    activations = count(session, RuleSetActivation)  # the shipped default, recorded when first used

    impact = runner.invoke(args=["rules", "impact", str(directory)])
    assert impact.exit_code == 0, impact.output
    assert "1 entities change tier, 1 keep theirs" in impact.output
    assert f"agency {soon.id}: low -> critical" in impact.output
    assert count(session, RuleSetActivation) == activations

    scores = count(session, Score)
    activated = runner.invoke(args=["rules", "activate", str(directory)])
    assert activated.exit_code == 0, activated.output
    assert "2 entities re-scored" in activated.output
    assert count(session, Score) == scores + 2
    latest = session.scalar(select(Score).where(Score.entity_id == soon.id).order_by(Score.id.desc()).limit(1))
    assert (latest.ruleset_id, latest.tier, latest.reason) == ("stricter", "critical", "rule set stricter activated")
    recorded = session.scalar(select(RuleSetActivation).order_by(RuleSetActivation.id.desc()).limit(1))
    assert recorded.kind == "agency" and "A-laws.yaml" in recorded.files["files"]

    # The files change on disk later: the score is still explained by the rules that produced it.
    laws = directory / "A-laws.yaml"
    laws.write_text(laws.read_text().replace("Licence not about to expire", "Renamed rule"))
    activation.LOADED.clear(), activation.TRIED.clear()
    outcomes = client.get(f"/api/v1/entities/{soon.id}/score", headers=headers).json["outcomes"]
    renewal = next(o for o in outcomes if o["rule_id"] == "A-LICENCE-RENEWAL")
    assert renewal["title"] == "Licence not about to expire" and renewal["severity"] == "critical"


def test_a_bad_rule_set_is_never_activated(runner, session, tmp_path):
    directory = stricter_copy(tmp_path)
    activations = count(session, RuleSetActivation)
    (directory / "F-data.yaml").write_text("rules:\n  - id: F-X\n    principle: Z\n")
    result = runner.invoke(args=["rules", "activate", str(directory)])
    assert result.exit_code == 1 and "the active one stays" in result.output and "F-data.yaml:2:" in result.output
    assert count(session, RuleSetActivation) == activations


def test_activation_reports_its_progress_as_it_scores(make_agency, session, tmp_path):
    make_agency(), make_agency()
    calls = []
    service.activate(session, OPERATOR, stricter_copy(tmp_path), progress=lambda *call: calls.append(call))
    steps = [call for call in calls if call[0] == "scoring agency entities"]
    total = count(session, Entity)
    assert steps[0] == ("scoring agency entities", 0, total) and steps[-1] == ("scoring agency entities", total, total)
