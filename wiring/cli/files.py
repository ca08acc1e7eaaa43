"""`wiring export` and `wiring new`: the commands that write proposal files and models."""

from __future__ import annotations

import os
import sys

from . import FILE_HELP, add_command, exits, exit_code, print_results
from .analysis import steps_argument
from .output import can_write, write


def cmd_export(args) -> int:
    """One document per file: the JSON model (`--to json`), or the graphs the analyses read of
    one diagram (`--to networkx|pycid`). To stdout (several models: one per line, JSON lines),
    or into the directory -o DIR as STEM.json (STEM.py), or -o FILE for a single input."""
    from ..api import check_file

    if args.to == "json" and (args.diagram is not None or args.steps is not None):
        print("wiring: --diagram and --steps choose what --to networkx or --to pycid exports; "
              "the JSON model holds every diagram: drop them, or add --to networkx",
              file=sys.stderr)
        return exits.USAGE
    directory = _export_directory(args)
    if directory is False or (directory is None and not can_write(args.output or "-")):
        return exits.USAGE
    several, to_stdout = len(args.files) > 1, args.output in (None, "-")
    if several and to_stdout and args.to != "json":
        print(f"wiring: --to {args.to} writes one document per FILE: with several files, name "
              f"a directory (-o DIR/), each written as DIR/STEM{GRAPH_EXPORTS[args.to][0]}",
              file=sys.stderr)
        return exits.USAGE
    code = exits.OK
    # Every file read (each FILE and all it imports) is checked before any is written, so
    # that no output replaces a file that a later FILE reads.
    results = [(path, check_file(path, root=args.root)) for path in args.files]
    read = [file for _, result in results for file in result.files]
    for path, result in results:
        if not result.ok or result.proposal is None:
            print_results([(path, result)], "text", args.color, verdicts=sys.stderr)
            code = max(code, exit_code([result]))
            continue
        text = _document(args, path, result.proposal, one_line=several and to_stdout)
        if text is None:
            code = exits.USAGE
        elif to_stdout:
            sys.stdout.write(text)
        elif directory and not _made(directory):
            return exits.USAGE
        else:
            suffix = GRAPH_EXPORTS[args.to][0] if args.to != "json" else ".json"
            out = os.path.join(directory, _stem(path) + suffix) if directory else args.output
            if not write(out, text.encode("utf-8"), inputs=[*args.files, *read]):
                code = exits.USAGE
    return code


# What `export --to` writes besides the model: the suffix of its file, and its maker in
# wiring.graphs (imported only then: networkx is a sixth of a second).
GRAPH_EXPORTS = {"networkx": (".json", "networkx_document"), "pycid": (".py", "pycid_script")}


def _document(args, path: str, proposal, one_line: bool) -> str | None:
    """What `export` writes of one checked proposal, ending in a new line; None, reported,
    when --diagram names no diagram of it."""
    if args.to == "json":
        return proposal.model_dump_json(indent=None if one_line else 2) + "\n"
    from .. import graphs
    from ..structure import default_diagram

    top = default_diagram(proposal)
    name = args.diagram or (top.name if top is not None else None)
    if name not in proposal.diagrams:
        known = ", ".join(proposal.diagrams) or "none"
        print(f"wiring: {path} has no diagram {('`' + name + '`') if name else ''} to "
              f"export (its diagrams: {known})", file=sys.stderr)
        return None
    text = getattr(graphs, GRAPH_EXPORTS[args.to][1])(proposal, name,
                                                      args.steps or graphs.DEFAULT_STEPS)
    return text if text.endswith("\n") else text + "\n"


def _export_directory(args) -> str | None | bool:
    """The directory -o names (None: -o names a file, or is absent); False, reported, when
    several inputs would go to one file, or their stems clash."""
    out = args.output
    if out in (None, "-"):   # standard output
        return None
    if os.path.isdir(out) or out.endswith(("/", os.sep)) or len(args.files) > 1:
        stems = [_stem(p) for p in args.files]
        clash = sorted({s for s in stems if stems.count(s) > 1})
        if clash:
            print(f"wiring: several inputs are named {clash[0]}.wd: export them to different "
                  "directories", file=sys.stderr)
            return False
        return out
    return None


def _made(directory: str) -> bool:
    """Make the output directory when the first model is written (a run whose files all fail
    to check leaves nothing behind); False, reported, when it cannot be made."""
    try:
        os.makedirs(directory, exist_ok=True)
        return True
    except OSError as exc:
        print(f"wiring: cannot make the directory {directory}: {exc.strerror or exc}",
              file=sys.stderr)
        return False


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


