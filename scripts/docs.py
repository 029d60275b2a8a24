#!/usr/bin/env python
"""Build the collection's HTML documentation into .cache/docs/build/html (``make docs``).

antsibull-docs writes the pages of the modules, roles and plugins from their documentation (as ``ansible-doc``
reads it, with the collection found through ANSIBLE_COLLECTIONS_PATH); the README's sections become the guides
(Markdown, through MyST), each section a page, its links to other sections pointed at their pages and its links
to files of the repository turned into plain text (the site has no copy of them). Sphinx then builds the site with
every warning an error: a reference or a link between pages that does not resolve fails the build. References to
Ansible's own documentation are resolved by docs/ansible_refs.py, as the build runs offline.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / ".cache" / "docs"
COLLECTION = "lighthouse.monitoring"
GUIDES = SITE / "rst" / "guide"
# Additions to the conf.py that antsibull-docs sphinx-init writes.
CONF = f"""
# --- added by scripts/docs.py ---
import sys as _sys

_sys.path.insert(0, {str(ROOT / "docs")!r})
extensions += ["myst_parser", "ansible_refs"]
intersphinx_mapping = {{}}  # offline: docs/ansible_refs.py resolves the references to Ansible's documentation
myst_heading_anchors = 3
html_title = "{COLLECTION}"
"""
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


def run(*command: str, cwd: Path = ROOT) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, check=True)


def slug(title: str) -> str:
    """A heading's anchor as GitHub and MyST make it: lower case, punctuation dropped, spaces as '-'."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


def guides(readme: str) -> list[tuple[str, str, str]]:
    """The README as pages: (file name, title, Markdown); the text before the first section is the overview."""
    parts = re.split(r"^## (.+)$", readme, flags=re.MULTILINE)
    intro = re.sub(r"^# .+\n", "", parts[0]).strip()
    pages = [("overview", "Overview", intro)]
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        pages.append((slug(title), title.strip(), body.strip()))
    return pages


def anchors(pages: list[tuple[str, str, str]]) -> dict[str, str]:
    """Every heading's anchor -> the page it is on."""
    found = {}
    for name, title, body in pages:
        found[slug(title)] = name
        for heading in re.findall(r"^#{3,6} (.+)$", body, flags=re.MULTILINE):
            found[slug(heading)] = name
    return found


def rewrite_links(body: str, anchor_pages: dict[str, str]) -> str:
    def link(match: re.Match) -> str:
        text, target = match[1], match[2]
        if re.match(r"[a-z]+://|mailto:", target):
            return match[0]
        if target.startswith("#"):
            page = anchor_pages.get(target[1:])
            if page is None:
                raise SystemExit(f"README.md: the link {match[0]} points at no heading")
            return f"[{text}]({page}.md{target})"
        return text  # a file of the repository: not part of the site

    return LINK.sub(link, body)


def write_guides() -> None:
    pages = guides((ROOT / "README.md").read_text(encoding="utf-8"))
    anchor_pages = anchors(pages)
    GUIDES.mkdir(parents=True, exist_ok=True)
    for name, title, body in pages:
        body = re.sub(r"^#(#{2,5}) ", r"\1 ", body, flags=re.MULTILINE)  # the section is the page: ### -> ##
        (GUIDES / f"{name}.md").write_text(f"# {title}\n\n{rewrite_links(body, anchor_pages)}\n", encoding="utf-8")
    toctree = "\n".join(f"   {name}" for name, _title, _body in pages)
    index = f"Guides\n======\n\nThe sections of the README.\n\n.. toctree::\n   :maxdepth: 1\n\n{toctree}\n"
    (GUIDES / "index.rst").write_text(index, encoding="utf-8")


def main() -> int:
    try:
        build()
    except subprocess.CalledProcessError as exc:
        print(f"make docs: {exc.cmd[0]} {exc.cmd[1]} failed (exit {exc.returncode}); see above", file=sys.stderr)
        return 1
    print(f"documentation: {(SITE / 'build' / 'html' / 'index.html').relative_to(ROOT)}")
    return 0


def build() -> None:
    shutil.rmtree(SITE, ignore_errors=True)
    SITE.mkdir(mode=0o700, parents=True)  # antsibull-docs wants its directories writable by their owner only
    run(
        "antsibull-docs",
        "sphinx-init",
        "--use-current",
        "--fail-on-error",
        "--no-add-antsibull-docs-version",
        "--dest-dir",
        str(SITE),
        "--project",
        COLLECTION,
        "--title",
        COLLECTION,
        "--index-rst-source",
        str(ROOT / "docs" / "index.rst"),
        COLLECTION,
    )
    with (SITE / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(CONF)
    rst = SITE / "rst"
    rst.chmod(0o700)
    config = str(SITE / "antsibull-docs.cfg")
    run("antsibull-docs", "--config-file", config, "collection", "--use-current", "--fail-on-error",
        "--dest-dir", str(rst), COLLECTION)  # fmt: skip
    write_guides()
    run("sphinx-build", "-M", "html", str(rst), str(SITE / "build"), "-c", str(SITE), "-W", "--keep-going", "-q")


if __name__ == "__main__":
    sys.exit(main())
