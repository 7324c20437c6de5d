"""An entity's recruitment chain (employer -> agency -> sub-agent) laid out for a small SVG drawing, one entity a
line and indented by its step in the chain, so that it reads on a 320 px screen. Pure: ids, links and names in,
coordinates out."""
from dataclasses import dataclass

WIDTH = 300
ROW = 30            # a box's height
GAP = 12            # between two boxes
INDENT = 22         # per step down the chain
CHAR = 7.2          # the mean width of a character at the drawing's font size (13 px), to shorten long names
PAD = 8


@dataclass(frozen=True)
class Node:
    id: int
    name: str
    label: str      # the name, shortened to fit its box
    x: int
    y: int
    width: int
    current: bool   # the entity whose page this is
    text_x: int     # where the name starts (its box's left edge, or right edge right to left)


@dataclass(frozen=True)
class Edge:
    path: str       # SVG path data, from the client's box to the provider's


@dataclass(frozen=True)
class Layout:
    nodes: list
    edges: list
    width: int
    height: int


def shorten(name, width):
    """The name cut to what fits in a box this wide (the full name goes into the box's title)."""
    fits = max(int((width - 2 * PAD) / CHAR), 4)
    return name if len(name) <= fits else name[:fits - 1].rstrip() + "…"


def steps(center, links):
    """Each entity's step in the chain relative to the center (clients negative, providers positive), reached
    only along links: upwards through clients, downwards through providers."""
    step = {center: 0}
    for direction in (-1, 1):
        frontier = [center]
        while frontier:
            following = []
            for node in frontier:
                for client, provider in links:
                    near, far = (provider, client) if direction < 0 else (client, provider)
                    if near == node and far not in step:
                        step[far] = step[node] + direction
                        following.append(far)
            frontier = following
    return step


def layout(center, links, names, rtl=False):
    """Place the center and the entities linked to it (links: (client id, provider id) pairs; names: {id: name}):
    each on its own line, in the order of a walk from the chain's tops, indented by step (from the right when
    the page reads right to left)."""
    step = steps(center, links)
    top = min(step.values())
    children = {}
    for client, provider in sorted(set(links), key=lambda link: (names[link[0]], names[link[1]], link)):
        if client in step and provider in step and step[provider] == step[client] + 1:
            children.setdefault(client, []).append(provider)
    has_parent = {provider for kids in children.values() for provider in kids}
    roots = sorted((node for node in step if node not in has_parent), key=lambda node: (step[node], names[node]))
    order = []

    def walk(node):
        if node in order:
            return
        order.append(node)
        for child in children.get(node, []):
            walk(child)

    for root in roots:
        walk(root)
    places = {}
    nodes = []
    for row, node in enumerate(order):
        indent, y = (step[node] - top) * INDENT, row * (ROW + GAP)
        width = WIDTH - indent
        x = 0 if rtl else indent
        # Where the box begins in the reading direction: its left edge, or its right edge right to left.
        places[node] = (WIDTH - indent if rtl else indent, y)
        nodes.append(Node(node, names[node], shorten(names[node], width), x, y, width, node == center,
                          WIDTH - indent - PAD if rtl else indent + PAD))
    edges = []
    inwards = -1 if rtl else 1
    for client, kids in children.items():
        cx, cy = places[client]
        for provider in kids:
            px, py = places[provider]
            # Down from under the client's box, then across to the provider's box (a tree's elbow).
            edges.append(Edge(f"M{cx + inwards * (INDENT // 2)} {cy + ROW} V{py + ROW // 2} H{px}"))
    return Layout(nodes, edges, WIDTH, max(len(order) * (ROW + GAP) - GAP, ROW))
