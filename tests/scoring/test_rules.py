"""Rule files: what lint refuses (each error names file:line:column) and what `rules test` reports."""
from pathlib import Path
import textwrap

import pytest

from app.scoring import rules
from app.scoring.located import Problems

RULESET = """\
id: trial
title: Trial rules
kinds: [agency]
tiers:
  - {name: low, min_score: 80, reaudit_months: 24}
  - {name: high, min_score: 0, reaudit_months: 6}
critical_tier: high
low_coverage_tier: high
"""
GOOD_RULE = """\
rules:
  - id: D-DOCS
    title: Documents stay with the worker
    principle: D
    severity: critical
    weight: 10
    condition: {eq: [{fact: documents_retained}, false]}
    message: "Documents retained: {documents_retained}."
    remediation: Return the documents.
    examples:
      - {facts: {documents_retained: false}, expect: pass}
"""


def rule_set(tmp_path, rules_text=GOOD_RULE, ruleset_text=RULESET, name="trial"):
    directory = tmp_path / name
    directory.mkdir()
    (directory / "ruleset.yaml").write_text(ruleset_text)
    (directory / "rules.yaml").write_text(textwrap.dedent(rules_text))
    return directory


def problems_of(directory):
    with pytest.raises(Problems) as caught:
        rules.load(directory)
    return caught.value.problems


def with_condition(condition, **fields):
    extra = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    return GOOD_RULE.replace("    condition: {eq: [{fact: documents_retained}, false]}\n",
                             f"    condition: {condition}\n{extra}")


def test_a_good_rule_set_loads_with_its_hash(tmp_path):
    ruleset = rules.load(rule_set(tmp_path))
    assert [r.id for r in ruleset.rules] == ["D-DOCS"] and len(ruleset.content_hash) == 64
    assert ruleset.rules[0].facts_used == ("documents_retained",)


def test_invalid_yaml_gives_file_line_and_column(tmp_path):
    directory = rule_set(tmp_path, GOOD_RULE.replace("    weight: 10\n", "    weight: [10\n"))
    [problem] = problems_of(directory)
    assert problem.startswith(f"{directory / 'rules.yaml'}:7:14:") and "invalid YAML" in problem


def test_unknown_fact_suggests_the_nearest_names(tmp_path):
    directory = rule_set(tmp_path, with_condition("{eq: [{fact: document_retained}, false]}"))
    [problem] = problems_of(directory)
    assert problem.startswith(f"{directory / 'rules.yaml'}:7:29:")
    assert "unknown fact 'document_retained'" in problem and "did you mean documents_retained" in problem


def test_a_type_mismatch_between_fact_and_value_is_refused(tmp_path):
    problems = problems_of(rule_set(tmp_path, with_condition("{gt: [{fact: licence_days_to_expiry}, soon]}")))
    assert any("type mismatch in 'gt': fact licence_days_to_expiry is int, 'soon' is string" in p for p in problems)
    problems = problems_of(rule_set(tmp_path, with_condition("{eq: [{fact: licence_status}, vaild]}"), name="b"))
    assert any("'vaild' is not a possible value (did you mean valid?)" in p for p in problems)


def test_duplicate_rule_ids_name_both_places(tmp_path):
    twice = GOOD_RULE + GOOD_RULE.split("rules:\n", 1)[1]
    [problem] = problems_of(rule_set(tmp_path, twice))
    assert "duplicate rule id 'D-DOCS'" in problem and "rules.yaml:12:5:" in problem and "(first at" in problem


def test_a_negative_weight_is_refused(tmp_path):
    [problem] = problems_of(rule_set(tmp_path, GOOD_RULE.replace("weight: 10", "weight: -3")))
    assert ":6:" in problem and "weight must be a number of 0 or more; got -3" in problem


def test_an_unknown_operator_is_named(tmp_path):
    [problem] = problems_of(rule_set(tmp_path, with_condition("{equals: [{fact: documents_retained}, false]}")))
    assert "unknown operator 'equals'" in problem


def test_an_unknown_principle_lists_the_codes(tmp_path):
    [problem] = problems_of(rule_set(tmp_path, GOOD_RULE.replace("principle: D", "principle: H")))
    assert "unknown principle 'H'; principles are A, B, C, D, E, F, G" in problem


def test_fields_only_inside_count_and_unknown_item_fields(tmp_path):
    problems = problems_of(rule_set(tmp_path, with_condition(
        "{eq: [{count: {fact: fee_lines, where: {eq: [{field: paidby}, worker]}}}, 0]}")))
    assert any("fee_lines items have no field 'paidby'" in p and "did you mean paid_by" in p for p in problems)


def test_a_message_naming_an_unknown_fact_is_refused(tmp_path):
    [problem] = problems_of(rule_set(tmp_path, GOOD_RULE.replace("{documents_retained}.", "{documents_held}.")))
    assert "unknown fact {documents_held}" in problem


def test_a_bad_overlay_names_the_base_and_its_problems(tmp_path):
    base = rule_set(tmp_path, name="base")
    overlay = rule_set(tmp_path, GOOD_RULE.replace("D-DOCS", "D-MORE"),
                       RULESET + "extends: ../base\ndisable: [D-DOCZ]\n", name="overlay")
    [problem] = problems_of(overlay)
    assert "cannot disable 'D-DOCZ'" in problem and "did you mean D-DOCS" in problem
    ruleset = rules.load(rule_set(tmp_path, GOOD_RULE.replace("D-DOCS", "D-MORE"), RULESET + "extends: ../base\n",
                                  name="overlay2"))
    assert {r.id for r in ruleset.rules} == {"D-DOCS", "D-MORE"} and base.exists()


def test_rules_test_shows_expected_and_actual(runner, tmp_path):
    directory = rule_set(tmp_path, GOOD_RULE.replace("expect: pass", "expect: fail"))
    result = runner.invoke(args=["rules", "test", str(directory)])
    assert result.exit_code == 1
    assert "0 of 1 examples pass" in result.output and "D-DOCS example 1: expected fail, got pass" in result.output


def test_rules_lint_exits_non_zero_and_lists_every_problem(runner, tmp_path):
    directory = rule_set(tmp_path, GOOD_RULE.replace("principle: D", "principle: H").replace("weight: 10", "weight: -1"))
    result = runner.invoke(args=["rules", "lint", str(directory)])
    assert result.exit_code == 1 and "2 problem(s)" in result.output


def test_the_shipped_rule_sets_are_valid_and_pass_their_examples(runner):
    result = runner.invoke(args=["rules", "test"])
    assert result.exit_code == 0, result.output
    shipped = [line for line in result.output.splitlines() if "examples pass" in line]
    assert len(shipped) == 3 and all(Path(line.split(":")[0]).name in ("default", "employer", "in-capped-fee")
                                     for line in shipped)
