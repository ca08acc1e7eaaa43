"""wiring: typed wiring diagrams for AI-alignment proposals."""

from .api import (CheckError, Result, check_file, check_json, check_text, load, load_json,
                  loads)
from .model import Proposal
from .version import __version__

__all__ = ["CheckError", "Proposal", "Result", "__version__", "check_file", "check_json",
           "check_text", "load",
           "load_json", "loads"]
