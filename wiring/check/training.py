"""Training statements (Para): what may be trained, by which optimiser, on which signal."""

from __future__ import annotations

from ..diagnostics import report
from ..model import EVALUATING, SELECTING, Call, Chain, Endpoint, Expr, Name, PortRef, Training
from ..structure import active
from ..types import is_scalar, names_in, show_type, subtype
from .context import Context, DiagramView

# ----------------------------------------------------------------------------- training

_VALUE_FUNCTIONS = {"match", "mse", "cross_entropy", "log_likelihood", "accuracy", "loss"}




def check_training(ctx: Context, view: DiagramView, training: Training) -> None:
    instance = view.instances[training.target]
    _check_signal_depends_on_target(ctx, view, training)
    if training.family in SELECTING:
        pass  # selecting among a box's outputs needs no parameters: frozen boxes qualify
    elif instance.frozen:
        why = (f"a shared copy of the frozen `{instance.shares}`" if instance.shares else
               f"a frozen snapshot of `{instance.snapshot_of}`" if instance.snapshot_of
               else "declared `frozen`")
        ctx.report(report("E0301", training.span,
                          f"`{instance.name}` is {why}; it cannot be trained",
                          label="frozen target",
                          related=[(instance.span, f"`{instance.name}` is declared here")],
                          help="train the live instance, not its snapshot"))
    elif not instance.attributes.learned and ("component", instance.of) not in ctx.excused:
        box = ctx.box(instance.of)
        if instance.of_diagram:
            ctx.report(report("E0303", training.span,
                              f"`{instance.name}` is a diagram (`{instance.of}`); "
                              "training statements target learned components",
                              related=[(box.span if box else None, f"`{instance.of}` is declared here")],
                              box=instance.of))
        else:
            ctx.report(report("E0301", training.span,
                              f"`{instance.name}` ({instance.of}) is not learned; only "
                              "learned components have parameters to optimise",
                              related=[(box.span if box else None, f"`{instance.of}` is declared here")],
                              help=f"add `learned` to the attributes of `{instance.of}`"))
    _check_training_modes(ctx, view, training)
    _check_signal(ctx, view, training, training.signal, in_value_function=False)


def _check_signal_depends_on_target(ctx: Context, view: DiagramView, training: Training) -> None:
    """W0301: a signal that rewards or selects a box but reads nothing its output can reach is
    almost always a wire or a name gone wrong."""
    if training.family not in EVALUATING:
        return
    if view.wire_broken:
        return   # a wire of this diagram was already reported broken: the path may be that wire
    reads = {n.instance if isinstance(n, PortRef) else n.name for n in names_in(training.signal)}
    reads.discard(None)
    if training.target in reads:
        return
    following = view.following
    seen, stack = {training.target}, [training.target]
    while stack:
        for nxt in following.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    if seen & reads or "" in seen and any(r not in view.instances for r in reads):
        return
    ctx.report(report("W0301", training.span,
                      f"the signal that trains `{training.target}` reads nothing its "
                      "output reaches"))


def _check_training_modes(ctx: Context, view: DiagramView, training: Training) -> None:
    """A training statement exists in its modes; so must its target and every box it reads."""
    modes = training.modes if training.modes is not None else (view.diagram.modes or [None])
    used = [training.target] + [n.name if isinstance(n, Name) else n.instance
                                for n in names_in(training.signal)]
    reported: set[str] = set()
    for mode in modes:
        for name in used:
            instance = view.instances.get(name)
            if instance is None or name in reported or active(instance.modes, mode):
                continue
            reported.add(name)
            role = "the training target" if name == training.target else "read by the signal"
            ctx.report(report("E0230", training.span,
                              f"the training of `{training.target}` is active in mode `{mode}`, but "
                              f"`{name}` exists only in mode{'s' if len(instance.modes) > 1 else ''} "
                              + ", ".join(f"`{m}`" for m in instance.modes), mode=mode,
                              related=[(instance.span, f"`{name}`, {role}, is declared here")],
                              help="restrict the training statement with `when ...` to the modes where every "
                              "box it uses exists"))


def _check_signal(ctx: Context, view: DiagramView, training: Training, expr: Expr,
                  in_value_function: bool) -> None:
    if isinstance(expr, Call):
        if expr.function == "kl":
            return
        values = expr.function in _VALUE_FUNCTIONS
        for arg in expr.args:
            _check_signal(ctx, view, training, arg, values)
        if values and len(expr.args) == 2:
            a, b = (_expr_type(view, arg) for arg in expr.args)
            if a is not None and b is not None and subtype(a, b, ctx.decide) and \
                    subtype(b, a, ctx.decide):
                ctx.report(report("E0203", expr.span,
                                  f"`{expr.function}` compares values of different types:"
                                  f" `{show_type(a)}` and `{show_type(b)}`",
                                  label="incomparable arguments",
                                  help="compare an output with a target of the same type"))
        return
    if isinstance(expr, PortRef):
        port = view.port(Endpoint(instance=expr.instance, port=expr.port))
        if port is None:
            return
        if expr.instance is not None and port.direction == "in":
            ctx.report(report("E0201", expr.span,
                              f"`{expr.instance}.{expr.port}` is an input; a signal reads "
                              "outputs", label="an input port",
                              related=[(port.span, f"`{port.name}` is declared here")],
                              help="read the output of the box that feeds it"))
            return
        if not in_value_function and not is_scalar(port.type):
            ctx.report(report("E0302", expr.span,
                              f"the signal must be a number, but `{expr.instance + '.' if expr.instance else ''}"
                              f"{expr.port}` is a `{port.written}`",
                              related=[(port.span, f"`{port.name}` is declared here")],
                              help="optimise a numeric score, e.g. the output of a reward model or "
                              "judge; compare structured values with `match(a, b)`"))
        return
    if isinstance(expr, Name):
        if expr.name in view.instances and not in_value_function:
            ctx.report(report("E0302", expr.span, f"`{expr.name}` is an instance, not a number",
                             help=f"name one of its outputs: `{expr.name}.<port>`"))
        return
    for child in _children(expr):
        _check_signal(ctx, view, training, child, in_value_function)


def _children(expr: Expr) -> list[Expr]:
    if isinstance(expr, Chain):
        return [expr.first] + [link.arg for link in expr.rest]
    return [getattr(expr, a) for a in ("arg", "left", "right") if hasattr(expr, a)]


def _expr_type(view: DiagramView, expr: Expr):
    if isinstance(expr, PortRef):
        port = view.port(Endpoint(instance=expr.instance, port=expr.port))
        return port.type if port else None
    return None
