"""Rule conditions: declarative data checked against the fact catalogue and compiled into closures.

Three-valued: a condition gives True, False or None (unknown, when a fact it needs is missing). `all` is False
if any part is False, else unknown if any part is; `any` is True if any part is True, else unknown if any part
is; `not` keeps unknown. Nothing is ever eval'd.
"""
import operator

from app.scoring.catalogue import CATALOGUE
from app.scoring.located import nearest

COMPARISONS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt,
               "ge": operator.ge}
CONDITIONS = ("all", "any", "not", "exists", "in", *COMPARISONS)
OPERANDS = ("fact", "field", "count", "sum")
NUMERIC = ("int", "number")


class Context:
    """Where a condition sits (for errors), the list whose items `field` reads, and the facts it used."""

    def __init__(self, source, problems, item_fact=None):
        self.source, self.problems, self.item_fact = source, problems, item_fact
        self.facts_used = []

    def error(self, container, key, message):
        self.problems.append(f"{self.source.where(container, key)}: {message}")

    def inside(self, fact):
        inner = Context(self.source, self.problems, fact)
        inner.facts_used = self.facts_used
        return inner


def unknown_part(container, key):
    return lambda facts, item: None


def compile_condition(node, ctx, container, key):
    """A closure (facts, item) -> True/False/None for a condition node at container[key]."""
    if not isinstance(node, dict) or len(node) != 1:
        ctx.error(container, key, f"a condition is a mapping with one operator ({', '.join(CONDITIONS)})")
        return unknown_part(container, key)
    op, arg = next(iter(node.items()))
    if op in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            ctx.error(node, op, f"'{op}' takes a non-empty list of conditions")
            return unknown_part(node, op)
        parts = [compile_condition(part, ctx, arg, i) for i, part in enumerate(arg)]
        return all_of(parts) if op == "all" else any_of(parts)
    if op == "not":
        part = compile_condition(arg, ctx, node, op)
        return lambda facts, item: None if (v := part(facts, item)) is None else not v
    if op == "exists":
        value, _, _ = compile_operand({"fact": arg} if isinstance(arg, str) else arg, ctx, node, op)
        return lambda facts, item: value(facts, item) is not None
    if op in COMPARISONS:
        return compile_comparison(op, arg, ctx, node)
    if op == "in":
        return compile_membership(arg, ctx, node)
    ctx.error(node, op, f"unknown operator {op!r}{nearest(op, CONDITIONS + OPERANDS)}; "
                        f"conditions use {', '.join(CONDITIONS)}")
    return unknown_part(node, op)


def all_of(parts):
    def check(facts, item):
        unknown = False
        for part in parts:
            verdict = part(facts, item)
            if verdict is False:
                return False
            unknown = unknown or verdict is None
        return None if unknown else True
    return check


def any_of(parts):
    def check(facts, item):
        unknown = False
        for part in parts:
            verdict = part(facts, item)
            if verdict is True:
                return True
            unknown = unknown or verdict is None
        return None if unknown else False
    return check


def compile_comparison(op, arg, ctx, node):
    if not isinstance(arg, list) or len(arg) != 2:
        ctx.error(node, op, f"'{op}' takes a list of two operands, e.g. {op}: [{{fact: licence_count}}, 1]")
        return unknown_part(node, op)
    (left, left_type, left_values), (right, right_type, right_values) = (
        compile_operand(arg[0], ctx, arg, 0), compile_operand(arg[1], ctx, arg, 1))
    check_types(op, (left_type, left_values, arg[0]), (right_type, right_values, arg[1]), ctx, arg)
    compare = COMPARISONS[op]
    if isinstance(arg[0], dict) and set(arg[0]) <= {"fact", "field"} and not isinstance(arg[1], (dict, list)):
        # The common cases, a fact or an item field against a value, without operand calls (rules run
        # millions of times).
        (source, name), value = next(iter(arg[0].items())), arg[1]

        def check_fact(facts, item):
            found = facts.get(name)
            return None if found is None else compare(found, value)

        def check_field(facts, item):
            found = item.get(name)
            return None if found is None else compare(found, value)
        return check_fact if source == "fact" else check_field

    def check(facts, item):
        a, b = left(facts, item), right(facts, item)
        return None if a is None or b is None else compare(a, b)
    return check


def check_types(op, left, right, ctx, arg):
    """Refuse comparisons that can never be meaningful: string against number, ordering of booleans..."""
    (left_type, left_values, left_node), (right_type, right_values, right_node) = left, right
    if left_type is None or right_type is None:
        return
    compatible = left_type == right_type or (left_type in NUMERIC and right_type in NUMERIC)
    if not compatible:
        ctx.error(arg, 0, f"type mismatch in '{op}': {describe(left_node)} is {left_type}, "
                          f"{describe(right_node)} is {right_type}")
    elif op in ("lt", "le", "gt", "ge") and left_type not in NUMERIC:
        ctx.error(arg, 0, f"'{op}' orders numbers; {describe(left_node)} is {left_type}")
    for values, other_node, index in ((left_values, right_node, 1), (right_values, left_node, 0)):
        if values and not isinstance(other_node, (dict, list)) and other_node not in values:
            ctx.error(arg, index, f"{other_node!r} is not a possible value{nearest(other_node, values)}; "
                                  f"allowed: {', '.join(values)}")


