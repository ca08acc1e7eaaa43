"""The graphs the analyses read, for cross-checking them with other tools (`wiring export --to`).

- `networkx_document`: one JSON document holding, as networkx node-link data
  (`networkx.node_link_data`), the analysed graph (`analysed_graph`: the diagram flattened into
  leaf boxes and the top diagram's ports, with its data wires and optimisation wires, as
  `wiring.analysis.build.build` makes it) and the unrolled influence diagram
  (`influence_diagram`: `wiring.analysis.unroll.unroll` over `steps`, each agent's decisions
  and utilities named in its `graph` part). Any networkx user reads them back with
  `networkx.node_link_graph(part, edges="edges")`.
- `pycid_macid`: the unrolled influence diagram as a PyCID `MACID` (the optional `pycid`
  package), each agent with its decisions and utilities, so that PyCID's own criteria can be
  run on exactly the graph whose incentives `wiring analyze` reports.

Node names are those the analyses print (`policy`, `in:obs`; `policy[rl]@0`, `Θ:rm@1`,
`U:policy#0@2`), in the analyses' own order, so the same proposal gives the same bytes.
"""

from __future__ import annotations

import json

from .analysis.build import build
from .analysis.graph import System
from .analysis.unroll import DEFAULT_STEPS, CID, unroll
from .model import Proposal

FORMAT = "wiring graphs, networkx node-link data"


def system_of(proposal: Proposal, diagram: str) -> System:
    return build(proposal, proposal.diagrams[diagram])


def analysed_graph(system: System):
    """The analysed graph as a networkx MultiDiGraph: a node per leaf box (and per port of the
    top diagram), an edge per data wire (`kind` "data", with its ports) and per box an
    optimisation signal reads (`kind` "optimisation", to the box it trains)."""
    import networkx as nx

    graph = nx.MultiDiGraph(diagram=system.diagram.name, modes=list(system.modes))
    for path, box in system.boxes.items():
        attributes = box.attributes
        graph.add_node(path, component=box.component, kind=attributes.kind,
                       kinds=list(box.kinds), trust=attributes.trust,
                       learned=attributes.learned, outer=box.outer, weights=box.weights,
                       modes=_modes(box.modes))
    for edge in system.edges:
        graph.add_edge(edge.source, edge.target, kind="data", source_port=edge.source_port,
                       target_port=edge.target_port, delayed=edge.delayed,
                       modes=_modes(edge.modes))
    for pressure in system.pressures:
        for box, port in dict.fromkeys(pressure.reads):
            graph.add_edge(box, pressure.target, kind="optimisation", source_port=port,
                           optimiser=pressure.training.optimiser, family=pressure.family,
                           training=pressure.index, modes=_modes(pressure.modes))
    return graph


def _modes(modes) -> list[str] | None:
    return None if modes is None else sorted(modes)


def influence_diagram(cid: CID):
    """The unrolled influence diagram as a networkx DiGraph of the nodes' printed names, each
    with its role (decision, chance, params, utility), place, step and mode; the graph's
    `agents` part names each agent's decisions and utilities."""
    import networkx as nx

    names = [str(node) for node in cid.nodes]
    graph = nx.DiGraph(steps=cid.steps, modes=list(cid.modes), agents={
        agent: {"decisions": [names[d] for d in decisions],
                "utilities": [names[u] for u in cid.utilities.get(agent, [])]}
        for agent, decisions in cid.decisions.items()})
    for number in sorted(range(len(names)), key=cid.order.__getitem__):
        node = cid.nodes[number]
        graph.add_node(names[number], role=node.role, place=str(node.place), step=node.step,
                       mode=node.mode)
    for tail in sorted(range(len(names)), key=cid.order.__getitem__):
        for head in sorted(cid.links.succ[tail], key=cid.order.__getitem__):
            graph.add_edge(names[tail], names[head])
    return graph


def networkx_document(proposal: Proposal, diagram: str, steps: int = DEFAULT_STEPS) -> str:
    """The JSON text of both graphs of one diagram (see the module's docstring)."""
    from networkx import node_link_data

    system = system_of(proposal, diagram)
    document = {
        "format": FORMAT,
        "file": proposal.file,
        "diagram": diagram,
        "steps": steps,
        "analysed_graph": node_link_data(analysed_graph(system), edges="edges"),
        "influence_diagram": node_link_data(influence_diagram(unroll(system, steps)),
                                            edges="edges"),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def pycid_macid(proposal: Proposal, diagram: str, steps: int = DEFAULT_STEPS):
    """The unrolled influence diagram as a `pycid.MACID`: its nodes and edges, each agent's
    decisions and utilities. Raises ImportError when PyCID is not installed."""
    import pycid

    graph = influence_diagram(unroll(system_of(proposal, diagram), steps))
    agents = graph.graph["agents"]
    macid = pycid.MACID(list(graph.edges),
                        agent_decisions={a: p["decisions"] for a, p in agents.items()},
                        agent_utilities={a: p["utilities"] for a, p in agents.items()})
    macid.add_nodes_from(graph.nodes)      # nodes without edges, too
    return macid


def pycid_script(proposal: Proposal, diagram: str, steps: int = DEFAULT_STEPS) -> str:
    """A Python module that builds the unrolled influence diagram as a `pycid.MACID` named
    `macid` (`wiring export --to pycid`): PyCID is needed to run it, not to write it. Every
    name is a JSON string literal, which Python reads as the same string."""
    graph = influence_diagram(unroll(system_of(proposal, diagram), steps))
    agents = graph.graph["agents"]
    literal = json.dumps
    return (f"# The unrolled influence diagram of diagram {literal(diagram)} ({steps} step{'s' * (steps != 1)}), "
            "written by `wiring export --to pycid`:\n# run it (or import it) where PyCID is "
            "installed; `macid` is a pycid.MACID.\nimport pycid\n\n"
            f"NODES = {literal(list(graph.nodes))}\n"
            f"EDGES = {literal([list(e) for e in graph.edges])}\n"
            f"DECISIONS = {literal({a: p['decisions'] for a, p in agents.items()})}\n"
            f"UTILITIES = {literal({a: p['utilities'] for a, p in agents.items()})}\n\n"
            "macid = pycid.MACID([tuple(edge) for edge in EDGES], agent_decisions=DECISIONS,\n"
            "                    agent_utilities=UTILITIES)\n"
            "macid.add_nodes_from(NODES)\n")
