"""The review policy file (rules/review-policy.yaml, see rules/README.md) read into a frozen Policy.

Loading checks everything before anything is used: YAML syntax, trigger names, their parameters and owners, and
the examples' facts and expectations. Every problem is reported with its file:line:column; a bad policy is never
returned.
"""
from dataclasses import MISSING, fields
from datetime import date, datetime
import hashlib
from pathlib import Path

from app.audits.policy import (OWNER_ROLES, RECORDED, REASONS, ActionFact, Context, EntityFacts, FindingFact,
                               HitFact, LicenceFact, Policy, ReportFact, Schedule, Trigger, wanted_tasks)
from app.registry.vocab import CERTIFICATION_STATUSES, ENTITY_KINDS, LICENCE_STATUSES
from app.scoring.located import Located, Problems, nearest

RULES = Path(__file__).resolve().parent.parent.parent / "rules"
DEFAULT = RULES / "review-policy.yaml"
TOP_KEYS = ("id", "title", "version", "triggers", "examples")
# Each trigger's parameters and their defaults (None: required).
PARAMS = {
    "periodic_review": {"notice_days": 30},
    "licence_expiring": {"notice_days": None},
    "licence_expired": {"review_within_days": None, "lookback_days": 30},
    "certification_expiring": {"notice_days": None},
    "confirmed_hit": {"review_within_days": None, "lookback_days": 30},
    "critical_finding": {"follow_up_days": None, "grades": ["major"]},
    "overdue_corrective_action": {"escalate_within_days": None},
    "tier_worsened": {"review_within_days": None, "lookback_days": 30},
    "worker_report": {"review_within_days": None, "lookback_days": 30},
}
GRADES = ("major", "minor")
EXAMPLE_KEYS = ("name", "now", "platform", "reaudit_months", "entity", "expect")
# The example facts' types: "int", "str", "date", "ids" (organisation ids), a tuple of allowed values, or a
# (dataclass, item types) pair for lists.
ITEM_TYPES = {
    LicenceFact: {"id": "int", "authority": "str", "number": "str", "status": LICENCE_STATUSES, "valid_until": "date",
                  "regulators": "ids"},
    HitFact: {"id": "int", "list": "str", "name": "str", "decided_on": "date"},
    FindingFact: {"id": "int", "principle": tuple("ABCDEFG"), "grade": GRADES, "status": ("open", "closed"),
                  "found_on": "date", "recorder": "int"},
    ActionFact: {"id": "int", "deadline": "date", "recorder": "int"},
    ReportFact: {"id": "int", "received_on": "date"},
}
FACT_TYPES = {
    "entity_id": "int", "kind": ENTITY_KINDS, "registered_on": "date", "last_reviewed_on": "date", "tier": "str",
    "previous_tier": "str", "scored_on": "date", "score_id": "int", "certification_status": CERTIFICATION_STATUSES,
    "certification_valid_until": "date", "certifier": "int", "registrant": "int", "followers": "ids",
    "regulators": "ids",
    "licences": LicenceFact, "hits": HitFact, "findings": FindingFact, "actions": ActionFact, "reports": ReportFact,
}
assert set(FACT_TYPES) == {f.name for f in fields(EntityFacts)}


