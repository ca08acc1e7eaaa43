"""Issue 11, files: no blocking read, imports confined to a root, no file of a project taken for
the library, no write over a file the run read, and `wiring new` refusing what it cannot safely
write. Tests that could block (FIFOs, a terminal) run the CLI in a subprocess with a timeout, so
that a regression fails instead of hanging the suite."""

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import wiring
from wiring.cli import main

ROOT = Path(__file__).resolve().parent.parent
SECRET = "sk-live-0123456789"
TYPES = "type Prompt\ntype Response\n"
USES_TYPES = """component Source : source {
  out prompt : Prompt
}
component Sink : sink {
  in prompt : Prompt
}
diagram D {
  s = Source
  k = Sink
  s.prompt -> k.prompt
}
"""


def run_cli(*args, cwd=ROOT, timeout: float = 30, **options) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        return subprocess.run([sys.executable, "-m", "wiring", *map(str, args)], cwd=cwd,
                              capture_output=True, text=True, timeout=timeout, env=env, **options)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`wiring {' '.join(map(str, args))}` did not finish in {timeout} s")


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


# ------------------------------------------------------- 4: FIFOs and terminals never block

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_checking_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.wd")
    proc = run_cli("check", tmp_path / "pipe.wd", timeout=20)
    assert proc.returncode == 2, proc.stderr
    assert "E0502" in proc.stderr and "pipe (FIFO)" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_importing_a_fifo_is_e0403_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.wd")
    project(tmp_path, {"main.wd": 'import "pipe.wd"\n' + TYPES})
    proc = run_cli("check", tmp_path / "main.wd", timeout=20)
    assert proc.returncode == 1, proc.stderr
    assert "error[E0403]: `" in proc.stderr
    assert "is a pipe (FIFO), not a proposal file" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_dev_stdin_on_a_terminal_is_refused_without_waiting(tmp_path):
    """`/dev/stdin` on a terminal nobody types into: read from, it waits for ever."""
    leader, follower = os.openpty()
    try:
        project(tmp_path, {"main.wd": 'import "/dev/stdin"\n' + TYPES})
        proc = run_cli("check", "/dev/stdin", stdin=follower, timeout=20)
        assert proc.returncode == 2 and "E0502" in proc.stderr and "device" in proc.stderr
        proc = run_cli("check", "--root", "/", tmp_path / "main.wd", stdin=follower, timeout=20)
        assert proc.returncode == 1 and "E0403" in proc.stderr, proc.stderr
    finally:
        os.close(leader)
        os.close(follower)


# ------------------------------------------------------------------- 9: imports are confined

@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../../../../../etc/passwd",
                                    "std/../../../etc/hostname", "std/../core.wd"])
def test_imports_outside_the_root_or_the_library_are_refused(tmp_path, capsys, target):
    main_file = project(tmp_path, {"p.wd": f'import "{target}"\n' + TYPES}) / "p.wd"
    code, out = cli(capsys, "check", main_file)
    assert code == 1 and "error[E0404]" in out, out
    assert "root:x:" not in out and out.count("error[") == 1   # nothing of the file is quoted
    assert "help: " in out and ("--root DIR" in out or "`std/core.wd`" in out)


def test_a_file_outside_the_root_is_not_read_or_quoted(tmp_path, capsys):
    project(tmp_path, {"secrets/.env": f"API_KEY={SECRET}\n",
                       "proj/p.wd": 'import "../secrets/.env"\n' + TYPES})
    code, out = cli(capsys, "check", "--format", "json", tmp_path / "proj" / "p.wd")
    assert code == 1 and SECRET not in out
    [entry] = json.loads(out)
    assert [d["code"] for d in entry["diagnostics"]] == ["E0404"]


def test_a_symbolic_link_out_of_the_root_is_outside(tmp_path, capsys):
    project(tmp_path, {"elsewhere/t.wd": TYPES, "proj/p.wd": 'import "t.wd"\n' + USES_TYPES})
    (tmp_path / "proj" / "t.wd").symlink_to(tmp_path / "elsewhere" / "t.wd")
    code, out = cli(capsys, "check", tmp_path / "proj" / "p.wd")
    assert code == 1 and "E0404" in out


