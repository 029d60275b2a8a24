# Copyright: lighthouse.monitoring contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Sphinx extension of `make docs`: the references that antsibull-docs makes to Ansible's own documentation
(its configuration's environment variables, the common return values, the plugin pages), turned into links to
those pages without Sphinx's intersphinx, which downloads Ansible's inventory and so cannot build offline. Any
other reference that does not resolve stays a warning, and the build fails on it (a broken link)."""

from __future__ import annotations

from typing import Any

from docutils import nodes

BASE = "https://docs.ansible.com/projects/ansible/devel/"  # antsibull-docs' intersphinx base for Ansible's docs
LABELS = {
    "ansible_configuration_settings": "reference_appendices/config.html",
    "callback_plugins": "plugins/callback.html",
    "common_return_values": "reference_appendices/common_return_values.html",
}


def resolve(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    domain, kind, target = node.get("refdomain"), node.get("reftype"), node.get("reftarget", "")
    if domain == "std" and kind == "envvar" and target.startswith("ANSIBLE_"):
        uri = f"{BASE}reference_appendices/config.html#envvar-{target}"
    elif domain == "std" and kind == "ref" and target in LABELS:
        uri = BASE + LABELS[target]
    else:
        return None
    reference = nodes.reference("", "", internal=False, refuri=uri)
    reference += contnode
    return reference


def setup(app: Any) -> dict:
    app.connect("missing-reference", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
