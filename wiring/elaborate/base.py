"""The elaborator's state, its declarations by name, and what a file may see of them."""

from __future__ import annotations

from dataclasses import dataclass

from .. import syntax, syntax_behaviours
from ..diagnostics import Diagnostic, Span, report
from ..model import OPTIMISER_FAMILIES, Allow, Assertion, Proposal
from ..names import did_you_mean
from ..sources import PRELUDE, STD, Program, std_declaring
from ..structure import kind_chain
from ..types import Decider

BUILTIN_TYPES = ("Real", "Int", "Nat", "Bool", "Prob", "Text", "List", "Set", "Dist")

FORMS = {syntax.KindDecl: "kind", syntax.TypeDecl: "type", syntax.RecordDecl: "record",
          syntax.EnumDecl: "enum", syntax.ParamDecl: "param", syntax.OptimiserDecl: "optimiser",
          syntax.ComponentDecl: "component", syntax.DiagramDecl: "diagram",
          syntax_behaviours.AdversaryDecl: "adversary",
          syntax_behaviours.BehaviourDecl: "behaviour"}
_DECLARE = {"type": "type Name", "kind": "kind name", "parameter": "param name : Real",
            "component or diagram": "component Name : kind { ... }",
            "optimiser": "optimiser name : family"}
_UNKNOWN_CODE = {"kind": "E0102", "component or diagram": "E0103", "optimiser": "E0107",
                 "parameter": "E0106"}


def bad_acknowledgement(code: str, reason: str, code_span: Span | None,
                        reason_span: Span | None) -> Diagnostic | None:
    """E0121 when `allow CODE because "reason"` names no finding code or gives no reason. The
    elaborator asks it of every `allow` of a file, `load_json` of every allow of a model."""
    from ..codes import CODES  # loaded only by proposals that acknowledge findings

    if code in CODES and not code.startswith("S"):
        severity = "an error" if code.startswith("E") else "a warning"
        return report("E0121", code_span, f"`{code}` is not a finding code",
                      help=f"`allow` acknowledges findings of the analyses (S codes); {code} is "
                      f"{severity} of `wiring check`: fix what it reports "
                      f"(`wiring explain {code}`)")
    if code not in CODES:
        findings = [c for c in CODES if c.startswith("S")]
        return report("E0121", code_span, f"`{code}` is not a finding code",
                      help=did_you_mean(code, findings) or
                      "`wiring explain --list` lists the codes; findings start with S")
    if not reason.strip():
        return report("E0121", reason_span, "an acknowledgement needs a reason",
                      label="empty reason", help='say why the finding is inherent: `because "..."`')
    return None


@dataclass
class Declaration:
    name: str
    form: str  # kind, type, record, enum, param, optimiser, component, diagram
    file: str
    node: syntax.Declaration
    span: Span  # of its name


def _close(name: str, suggestion: str) -> bool:
    """Whether a "did you mean" names something spelled nearly as `name` (a typo), rather than
    merely sharing letters with it."""
    import difflib

    guess = suggestion.partition("`")[2].partition("`")[0]
    return bool(guess) and difflib.SequenceMatcher(None, name, guess).ratio() >= 0.75


def _twice_help(existing: Declaration, name: str) -> str:
    """What to do about a name declared twice: a built-in or a library declaration is there to
    be used as it is."""
    if existing.file == PRELUDE:
        family = f" of the `{existing.node.family.text}` family" \
            if existing.form == "optimiser" else ""
        return (f"`{name}` is a built-in {existing.form}{family}: use it as it is (delete this "
                "declaration), or choose another name")
    if existing.file.startswith(STD):
        return (f"`{existing.file}` declares `{name}`: delete this declaration to use the "
                "library's, or choose another name")
    return "rename one of them; all declarations of a proposal and its imports share one namespace"


