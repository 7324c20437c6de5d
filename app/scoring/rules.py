"""Rule sets: a directory of YAML files (see rules/README.md) read into validated, frozen objects.

Loading checks everything before anything is used: YAML syntax, rule fields, operators, fact names and types,
messages, examples. Every problem is reported with its file:line:column; a bad rule set is never returned.
"""
from dataclasses import dataclass, field
import hashlib
import os
from pathlib import Path

from app.registry.vocab import ENTITY_KINDS, country_name
from app.scoring.catalogue import CATALOGUE, PRINCIPLES
from app.scoring.conditions import Context, compile_condition
from app.scoring.located import Located, Problems, nearest
from app.scoring.messages import compile_message

SEVERITIES = ("critical", "major", "minor")
OUTCOMES = ("pass", "fail", "unknown")
RULE_KEYS = ("id", "title", "principle", "source", "applies_to", "severity", "weight", "condition", "when_unknown",
             "message", "pass_message", "unknown_message", "remediation", "examples")
REQUIRED_KEYS = ("id", "title", "principle", "severity", "weight", "condition", "message", "remediation")
SET_KEYS = ("id", "title", "version", "kinds", "extends", "disable", "tiers", "critical_tier", "min_coverage",
            "low_coverage_tier", "examples")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    principle: str
    source: str
    kinds: tuple
    countries: tuple
    corridors: tuple
    severity: str
    weight: float
    condition: object
    when_unknown: str
    message: tuple
    pass_message: tuple
    unknown_message: tuple
    remediation: str
    facts_used: tuple
    examples: tuple
    place: str

    def applies(self, kind, country, corridors):
        return (kind in self.kinds and (not self.countries or country in self.countries)
                and (not self.corridors or any(c in self.corridors for c in corridors)))


@dataclass(frozen=True)
class Tier:
    name: str
    min_score: float
    reaudit_months: int


@dataclass(frozen=True)
class Policy:
    """Tiers from the lowest risk to the highest, and what overrides the score."""

    tiers: tuple
    critical_tier: str
    min_coverage: float
    low_coverage_tier: str

    def rank(self, name):
        return [t.name for t in self.tiers].index(name)

    def tier_for(self, total, coverage, critical):
        """The tier of a score: critical failures and thin evidence never leave an entity in a low tier."""
        if critical:
            return self.critical_tier
        if total is None:
            return self.low_coverage_tier
        by_score = next((t.name for t in self.tiers if total >= t.min_score), self.tiers[-1].name)
        if coverage < self.min_coverage and self.rank(self.low_coverage_tier) > self.rank(by_score):
            return self.low_coverage_tier
        return by_score

    def reaudit_months(self, tier):
        return next(t.reaudit_months for t in self.tiers if t.name == tier)


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    version: str
    content_hash: str
    kinds: tuple
    rules: tuple
    policy: Policy
    examples: tuple
    directory: str
    files: tuple = ()           # every file that made the set, those of the set it extends included
    scopes: dict = field(default_factory=dict, compare=False, repr=False)

    def rules_for(self, kind, country, corridors=()):
        """The rules that apply to an entity of this kind, country and corridors (remembered per combination)."""
        key = (kind, country, tuple(corridors))
        found = self.scopes.get(key)
        if found is None:
            found = self.scopes[key] = tuple(rule for rule in self.rules if rule.applies(kind, country, corridors))
        return found


def load(directory):
    """Read and check the rule set in `directory`; raises Problems listing every problem."""
    directory = Path(directory)
    problems = []
    meta_file = directory / "ruleset.yaml"
    if not meta_file.is_file():
        raise Problems([f"{directory}: no ruleset.yaml (every rule-set directory has one)"])
    meta, meta_source = read(meta_file, problems)
    if not isinstance(meta, dict):
        raise Problems(problems + [f"{meta_file}:1:1: ruleset.yaml must be a mapping"])
    for key in meta:
        if key not in SET_KEYS:
            problems.append(f"{meta_source.where(meta, key)}: unknown key {key!r}{nearest(key, SET_KEYS)}")
    files = [meta_file]
    rules = {}
    if meta.get("extends"):
        base_dir = (directory / str(meta["extends"])).resolve()
        try:
            base = load(base_dir)
        except Problems as err:
            raise Problems([f"{meta_source.where(meta, 'extends')}: the extended rule set is not valid"]
                           + err.problems) from None
        rules = {rule.id: rule for rule in base.rules}
        files += list(base.files)
    for rule_id in meta.get("disable") or []:
        if rules.pop(rule_id, None) is None:
            problems.append(f"{meta_source.where(meta, 'disable')}: cannot disable {rule_id!r}: no such rule"
                            f"{nearest(rule_id, rules)}")
    kinds = tuple(meta.get("kinds") or ENTITY_KINDS)
    own = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "ruleset.yaml":
            continue
        files.append(path)
        document, source = read(path, problems)
        items = document.get("rules") if isinstance(document, dict) else None
        if not isinstance(items, list):
            problems.append(f"{path}:1:1: a rule file is a mapping with a 'rules' list")
            continue
        for index, item in enumerate(items):
            rule = read_rule(item, source, items, index, kinds, problems)
            if rule is None:
                continue
            if rule.id in own:
                problems.append(f"{rule.place}: duplicate rule id {rule.id!r} (first at {own[rule.id].place})")
            own[rule.id] = rule
    rules.update(own)
    policy = read_policy(meta, meta_source, problems)
    check_set_examples(meta, meta_source, problems)
    if problems:
        raise Problems(problems)
    return RuleSet(id=str(meta.get("id") or directory.name), title=str(meta.get("title") or directory.name),
                   version=str(meta.get("version") or "1"), content_hash=content_hash(directory, files),
                   kinds=kinds, rules=tuple(rules.values()), policy=policy,
                   examples=tuple(meta.get("examples") or ()), directory=str(directory),
                   files=tuple(sorted({Path(f).resolve() for f in files})))


