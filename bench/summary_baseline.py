"""Benchmark: the product's summary (and its Excel file) against a hand-written baseline.

    .venv/bin/python bench/summary_baseline.py [--sizes 3k,30k] [--repeat 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zzip_bench .venv/bin/python bench/...

The baseline computes the same official table the simplest way we could write it: one SQL
query over the closure (ancestor) table that sums, per row, the period's figures, those of
the end of last year and of the same period last year, the year's targets, and reads the
populations and the leaves below each row; the ratios in Python with the same half-up
rounding; the workbook written with xlsxwriter. For the nation, a province and a city of
each generated tree (bench/_tree.py, built once and kept) it prints the product's time, the
baseline's and their ratio, the two runs interleaved (product, baseline, product, ...) so
that both see the same machine; then it checks that they agree: every cell of every row
of the summary, and every cell of the two workbooks' title and body read back.

The bench data have only indicators every district reports (no formula, no unit's own
figure), which is what the baseline handles; the product's tests cover the rest.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from decimal import ROUND_HALF_UP, Decimal

import _tree
import openpyxl
import xlsxwriter
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.exports.xlsx import FIRST_BODY_ROW, summary_xlsx_bytes
from indicators.selectors import summarize

SCALE = 4  # decimal places stored for figures, targets and populations
COUNTED = ("submitted", "approved")
SCOPE = {"nation": "全国", "province": "全省", "city": "全市"}
HEADING = {"nation": "省(区、市)", "province": "市", "city": "区(市)"}
TITLES = {1: "一季度", 2: "上半年", 3: "前三季度", 4: "全年"}


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _sum(expr: str) -> str:
    """An exact sum: PostgreSQL sums numerics; SQLite stores decimals as binary floats and
    would sum them as floats, so it sums them as integers of the smallest stored unit."""
    if connection.vendor == "postgresql":
        return f"SUM({expr})"
    return f"SUM(CAST(ROUND({expr} * 10000) AS INTEGER))"


def _one(expr: str) -> str:
    return expr if connection.vendor == "postgresql" else f"CAST(ROUND({expr} * 10000) AS INTEGER)"


def _number(raw) -> Decimal:
    return Decimal(raw) if connection.vendor == "postgresql" else Decimal(raw).scaleb(-SCALE)


SQL = """
WITH rows_ AS (
    SELECT id FROM districts_unit WHERE (parent_id = %(node)s AND active) OR id = %(node)s
)
SELECT 'u', u.id, u."order", 0, NULL, 0, COALESCE(NULLIF(u.short_name, ''), u.name), u.code
  FROM districts_unit u WHERE u.parent_id = %(node)s AND u.active
UNION ALL
SELECT 'f', c.ancestor_id, r.period_id, f.indicator_id, {fsum}, COUNT(*), NULL, NULL
  FROM districts_unitclosure c
  JOIN indicators_report r ON r.unit_id = c.descendant_id
  JOIN indicators_figure f ON f.report_id = r.id
 WHERE c.ancestor_id IN (SELECT id FROM rows_)
   AND r.period_id IN (%(current)s, %(year_end)s, %(last_year)s)
   AND r.state IN ('submitted', 'approved')
 GROUP BY c.ancestor_id, r.period_id, f.indicator_id
UNION ALL
SELECT 't', c.ancestor_id, 0, t.indicator_id, {tsum}, COUNT(*), NULL, NULL
  FROM districts_unitclosure c JOIN indicators_target t ON t.unit_id = c.descendant_id
 WHERE c.ancestor_id IN (SELECT id FROM rows_) AND t.year = %(year)s
 GROUP BY c.ancestor_id, t.indicator_id
UNION ALL
SELECT 'p', p.unit_id, 0, 0, {pop}, 1, NULL, NULL
  FROM districts_population p
 WHERE p.unit_id IN (SELECT id FROM rows_) AND p.year = %(pop_year)s
UNION ALL
SELECT 'l', c.ancestor_id, 0, 0, NULL, COUNT(*), NULL, NULL
  FROM districts_unitclosure c JOIN districts_unit d ON d.id = c.descendant_id
 WHERE c.ancestor_id IN (SELECT id FROM rows_) AND d.active
   AND NOT EXISTS (SELECT 1 FROM districts_unit k WHERE k.parent_id = d.id AND k.active)
 GROUP BY c.ancestor_id
"""

INDICATORS_SQL = """
SELECT i.id, i.code, i.kind, i.has_target, i.has_net_growth, i.has_per_capita,
       i.decimal_places, COALESCE(NULLIF(i.column_title, ''), i.name), i.unit_label,
       i.value_heading
  FROM indicators_indicator i JOIN indicators_indicatorset s ON s.id = i.indicator_set_id
 WHERE s.frequency = %s AND i.formula = '' AND i.in_table
 ORDER BY i."order", i.code
