"""The version of wiring, in one place below every stage (the package, `doctor` and `--version`
read it)."""

__version__ = "0.1.0"
