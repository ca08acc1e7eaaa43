"""The incentive criteria answer d-separation for many nodes in one pass (`_d_connected`) and
read witnesses off one breadth-first search (`breadth_first`). Both must agree with networkx's
one-pair-at-a-time algorithms on every graph."""

import networkx as nx
from hypothesis import given, settings, strategies as st

from wiring.analysis.graph import breadth_first, trace
from wiring.analysis.incentives import _d_connected


@st.composite
def dags(draw):
    size = draw(st.integers(1, 9))
    edges = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, size - 1)), max_size=20))
    graph = nx.DiGraph()
    graph.add_nodes_from(range(size))
    graph.add_edges_from((a, b) for a, b in edges if a < b)   # a < b: acyclic
    return graph


@settings(max_examples=300, deadline=None)
@given(dags(), st.data())
def test_d_connected_agrees_with_networkx(graph, data):
    nodes = sorted(graph.nodes)
    sources = set(data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3)))
    given_ = set(data.draw(st.lists(st.sampled_from(nodes), max_size=3))) - sources
    connected = _d_connected(graph, sources, given_)
    for node in nodes:
        if node in sources or node in given_:
            continue
        assert (node in connected) == (not nx.is_d_separator(graph, {node}, sources, given_))


@settings(max_examples=200, deadline=None)
@given(dags(), st.data())
def test_search_gives_shortest_paths(graph, data):
    nodes = sorted(graph.nodes)
    start = data.draw(st.sampled_from(nodes))
    avoid = set(data.draw(st.lists(st.sampled_from(nodes), max_size=2))) - {start}
    came_from = breadth_first(graph.succ, [start], through=avoid)
    for node in nodes:
        # Nodes of `avoid` are reached as ends but never passed through.
        view = nx.restricted_view(graph, avoid - {node}, [])
        reachable = nx.has_path(view, start, node)
        assert (node in came_from) == reachable
        if reachable:
            path = trace(came_from, node)
            assert path[0] == start and path[-1] == node
            assert all(graph.has_edge(a, b) for a, b in zip(path, path[1:]))
            assert len(path) == nx.shortest_path_length(view, start, node) + 1


@settings(max_examples=300, deadline=None)
@given(dags(), st.data())
def test_d_connected_within_a_window_of_levels(graph, data):
    """Staying at or below a level at least that of the sources and the conditioning set (an
    ancestral set), with the ancestors of the conditioning set found only as deep as asked,
    gives the same answer for every node of the window (how requisite links and VoI are
    decided)."""
    nodes = sorted(graph.nodes)
    sources = set(data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3)))
    given_ = set(data.draw(st.lists(st.sampled_from(nodes), max_size=3))) - sources
    levels = {n: level for level, generation in enumerate(nx.topological_generations(graph))
              for n in generation}
    lowest = max(levels[n] for n in sources | given_)
    cap = data.draw(st.integers(lowest, max(levels.values())))
    whole_requisite: set = set()
    whole = _d_connected(graph, sources, given_, requisite=whole_requisite)
    windowed_requisite: set = set()
    windowed = _d_connected(graph, sources, given_, (levels, cap), windowed_requisite)
    assert windowed == {n for n in whole if levels[n] <= cap}
    assert windowed_requisite == whole_requisite


@settings(max_examples=300, deadline=None)
@given(dags(), st.data())
def test_one_pass_finds_the_requisite_observations(graph, data):
    """The observed nodes one pass reaches are those d-connected to the sources given the other
    observed nodes (Shachter's Bayes-Ball): how one pass decides every parent of a decision."""
    nodes = sorted(graph.nodes)
    sources = set(data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3)))
    given_ = set(data.draw(st.lists(st.sampled_from(nodes), max_size=4))) - sources
    reached: set = set()
    _d_connected(graph, sources, given_, requisite=reached)
    for node in given_:
        assert (node in reached) == \
            (not nx.is_d_separator(graph, {node}, sources, given_ - {node}))
