"""mkdocs hooks (mkdocs.yml `hooks:`): the example proposals as pages of the docs site, and the
pages' fences that name a file shown with the file's name.

The pages in docs/ link to the examples where they are in the repository (`../examples/rlhf.wd`),
which works when the repository is browsed (GitHub) but leaves the site, built from docs/ alone,
with nowhere to go. So each example becomes a page of the site (`examples/rlhf.md`: its source,
highlighted by wiring's Pygments lexer), `examples/index.md` lists them, and the links to an
example that exists are pointed at its page. A link to an example that does not exist is left
as it is, and `mkdocs build --strict` fails on it as on any broken link.

A page that builds a file step by step names it after the fence's language (```wd first.wd,
```wd-error first.wd append, ```diff first.wd: tests/test_docs.py reads them so); superfences
would not take that for a fence at all, so the name becomes the listing's title.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
INDEX = "examples/index.md"
# ```LANG FILE, or ```LANG FILE append (the block goes at the end of FILE)
NAMED_FENCE = re.compile(r"^```([\w-]+)[ \t]+([^\s`\"]+)([ \t]+append)?[ \t]*$", re.M)
# A Markdown link's target, up to an optional #anchor: `](../examples/rlhf.wd)`.
LINK = re.compile(r"\]\(([^)\s#]*examples[^)\s#]*)(#[^)\s]*)?\)")


def _page_of(example: Path) -> str:
    return "examples/" + example.relative_to(EXAMPLES).with_suffix(".md").as_posix()


def _examples() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.wd"))


def _source_page(example: Path) -> str:
    name = example.relative_to(ROOT).as_posix()
    text = example.read_text(encoding="utf-8")
    fence = "`" * max(4, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    gallery = posixpath.relpath("gallery.md", posixpath.dirname(_page_of(example)))
    return (f"# {name}\n\nCheck it with `wiring check {name}`; [the gallery]({gallery}) "
            f"shows it drawn.\n\n"
            f"{fence}wd\n{text.rstrip()}\n{fence}\n")


def _index_page() -> str:
    lines = ["# Examples", "",
             "The example proposals of the repository's `examples/` folder, as they are.", ""]
    for example in _examples():
        name = example.relative_to(ROOT).as_posix()
        lines.append(f"- [`{name}`]({posixpath.relpath(_page_of(example), 'examples')})")
    return "\n".join(lines) + "\n"


def on_files(files, config):
    files.append(File.generated(config, INDEX, content=_index_page()))
    for example in _examples():
        files.append(File.generated(config, _page_of(example), content=_source_page(example)))
    return files


def on_page_markdown(markdown, page, config, files):
    if page.file.abs_src_path is None:  # a generated page is written as the site needs it
        return markdown
    here = Path(page.file.abs_src_path).parent

    def point(match: re.Match) -> str:
        target = (here / match.group(1)).resolve()
        if target == EXAMPLES:
            uri = INDEX
        elif target.suffix == ".wd" and target.is_file() and EXAMPLES in target.parents:
            uri = _page_of(target)
        else:
            return match.group(0)
        link = posixpath.relpath(uri, posixpath.dirname(page.file.src_uri) or ".")
        return f"]({link}{match.group(2) or ''})"

    markdown = NAMED_FENCE.sub(_titled, markdown)
    return LINK.sub(point, markdown)


def _titled(match: re.Match) -> str:
    language, name, append = match.groups()
    title = f"{name}, continued" if append else name
    return f'```{language} title="{title}"'
