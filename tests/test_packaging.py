"""The package as a user installs it (issue 16, item 1): the distribution has a free name
(wiring-diagrams; the package and command stay `wiring`), one version, a licence, classifiers,
project URLs and `py.typed`; its README's links work on the package index's page; and the sdist
holds everything its own test suite needs, which this test runs from the unpacked sdist.

Slow-ish (about a minute): it builds the sdist and the wheel, without network access (`build`
and `hatchling` are in the dev extra)."""

import email
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from wiring.version import DISTRIBUTION, REPOSITORY, __version__

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Test files the sdist runs from its own tree: they read scripts/ and benchmarks/ (which an
# sdist once left out), the docs and the examples.
SDIST_TESTS = ["tests/test_smoke.py", "tests/test_strict_tools.py", "tests/test_lexer.py",
               "tests/test_wide_interfaces.py",
               "tests/test_codes.py::test_diagnostics_doc_is_generated_from_the_table"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist, and the wheel built from it (as `python -m build` does)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                           str(ROOT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _only(directory: Path, pattern: str) -> Path:
    (found,) = directory.glob(pattern)
    return found


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


def test_pyproject_names_the_distribution_and_reads_the_one_version():
    project = PYPROJECT["project"]
    assert project["name"] == DISTRIBUTION != "wiring"
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "wiring/version.py"
    assert project["scripts"] == {"wiring": "wiring.cli:main"}
    assert all(url.startswith(REPOSITORY) for url in project["urls"].values())


def test_the_wheel_carries_what_a_user_checks(dist):
    wheel = _only(dist, "*.whl")
    metadata = _metadata(wheel)
    assert metadata["Name"] == DISTRIBUTION and metadata["Version"] == __version__
    assert metadata["License-Expression"] == "MIT"
    assert "Typing :: Typed" in metadata.get_all("Classifier")
    assert {u.split(", ")[0] for u in metadata.get_all("Project-URL")} >= {"Repository", "Issues"}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"{wheel.name.split('-')[0]}-{__version__}.dist-info/"
                                    "entry_points.txt").decode()
    assert {"wiring/py.typed", "wiring/grammar/wiring.lark", "wiring/prelude.wd"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "wiring = wiring.cli:main" in entry_points
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_installed_wheel_names_its_distribution(dist, tmp_path):
    """Installed alone (no editable checkout on the path), `wiring --version` names the
    distribution and the version its metadata gives."""
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                           "--no-index", "--target", str(site), str(_only(dist, "*.whl"))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = ("import importlib.metadata as m, wiring; "
             f"print(m.version({DISTRIBUTION!r})); print(wiring.__file__)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    version, where = done.stdout.split()
    assert version == __version__ and Path(where).is_relative_to(site), done.stderr
    done = subprocess.run([sys.executable, "-m", "wiring", "--version"], capture_output=True,
                          text=True, env=env, cwd=tmp_path)
    assert done.stdout.strip() == f"wiring {version} ({DISTRIBUTION})"


def test_the_sdist_collects_and_runs_its_own_suite(dist, tmp_path):
    with tarfile.open(_only(dist, "*.tar.gz")) as archive:
        archive.extractall(tmp_path, filter="data")
    tree = _only(tmp_path, f"{DISTRIBUTION.replace('-', '_')}-{__version__}")
    assert not (tree / ".venv").exists() and not list(tree.rglob("__pycache__"))
    # Run from the unpacked tree, the tests import the sdist's own `wiring` (the working
    # directory comes first on the path), and read its files.
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"]
    done = subprocess.run(command + ["--collect-only"], capture_output=True, text=True, cwd=tree)
    assert done.returncode == 0 and re.search(r"^\d+ tests collected", done.stdout, re.M), \
        done.stdout[-3000:] + done.stderr
    done = subprocess.run(command + ["-q", *SDIST_TESTS], capture_output=True, text=True,
                          cwd=tree)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr


LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_readme_links_work_on_the_package_page():
    """The package index shows the README without the repository around it: a relative link
    would lead nowhere. Every link is absolute, and one into the repository names a file in
    it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = LINK.findall(readme)
    assert links
    for link in links:
        assert re.match(r"https?://|#", link), f"README.md: relative link {link}"
        prefix = f"{REPOSITORY}/blob/main/"
        if link.startswith(prefix):
            assert (ROOT / link[len(prefix):].split("#")[0]).is_file(), link
    assert f"pip install {DISTRIBUTION}" in readme


def test_every_install_hint_names_the_distribution():
    """`pip install 'wiring[X]'` fetches the unrelated `wiring` from the package index: every
    hint for an extra, in the code and the docs, names wiring-diagrams."""
    wrong = []
    for folder, pattern in (("wiring", "*.py"), ("docs", "*.md"), (".", "README.md")):
        for path in sorted((ROOT / folder).rglob(pattern) if folder != "." else [ROOT / pattern]):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "install 'wiring[" in line or 'install "wiring[' in line:
                    wrong.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not wrong, "\n".join(wrong)
