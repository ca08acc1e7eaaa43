"""The version of wiring, in one place below every stage: the package, `doctor`, `--version`, the
SARIF output and the build (pyproject.toml reads `__version__` from here) read it.

DISTRIBUTION is the name the package index knows it by (`pip install wiring-diagrams`: `wiring`
there is an unrelated project); REPOSITORY is where it lives (a placeholder until published).
pyproject.toml repeats both, as it must, and tests/test_packaging.py keeps them equal."""

__version__ = "0.1.0"
DISTRIBUTION = "wiring-diagrams"
REPOSITORY = "https://github.com/wiring-diagrams/wiring"


def install_hint(extra: str) -> str:
    """How to install an optional extra: by the distribution's name, since `pip install
    'wiring[X]'` would fetch the unrelated `wiring`."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"
