"""The docs site (mkdocs.yml over docs/) builds with `mkdocs build --strict`: a broken link, a
missing anchor or an API object that is not there fails the suite. Its .wd listings are
highlighted by wiring's Pygments lexer (found through its entry point), the gallery's pictures
and the examples' pages are in it, and a broken link does fail the build."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, require_package

require_package("mkdocs", "docs")


def _build(config, site) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")  # Material's notice about MkDocs 2.0
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                           "-f", str(config), "-d", str(site)],
                          capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    built = _build(ROOT / "mkdocs.yml", site)
    assert built.returncode == 0, built.stderr + built.stdout
    assert "WARNING" not in built.stderr, built.stderr
    return site


def _classes(html: str, language: str) -> set[str]:
    """The token classes inside the page's listings of `language`."""
    found = set()
    for block in re.findall(r'<div class="language-%s highlight">(.*?)</div>' % language, html,
                            re.S):
        found |= set(re.findall(r'<span class="([a-z]+)">', block))
    return found


def test_wd_listings_are_highlighted_by_the_lexer(site):
    for page in ("", "tutorial", "language", "diagnostics", "examples/debate"):
        html = (site / page / "index.html").read_text(encoding="utf-8")
        classes = _classes(html, "wd")
        # declarations, names of types, punctuation, strings: the lexer's token types
        assert {"kd", "nc", "p"} <= classes, (page, classes)
        # (E0002's example on the diagnostics page shows a character the language rejects)
        assert "err" not in classes or page == "diagnostics", page


def test_pages_that_build_a_file_show_its_name(site):
    html = (site / "tutorial" / "index.html").read_text(encoding="utf-8")
    assert '<span class="filename">first.wd</span>' in html
    assert "```wd" not in html  # every fence, `wd FILE` ones included, is a listing


def test_gallery_pictures_and_api_reference_are_in_the_site(site):
    gallery = (site / "gallery" / "index.html").read_text(encoding="utf-8")
    pictures = re.findall(r'<img alt="[^"]*" src="([^"]+\.svg)"', gallery)
    assert pictures
    for picture in pictures:
        assert (site / "gallery" / picture).resolve().is_file(), picture
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    for name in ("wiring.api.check_file", "wiring.api.load", "wiring.analysis.analyse"):
        assert f'id="{name}"' in reference, name


def test_a_broken_link_or_anchor_fails_the_build(tmp_path):
    for part in ("docs", "examples", "scripts"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    page = tmp_path / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") +
                    "\n[a](nowhere.md) [b](tutorial.md#no-such-part) [c](../examples/none.wd)\n",
                    encoding="utf-8")
    built = _build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert built.returncode != 0
    for target in ("nowhere.md", "no-such-part", "none.wd"):
        assert target in built.stderr, (target, built.stderr)