STARTER = """# {title}: a starter proposal written by `wiring new`.
#
# Replace the boxes and wires below with your proposal's. `wiring check {file}` checks it,
# `wiring lint {file}` runs the alignment analyses, `wiring render {file} -o {stem}.svg` draws
# it. The language is described in docs/language.md; the standard library in wiring/std/.

proposal "{title}"
cites "Author et al. YEAR, Title of the paper, arXiv:XXXX.XXXXX"

import "std/core.wd"                      # Prompt, Response, Score, ...

param beta : Real >= 0 = 0.1              # a coefficient of the training signal

component Model : policy, learned, untrusted {{
  in  prompt   : Prompt
  out response : Response
  note "the model being trained"
}}

component Judge : reward_model, learned, untrusted {{
  in  prompt   : Prompt
  in  response : Response
  out score    : Real in [0, 1]
  note "a learned evaluator of the model's responses"
}}

component Filter : filter, trusted {{
  in  response : Response
  in  score    : Real in [0, 1]
  out passed   : Response
  note "blocks responses the judge scores low: a trusted gate before the world"
}}

diagram {name} {{
  modes train : training, deploy : deployment

  in  prompt   : Prompt
  out response : Response when deploy

  model  = Model
  anchor = frozen model when train        # a snapshot: the KL anchor
  judge  = Judge
  filter = Filter when deploy

  prompt -> model.prompt, judge.prompt
  prompt -> anchor.prompt when train
  model.response -> judge.response
  model.response -> filter.response when deploy
  judge.score -> filter.score when deploy
  filter.passed -> response when deploy

  train model by ppo maximising judge.score - beta * kl(model, anchor) when train

  allow S0101 because "the learned judge is the proxy this design optimises against; the KL anchor limits how far"
  assert gated(model)
}}
"""


def cmd_new(args) -> int:
    import re
    from pathlib import Path

    if not os.path.basename(args.name).removesuffix(".wd").strip():
        print(f"wiring: `{args.name}` names no file; give a name such as `wiring new "
              "my-proposal`", file=sys.stderr)
        return exits.USAGE
    target = Path(args.name if args.name.endswith(".wd") else args.name + ".wd")
    # A symbolic link, even a dangling one, is refused: writing through it would create or
    # replace a file elsewhere.
    if target.exists() or target.is_symlink():
        what = "is a symbolic link" if target.is_symlink() else "already exists"
        print(f"wiring: `{target}` {what}; choose another name", file=sys.stderr)
        return exits.USAGE
    stem = target.stem
    words = re.split(r"[^A-Za-z0-9]+", stem)
    name = "".join(w[:1].upper() + w[1:] for w in words if w) or "Proposal"
    if not name[0].isalpha():
        name = "P" + name
    title = " ".join(w for w in words if w) or "My proposal"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"wiring: cannot make the directory {target.parent}: {exc.strerror}", file=sys.stderr)
        return exits.USAGE
    text = STARTER.format(title=title, file=target, stem=stem, name=name)
    if not write(str(target), text.encode("utf-8")):
        return exits.USAGE
    print(f"next: wiring check {target}")
    return exits.OK


def add_file_commands(sub) -> None:
    p = add_command(sub, "export", "write the checked models as JSON, or their graphs for "
                    "networkx or PyCID",
                    "Check each FILE and write its model as one JSON document (`wiring schema` "
                    "prints the schema). Without -o (or with -o -): to standard output, one indented document "
                    "for one FILE, one document per line (JSON lines) for several. With -o DIR "
                    "(an existing directory, a path ending in /, or any -o with several files): "
                    "DIR/STEM.json for each FILE. With -o OUT.json and one FILE: OUT.json. "
                    "Files are written whole or not at all, never over an input.\n\n"
                    "With --to networkx: instead of the model, one diagram's graphs as networkx "
                    "node-link JSON (`analysed_graph`: the boxes and wires the analyses read; "
                    "`influence_diagram`: the diagram unrolled over --steps, with each agent's "
                    "decisions and utilities). With --to pycid: a Python module building that "
                    "influence diagram as a PyCID MACID, to run PyCID's own criteria on it "
                    "(docs/rendering.md says how to install PyCID).")
    p.add_argument("files", nargs="+", metavar="FILE", help=FILE_HELP)
    p.add_argument("--format", choices=("json",), default="json")
    p.add_argument("--to", choices=("json", "networkx", "pycid"), default="json",
                   help="json (default): the checked model; networkx: the analysed graph and "
                   "the unrolled influence diagram as node-link JSON; pycid: a Python module "
                   "that builds the influence diagram as a pycid.MACID")
    p.add_argument("--diagram", metavar="NAME",
                   help="with --to networkx or pycid: the diagram (default: the top one; the "
                   "last declared if several)")
    p.add_argument("--steps", type=steps_argument, metavar="K",
                   help="with --to networkx or pycid: time steps to unroll (default 3)")
    p.add_argument("-o", "--output", metavar="OUT", help="a directory (or a .json file for one FILE)")
    p.set_defaults(run=cmd_export)

    p = add_command(sub, "new", "write a commented starter proposal NAME.wd",
                    "Write NAME.wd: a small commented proposal (a policy, a reward model, a "
                    "trusted monitor) that checks, lints and renders, to edit into your own. An "
                    "existing file is never overwritten.", diagnostics=False)
    p.add_argument("name", metavar="NAME")
    p.set_defaults(run=cmd_new)
