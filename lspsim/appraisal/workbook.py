"""The appraisal as a spreadsheet a policy team can open and audit (openpyxl), laid out like
the local-partnership CBA model (HM Treasury 2014; New Economy): one sheet of annual flows per
appraisal, Green Book year 0 first, costs by category and the partner that bears them, benefits
by category and the agency (or residents) that gain them, discount factors, present values and
the net; beside them the summary table, the assumptions with their sources and price years,
the sensitivities, the switching values and the tornado."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lspsim.appraisal.evaluate import BENEFICIARIES, BENEFIT_CATEGORIES, COST_CATEGORIES
from lspsim.appraisal.pipeline import AppraisalResult, Arrangement, Detail, schedule_text

BOLD = Font(bold=True)
MONEY = '#,##0;[Red]-#,##0'


def _sheet_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", text)[:31]
    base, i = name, 2
    while name in used:
        name = f"{base[:28]}_{i}"
        i += 1
    used.add(name)
    return name


def _flows_sheet(ws: Any, title: str, d: Detail, who_costs: list[str], who_benefits: list[str],
                 rate_note: str) -> None:
    """Annual flows (rows) by year (columns), Green Book year 0 first, with a PV column."""
    h = next(iter(d.flows.values())).shape[1]
    years = int(np.ceil(h / 12))
    year_of = np.arange(h) // 12

    def annual(a: np.ndarray) -> np.ndarray:
        return np.bincount(year_of, weights=a, minlength=years)

    ws.append([title])
    ws["A1"].font = BOLD
    ws.append([rate_note])
    ws.append(["flow", "category", "who"] + [f"year {y}" for y in range(years)]
              + ["present value"])
    for c in ws[3]:
        c.font = BOLD
    total_und = {"cost": np.zeros(years), "benefit": np.zeros(years)}
    total_pv = {"cost": 0.0, "benefit": 0.0}
    for flow, cats, names in (("cost", COST_CATEGORIES, who_costs),
                              ("benefit", BENEFIT_CATEGORIES, who_benefits)):
        for cat in cats:
            arr, dis = d.flows[cat], d.discounted[cat]
            for i, name in enumerate(names):
                und = annual(arr[i])
                pv = float(dis[i].sum())
                if not und.any() and pv == 0:
                    continue
                ws.append([flow, cat, name, *[float(v) for v in und], pv])
                total_und[flow] += und
                total_pv[flow] += pv
        ws.append([f"total {flow}s", "", "", *[float(v) for v in total_und[flow]],
                   total_pv[flow]])
        for c in ws[ws.max_row]:
            c.font = BOLD
    net = total_und["benefit"] - total_und["cost"]
    ws.append(["net benefit", "", "", *[float(v) for v in net],
               total_pv["benefit"] - total_pv["cost"]])
    for c in ws[ws.max_row]:
        c.font = BOLD
    for row in ws.iter_rows(min_row=4, min_col=4, max_col=4 + years):
        for c in row:
            c.number_format = MONEY
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 24
    for j in range(4, 5 + years):
        ws.column_dimensions[get_column_letter(j)].width = 13


def _table_sheet(ws: Any, rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
    if not rows:
        ws.append(["(none)"])
        return
    columns = columns or list(rows[0])
    ws.append(columns)
    for c in ws[1]:
        c.font = BOLD
    for r in rows:
        ws.append([_cell(r.get(k)) for k in columns])
    for j, _ in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = 18


def _cell(v: Any) -> Any:
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if isinstance(v, dict | list):
        return str(v)
    if isinstance(v, np.generic):
        return v.item()
    return v


def write_workbook(result: AppraisalResult, path: str | Path) -> Path:
    """Write the appraisal workbook to ``path`` (an .xlsx file)."""
    a = result.assumptions
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    ws.title = _sheet_name("Summary", used)
    d = result.to_dict()
    ws.append([f"Appraisal: do-minimum {result.base.name}; options "
               f"{', '.join(o.name for o in result.options) or '(none)'}; "
               f"{int(a.prices.base_year.value)} prices; expected values over "
               f"{result.samples} assumption draws x {result.replications} replications"])
    ws["A1"].font = BOLD
    ws.append([d["conventions"]["bcr"]])
    ws.append([d["conventions"]["financial_return"]])
    ws.append([])
    cols = ["arrangement", "role", "against", "pv_costs", "pv_benefits", "npsv", "bcr",
            "pv_public_costs", "pv_fiscal", "pv_cashable", "fiscal_return", "cashable_return",
            "npsv_mc_se"]
    start = ws.max_row + 1
    ws.append(cols)
    for c in ws[start]:
        c.font = BOLD
    for r in d["summary_table"]:
        ws.append([_cell(r.get(k)) for k in cols])
    for j in range(1, len(cols) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 18

    rate_note = (f"Green Book year 0 = months 1-12, undiscounted; discounting "
                 f"{a.discounting.timing.value} on the Green Book 2026 standard schedule "
                 f"({schedule_text(a.discounting.standard)}"
                 + ("; wellbeing on the health schedule"
                    if a.discounting.wellbeing_schedule.value == "health" else "")
                 + "); GBP, "
                 f"{int(a.prices.base_year.value)} prices; expected flows")
    arrangements: list[tuple[str, Arrangement, Detail]] = [
        (f"{result.base.name} vs none", result.base, result.base.detail)]
    for o in result.options:
        arrangements.append((f"{o.name} vs none", o, o.detail))
        if o.inc_detail is not None:
            arrangements.append((f"{o.name} vs {result.base.name}", o, o.inc_detail))
    for title, arr, det in arrangements:
        f0 = arr.flows[0]
        _flows_sheet(wb.create_sheet(_sheet_name(title, used)),
                     f"Annual flows: {title}", det, list(f0.partner_names),
                     list(BENEFICIARIES), rate_note)

    rows = []
    for p, q in a.quantities().items():
        rows.append({"path": f"appraisal.{p}", "value": q.value, "unit": q.unit,
                     "price_year": q.price_year,
                     "value_in_base_prices": q.value * a.price_factor(q),
                     "dist": q.dist, "low": q.low, "high": q.high, "sigma": q.sigma,
                     "status": "illustrative" if q.illustrative else "sourced",
                     "source": q.source})
    _table_sheet(wb.create_sheet(_sheet_name("Assumptions", used)), rows)
    _table_sheet(wb.create_sheet(_sheet_name("Sensitivities", used)), result.sensitivities)
    sv = [dict(s, appraisal=f"{result.base.name} vs none") for s in result.switching]
    for o in result.options:
        sv += [dict(s, appraisal=f"{o.name} vs {result.base.name}") for s in o.inc_switching]
    _table_sheet(wb.create_sheet(_sheet_name("Switching values", used)), sv,
                 ["appraisal", "path", "unit", "base", "switching_value", "change_pct",
                  "within_range", "method", "basis"])
    _table_sheet(wb.create_sheet(_sheet_name("Tornado", used)), result.tornado,
                 ["path", "unit", "low_value", "high_value", "npsv_low", "npsv_high",
                  "npsv_base", "swing"])
    path = Path(path)
    wb.save(path)
    return path
