"""Which rule set scores what: rule sets loaded once per content, activations with a copy of their files, and
the explanation of any stored score by exactly the rules that produced it."""
from pathlib import Path
import tempfile

from sqlalchemy import select

from app.errors import Conflict
from app.scoring import rules
from app.scoring.models import RuleSetActivation

RULES = Path(__file__).resolve().parent.parent.parent / "rules"
DEFAULTS = {"agency": RULES / "default", "employer": RULES / "employer"}
LOADED = {}


def load_rule_set(directory):
    """A rule set from disk, parsed again only when one of its files changes."""
    stamp = rules.files_stamp(directory)
    found = LOADED.get((str(directory), stamp))
    if found is None:
        found = LOADED[str(directory), stamp] = rules.load(directory)
    return found


def active_rule_set(session, kind, record=True):
    """The rule set that scores this kind: the latest activation, or else the shipped default, which is then
    recorded as activated (with a copy of its files) unless `record` is false (what-if, impact)."""
    activation = session.execute(select(RuleSetActivation.directory, RuleSetActivation.content_hash)
                                 .where(RuleSetActivation.kind == kind)
                                 .order_by(RuleSetActivation.id.desc()).limit(1)).first()
    directory = stored_path(activation.directory) if activation else DEFAULTS[kind]
    ruleset = load_rule_set(directory)
    if activation is None and record:
        record_activation(session, None, kind, ruleset)
    if activation and ruleset.content_hash != activation.content_hash:
        raise Conflict(f"The rules in {directory} changed on disk since they were activated "
                       f"({activation.content_hash[:12]} -> {ruleset.content_hash[:12]}); activate them again.")
    return ruleset


TRIED = set()


def remember_rule_sets(session):
    """Load (once per process) every activated rule set from the copy of its files kept at activation, so any
    score can be explained by exactly the rules that produced it."""
    known = {ruleset.content_hash for ruleset in LOADED.values()} | TRIED
    missing = set(session.scalars(select(RuleSetActivation.content_hash).distinct())) - known
    for content_hash in missing:
        TRIED.add(content_hash)
        snap = session.scalar(select(RuleSetActivation.files).where(RuleSetActivation.content_hash == content_hash)
                              .limit(1))
        with tempfile.TemporaryDirectory() as folder:
            ruleset = rules.load_snapshot(snap, folder)
        LOADED["snapshot", content_hash] = ruleset


def explained(score):
    """A score's outcomes in full, from the rule set it was computed with (kept in this process by hash)."""
    ruleset = next((r for r in LOADED.values() if r.content_hash == score.ruleset_hash), None)
    rules_by_id = {rule.id: rule for rule in ruleset.rules} if ruleset else {}
    outcomes = []
    for rule_id, outcome, message in score.outcomes:
        rule = rules_by_id.get(rule_id)
        full = {"rule_id": rule_id, "outcome": outcome, "message": message}
        if rule:
            full.update(title=rule.title, principle=rule.principle, severity=rule.severity, weight=rule.weight,
                        facts={name: score.facts.get(name) for name in rule.facts_used},
                        remediation="" if outcome == "pass" else rule.remediation, source=rule.source)
        outcomes.append(full)
    return outcomes


def stored_path(directory):
    """A recorded rule-set folder as a path: those shipped in rules/ are kept relative to the project."""
    path = Path(directory)
    return path if path.is_absolute() else RULES.parent / path


def recorded_path(directory):
    path = Path(directory).resolve()
    return str(path.relative_to(RULES.parent)) if RULES in path.parents else str(path)


def record_activation(session, actor, kind, ruleset):
    """Note that `ruleset` scores `kind` from now on, keeping a copy of every file that makes it."""
    session.add(RuleSetActivation(kind=kind, ruleset_id=ruleset.id, directory=recorded_path(ruleset.directory),
                                  content_hash=ruleset.content_hash, files=rules.snapshot(ruleset),
                                  activated_by_user_id=actor.user_id if actor else None))
    session.flush()
