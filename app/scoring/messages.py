"""Rule messages: text with {fact_name} placeholders filled with the entity's fact values."""
import re

from app.scoring.catalogue import CATALOGUE
from app.scoring.located import nearest

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def compile_message(template, place, problems):
    """The template as (kind, text) parts; unknown fact names are problems at `place`."""
    parts, last = [], 0
    for match in PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in CATALOGUE:
            problems.append(f"{place}: the message names unknown fact {{{name}}}{nearest(name, CATALOGUE)}")
        parts += [("text", template[last:match.start()]), ("fact", name)]
        last = match.end()
    parts.append(("text", template[last:]))
    return tuple(p for p in parts if p[1])


def render(parts, facts):
    """The message with fact values filled in."""
    if len(parts) == 1 and parts[0][0] == "text":
        return parts[0][1]
    return "".join([text if kind == "text" else show(facts.get(text)) for kind, text in parts])


def show(value):
    """A fact value as a message shows it."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return str(len(value))
    return str(value)