def test_a_non_proposal_inside_the_root_is_reported_without_its_text(tmp_path, capsys):
    project(tmp_path, {".env": f"API_KEY={SECRET}\nOTHER=1\n",
                       "p.wd": 'import ".env"\n' + TYPES, "notes.txt": f"key {SECRET}\n"})
    for args in (["check", tmp_path / "p.wd"], ["check", "--format", "json", tmp_path / "p.wd"],
                 ["check", tmp_path / "notes.txt"]):
        code, out = cli(capsys, *args)
        assert code == 1 and "E0405" in out and SECRET not in out, out
    result = wiring.check_file(tmp_path / "p.wd")
    assert SECRET not in json.dumps(result.sources) + result.report()


def test_dotdot_inside_the_root_is_allowed(tmp_path, capsys):
    """The root is the main file's directory, or the nearest one above holding wiring.toml,
    or --root (the API's root=)."""
    project(tmp_path, {"types.wd": TYPES, "sub/p.wd": 'import "../types.wd"\n' + USES_TYPES,
                       "sub/q.wd": 'import "../sub/../types.wd"\n' + USES_TYPES})
    main_file = tmp_path / "sub" / "p.wd"
    assert cli(capsys, "check", main_file)[0] == 1                  # root: sub/
    assert not wiring.check_file(main_file).ok
    assert cli(capsys, "check", "--root", tmp_path, main_file)[0] == 0
    assert wiring.check_file(main_file, root=tmp_path).ok
    assert wiring.check_text(main_file.read_text(), str(main_file), root=str(tmp_path)).ok
    (tmp_path / "wiring.toml").write_text("")
    assert cli(capsys, "check", main_file, tmp_path / "sub" / "q.wd")[0] == 0
    assert wiring.check_file(main_file).ok


def test_every_command_that_reads_proposals_takes_root(tmp_path, capsys):
    project(tmp_path, {"types.wd": TYPES, "sub/p.wd": 'import "../types.wd"\n' + USES_TYPES})
    main_file = tmp_path / "sub" / "p.wd"
    for args in (["lint"], ["analyze"], ["render", "--format", "dot", "-o", "-"],
                 ["export"], ["diff", main_file]):
        assert cli(capsys, *args, main_file)[0] != 0, args
        assert cli(capsys, *args, "--root", tmp_path, main_file)[0] == 0, args


# --------------------------------------------------- 10: a project folder named std is the project's

def test_a_project_folder_named_std_is_not_the_library(tmp_path, monkeypatch, capsys):
    project(tmp_path, {"std/mytypes.wd": "type Mine\n",
                       "std/main.wd": 'import "mytypes.wd"\nimport "std/core.wd"\n'
                       "type Both = Mine\ntype Asked = Prompt\n"})
    monkeypatch.chdir(tmp_path)
    code, out = cli(capsys, "check", "std/main.wd")
    assert code == 0, out
    assert cli(capsys, "check", tmp_path / "std" / "main.wd")[0] == 0
    # the project's own declarations are its own, not the library's: a duplicate of one is
    # reported as a user's duplicate
    (tmp_path / "std" / "dup.wd").write_text('import "mytypes.wd"\ntype Mine\n')
    code, out = cli(capsys, "check", "std/dup.wd")
    assert code == 1 and "E0111" in out and "declares `Mine`: delete this declaration" not in out


# ------------------------------------------------------- 11: no write over a file the run read

def test_render_and_export_refuse_to_overwrite_an_imported_file(tmp_path, capsys):
    project(tmp_path, {"types.wd": TYPES, "p.wd": 'import "types.wd"\n' + USES_TYPES})
    for args in (["render", tmp_path / "p.wd", "--format", "dot", "-o", tmp_path / "types.wd"],
                 ["export", tmp_path / "p.wd", "-o", tmp_path / "types.wd"],
                 ["render", tmp_path / "p.wd", "--format", "dot", "-o", tmp_path / "p.wd"]):
        code, out = cli(capsys, *args)
        assert code == 2 and "it is an input of this command" in out, out
    assert (tmp_path / "types.wd").read_text() == TYPES
    assert (tmp_path / "p.wd").read_text() == 'import "types.wd"\n' + USES_TYPES