"""


def baseline_table(period_ids: dict, year: int, node_id: int, kind: str):
    """The table of ``node_id``: (title, heading, columns, rows), each row (unit id, label,
    {code: {attribute: value}}), the total last."""
    with connection.cursor() as cursor:
        cursor.execute(INDICATORS_SQL, ["Q"])
        indicators = cursor.fetchall()
        sql = SQL.format(fsum=_sum("f.value"), tsum=_sum("t.value"), pop=_one("p.value"))
        cursor.execute(sql, {"node": node_id, "year": year, "pop_year": year - 1, **period_ids})
        fetched = cursor.fetchall()
    units, figures, targets, pops, leaves = [], {}, {}, {}, {}
    for tag, a, b, c, s, n, label, code in fetched:
        if tag == "u":
            units.append((b, code, a, label))
        elif tag == "f":
            figures[(a, b, c)] = (_number(s), n)
        elif tag == "t":
            targets[(a, c)] = (_number(s), n)
        elif tag == "p":
            pops[a] = _number(s)
        else:
            leaves[a] = n
    units.sort()
    rows = [(uid, label) for _o, _c, uid, label in units] + [(node_id, SCOPE[kind])]
    cur, ye, ly = period_ids["current"], period_ids["year_end"], period_ids["last_year"]
    table = []
    for uid, label in rows:
        expected = leaves.get(uid, 0)
        pop = pops.get(uid)
        cells = {}
        for iid, code, _kind, has_target, has_net, has_pc, _p, _t, _u, _h in indicators:
            value, have = figures.get((uid, cur, iid), (None, 0))
            cell = {"value": value, "partial": value is not None and have < expected}
            target, targeted = targets.get((uid, iid), (None, 0)) if has_target else (None, 0)
            cell["target"] = target
            cell["target_partial"] = target is not None and targeted < expected
            cells[code] = cell
            if cell["partial"]:
                continue
            if has_target and not cell["target_partial"] and value is not None and target:
                cell["completion"] = _q(value / target * 100, 1)
            end, n_end = figures.get((uid, ye, iid), (None, 0))
            if has_net and n_end == expected and value is not None:
                cell["net_growth"] = value - end
            if has_pc and value is not None and pop:
                cell["per_capita"] = _q(value / pop, 2)
            last, n_last = figures.get((uid, ly, iid), (None, 0))
            if n_last == expected and value is not None and last:
                cell["yoy"] = _q((value - last) / last * 100, 2)
        table.append((uid, label, cells))
    columns = []
    for (
        _id,
        code,
        ikind,
        has_target,
        has_net,
        has_pc,
        places,
        title,
        unit,
        value_head,
    ) in indicators:
        cols = [("value", value_head, places)]
        if ikind == "flow" and has_target:
            cols += [
                ("target", f"年指导目标（{unit}）", places),
                ("completion", "目标完成情况（%）", 2),
            ]
        elif ikind == "stock":
            if has_net:
                cols.append(("net_growth", f"比去年年底净增长（{unit}）", places))
            if has_target:
                cols.append(("target", f"年指导目标（{unit}）", places))
            if has_pc:
                cols.append(("per_capita", f"万人比（{unit}）", 2))
        if len(cols) > 1 and not value_head:
            cols[0] = ("value", f"数值（{unit}）", places)
        columns.append((code, title, cols))
    return indicators, columns, table


def baseline_xlsx(title: str, heading: str, columns, table, note: str) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet(title[:31])
    title_f = wb.add_format({"font_name": "黑体", "font_size": 18, "align": "center"})
    head_f = wb.add_format(
        {"font_name": "黑体", "border": 1, "align": "center", "valign": "vcenter", "text_wrap": 1}
    )
    body = {
        places: wb.add_format(
            {
                "font_name": "宋体",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "num_format": "0" if places == 0 else "0." + "0" * places,
            }
        )
        for places in (0, 1, 2, 3, 4)
    }
    flat = [(code, attr, places) for code, _t, cols in columns for attr, _h, places in cols]
    ws.merge_range(0, 0, 0, len(flat), title, title_f)
    ws.merge_range(1, 0, 2, 0, heading, head_f)
    col = 1
    for _code, group_title, cols in columns:
        if len(cols) == 1 and not cols[0][1]:
            ws.merge_range(1, col, 2, col, group_title, head_f)
        else:
            if len(cols) > 1:
                ws.merge_range(1, col, 1, col + len(cols) - 1, group_title, head_f)
            else:
                ws.write(1, col, group_title, head_f)
            for k, (_a, head, _p) in enumerate(cols):
                ws.write(2, col + k, head, head_f)
        col += len(cols)
    for r, (_uid, label, cells) in enumerate(table, start=FIRST_BODY_ROW - 1):
        ws.write_string(r, 0, label, body[0])
        for c, (code, attr, places) in enumerate(flat, start=1):
            value = cells[code].get(attr)
            if value is None:
                ws.write_string(r, c, "—", body[0])
            else:
                ws.write_number(r, c, float(_q(value, places)), body[places])
    last = FIRST_BODY_ROW - 1 + len(table)
    ws.merge_range(last, 0, last, len(flat), note, body[0])
    ws.freeze_panes(FIRST_BODY_ROW - 1, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(1, 2)
    ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()
    return buffer.getvalue()


def baseline(ids: dict, year: int, node, *, excel: bool):
    _indicators, columns, table = baseline_table(ids, year, node.pk, node.kind)
    if excel:
        title = f"{year}年{TITLES[2]}{SCOPE[node.kind]}知识产权工作情况"
        note = f"注：万人比按{year - 1}年末常住人口计算。"
        return table, baseline_xlsx(title, HEADING[node.kind], columns, table, note)
    return table, None


def product(period, node, *, excel: bool):
    s = summarize(period, node)
    return s, summary_xlsx_bytes(s) if excel else None


def agree(summary, table, product_xlsx: bytes, baseline_xlsx_: bytes) -> list[str]:
    """Where the product and the baseline differ (empty: they agree in every cell)."""
    wrong = []
    by_unit = {uid: cells for uid, _label, cells in table}
    rows = summary.all_rows
    if [r.unit.pk for r in rows] != [uid for uid, _l, _c in table]:
        wrong.append("rows differ")
    for row in rows:
        for code, cell in row.cells.items():
            mine = by_unit.get(row.unit.pk, {}).get(code, {})
            for attr in (
                "value",
                "target",
                "completion",
                "net_growth",
                "per_capita",
                "yoy",
                "partial",
                "target_partial",
            ):
                theirs = mine.get(attr, False if attr.endswith("partial") else None)
                if getattr(cell, attr) != theirs:
                    wrong.append(f"{row.label} {code}.{attr}: {getattr(cell, attr)} ≠ {theirs}")
    a = openpyxl.load_workbook(io.BytesIO(product_xlsx)).active
    b = openpyxl.load_workbook(io.BytesIO(baseline_xlsx_)).active
    last = FIRST_BODY_ROW + len(rows) - 1
    for r in [1, *range(FIRST_BODY_ROW, last + 1)]:
        for c in range(1, a.max_column + 1):
            if a.cell(r, c).value != b.cell(r, c).value:
                wrong.append(
                    f"xlsx {a.cell(r, c).coordinate}: {a.cell(r, c).value!r} ≠ "
                    f"{b.cell(r, c).value!r}"
                )
    if a.max_column != b.max_column:
        wrong.append(f"xlsx columns {a.max_column} ≠ {b.max_column}")
    return wrong


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3k,30k", help="of 300, 3k, 30k (comma-separated)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each (median)")
    args = parser.parse_args()
    print(f"database: {connection.vendor}; median of {args.repeat} interleaved runs")
    print(
        f"{'tree':>6} {'node':9} {'what':16} {'queries':>7} {'product':>10} "
        f"{'baseline':>10} {'ratio':>6}"
    )
    failures = 0
    for size in args.sizes.split(","):
        t = _tree.tree(size)
        ids = {
            "current": t.period.pk,
            "year_end": type(t.period).objects.get(frequency="Q", year=2022, number=4).pk,
            "last_year": type(t.period).objects.get(frequency="Q", year=2022, number=2).pk,
        }
        for label, node in (("nation", t.nation), ("province", t.province), ("city", t.city)):
            with CaptureQueriesContext(connection) as ctx:
                s, px = product(t.period, node, excel=True)
            table, bx = baseline(ids, 2023, node, excel=True)
            wrong = agree(s, table, px, bx)
            for excel in (False, True):
                mine, theirs = [], []
                for _ in range(args.repeat):
                    mine.append(timed(product, t.period, node, excel=excel))
                    theirs.append(timed(baseline, ids, 2023, node, excel=excel))
                p, b = statistics.median(mine), statistics.median(theirs)
                what = "summary + Excel" if excel else "summary"
                print(
                    f"{t.units:>6} {label:9} {what:16} {len(ctx.captured_queries):>7} "
                    f"{p * 1000:>8.1f}ms {b * 1000:>8.1f}ms {p / b:>5.1f}×",
                    flush=True,
                )
            print(
                f"{'':>6} {label:9} {'agree':16} "
                + ("every cell" if not wrong else f"{len(wrong)} cells differ"),
                flush=True,
            )
            for line in wrong[:10]:
                print("        ", line)
            failures += bool(wrong)
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
