"""Links to the in-page tools (the allocation explorer of report 05, the grant table of report 01).

The index page and the policy brief point readers to them; the anchors are the blocks' ids
(``swx`` in ``assets/explorer.html.j2``, ``swg`` in ``assets/grant_table.html.j2``).
"""

from __future__ import annotations

import html

from shunde_workbook.narrative.text import tr

#: (report, anchor, catalogue key of the link text)
TOOLS = (
    ("05_scenarios_2023", "swx", "explorer.link_explorer"),
    ("01_data_audit", "swg", "explorer.link_grants"),
)


def tool_links(policy_files: dict[str, str], lang: str) -> list[dict[str, str]]:
    """``[{"href", "label"}]`` for the tools whose report is present (``policy_files``: report name → path)."""
    return [
        {"href": f"{policy_files[name]}#{anchor}", "label": tr(key, lang)}
        for name, anchor, key in TOOLS
        if policy_files.get(name)
    ]


def brief_links_html(lang: str) -> str:
    """A paragraph for the brief linking both tools (the reports sit in the same folder)."""
    items = tool_links({name: f"{name}.html" for name, _, _ in TOOLS}, lang)
    links = " · ".join(f'<a href="{html.escape(i["href"])}">{html.escape(i["label"])}</a>' for i in items)
    return f'<p class="sw-tools"><strong>{html.escape(tr("explorer.link_heading", lang))}</strong> {links}</p>'


def show_brief_links(lang: str) -> None:
    """Display :func:`brief_links_html` in the notebook."""
    from IPython.display import HTML, display

    display(HTML(brief_links_html(lang)))