def test_export_of_several_files_never_replaces_what_a_later_one_reads(tmp_path, capsys):
    """a.wd's model would go to out/a.json, which b.wd (checked after a.wd) imports."""
    project(tmp_path, {"a.wd": TYPES + USES_TYPES, "out/a.json": "type X\n",
                       "b.wd": 'import "out/a.json"\ntype Y\n'})
    out_dir = tmp_path / "out"
    code, out = cli(capsys, "export", tmp_path / "a.wd", tmp_path / "b.wd", "-o", out_dir)
    assert code == 2 and "it is an input of this command" in out
    assert (tmp_path / "out" / "a.json").read_text() == "type X\n"
    assert json.loads((tmp_path / "out" / "b.json").read_text())["imports"] == [
        str(tmp_path / "out" / "a.json")]


def _small_files(ignore_signal: bool):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
        if ignore_signal:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return limit


@pytest.mark.parametrize("ignore_signal", [True, False])
def test_a_failed_write_leaves_the_old_output_whole(tmp_path, ignore_signal):
    """A full disk (EFBIG here) or a process killed mid-write never leaves a truncated file."""
    project(tmp_path, {"p.wd": TYPES + USES_TYPES, "p.json": "OLD\n"})
    proc = run_cli("export", tmp_path / "p.wd", "-o", tmp_path / "p.json",
                   preexec_fn=_small_files(ignore_signal))
    assert proc.returncode != 0
    assert (tmp_path / "p.json").read_text() == "OLD\n"
    if ignore_signal:
        assert proc.returncode == 2 and "cannot write" in proc.stderr
        assert not list(tmp_path.glob(".wiring-*"))   # no temporary file left behind


# ----------------------------------------------------------------------- 12: wiring new

def test_new_refuses_a_dangling_symbolic_link(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.wd").symlink_to(tmp_path / "elsewhere" / "target.wd")
    code, out = cli(capsys, "new", "p")
    assert code == 2 and "symbolic link" in out
    assert (tmp_path / "p.wd").is_symlink() and not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("name", ["", " ", ".wd", "sub/"])
def test_new_refuses_a_name_that_names_no_file(tmp_path, monkeypatch, capsys, name):
    monkeypatch.chdir(tmp_path)
    code, out = cli(capsys, "new", name)
    assert code == 2 and "names no file" in out
    assert list(tmp_path.rglob("*")) == []


# ------------------------------------------- 11: an output that is a link, a pipe or a device

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_an_output_that_is_a_pipe_is_written_into_not_replaced(tmp_path, capsys):
    """`-o /dev/null`, `-o /dev/stdout` or a named pipe: written into, as a shell redirection
    would. Renamed over (as an ordinary output is, atomically), the device or pipe itself was
    replaced by a file: run as root, `-o /dev/null` left /dev/null a plain file."""
    project(tmp_path, {"p.wd": TYPES + USES_TYPES})
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)   # so that the writer's open is served
    try:
        code, out = cli(capsys, "export", tmp_path / "p.wd", "-o", pipe)
        received = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert code == 0, out
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert json.loads(received)["file"].endswith("p.wd")


def test_an_output_through_a_symbolic_link_writes_its_target(tmp_path, capsys):
    """A figure linked into a paper's folder stays linked: the file it names is rewritten."""
    project(tmp_path, {"p.wd": TYPES + USES_TYPES, "figures/p.dot": "OLD\n"})
    link = tmp_path / "p.dot"
    link.symlink_to(tmp_path / "figures" / "p.dot")
    code, out = cli(capsys, "render", tmp_path / "p.wd", "--format", "dot", "-o", link)
    assert code == 0, out
    assert link.is_symlink()
    assert (tmp_path / "figures" / "p.dot").read_text().startswith("digraph")


@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="needs /dev/stdout")
@pytest.mark.parametrize("into", ["pipe", "file"])
def test_an_output_to_dev_stdout_is_the_output_alone(tmp_path, into):
    """`-o /dev/stdout` is `-o -`: the output, with no `wrote` line written into it."""
    project(tmp_path, {"p.wd": TYPES + USES_TYPES})
    argv = [sys.executable, "-m", "wiring", "export", tmp_path / "p.wd", "-o", "/dev/stdout"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if into == "pipe":
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env)
        written = proc.stdout
    else:
        with open(tmp_path / "out.json", "wb") as sink:
            proc = subprocess.run(argv, stdout=sink, stderr=subprocess.PIPE, text=True,
                                  timeout=30, env=env)
        written = (tmp_path / "out.json").read_text()
    assert proc.returncode == 0, proc.stderr
    assert json.loads(written)["file"].endswith("p.wd")