def files_stamp(directory):
    """Names, sizes and modification times of a rule set's files (and those of the set it extends)."""
    directory = Path(directory)
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(directory.glob("*.yaml")))
    meta = directory / "ruleset.yaml"
    if meta.is_file() and "extends:" in meta.read_text(encoding="utf-8"):
        for line in meta.read_text(encoding="utf-8").splitlines():
            if line.startswith("extends:"):
                stamp += files_stamp((directory / line.split(":", 1)[1].strip()).resolve())
    return stamp


def read(path, problems):
    """The plain value of a YAML file and its Located source (problems are appended)."""
    try:
        source = Located(path, Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise Problems([f"{path}:1:1: not UTF-8 text"]) from None
    problems += source.problems
    return source.value, source


def content_hash(directory, files):
    """sha256 over the files that make the rule set (named relative to its folder), so a score names exactly
    what produced it, wherever the files are kept."""
    digest = hashlib.sha256()
    for path in sorted({Path(f).resolve() for f in files}):
        digest.update(os.path.relpath(path, Path(directory).resolve()).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_policy(meta, source, problems):
    """Tiers, the critical tier and the coverage floor from ruleset.yaml."""
    tiers = []
    for index, item in enumerate(meta.get("tiers") or []):
        if not isinstance(item, dict) or set(item) != {"name", "min_score", "reaudit_months"}:
            problems.append(f"{source.where(meta['tiers'], index)}: a tier is {{name, min_score, reaudit_months}}")
            continue
        if not isinstance(item["min_score"], (int, float)) or not 0 <= item["min_score"] <= 100:
            problems.append(f"{source.where(item, 'min_score')}: min_score is a number from 0 to 100")
            continue
        if not isinstance(item["reaudit_months"], int) or item["reaudit_months"] <= 0:
            problems.append(f"{source.where(item, 'reaudit_months')}: reaudit_months is a whole number above 0")
            continue
        tiers.append(Tier(str(item["name"]), float(item["min_score"]), item["reaudit_months"]))
    if not tiers:
        problems.append(f"{source.where(meta, 'tiers')}: ruleset.yaml needs tiers, from the lowest risk up")
        return None
    if [t.min_score for t in tiers] != sorted((t.min_score for t in tiers), reverse=True):
        problems.append(f"{source.where(meta, 'tiers')}: list tiers from the lowest risk (highest min_score) up")
    names = [t.name for t in tiers]
    for key in ("critical_tier", "low_coverage_tier"):
        if meta.get(key) not in names:
            problems.append(f"{source.where(meta, key)}: {key} must name a tier{nearest(meta.get(key), names)}; "
                            f"tiers: {', '.join(names)}")
    coverage = meta.get("min_coverage", 0.5)
    if not isinstance(coverage, (int, float)) or not 0 <= coverage <= 1:
        problems.append(f"{source.where(meta, 'min_coverage')}: min_coverage is a share from 0 to 1")
    return Policy(tuple(tiers), meta.get("critical_tier"), float(coverage) if isinstance(coverage, (int, float))
                  else 0.5, meta.get("low_coverage_tier"))


def read_rule(item, source, items, index, kinds, problems):
    """One rule from its YAML mapping, or None (with problems appended)."""
    if not isinstance(item, dict):
        problems.append(f"{source.where(items, index)}: a rule is a mapping")
        return None
    place = source.where(items, index)
    start = len(problems)
    for key in item:
        if key not in RULE_KEYS:
            problems.append(f"{source.where(item, key)}: unknown rule key {key!r}{nearest(key, RULE_KEYS)}")
    for key in REQUIRED_KEYS:
        if key not in item:
            problems.append(f"{place}: rule {item.get('id', '#' + str(index + 1))} has no {key!r}")
    if len(problems) > start:
        return None
    if item["principle"] not in PRINCIPLES:
        problems.append(f"{source.where(item, 'principle')}: unknown principle {item['principle']!r}; "
                        f"principles are {', '.join(PRINCIPLES)} (DOMAIN.md)")
    if item["severity"] not in SEVERITIES:
        problems.append(f"{source.where(item, 'severity')}: severity is one of {', '.join(SEVERITIES)}")
    weight = item["weight"]
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        problems.append(f"{source.where(item, 'weight')}: weight must be a number of 0 or more; got {weight!r}")
    when_unknown = item.get("when_unknown", "unknown")
    if when_unknown not in ("unknown", "fail"):
        problems.append(f"{source.where(item, 'when_unknown')}: when_unknown is 'unknown' or 'fail'")
    scope = read_scope(item, source, kinds, problems)
    ctx = Context(source, problems)
    condition = compile_condition(item["condition"], ctx, item, "condition")
    messages = {key: compile_message(str(item.get(key) or default), source.where(item, key), problems)
                for key, default in (("message", ""), ("pass_message", item["title"]),
                                     ("unknown_message", "Not enough evidence to judge: " + item["title"]))}
    examples = read_examples(item, source, problems)
    if len(problems) > start:
        return None
    return Rule(str(item["id"]), str(item["title"]), item["principle"], str(item.get("source") or ""), *scope,
                item["severity"], float(weight), condition, when_unknown, messages["message"],
                messages["pass_message"], messages["unknown_message"], str(item["remediation"]),
                tuple(ctx.facts_used), examples, place)


def read_scope(item, source, kinds, problems):
    """(kinds, countries, corridors) a rule applies to."""
    scope = item.get("applies_to") or {}
    if not isinstance(scope, dict) or set(scope) - {"kinds", "countries", "corridors"}:
        problems.append(f"{source.where(item, 'applies_to')}: applies_to takes kinds, countries and corridors")
        return kinds, (), ()
    rule_kinds = tuple(scope.get("kinds") or kinds)
    for kind in rule_kinds:
        if kind not in ENTITY_KINDS:
            problems.append(f"{source.where(scope, 'kinds')}: unknown kind {kind!r}; kinds: agency, employer")
    countries = tuple(str(c).upper() for c in scope.get("countries") or ())
    for country in countries:
        if country_name(country) is None:
            problems.append(f"{source.where(scope, 'countries')}: {country!r} is not an ISO 3166-1 alpha-2 code")
    corridors = tuple(str(c).upper() for c in scope.get("corridors") or ())
    for corridor in corridors:
        parts = corridor.split("-")
        if len(parts) != 2 or any(country_name(p) is None for p in parts):
            problems.append(f"{source.where(scope, 'corridors')}: {corridor!r} is not a corridor like NP-QA")
    return rule_kinds, countries, corridors


def check_set_examples(meta, source, problems):
    """Whole-set examples: {name, kind, country, corridors, facts, expect_tier} with known facts and tiers."""
    tiers = [t.get("name") for t in meta.get("tiers") or [] if isinstance(t, dict)]
    for index, example in enumerate(meta.get("examples") or []):
        place = source.where(meta["examples"], index)
        allowed = {"name", "kind", "country", "corridors", "facts", "expect_tier"}
        if not isinstance(example, dict) or set(example) - allowed or "expect_tier" not in example:
            problems.append(f"{place}: a rule-set example is {{facts: {{...}}, expect_tier: TIER}} "
                            "(with optional name, kind, country, corridors)")
            continue
        if example["expect_tier"] not in tiers:
            problems.append(f"{source.where(example, 'expect_tier')}: no tier {example['expect_tier']!r}"
                            f"{nearest(example['expect_tier'], tiers)}")
        facts = example.get("facts") or {}
        for name in facts if isinstance(facts, dict) else ():
            if name not in CATALOGUE:
                problems.append(f"{source.where(facts, name)}: unknown fact {name!r}{nearest(name, CATALOGUE)}")


def read_examples(item, source, problems):
    """The rule's examples: (facts, expected outcome, place)."""
    examples = []
    for index, example in enumerate(item.get("examples") or []):
        place = source.where(item["examples"], index)
        if not isinstance(example, dict) or set(example) - {"facts", "expect", "name"} or "expect" not in example:
            problems.append(f"{place}: an example is {{facts: {{...}}, expect: pass|fail|unknown}}")
            continue
        if example["expect"] not in OUTCOMES:
            problems.append(f"{source.where(example, 'expect')}: expect is one of {', '.join(OUTCOMES)}")
        facts = example.get("facts") or {}
        for name in facts if isinstance(facts, dict) else ():
            if name not in CATALOGUE:
                problems.append(f"{source.where(facts, name)}: unknown fact {name!r}{nearest(name, CATALOGUE)}")
        examples.append((facts, example["expect"], place, example.get("name") or f"example {index + 1}"))
    return tuple(examples)


def snapshot(ruleset):
    """The set's files as {path relative to their common folder: text}, and the set's own folder in it."""
    common = Path(ruleset.files[0]).parent
    for path in ruleset.files:
        while common not in Path(path).parents:
            common = common.parent
    files = {str(Path(path).relative_to(common)): Path(path).read_text(encoding="utf-8") for path in ruleset.files}
    return {"root": str(Path(ruleset.directory).resolve().relative_to(common)), "files": files}


def load_snapshot(snap, into):
    """Load a rule set again from a snapshot, written out under the folder `into`."""
    for relative, text in snap["files"].items():
        target = Path(into) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return load(Path(into) / snap["root"])
