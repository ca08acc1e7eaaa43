"""Writing what a command produces: atomically (a reader never sees half a file, a failed run
leaves the old file), never over one of the command's inputs, and with the same `wrote PATH`
line from every command."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable


def write(path: str, data: bytes, inputs: Iterable[str] = (), mode: int | None = None) -> bool:
    """Write `data` to `path` (`-`: standard output) and print `wrote PATH`; False, reported,
    when `path` is one of `inputs` or cannot be written. `mode`: the new file's permissions
    (default: a new file's, by the umask), so that a file rewritten in place keeps its own."""
    if path == "-" or _standard_output(path):   # no `wrote` line in the middle of it
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return True
    if any(_same(path, source) for source in inputs):
        print(f"wiring: will not write {path}: it is an input of this command", file=sys.stderr)
        return False
    if os.path.isdir(path):   # else the rename's reason is obscure ("Device or resource busy")
        print(f"wiring: cannot write {path}: it is a directory; name a file", file=sys.stderr)
        return False
    try:
        if _special(path):
            _write_into(path, data)
        else:       # through a link: the link stays, the file it names changes
            _replace(os.path.realpath(path), data, mode)
    except OSError as exc:
        print(f"wiring: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    print(f"wrote {path}")
    return True


def _replace(path: str, data: bytes, mode: int | None) -> None:
    """Write a file atomically: a temporary file beside it, renamed over it."""
    import tempfile   # only when a file is written: it costs start-up to every command

    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".wiring-",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        # mkstemp's file is private; an output is not
        os.chmod(temporary, 0o666 & ~_umask() if mode is None else mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _special(path: str) -> bool:
    """Whether `path` is a device (`/dev/null`), a pipe or a terminal, or names one of the
    process's open files (`/dev/stdout`, `/proc/self/fd/1`), rather than a regular file: it is
    written into, as a shell redirection would. Renamed over, it would be replaced by a file
    (as root, `-o /dev/null` left /dev/null a plain file)."""
    if os.path.abspath(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _standard_output(path: str) -> bool:
    """Whether `path` names the file standard output writes to (`/dev/stdout`)."""
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):   # (no descriptor: captured in a test)
        return False


def _write_into(path: str, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)


def can_write(path: str) -> bool:
    """Whether `path` can be written, checked before the work that produces it (a layout can
    take a while); False, reported with the reason. `write` still reports what fails later."""
    if path == "-" or (_special(path) and os.access(path, os.W_OK)):
        return True
    directory = os.path.dirname(os.path.realpath(path))
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
