"""make docs: the README's sections as guide pages, with links between them that resolve."""

from __future__ import annotations

import pytest

from ansible_collections.lighthouse.monitoring.scripts.docs import anchors, guides, rewrite_links, slug

README = """# lighthouse.monitoring

Intro, see [Plan and drift](#plan-and-drift) and [the demo](scripts/demo.sh).

## Plan and drift

Text.

### Drift in CI

## Reliability: faults, races and secrets

Back to [the plan](#plan-and-drift), [CI](#drift-in-ci), [Ansible](https://docs.ansible.com/).
"""


def test_each_section_is_a_page_after_the_overview():
    pages = guides(README)
    assert [(name, title) for name, title, _body in pages] == [
        ("overview", "Overview"),
        ("plan-and-drift", "Plan and drift"),
        ("reliability-faults-races-and-secrets", "Reliability: faults, races and secrets"),
    ]


def test_links_to_sections_point_at_their_pages_and_links_to_files_become_text():
    pages = guides(README)
    found = anchors(pages)
    assert found["drift-in-ci"] == "plan-and-drift"
    overview = rewrite_links(pages[0][2], found)
    assert "[Plan and drift](plan-and-drift.md#plan-and-drift)" in overview and "see" in overview
    assert "the demo." in overview and "scripts/demo.sh" not in overview
    last = rewrite_links(pages[2][2], found)
    assert "[CI](plan-and-drift.md#drift-in-ci)" in last and "[Ansible](https://docs.ansible.com/)" in last


def test_a_link_to_no_heading_fails_the_build():
    with pytest.raises(SystemExit, match=r"the link \[x\]\(#nowhere\) points at no heading"):
        rewrite_links("[x](#nowhere)", {})


@pytest.mark.parametrize(
    ("title", "anchor"),
    [
        ("Plan and drift", "plan-and-drift"),
        ("Try it: `make demo`", "try-it-make-demo"),
        ("VM lifecycle hooks", "vm-lifecycle-hooks"),
    ],
)
def test_anchors_are_made_as_github_and_myst_make_them(title, anchor):
    assert slug(title) == anchor
