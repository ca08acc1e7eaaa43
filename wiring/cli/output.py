"""Writing what a command produces: atomically (a reader never sees half a file, a failed run
leaves the old file), never over one of the command's inputs, and with the same `wrote PATH`
line from every command."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable


def write(path: str, data: bytes, inputs: Iterable[str] = (), mode: int | None = None) -> bool:
    """Write `data` to `path` (`-`: standard output) and print `wrote PATH`; False, reported,
    when `path` is one of `inputs` or cannot be written. `mode`: the new file's permissions
    (default: a new file's, by the umask), so that a file rewritten in place keeps its own."""
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return True
    if any(_same(path, source) for source in inputs):
        print(f"wiring: will not write {path}: it is an input of this command", file=sys.stderr)
        return False
    if os.path.isdir(path):   # else the rename's reason is obscure ("Device or resource busy")
        print(f"wiring: cannot write {path}: it is a directory; name a file", file=sys.stderr)
        return False
    import tempfile   # only when a file is written: it costs start-up to every command

    try:
        directory = os.path.dirname(os.path.abspath(path))
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".wiring-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            # mkstemp's file is private; an output is not
            os.chmod(temporary, 0o666 & ~_umask() if mode is None else mode)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        print(f"wiring: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    print(f"wrote {path}")
    return True


def can_write(path: str) -> bool:
    """Whether `path` can be written, checked before the work that produces it (a layout can
    take a while); False, reported with the reason. `write` still reports what fails later."""
    if path == "-":
        return True
    directory = os.path.dirname(os.path.abspath(path))
    shown = os.path.dirname(path) or "."
    if os.path.isdir(path):
        reason = "it is a directory; name a file"
    elif not os.path.exists(directory):
        reason = f"the directory {shown} does not exist"
    elif not os.path.isdir(directory):
        reason = f"{shown} is not a directory"
    elif not os.access(directory, os.W_OK):
        reason = f"the directory {shown} is not writable"
    else:
        return True
    print(f"wiring: cannot write {path}: {reason}", file=sys.stderr)
    return False


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
