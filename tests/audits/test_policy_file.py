"""The review policy file: the shipped one is valid and its examples pass; a bad one is refused whole with every
problem at its file:line:column; `fairrecruit policy lint|test` say the same."""
from pathlib import Path
import textwrap

import pytest

from app.audits import policy_file
from app.scoring.located import Problems

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "review-policy.yaml"
GOOD = """\
id: small
triggers:
  licence_expiring:
    notice_days: 30
    owners: [regulators]
examples:
  - name: ends in ten days
    now: 2026-12-01
    entity:
      licences: [{id: 1, authority: NP-DOFE, number: "1", status: valid, valid_until: 2026-12-11, regulators: [7]}]
    expect:
      - {reason: licence_expiring, due_on: 2026-12-11, owners: [7]}
"""


def write(tmp_path, text):
    path = tmp_path / "policy.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path, text):
    with pytest.raises(Problems) as err:
        policy_file.load(write(tmp_path, text))
    return [p.replace(str(tmp_path / "policy.yaml"), "policy.yaml") for p in err.value.problems]


def test_the_shipped_policy_is_valid_turns_on_every_trigger_and_its_examples_pass():
    policy = policy_file.load(SHIPPED)
    assert set(policy.triggers) == set(policy_file.PARAMS)
    assert len(policy.examples) >= 9
    assert policy_file.run_examples(policy) == []


def test_a_small_policy_loads_with_the_defaults_of_what_it_leaves_out(tmp_path):
    policy = policy_file.load(write(tmp_path, GOOD))
    assert list(policy.triggers) == ["licence_expiring"] and policy.id == "small"
    assert policy.triggers["licence_expiring"].notice_days == 30
    assert policy_file.run_examples(policy) == []


def test_unknown_triggers_keys_and_owners_are_named_at_their_line_with_the_nearest_name(tmp_path):
    found = problems(tmp_path, """\
        triggers:
          licence_expirng:
            notice_days: 30
            owners: [regulators]
          confirmed_hit:
            review_within_day: 14
            owners: [folowers, recorder]
        """)
    assert found == [
        "policy.yaml:2:3: unknown trigger 'licence_expirng' (did you mean licence_expiring, licence_expired?); triggers: "
        "periodic_review, licence_expiring, certification_expiring, critical_finding, overdue_corrective_action, "
        "licence_expired, confirmed_hit, tier_worsened, worker_report",
        "policy.yaml:6:5: confirmed_hit takes no 'review_within_day' (did you mean review_within_days?); it takes "
        "owners, otherwise, review_within_days, lookback_days",
        "policy.yaml:5:3: confirmed_hit needs 'review_within_days' (a number of days)",
        "policy.yaml:7:13: 'folowers' cannot own confirmed_hit tasks (did you mean followers?); owners: followers, "
        "certifier, registrant, regulators, platform",
        "policy.yaml:7:13: 'recorder' cannot own confirmed_hit tasks; owners: followers, certifier, registrant, "
        "regulators, platform"]


def test_bad_numbers_grades_and_missing_owners_are_named(tmp_path):
    found = problems(tmp_path, """\
        triggers:
          licence_expiring:
            notice_days: -5
            owners: [regulators]
          critical_finding:
            follow_up_days: ninety
            grades: [huge]
          tier_worsened:
            review_within_days: true
            owners: []
        """)
    assert found == [
        "policy.yaml:3:18: notice_days is a whole number of days, 0 or more; got -5",
        "policy.yaml:6:21: follow_up_days is a whole number of days, 0 or more; got 'ninety'",
        "policy.yaml:7:13: grades is a list of major, minor",
        "policy.yaml:5:3: critical_finding needs 'owners': a list of followers, certifier, registrant, regulators, "
        "platform, recorder",
        "policy.yaml:9:25: review_within_days is a whole number of days, 0 or more; got True",
        "policy.yaml:10:13: tier_worsened needs 'owners': a list of followers, certifier, registrant, regulators, "
        "platform"]


def test_bad_yaml_and_a_policy_without_triggers_are_refused(tmp_path):
    assert problems(tmp_path, "triggers: [unclosed\n")[0].startswith("policy.yaml:2:1: invalid YAML")
    assert problems(tmp_path, "id: x\ntriggerz: {}\n") == [
        "policy.yaml:2:1: unknown key 'triggerz' (did you mean triggers?)",
        "policy.yaml:1:1: 'triggers' is a mapping of reasons (periodic_review, licence_expiring, "
        "certification_expiring, critical_finding, overdue_corrective_action, licence_expired, confirmed_hit, "
        "tier_worsened, worker_report) to their settings"]
    assert problems(tmp_path, "- a list\n") == ["policy.yaml:1:1: a review policy is a mapping with 'triggers'"]
    (tmp_path / "policy.yaml").write_bytes(b"id: \xff\n")
    with pytest.raises(Problems) as err:
        policy_file.load(tmp_path / "policy.yaml")
    assert err.value.problems == [f"{tmp_path / 'policy.yaml'}:1:1: not UTF-8 text"]


def test_bad_examples_name_the_fact_the_value_and_the_place(tmp_path):
    found = problems(tmp_path, GOOD.replace("status: valid", "status: vaild").replace(
        "    now: 2026-12-01\n", "    now: '2026-12-01'\n").replace(
        "    entity:\n", "    entity:\n      tierr: high\n      followers: [brand]\n").replace(
        "reason: licence_expiring, due", "reason: periodic_review, due"))
    assert found == [
        "policy.yaml:8:10: now is a date like 2026-12-01; got '2026-12-01'",
        "policy.yaml:10:7: unknown fact 'tierr' (did you mean tier?)",
        "policy.yaml:11:18: followers is a list of organisation ids; got ['brand']",
        "policy.yaml:12:67: status is one of valid, provisional, expired, preventive_suspension, suspended, "
        "cancelled, revoked, delisted, banned, surrendered; got 'vaild' (did you mean valid?)",
        "policy.yaml:14:18: 'periodic_review' is not a trigger of this policy"]


def test_an_example_that_does_not_hold_fails_with_what_was_expected_and_what_came(tmp_path):
    policy = policy_file.load(write(tmp_path, GOOD.replace("owners: [7]}", "owners: [8]}")))
    assert policy_file.run_examples(policy) == [
        f"{tmp_path / 'policy.yaml'}:7:5: ends in ten days: expected licence_expiring due 2026-12-11 for 8, "
        "got licence_expiring due 2026-12-11 for 7"]


def test_policy_lint_and_test_commands(runner, tmp_path):
    lint = runner.invoke(args=["policy", "lint"])
    assert lint.exit_code == 0 and "review-policy.yaml: ok (9 triggers" in lint.output
    tested = runner.invoke(args=["policy", "test"])
    assert tested.exit_code == 0 and "examples pass" in tested.output and "FAIL" not in tested.output
    bad = write(tmp_path, GOOD.replace("notice_days: 30", "notice_days: soon"))
    refused = runner.invoke(args=["policy", "lint", str(bad)])
    assert refused.exit_code == 1
    assert f"{bad}:4:18: notice_days is a whole number of days, 0 or more; got 'soon'" in refused.output
    failing = write(tmp_path, GOOD.replace("due_on: 2026-12-11", "due_on: 2026-12-12"))
    result = runner.invoke(args=["policy", "test", str(failing)])
    assert result.exit_code == 1 and "0 of 1 examples pass" in result.output and "FAIL" in result.output
    assert runner.invoke(args=["policy", "lint", str(tmp_path / "missing.yaml")]).exit_code == 2