def load(path=DEFAULT):
    """Read and check the policy file; raises Problems listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise Problems([f"{path}: no such policy file"])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Problems([f"{path}:1:1: not UTF-8 text"]) from None
    source = Located(path, text)
    problems = list(source.problems)
    document = source.value
    if not isinstance(document, dict):
        raise Problems(problems + [f"{path}:1:1: a review policy is a mapping with 'triggers'"])
    for key in document:
        if key not in TOP_KEYS:
            problems.append(f"{source.where_key(document, key)}: unknown key {key!r}{nearest(key, TOP_KEYS)}")
    triggers = read_triggers(document, source, problems)
    examples = read_examples(document, source, triggers, problems)
    if problems:
        raise Problems(problems)
    return Policy(id=str(document.get("id") or path.stem), title=str(document.get("title") or path.stem),
                  version=str(document.get("version") or "1"), triggers=triggers, examples=tuple(examples),
                  path=str(path), content_hash=hashlib.sha256(text.encode()).hexdigest())


def read_triggers(document, source, problems):
    """{reason: Trigger} of the triggers the policy turns on."""
    items = document.get("triggers")
    if not isinstance(items, dict) or not items:
        problems.append(f"{source.where(document, 'triggers')}: 'triggers' is a mapping of reasons "
                        f"({', '.join(REASONS)}) to their settings")
        return {}
    triggers = {}
    for reason, settings in items.items():
        place = source.where_key(items, reason)
        if reason not in PARAMS:
            problems.append(f"{place}: unknown trigger {reason!r}{nearest(reason, PARAMS)}; "
                            f"triggers: {', '.join(REASONS)}")
            continue
        if not isinstance(settings, dict):
            problems.append(f"{place}: the settings of {reason} are a mapping with 'owners'")
            continue
        start = len(problems)
        allowed = ("owners", "otherwise", *PARAMS[reason])
        for key in settings:
            if key not in allowed:
                problems.append(f"{source.where_key(settings, key)}: {reason} takes no {key!r}{nearest(key, allowed)}; "
                                f"it takes {', '.join(allowed)}")
        values = {}
        for name, default in PARAMS[reason].items():
            value = settings.get(name, default)
            if value is None:
                problems.append(f"{place}: {reason} needs {name!r} (a number of days)")
            elif name == "grades":
                if not isinstance(value, list) or not value or any(g not in GRADES for g in value):
                    problems.append(f"{source.where(settings, name)}: grades is a list of {', '.join(GRADES)}")
                values[name] = tuple(value) if isinstance(value, list) else ()
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{source.where(settings, name)}: {name} is a whole number of days, 0 or more; "
                                f"got {value!r}")
            else:
                values[name] = value
        owners = read_owners(reason, settings, "owners", source, place, problems, required=True)
        otherwise = read_owners(reason, settings, "otherwise", source, place, problems, required=False)
        if len(problems) == start:
            triggers[reason] = Trigger(reason, owners, otherwise, place=place, **values)
    return triggers


def read_owners(reason, settings, key, source, place, problems, required):
    """The owner roles under `key` of a trigger."""
    roles = settings.get(key)
    if roles is None and not required:
        return ()
    allowed = OWNER_ROLES if reason in RECORDED else tuple(r for r in OWNER_ROLES if r != "recorder")
    if not isinstance(roles, list) or not roles:
        problems.append(f"{source.where(settings, key) if key in settings else place}: {reason} "
                        f"needs {key!r}: a list of {', '.join(allowed)}")
        return ()
    for role in roles:
        if role not in allowed:
            problems.append(f"{source.where(settings, key)}: {role!r} cannot own {reason} tasks"
                            f"{nearest(role, allowed)}; owners: {', '.join(allowed)}")
    return tuple(roles)


def read_examples(document, source, triggers, problems):
    """[(name, place, Context pieces, EntityFacts, expected {(reason, due_on, owner)})]."""
    examples = []
    items = document.get("examples") or []
    if not isinstance(items, list):
        problems.append(f"{source.where(document, 'examples')}: 'examples' is a list")
        return examples
    for index, example in enumerate(items):
        place = source.where(items, index)
        if not isinstance(example, dict) or "now" not in example or "expect" not in example:
            problems.append(f"{place}: an example is {{now: DATE, entity: {{...}}, expect: [...]}} (with optional "
                            "name, platform, reaudit_months)")
            continue
        start = len(problems)
        for key in example:
            if key not in EXAMPLE_KEYS:
                problems.append(f"{source.where_key(example, key)}: unknown example key {key!r}"
                                f"{nearest(key, EXAMPLE_KEYS)}")
        now = check(example, "now", "date", source, problems)
        platform = check(example, "platform", "ids", source, problems) or ()
        months = example.get("reaudit_months")
        if months is not None and (not isinstance(months, dict) or not months or any(
                isinstance(m, bool) or not isinstance(m, int) or m <= 0 for m in months.values())):
            problems.append(f"{source.where(example, 'reaudit_months')}: reaudit_months maps each tier, from the "
                            "lowest risk up, to a whole number of months above 0")
        facts = read_facts(example.get("entity") or {}, example, source, problems)
        expected = read_expected(example, source, triggers, problems)
        if len(problems) == start:
            examples.append((str(example.get("name") or f"example {index + 1}"), place, now, tuple(platform),
                             months, facts, expected))
    return examples


def check(container, key, kind, source, problems, required=False):
    """container[key] checked against its type (see FACT_TYPES), or None with a problem appended."""
    if key not in container or container[key] is None:
        if required:
            problems.append(f"{source.where(container)}: {key!r} is required here")
        return None
    value, place = container[key], source.where(container, key)
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        problems.append(f"{place}: {key} is a whole number; got {value!r}")
    elif kind == "str" and not isinstance(value, (str, int)):
        problems.append(f"{place}: {key} is text; got {value!r}")
    elif kind == "date" and (isinstance(value, datetime) or not isinstance(value, date)):
        problems.append(f"{place}: {key} is a date like 2026-12-01; got {value!r}")
    elif kind == "ids" and (not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int)
                                                                for v in value)):
        problems.append(f"{place}: {key} is a list of organisation ids; got {value!r}")
    elif isinstance(kind, tuple) and value not in kind:
        problems.append(f"{place}: {key} is one of {', '.join(kind)}; got {value!r}{nearest(value, kind)}")
    else:
        return str(value) if kind == "str" else tuple(value) if kind == "ids" else value
    return None


def read_facts(entity, example, source, problems):
    """The example's entity facts as EntityFacts."""
    if not isinstance(entity, dict):
        problems.append(f"{source.where(example, 'entity')}: 'entity' is a mapping of facts")
        return None
    values = {"entity_id": 1}
    for key in entity:
        if key not in FACT_TYPES:
            problems.append(f"{source.where_key(entity, key)}: unknown fact {key!r}{nearest(key, FACT_TYPES)}")
            continue
        kind = FACT_TYPES[key]
        if isinstance(kind, type):
            values[key] = read_items(kind, entity, key, source, problems)
        elif entity[key] is not None:
            values[key] = check(entity, key, kind, source, problems)
    if "regulators" not in entity:
        # As the sweep gathers them: the regulators of every licence the entity holds.
        values["regulators"] = tuple(sorted({r for licence in values.get("licences", ()) for r in licence.regulators}))
    return EntityFacts(**values)