def compile_membership(arg, ctx, node):
    if not isinstance(arg, list) or len(arg) != 2 or not isinstance(arg[1], list):
        ctx.error(node, "in", "'in' takes [operand, [value, value, ...]]")
        return unknown_part(node, "in")
    value, value_type, allowed = compile_operand(arg[0], ctx, arg, 0)
    choices = frozenset(arg[1])
    for index, choice in enumerate(arg[1]):
        if allowed and choice not in allowed:
            ctx.error(arg[1], index, f"{choice!r} is not a possible value{nearest(choice, allowed)}")
        elif value_type and literal_type(choice) and not (
                literal_type(choice) == value_type or {literal_type(choice), value_type} <= set(NUMERIC)):
            ctx.error(arg[1], index, f"type mismatch in 'in': {describe(arg[0])} is {value_type}, "
                                     f"{choice!r} is {literal_type(choice)}")

    def check(facts, item):
        found = value(facts, item)
        return None if found is None else found in choices
    return check


def literal_type(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def describe(node):
    if isinstance(node, dict) and len(node) == 1:
        op, arg = next(iter(node.items()))
        return f"{op} {arg}" if op in ("fact", "field") else op
    return repr(node)


def compile_operand(node, ctx, container, key):
    """(closure, type, allowed values) for an operand: a literal, {fact}, {field}, {count} or {sum}."""
    if not isinstance(node, dict):
        if literal_type(node) is None:
            ctx.error(container, key, f"{node!r} is not a value a rule can compare")
        return (lambda facts, item: node), literal_type(node), ()
    if len(node) != 1:
        ctx.error(container, key, f"an operand is one of {', '.join(OPERANDS)} or a plain value")
        return (lambda facts, item: None), None, ()
    op, arg = next(iter(node.items()))
    if op == "fact":
        fact = known_fact(arg, ctx, node, op)
        if fact is None:
            return (lambda facts, item: None), None, ()
        if arg not in ctx.facts_used:
            ctx.facts_used.append(arg)
        return (lambda facts, item: facts.get(arg)), fact.type, fact.values
    if op == "field":
        if ctx.item_fact is None:
            ctx.error(node, op, "'field' reads an item of a list and is only allowed inside a count or sum 'where'")
            return (lambda facts, item: None), None, ()
        fields = ctx.item_fact.fields
        if arg not in fields:
            ctx.error(node, op, f"{ctx.item_fact.name} items have no field {arg!r}{nearest(arg, fields)}; "
                                f"fields: {', '.join(fields)}")
            return (lambda facts, item: None), None, ()
        return (lambda facts, item: item.get(arg)), fields[arg], ctx.item_fact.field_values.get(arg, ())
    if op in ("count", "sum"):
        return compile_aggregate(op, arg, ctx, node)
    ctx.error(node, op, f"unknown operand {op!r}{nearest(op, OPERANDS + CONDITIONS)}; "
                        f"operands are {', '.join(OPERANDS)} or a plain value")
    return (lambda facts, item: None), None, ()


def known_fact(name, ctx, container, key):
    fact = CATALOGUE.get(name) if isinstance(name, str) else None
    if fact is None:
        ctx.error(container, key, f"unknown fact {name!r}{nearest(name, CATALOGUE)}")
    return fact


def compile_aggregate(op, arg, ctx, node):
    """count: items of a list fact matching `where`; sum: of one numeric field over them."""
    if not isinstance(arg, dict) or "fact" not in arg or set(arg) - {"fact", "where", "field"}:
        ctx.error(node, op, f"'{op}' takes {{fact: LIST_FACT, where: CONDITION}}"
                            + (", field: NUMERIC_FIELD" if op == "sum" else ""))
        return (lambda facts, item: None), None, ()
    name = arg["fact"]
    fact = known_fact(name, ctx, arg, "fact")
    if fact is None:
        return (lambda facts, item: None), None, ()
    if fact.type != "list":
        ctx.error(arg, "fact", f"'{op}' needs a list fact; {name} is {fact.type}")
        return (lambda facts, item: None), None, ()
    if name not in ctx.facts_used:
        ctx.facts_used.append(name)
    inner = ctx.inside(fact)
    where = compile_condition(arg["where"], inner, arg, "where") if "where" in arg else (lambda facts, item: True)
    if op == "count":
        def count(facts, item):
            items = facts.get(name)
            if items is None:
                return None
            verdicts = [where(facts, each) for each in items]
            return None if None in verdicts else sum(verdicts)
        return count, "int", ()
    field = arg.get("field")
    if fact.fields.get(field) not in NUMERIC:
        ctx.error(arg, "field" if "field" in arg else "fact",
                  f"'sum' needs a numeric field of {name}{nearest(field, fact.fields) if field else ''}")
        return (lambda facts, item: None), None, ()

    def total(facts, item):
        items = facts.get(name)
        if items is None:
            return None
        amount = 0
        for each in items:
            verdict = where(facts, each)
            if verdict is None or (verdict and each.get(field) is None):
                return None
            if verdict:
                amount += each[field]
        return amount
    return total, "number", ()
