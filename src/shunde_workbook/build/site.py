"""The report site's front page, ``outputs/index.html``, rendered with jinja2."""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEXT = {
    "zh": {
        "site_title": "顺德社会治理资助研究工作簿 · 报告目录",
        "caveat_heading": "请先阅读：",
        "simulated": "演示数据：资助记录为依据公开汇总数据模拟生成，并非真实项目记录。基于它的数字不是关于顺德的研究发现。",
        "approximate": "镇街边界为近似构建（非官方边界），地图仅供示意。",
        "generated": "生成于", "commit": "代码版本", "wall": "耗时", "peak": "峰值内存",
        "reports": "报告", "report": "报告", "editions": "版本", "status": "状态", "built": "生成时间",
        "policy": "政策版（无代码）", "analyst": "分析版（含代码）",
        "status_ok": "已生成", "status_cached": "未变化（沿用）", "status_failed": "失败",
        "inputs": "输入数据及其来源状态", "file": "文件", "provenance": "来源状态",
        "manifest_note": "参数、输入文件哈希、软件包版本与耗时见",
    },
    "en": {
        "site_title": "Shunde social-governance funding workbook · Reports",
        "caveat_heading": "Read first:",
        "simulated": "Demonstration data: the grant records are simulated from published aggregates, not real "
                     "project records. Numbers built on them are not findings about Shunde.",
        "approximate": "Town boundaries are approximate (not official); maps are illustrative.",
        "generated": "Generated", "commit": "commit", "wall": "wall time", "peak": "peak memory",
        "reports": "Reports", "report": "Report", "editions": "Editions", "status": "Status", "built": "Built",
        "policy": "Policy edition (no code)", "analyst": "Analyst edition (with code)",
        "status_ok": "built", "status_cached": "unchanged (kept)", "status_failed": "failed",
        "inputs": "Inputs and their provenance", "file": "File", "provenance": "Status",
        "manifest_note": "Parameters, input hashes, package versions and timings:",
    },
}


def caveats(inputs: dict, lang: str) -> list[str]:
    """Plain-language warnings for simulated or approximate inputs."""
    statuses = {i["status"] for i in inputs.values()}
    out = []
    if any("simulated" in s for s in statuses):
        out.append(TEXT[lang]["simulated"])
    if "approximate" in statuses:
        out.append(TEXT[lang]["approximate"])
    return out


def _params_text(params: dict) -> str:
    from shunde_workbook.report.presenter import format_param

    return " · ".join(f"{k}: {format_param(k, v)}" for k, v in params.items() if not k.endswith("_path")) or "defaults"


def write_index(outputs: Path, manifest: dict) -> Path:
    """Render ``index.html`` from the manifest (atomically)."""
    lang = manifest["run"]["parameters"].get("language", "zh")
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates" / "site"),
                      autoescape=select_autoescape(["html", "j2"]))
    reports = []
    for r in manifest["reports"]:
        files = {k: "reports/" + Path(v).name for k, v in (r.get("files") or {}).items() if k in ("policy", "analyst")}
        reports.append({**r, "files": files, "params_text": _params_text(r.get("parameters", {}))})
    html = env.get_template("index.html.j2").render(
        t=TEXT[lang], lang=lang, run=manifest["run"], reports=reports, caveats=caveats(manifest["run"]["inputs"], lang))
    path = outputs / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
