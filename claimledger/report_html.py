"""HTML building blocks of the run report (``claimledger/report.py``): escaping, number and
money formats, tables, embedded figures, the page and its CSS. Every string from data is
HTML-escaped here."""
from __future__ import annotations

import base64
import html
import io
import math
import numbers
from typing import Any, Iterable

import numpy as np

# results.csv's columns as the report reads them
AMOUNT_COLUMNS = ("allowed", "deductible", "copay", "coinsurance", "paid", "patient")
RESULT_COLUMNS = ("claim_id", "line", "status") + AMOUNT_COLUMNS + ("adjustments",)
STATUS_ORDER = ("APPROVED", "DENIED", "PENDED", "REVERSED")
STATUS_COLORS = {"APPROVED": "#2e7d32", "DENIED": "#c62828", "PENDED": "#f9a825", "REVERSED": "#757575"}
SHARE_COLORS = {"paid": "#1565c0", "deductible": "#ef6c00", "copay": "#8e24aa", "coinsurance": "#00897b"}

# Claim adjustment reason codes used for denials.
CARC_MEANINGS = {
    "11": "diagnosis inconsistent with procedure",
    "18": "duplicate claim/service",
    "26": "expenses incurred before coverage",
    "27": "expenses incurred after coverage terminated",
    "29": "time limit for filing has expired",
    "31": "patient cannot be identified as our insured",
    "96": "non-covered charge",
    "119": "benefit maximum reached",
    "151": "units exceed frequency allowed",
    "197": "precertification/authorization absent",
    "198": "precertification/authorization exceeded",
    "242": "services not provided by network providers",
    "B7": "provider not certified/eligible for this service date",
}

MAX_PLOT_POINTS = 5_000
MAX_CARC_BARS = 15
TOP_DENIALS = 20
MAX_REJECT_REASONS = 25
MAX_LISTED_IDS = 20
MAX_LIST_ITEMS = 20
MAX_TABLE_DEPTH = 4


# ------------------------------------------------------------------------------- formatting
def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def fmt_number(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            return str(v)
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        if abs(v) >= 1:
            return f"{v:,.3f}".rstrip("0").rstrip(".")
        return f"{v:.4g}"
    return str(value)


def fmt_dollars(value: Any) -> str:
    v = num(value)
    if v is None:
        return str(value)
    return f"-${-v:,.2f}" if v < 0 else f"${v:,.2f}"


def fmt_cents(value: Any) -> str:
    v = num(value)
    return str(value) if v is None else fmt_dollars(v / 100)


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else ""


def mpl_text(text: Any) -> str:
    """Text for a matplotlib label: a ``$`` would otherwise start mathtext."""
    return str(text).replace("\\", "\\\\").replace("$", r"\$")


def carc_label(code: str) -> str:
    meaning = CARC_MEANINGS.get(str(code))
    return f"CARC {code}: {meaning}" if meaning else f"CARC {code}"


def table(header: Iterable[str], rows: Iterable[Iterable[Any]], numeric: Iterable[int] = (),
          cls: str = "") -> str:
    """An HTML table; every cell is escaped, columns listed in ``numeric`` right-aligned."""
    numeric = set(numeric)
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{esc(h)}</th>" for i, h in enumerate(header))
    body = []
    for row in rows:
        cells = "".join(f"<td{' class=num' if i in numeric else ''}>{esc(c)}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table class='{esc(cls)}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure_html(fig, alt: str, caption: str = "") -> str:
    """Saves ``fig`` as an embedded PNG and closes it."""
    plt = pyplot()
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">{cap}</figure>'


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def downsample_index(n: int, limit: int = MAX_PLOT_POINTS) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def get_path(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


# -------------------------------------------------------------------------------- headline


def dollar_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: mpl_text(f"${v:,.0f}"))




def int_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}")




# ------------------------------------------------------------------------------------ page
PAGE_CSS = """
body{font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#212121;background:#fafafa;margin:0}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:0 0 12px;border-bottom:1px solid #e0e0e0;
 padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:16px 20px;margin:16px 0}
.muted{color:#757575}.sub{color:#616161;margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:10px}
.card{border:1px solid #e0e0e0;border-left:4px solid #90a4ae;border-radius:4px;padding:8px 10px;background:#fcfcfc}
.card .label{font-size:12px;color:#616161;text-transform:uppercase;letter-spacing:.03em}
.card .value{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.card .note{font-size:12px;color:#757575;min-height:1em}
.card.approved{border-left-color:#2e7d32}.card.denied{border-left-color:#c62828}
.card.pended{border-left-color:#f9a825}.card.reversed{border-left-color:#757575}
.card.good{border-left-color:#2e7d32}.card.bad{border-left-color:#c62828}
.good{color:#2e7d32;font-weight:600}.bad{color:#c62828;font-weight:600}
figure{margin:8px 0}figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:12px;color:#757575}
table{border-collapse:collapse;margin:6px 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #eeeeee;padding:3px 10px;text-align:left;vertical-align:top}
thead th{background:#f5f5f5;border-bottom:2px solid #e0e0e0}
.num{text-align:right}table.narrow{min-width:320px}
table.kv th{font-weight:500;color:#424242;background:none}
table.kv table.kv{margin:0}
.tables{display:flex;flex-wrap:wrap;gap:8px 32px;align-items:flex-start}
ul{margin:0;padding-left:18px}
"""

PAGE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main>
<h1>claimledger run report: {name}</h1>
<p class=sub>Run directory <code>{path}</code>, report generated {generated}.</p>
{body}
</main>
</body>
</html>
"""
