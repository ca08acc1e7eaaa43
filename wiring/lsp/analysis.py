"""What the language server knows about one open file: its check, its lint findings and its
names, built by the core (api.check_text, analysis.analyse_all, symbols.Index); and the
places of files as editors name them (URIs). No LSP types here: the features turn these into
protocol messages."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..api import Result, check_text
from ..diagnostics import Diagnostic, sort_key
from ..sources import location
from ..symbols import Index

# Directories a project scan for references and renames never enters.
_SKIPPED = {".git", ".venv", "venv", "node_modules", "__pycache__"}
MAX_PROJECT_FILES = 500
MAX_DIRECTORIES = 2000   # a proposal saved in a large tree (/tmp, a home) is not walked whole


def path_of(uri: str) -> str | None:
    """The file a `file:` URI names, or None for other schemes (an unsaved `untitled:`)."""
    parsed = urlparse(uri)
    return os.path.abspath(unquote(parsed.path)) if parsed.scheme == "file" else None


def uri_of(display: str) -> str | None:
    """The URI of a file as a program names it (`std/core.wd` is the package's file)."""
    path = location(display)
    return None if path is None else Path(path).as_uri()


@dataclass
class Analysed:
    """One check of an open file: the check's result, the lint findings when it checks, and
    the index of its names."""

    path: str
    version: int | None
    result: Result
    findings: list[Diagnostic]
    index: Index | None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted(self.result.diagnostics + self.findings, key=sort_key)

    def text(self, display: str) -> str | None:
        return self.result.sources.get(display)


def analyse(path: str, text: str, version: int | None,
            overlay: dict[str, str]) -> Analysed:
    """Check `text` as the file `path` (imports read from `overlay` first), lint it if it
    checks, and index its names."""
    result = check_text(text, path, overlay=overlay)
    index = Index(result.program) if result.program is not None else None
    return Analysed(path, version, result, lint(result), index)


def lint(result: Result) -> list[Diagnostic]:
    """The findings `wiring lint` would print for a proposal that checks (acknowledged ones
    are left out: an `allow` has accepted them); none when it does not check or is too large
    to analyse whole (lint says so with E0244; the server stays quiet rather than slow)."""
    if not result.ok or result.proposal is None:
        return []
    from ..analysis import analyse_all
    from ..structure import TooLarge

    try:
        report = analyse_all(result.proposal)
    except TooLarge:
        return []
    found = report.findings + [f for a in report.analyses for f in a.findings]
    return [f for f in found if f.acknowledged is None]


def project_files(boundary: str) -> list[str]:
    """The proposal files of a project (its root directory, `sources.confinement`), for
    references and renames that reach files importing the one open; at most
    MAX_PROJECT_FILES from at most MAX_DIRECTORIES directories, in a stable order."""
    found: list[str] = []
    for count, (directory, subdirectories, files) in enumerate(os.walk(boundary)):
        if count >= MAX_DIRECTORIES:
            break
        subdirectories[:] = sorted(d for d in subdirectories
                                   if d not in _SKIPPED and not d.startswith("."))
        found += [os.path.join(directory, f) for f in sorted(files) if f.endswith(".wd")]
        if len(found) >= MAX_PROJECT_FILES:
            return found[:MAX_PROJECT_FILES]
    return found
