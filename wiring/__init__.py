"""wiring: typed wiring diagrams for AI-alignment proposals."""

from .version import __version__

# The API is loaded on first use (PEP 562): `import wiring.cli` (every command, `--help`
# included) would otherwise pay for the parser, pydantic and the checker before it knows what
# it is asked to do.
_API = {"CheckError", "Proposal", "Result", "check_file", "check_json", "check_text", "load",
        "load_json", "loads"}

__all__ = ["CheckError", "Proposal", "Result", "__version__", "check_file", "check_json",
           "check_text", "load",
           "load_json", "loads"]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'wiring' has no attribute {name!r}")
    from . import api, model

    value = getattr(model if name == "Proposal" else api, name)
    globals()[name] = value   # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
