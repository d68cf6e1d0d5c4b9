"""Cite this report: the footer names version, commit, run, date and ledger status; plain text and BibTeX."""

from __future__ import annotations

import json

from shunde_workbook import __version__
from shunde_workbook.publish.citation import add_citation, citation_texts, run_facts


def _outputs(tmp_path, status="simulated"):
    run = {
        "started": "2026-12-07T09:30:00",
        "git_commit": "abcdef0123456789",
        "inputs": {"data/raw/x.csv": {"status": status, "parameter": "ledger_path", "sha256": "0"}},
    }
    (tmp_path / "manifest.json").write_text(json.dumps({"run": run, "reports": []}), encoding="utf-8")
    return tmp_path


def test_run_facts_come_from_the_manifest(tmp_path):
    facts = run_facts(_outputs(tmp_path, "official"))
    assert facts == {
        "version": __version__,
        "commit": "abcdef012345",
        "run_id": f"{tmp_path.name}@2026-12-07T09:30:00",
        "date": "2026-12-07",
        "ledger": "official",
    }


def test_plain_text_and_bibtex_name_every_fact(tmp_path):
    facts = run_facts(_outputs(tmp_path))
    for lang in ("zh", "en"):
        plain, bib = citation_texts("00_policy_brief", "Brief", facts, lang)
        for text in (plain, bib):
            assert all(facts[k] in text for k in ("version", "commit", "run_id")), text
        assert "2026-12-07" in plain and bib.startswith("@techreport{shunde_00_policy_brief_2026_12_07,")
        assert "ledger: simulated" in bib
    assert "模拟" in citation_texts("00_policy_brief", "简报", facts, "zh")[0]


def test_the_footer_goes_at_the_end_of_main_with_copy_buttons(tmp_path):
    page = "<html><body><main><h1>T</h1></main><script></script></body></html>"
    out = add_citation(page, "01_data_audit", "审计", _outputs(tmp_path), "zh")
    assert out.index('<footer class="sw-cite"') < out.index("</main>")
    assert out.count('class="sw-copy"') == 2 and out.count("<textarea readonly") == 2
    assert "abcdef012345" in out and "运行编号" in out
