"""The recruitment chain's drawing (pure): who goes on which line, how far indented, and what is cut."""
from app.registry import graph

NAMES = {1: "Al Bidda Contracting W.L.L.", 2: "Lusail Hospitality Group W.L.L.", 3: "Shikhar Overseas",
         4: "Gorkha Global Placement", 5: "Terai Village Recruiters", 6: "Another Agency"}


def lines(layout):
    return [(node.id, node.x) for node in sorted(layout.nodes, key=lambda node: node.y)]


def test_an_agency_has_its_employers_above_and_its_sub_agents_below():
    links = [(1, 3), (2, 3), (3, 4), (4, 5)]
    drawn = graph.layout(3, links, NAMES)
    assert lines(drawn) == [(1, 0), (3, graph.INDENT), (4, 2 * graph.INDENT), (5, 3 * graph.INDENT),
                            (2, 0)]
    assert [node.current for node in drawn.nodes] == [False, True, False, False, False]
    assert len(drawn.edges) == 4 and drawn.height == 5 * (graph.ROW + graph.GAP) - graph.GAP


def test_only_the_chain_through_the_entity_is_drawn():
    # Another agency of the same employer is not part of the sub-agent's chain.
    drawn = graph.layout(4, [(1, 3), (3, 4), (1, 6)], NAMES)
    assert {node.id for node in drawn.nodes} == {1, 3, 4}


def test_long_names_are_shortened_to_fit_and_kept_whole_for_the_title():
    name = "The Very Long Name of an Overseas Employment Promotion Agency Pvt. Ltd."
    drawn = graph.layout(1, [(1, 2)], {1: name, 2: "Short"})
    node = drawn.nodes[0]
    assert node.name == name and node.label.endswith("…") and len(node.label) * graph.CHAR <= node.width


def test_right_to_left_the_chain_is_indented_from_the_right():
    drawn = graph.layout(3, [(1, 3)], NAMES, rtl=True)
    employer, agency = sorted(drawn.nodes, key=lambda node: node.y)
    assert (employer.x, employer.width) == (0, graph.WIDTH)
    assert (agency.x, agency.width) == (0, graph.WIDTH - graph.INDENT)
    assert agency.text_x == graph.WIDTH - graph.INDENT - graph.PAD
    assert drawn.edges[0].path.endswith(f"H{graph.WIDTH - graph.INDENT}")