def read_items(model, entity, key, source, problems):
    """A list fact's items as `model` instances."""
    items = entity[key]
    if not isinstance(items, list):
        problems.append(f"{source.where(entity, key)}: {key} is a list")
        return ()
    types = ITEM_TYPES[model]
    required = [f.name for f in fields(model) if f.default is MISSING]
    found = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"{source.where(items, index)}: an item of {key} is a mapping of {', '.join(types)}")
            continue
        start = len(problems)
        for name in item:
            if name not in types:
                problems.append(f"{source.where_key(item, name)}: {key} items have no {name!r}"
                                f"{nearest(name, types)}; "
                                f"they have {', '.join(types)}")
        values = {name: check(item, name, types[name], source, problems, required=name in required)
                  for name in types if name in item or name in required}
        if len(problems) == start:
            found.append(model(**{k: v for k, v in values.items() if v is not None}))
    return tuple(found)


def read_expected(example, source, triggers, problems):
    """The expected tasks as a set of (reason, due_on, owner)."""
    items = example.get("expect")
    if not isinstance(items, list):
        problems.append(f"{source.where(example, 'expect')}: 'expect' is a list of {{reason, due_on, owners}} "
                        "([] for no task)")
        return set()
    expected = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"reason", "due_on", "owners"}:
            problems.append(f"{source.where(items, index)}: an expected task is {{reason, due_on, owners}}")
            continue
        if item["reason"] not in triggers:
            problems.append(f"{source.where(item, 'reason')}: {item['reason']!r} is not a trigger of this policy"
                            f"{nearest(item['reason'], triggers)}")
        due = check(item, "due_on", "date", source, problems)
        owners = check(item, "owners", "ids", source, problems)
        if due is not None and owners:
            expected.update((item["reason"], due, owner) for owner in owners)
    return expected


def shipped_schedules():
    """The shipped rule sets' tiers (rules/default for agencies, rules/employer for employers)."""
    from app.scoring import rules  # noqa: PLC0415 (only examples need them)
    schedules = {}
    for kind, folder in (("agency", "default"), ("employer", "employer")):
        tiers = rules.load(RULES / folder).policy.tiers
        schedules[kind] = Schedule(tuple(t.name for t in tiers), {t.name: t.reaudit_months for t in tiers})
    return schedules


def run_examples(policy, schedules=None):
    """Run every example of the policy; returns the failures as 'file:line: ...' lines."""
    schedules = schedules or shipped_schedules()
    failures = []
    for name, place, now, platform, months, facts, expected in policy.examples:
        mine = dict(schedules)
        if months:
            mine[facts.kind] = Schedule(tuple(months), dict(months))
        got = {(t.reason, t.due_on, t.organisation_id)
               for t in wanted_tasks(policy, Context(now, mine, platform), facts)}
        if got != expected:
            failures.append(f"{place}: {name}: expected {show(expected)}, got {show(got)}")
    return failures


def show(tasks):
    """Tasks as 'reason due on DATE for ORG' items, sorted."""
    if not tasks:
        return "no task"
    return "; ".join(f"{reason} due {due} for {owner}" for reason, due, owner in sorted(tasks))
