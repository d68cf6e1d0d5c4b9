"""Every word a report shows, in Chinese and English (``language`` parameter)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    # report furniture
    "banner_heading": {"zh": "请先阅读", "en": "Read first"},
    "banner_simulated": {"zh": "演示数据：资助记录为依据公开汇总数据模拟生成，并非真实项目记录。本报告中基于资助记录的数字、图表和结论都不是关于顺德的事实。",
                         "en": "Demonstration data: the grant records are simulated from published aggregates, not real project records. "
                               "No number, chart or statement here that rests on them is a fact about Shunde."},
    "banner_approximate": {"zh": "镇街边界为近似构建（非官方边界），地图仅供示意。",
                           "en": "Town boundaries are approximate (not official); maps are illustrative only."},
    "run_date": {"zh": "运行日期", "en": "Run date"},
    "data_date": {"zh": "数据年份", "en": "Data years"},
    "unknown": {"zh": "未知", "en": "unknown"},
    "parameters": {"zh": "参数", "en": "Parameters"},
    "contents": {"zh": "目录", "en": "Contents"},
    "key_findings": {"zh": "主要发现", "en": "Key findings"},
    "figure": {"zh": "图{n}", "en": "Figure {n}."},
    "source": {"zh": "来源", "en": "Source"},
    "source_ledger_simulated": {"zh": "模拟资助台账（依据公开汇总数据校准，非真实记录）",
                                "en": "simulated grant ledger (calibrated to published aggregates; not real records)"},
    "source_ledger": {"zh": "用户提供的资助台账", "en": "grant ledger supplied by the user"},
    "source_boundaries_approx": {"zh": "近似镇街边界（见方法说明）", "en": "approximate town boundaries (see method)"},
    "methods_title": {"zh": "数据与方法", "en": "Data and methods"},
    "simulated_stamp": {"zh": "模拟数据 · 非真实记录", "en": "Simulated data · not real records"},
    "no_data": {"zh": "无数据", "en": "No data"},
    # units and common labels
    "unit_amount": {"zh": "{unit}", "en": "{unit_en}"},
    "year": {"zh": "年份", "en": "Year"},
    "programme": {"zh": "计划", "en": "Programme"},
    "field": {"zh": "领域/板块", "en": "Field / section"},
    "town": {"zh": "镇街", "en": "Town"},
    "amount": {"zh": "资助金额", "en": "Amount granted"},
    "grants": {"zh": "项目数", "en": "Grants"},
    "mean_grant": {"zh": "平均资助额", "en": "Mean grant"},
    "median_grant": {"zh": "资助额中位数", "en": "Median grant"},
    "growth": {"zh": "同比增长", "en": "Growth on previous year"},
    "share": {"zh": "占比", "en": "Share"},
    "amount_share": {"zh": "资助占比", "en": "Share of funding"},
    "pop_share": {"zh": "人口占比", "en": "Share of population"},
    "unit_share": {"zh": "村(社区)占比", "en": "Share of villages/communities"},
    "per_resident": {"zh": "人均资助（元/人）", "en": "Funding per resident (yuan/person)"},
    "per_unit": {"zh": "每村(社区)资助", "en": "Funding per village/community"},
    "population": {"zh": "常住人口", "en": "Resident population"},
    "pop_grade": {"zh": "人口数据等级", "en": "Population grade"},
    "village_units": {"zh": "村(社区)数", "en": "Villages/communities"},
    "villages_funded": {"zh": "获资助村(社区)数", "en": "Villages funded"},
    "coverage": {"zh": "覆盖率", "en": "Coverage"},
    "rank": {"zh": "排名", "en": "Rank"},
    "programme_众创共善": {"zh": "众创共善", "en": "Zhongchuang Gongshan"},
    "programme_和美社区": {"zh": "和美社区", "en": "Hemei Community"},
    # notebook questions
    "q_audit": {"zh": "这份资助数据从哪里来、是否通过了校验、与公开数字是否一致？",
                "en": "Where does this grant data come from, did it pass validation, and does it agree with the published figures?"},
    "q_overview": {"zh": "各年度、各计划、各领域分别资助了多少？资助结构如何变化？",
                   "en": "How much was granted per year, programme and field, and how did the mix change?"},
    "q_towns": {"zh": "资助在十个镇街之间如何分布？与人口和村(社区)数量相比是否相称？",
                "en": "How is funding spread across the ten towns, and is it in proportion to population and to the number of villages?"},
    "q_fairness": {"zh": "按人口加权，资助分布有多不均？不均主要来自镇街之间还是镇街内部？与需要相比差距多大？",
                   "en": "How unequal is funding once weighted by population, does the inequality lie between or within towns, and how far is each town from a need-based target?"},
    "q_scenarios": {"zh": "2023年计划资金（5,900万元）若按不同规则分配，各镇街会得到多少？",
                    "en": "How would the 2023 plan (59 million yuan) be shared among the towns under different allocation rules?"},
    "q_profile": {"zh": "这个镇街的资助趋势、领域、村(社区)、承接机构及其在全区中的位置如何？",
                  "en": "What are this town's funding trend, fields, villages, recipients and position in the district?"},
    "q_brief": {"zh": "本简报汇总各项分析中最重要的发现，供决策参考；每个数字都可追溯到分析结果。",
                "en": "This brief gathers the most important findings of all analyses; every number traces back to a computed result."},
    # 01 data audit
    "audit_title": {"zh": "数据审计：来源、校验与对账", "en": "Data audit: provenance, validation and reconciliation"},
    "audit_provenance": {"zh": "数据来源状态", "en": "Provenance of the inputs"},
    "audit_validation": {"zh": "校验结果", "en": "Validation"},
    "audit_reconciliation": {"zh": "与公开数据对账", "en": "Reconciliation with published figures"},
    "audit_inputs_caption": {"zh": "各输入文件的来源状态（模拟 / 近似 / 官方 / 公开）。", "en": "Provenance status of each input (simulated / approximate / official / published)."},
    "audit_population_caption": {"zh": "各镇街采用的常住人口及其质量等级：A=2020年普查；B=2019–2020年官方常住估计；C=年份或口径不明；空=缺失。", "en": "Resident population chosen per town with its quality grade: A = 2020 census; B = official 2019–2020 estimate; C = undated or unspecified; empty = missing."},
    "audit_errors_caption": {"zh": "校验错误（行号按电子表格计数，表头为第1行）。", "en": "Validation errors (row numbers as a spreadsheet counts them; the header is row 1)."},
    "audit_reconciliation_intro": {"zh": "每条公开数据按其限定词检验：exact（完全一致）、approx（±0.5%）、lower_bound（不低于）。台账无法检验的项目标为“不适用”，不会被略去。", "en": "Each published figure is checked according to its qualifier: exact, approx (±0.5%) or lower_bound. Figures a ledger cannot speak to are marked 'not applicable', never dropped."},
    "audit_reconciliation_full": {"zh": "完整对账表（含来源与说明）已导出到 outputs/tables/01_data_audit__reconciliation.csv 和 .xlsx。",
                                  "en": "The full table with sources and notes is exported to outputs/tables/01_data_audit__reconciliation.csv and .xlsx."},
    "audit_reconciliation_caption": {"zh": "公开数据与台账的对账表。", "en": "Published figures against the ledger."},
    # 02 overview
    "overview_title": {"zh": "资助总览：年度、计划与领域", "en": "Funding overview: years, programmes and fields"},
    "overview_by_year": {"zh": "按年度和计划", "en": "By year and programme"},
    "overview_fields": {"zh": "各领域占比变化", "en": "Field shares over time"},
    "overview_by_year_caption": {"zh": "各年度资助金额，按计划堆叠。", "en": "Amount granted per year, stacked by programme."},
    "overview_table_caption": {"zh": "按年度和计划的资助金额、项目数、平均与中位资助额及同比增长。", "en": "Amount, grants, mean and median grant and growth by year and programme."},
    "overview_fields_caption": {"zh": "各领域/板块占所属计划当年资助额的比例。", "en": "Each field's share of its programme's funding per year."},
    "overview_field_totals_caption": {"zh": "各领域/板块累计资助额。", "en": "Total funding by field/section."},
    # 03 towns
    "towns_title": {"zh": "镇街分布：资助、人口与村(社区)", "en": "Town distribution: funding, population and villages"},
    "towns_maps": {"zh": "资助地图", "en": "Funding maps"},
    "towns_shares": {"zh": "资助占比与人口、村(社区)占比", "en": "Funding share against population and villages"},
    "towns_coverage": {"zh": "村(社区)覆盖率", "en": "Village coverage"},
    "towns_map_total": {"zh": "各镇街资助总额", "en": "Total funding by town"},
    "towns_map_total_legend": {"zh": "资助总额", "en": "Total funding"},
    "towns_map_total_caption": {"zh": "各镇街累计资助总额（分级设色）。", "en": "Total funding per town (classed choropleth)."},
    "towns_map_per_resident": {"zh": "各镇街人均资助", "en": "Funding per resident by town"},
    "towns_map_per_resident_legend": {"zh": "人均资助", "en": "Per resident"},
    "towns_map_per_resident_caption": {"zh": "人均资助；人口数据质量不一（见数据审计），缺失人口的镇街以斜线表示。", "en": "Funding per resident; population figures vary in quality (see the data audit); towns without population are hatched."},
    "towns_map_per_unit": {"zh": "各镇街每村(社区)资助", "en": "Funding per village/community"},
    "towns_map_per_unit_legend": {"zh": "每村(社区)", "en": "Per village"},
    "towns_map_per_unit_caption": {"zh": "平均每个村(社区)获得的资助。", "en": "Funding per village/community unit."},
    "towns_shares_caption": {"zh": "各镇街资助占比、常住人口占比和村(社区)占比。", "en": "Each town's share of funding, of residents and of villages/communities."},
    "towns_table_caption": {"zh": "镇街排名表（人口等级见数据审计）。", "en": "Town rank table (population grades as in the data audit)."},
    "towns_coverage_caption": {"zh": "每年获得至少一个项目的村(社区)占该镇街村(社区)总数的比例。", "en": "Share of each town's villages/communities with at least one grant, per year."},
    # 04 fairness
    "fairness_title": {"zh": "公平与需要：不均等程度与目标差距", "en": "Fairness and need: inequality and distance from target"},
    "fairness_inequality": {"zh": "不均等程度", "en": "Inequality"},
    "fairness_need": {"zh": "需要指数与目标差距", "en": "Need index and distance from target"},
    "fairness_concentration": {"zh": "承接机构集中度", "en": "Concentration of recipients"},
    "fairness_lorenz_caption": {"zh": "按人口加权的洛伦兹曲线（镇街层面；缺少人口的镇街不计入）。", "en": "Population-weighted Lorenz curve across towns (towns without population left out)."},
    "quality_population": {"zh": "依赖镇街人口（多为C级）", "en": "rests on town population (mostly grade C)"},
    "quality_villages": {"zh": "村(社区)等权（无村级人口）", "en": "villages weighted equally (no village population)"},
    "fairness_table_caption": {"zh": "不均等指标及其数据质量。", "en": "Inequality measures and the data quality behind them."},
    "fairness_need_intro": {"zh": "需要指数按权重 {weights} 合成；目标 = 实际总额 × 需要份额；差距 = (实际 − 目标) / 目标。", "en": "The need index combines the town-table columns with weights {weights}; target = actual total × need share; distance = (actual − target) / target."},
    "fairness_distance_caption": {"zh": "各镇街与需要目标的差距；负值表示低于目标。", "en": "Each town's distance from its need-based target; negative means below target."},
    "fairness_need_caption": {"zh": "需要指数、目标与实际资助（{unit}），以及人口等级和边界类型。", "en": "Need index, target and actual funding ({unit}), with population grade and boundary type."},
    "fairness_concentration_caption": {"zh": "资助额最高机构的合计占比（%）和赫芬达尔指数。", "en": "Share of the top organisations (%) and the Herfindahl–Hirschman index."},
    # 05 scenarios
    "scenarios_title": {"zh": "2023年计划资金分配情景", "en": "2023 plan: allocation scenarios"},
    "scenarios_rules": {"zh": "各规则下的分配", "en": "Allocation under each rule"},
    "scenarios_shift": {"zh": "相对历史份额的变化", "en": "Shift from historical shares"},
    "scenarios_fallback": {"zh": "{towns}缺少常住人口数据：在按人口和按需要的规则中，按其村(社区)占比分配。", "en": "{towns}: no resident population; under population and need rules it is allocated by its share of villages/communities."},
    "scenarios_rules_intro": {"zh": "规则：历史份额；按村(社区)平均；按常住人口；按需要指数；保底（平均）加需要公式。每条规则的分配总额都等于计划总额。", "en": "Rules: historical shares; equal per village/community; per resident; need-weighted; an equal floor plus the need formula. Every rule allocates exactly the plan total."},
    "scenarios_bars_caption": {"zh": "2023年计划资金（众创共善3,100万+和美社区2,800万）在各规则下的镇街分配。", "en": "The 2023 plan (31m + 28m yuan) allocated to towns under each rule."},
    "scenarios_table_caption": {"zh": "各规则下的分配（{unit}）。", "en": "Allocation under each rule ({unit})."},
    "scenarios_map_title": {"zh": "相对历史份额的变化：{rule}", "en": "Shift from historical shares: {rule}"},
    "scenarios_map_caption": {"zh": "规则 {rule} 相对历史份额的变化（正为增加）。", "en": "Change under rule {rule} against historical shares (positive = gain)."},
    "scenarios_shift_caption": {"zh": "各规则相对历史份额的变化（{unit}）。", "en": "Shift from historical shares per rule ({unit})."},
    # 06 profile
    "profile_title": {"zh": "镇街概况：{town}", "en": "Town profile: {town}"},
    "profile_trend": {"zh": "资助趋势", "en": "Funding trend"},
    "profile_fields": {"zh": "领域构成", "en": "Fields"},
    "profile_villages": {"zh": "村(社区)", "en": "Villages and communities"},
    "profile_recipients": {"zh": "承接机构", "en": "Recipient organisations"},
    "profile_trend_caption": {"zh": "本镇街各年度资助额（按计划），黑线为全区镇街平均。", "en": "This town's funding per year by programme; the line is the district mean per town."},
    "profile_locator": {"zh": "本镇街", "en": "This town"},
    "profile_locator_caption": {"zh": "位置示意（近似边界）。", "en": "Location (approximate boundaries)."},
    "profile_fields_caption": {"zh": "本镇街各领域/板块累计资助额。", "en": "Funding by field/section in this town."},
    "profile_villages_caption": {"zh": "本镇街各村(社区)的资助额与项目数。", "en": "Funding and grants per village/community in this town."},
    "recipient": {"zh": "承接机构", "en": "Organisation"},
    "profile_recipients_caption": {"zh": "本镇街资助额最高的承接机构（前10）。", "en": "Top 10 recipient organisations in this town."},
    # 00 brief
    "brief_title": {"zh": "政策简报：顺德社会治理资助分布", "en": "Policy brief: how Shunde's social-governance grants are distributed"},
    "brief_figures": {"zh": "关键图表", "en": "Key figures"},
    "brief_caveats": {"zh": "注意事项", "en": "Caveats"},
    "brief_caveats_text": {"zh": "目前没有任何一个计划公开逐项资助记录，本简报所用台账为依据公开汇总数据模拟生成，因此上面的镇街分布、不均等和情景结果仅演示分析方法，不能作为关于顺德的结论。镇街边界为近似构建；除北滘外，各镇街人口不是2020年普查数据，均安缺少人口数据。接入真实台账后重新运行即可得到真实结果。",
                           "en": "Neither programme publishes grant-level records. The ledger behind this brief is simulated from published aggregates, so the town distribution, inequality and scenario results above demonstrate the method only and are not conclusions about Shunde. Town boundaries are approximate; apart from Beijiao, town populations are not 2020 census counts, and Jun'an has none. Rerun with a real ledger to obtain real results."},
}


def tr(key: str, lang: str, **fmt) -> str:
    """The text for ``key`` in ``lang`` (falls back to Chinese), formatted with ``fmt``."""
    entry = TEXT[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**fmt) if fmt else text


def unit_label(unit: str, lang: str, per: str | None = None) -> str:
    """'万元' / '10k yuan' etc. for axis labels and legends."""
    en = {"元": "yuan", "万元": "10k yuan"}[unit]
    base = unit if lang == "zh" else en
    return base if per is None else f"{base}/{per}"


def programme_label(name: str, lang: str) -> str:
    key = f"programme_{name}"
    return tr(key, lang) if key in TEXT else name


FIELD_EN = {
    "教育发展": "Education", "社区照顾": "Community care", "文化保育": "Cultural heritage",
    "社区发展": "Community development", "行业支持": "Sector support", "社区营造": "Community building",
    "公益创新": "Public-interest innovation", "基层治理创新": "Grassroots governance innovation",
    "'五社联动'及社会服务": "'Five-party linkage' & social services", "社会服务设施建设": "Social service facilities",
    "'3861'妇儿公益": "'3861' women & children", "同行善·慈善服务": "Charity services",
    "公益综合": "General public interest", "'3861'妇女儿童": "'3861' women & children",
    "青年益创行动": "Youth innovation", "新顺德人服务": "Services for new residents", "创想行动": "Creative action",
}


def field_label(name: str, lang: str) -> str:
    """A field/section name in ``lang`` (Chinese names are the data's own)."""
    return FIELD_EN.get(name, name) if lang == "en" else name


RULES = {
    "historical": {"zh": "按历史份额", "en": "Historical shares"},
    "equal_per_unit": {"zh": "按村(社区)平均", "en": "Equal per village"},
    "per_resident": {"zh": "按常住人口", "en": "Per resident"},
    "need_weighted": {"zh": "按需要指数", "en": "Need-weighted"},
    "floor_plus_need": {"zh": "保底加需要公式", "en": "Floor plus need formula"},
}


def rule_label(rule: str, lang: str) -> str:
    """Display name of a 2023 allocation rule (``shift_`` prefix ignored)."""
    rule = rule.removeprefix("shift_")
    return RULES.get(rule, {}).get(lang, rule)
