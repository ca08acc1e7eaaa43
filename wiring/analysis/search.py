"""Breadth-first search over plain adjacency (a dict or list from each node to its heads):
the one search every analysis runs, millions of times on large proposals, so it reads the
adjacency directly rather than through networkx's views."""

from __future__ import annotations


def breadth_first(adjacency, starts, through=frozenset(), by=None, until=None,
                  window=None) -> dict:
    """Breadth-first search from `starts` over `adjacency` (a graph's `succ` or `pred`): every
    node reached, mapped to the node it was first reached from (None for a start). Nodes in
    `through` (or whose `by(node)` is in it) are reached but not passed through. Following the
    links back from a node gives a shortest path to it (`trace`), so one search answers every
    question asked from the same starts. `until(layer)`, given the nodes each step reaches,
    may stop the search after that step. `window`, (level, low, high), skips every node whose
    level is outside [low, high]: with levels that grow along every edge, the search then
    finds the same parents for every node a path from `starts` to a node in the window
    reaches, at a cost bounded by the window rather than the graph."""
    if window is not None:
        level, low, high = window
        adjacency = _Windowed(adjacency, level, low, high)
    parents = dict.fromkeys(starts)
    frontier = list(parents)
    while frontier:
        following = []
        for node in frontier:
            if parents[node] is not None and (by(node) if by else node) in through:
                continue  # an end, not a way through
            for neighbour in adjacency[node]:
                if neighbour not in parents:
                    parents[neighbour] = node
                    following.append(neighbour)
        if until is not None and until(following):
            break
        frontier = following
    return parents


class _Windowed:
    """An adjacency seen through a window of levels (`breadth_first`)."""

    def __init__(self, adjacency, level: dict, low, high):
        self.adjacency, self.level, self.low, self.high = adjacency, level, low, high

    def __getitem__(self, node):
        level, low, high = self.level, self.low, self.high
        return [n for n in self.adjacency[node] if low <= level[n] <= high]


def trace(parents: dict, node) -> list:
    """The path `breadth_first` found to `node`, from its start to `node`."""
    path = []
    while node is not None:   # one lookup a step: witnesses are traced by the ten thousand
        path.append(node)
        node = parents[node]
    return path[::-1]