class ElaboratorBase:
    def __init__(self, program: Program):
        self.program = program
        self.diagnostics: list[Diagnostic] = []
        self.decls: dict[str, Declaration] = {}
        self.damaged: set[str] = set()
        for parsed in program.files.values():
            self.damaged |= parsed.damaged
        self.visible = self._visibility()
        self.proposal = Proposal(file=program.root)
        # (diagram, "inst.port" or "port") whose wiring an earlier error already accounts for,
        # and (diagram, "mode NAME") whose phase it does
        self.excused: set[tuple[str, str]] = set()
        self.broken: set[str] = set(self.damaged)
        self.ambiguous_ports: set[tuple[str, str]] = set()  # declared twice: uses stay silent
        self.decide: Decider | None = None

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def decider(self) -> Decider:
        if self.decide is None:
            self.decide = Decider(self.proposal.params)
        return self.decide

    def _visibility(self) -> dict[str, set[str]]:
        """For each file, the files whose declarations it may use: itself, the prelude and
        everything it imports, transitively."""
        visible: dict[str, set[str]] = {}
        for name in self.program.files:  # dependency order: imports are done first
            seen = {name, PRELUDE}
            for imported in self.program.imports.get(name, []):
                seen |= visible.get(imported, {imported})
            visible[name] = seen
        return visible

    def _kinds_by_family(self) -> str:
        """The kinds declared so far, each family (a kind without a parent) with its members."""
        families: dict[str, list[str]] = {}
        for kind in self.proposal.kinds:
            chain = kind_chain(self.proposal.kinds, kind)
            families.setdefault(chain[-1], [])
            if kind != chain[-1]:
                families[chain[-1]].append(kind)
        return "the kinds: " + "; ".join(
            f"{root} ({', '.join(members)})" if members else root
            for root, members in families.items()) + \
            "; or declare a new one under its family, e.g. `kind NAME : evaluator`"

    def lookup(self, file: str, name: str, span: Span, want: tuple[str, ...],
               what: str) -> Declaration | None:
        """The declaration `name` of one of the forms `want`, as seen from `file`, or a
        diagnostic. Names of declarations that failed to parse resolve silently to None."""
        decl = self.decls.get(name)
        if decl is not None and decl.form in want and decl.file in self.visible[file]:
            return decl
        if name in self.damaged:
            return None
        if decl is not None and decl.form in want:
            self.report(report("E0101", span,
                               f"`{name}` is declared in `{decl.file}`, which this file "
                               "does not import", label="not imported",
                               related=[(decl.span, f"`{name}` is declared here")],
                               help=f'add `import "{decl.file}"` (paths are relative to this '
                               "file)"))
            return None
        if decl is not None:
            self.report(report("E0101", span, f"`{name}` is a {decl.form}, not a {what}",
                              label=f"expected a {what}",
                              related=[(decl.span, f"`{name}` is declared here")]))
            return None
        candidates = [d.name for d in self.decls.values()
                      if d.form in want and d.file in self.visible[file]]
        if "type" in want:
            candidates += BUILTIN_TYPES
        suggestion = did_you_mean(name, candidates)
        if what == "kind" and not _close(name, suggestion):
            suggestion = self._kinds_by_family()   # `supervisor` is no `sensor`
        if not suggestion and (module := std_declaring(name)):
            suggestion = f'`{name}` is in the standard library: add `import "{module}"`'
        declare = f"declare it with `{_DECLARE.get(what, what)}`"
        if what == "optimiser":   # a name close to a built-in may still be a new optimiser
            declare = f"declare it with `optimiser {name} : family` (families: " + \
                ", ".join(OPTIMISER_FAMILIES) + ")"
            suggestion = f"{suggestion} Or {declare}" if suggestion else ""
        self.report(report(_UNKNOWN_CODE.get(what, "E0101"), span, f"unknown {what} `{name}`",
                           help=suggestion or declare))
        return None

    def of_form(self, form: str) -> list[Declaration]:
        return [d for d in self.decls.values() if d.form == form]

    # ------------------------------------------------------------------------- collection
    def collect(self) -> None:
        """Every declaration by name; the root file's title, citations, notes, allows and
        assertions."""
        for file, parsed in self.program.files.items():
            if parsed.syntax is None:
                continue
            for item in parsed.syntax.declarations:
                form = FORMS.get(type(item))
                if form is not None:
                    self._declare(file, form, item)
                elif file == self.program.root:
                    self.metadata(item)

    def _declare(self, file: str, form: str, item: syntax.Declaration) -> None:
        name = item.name.text
        span = item.name.span
        existing = self.decls.get(name)
        if existing is not None and self._same_builtin_optimiser(existing, form, item):
            self.decls[name] = Declaration(name, form, file, item, span)   # its words win
        elif existing is not None:
            self.report(report(
                "E0111", span, f"`{name}` is declared twice",
                related=[(existing.span, "first declared here")],
                help=_twice_help(existing, name)))
        elif name in BUILTIN_TYPES:
            self.report(report("E0111", span, f"`{name}` is a built-in type and cannot be "
                              "declared again", label="built-in name",
                              help="choose another name"))
        else:
            self.decls[name] = Declaration(name, form, file, item, span)

    @staticmethod
    def _same_builtin_optimiser(existing: Declaration, form: str, item) -> bool:
        """A proposal may declare a built-in optimiser again with its family (the docs'
        `optimiser dpo : gradient`, written before `dpo` was built in, keeps working)."""
        return form == existing.form == "optimiser" and existing.file == PRELUDE and \
            item.family.text == existing.node.family.text

    def metadata(self, item: syntax.Statement, diagram: str | None = None) -> None:
        kind = type(item)
        if kind is syntax.Allow:
            self.allow(item, diagram)
        elif kind is syntax.Assert:
            self.assertion(item, diagram)
        elif kind is syntax.Title:
            self.proposal.title = item.title.value
        elif kind is syntax.Cites:
            self.proposal.citations += [work.value for work in item.works]
        elif kind is syntax.Note:
            self.proposal.notes.append(item.note.value)

    def allow(self, item: syntax.Allow, diagram: str | None) -> None:
        code = item.code.text
        reason = item.reason.value
        problem = bad_acknowledgement(code, reason, item.code.span, item.span)
        if problem is not None:
            self.report(problem)
            return
        target = item.target.dotted if item.target is not None else None
        self.proposal.allows.append(Allow(code=code, target=target, reason=reason,
                                          diagram=diagram, span=item.span))

    def assertion(self, item: syntax.Assert, diagram: str | None) -> None:
        claim = item.claim
        self.proposal.assertions.append(Assertion(
            claim=claim.kind, source=claim.source.dotted if claim.source is not None else None,
            target=claim.target.dotted, avoiding=[t.dotted for t in claim.avoiding],
            incentive=claim.incentive, text=" ".join(item.text.split()), diagram=diagram,
            span=item.span))
