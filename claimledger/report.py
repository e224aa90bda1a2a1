"""A one-file HTML report of a run directory (``results.csv``, ``rejects.csv``, summary, timeline).

``write_report(run_dir, summary, timeline)`` writes ``run_dir/report.html``: inline CSS, plots
embedded as base64 PNGs (matplotlib, Agg backend), no external resources, so the file can be
mailed or archived on its own. It shows headline figures, outcomes by reason code, the split
of allowed dollars between plan and patient, throughput and gas per claim over the replay
(chain runs only), tables of the top denial reasons and of reject reasons, and every key of
the summary.

Everything is aggregated with vectorised pandas/numpy, so a run of a million lines reports in
seconds; a long timeline is downsampled before it is drawn. Every string that comes from data
(ids, codes, reasons, summary keys) is HTML-escaped.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import math
import numbers
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from .atomic import write_text_atomically
from .report_rewards import incentive_cards, incentives_section
from .results import REJECTS_FILE, RESULTS_FILE, denial_reasons

REPORT_FILE = "report.html"
INPUT_ERRORS_FILE = "input_errors.csv"

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

# Allowed-amount bands (cents, lower bound inclusive) for the plan/patient split of approved lines.
_BAND_EDGES = [0, 50_00, 100_00, 250_00, 500_00, 1_000_00, 2_500_00, 10_000_00]


# --------------------------------------------------------------------------------------- API
def write_report(
    run_dir: Path,
    summary: dict,
    timeline: Sequence[tuple[float, int, int, int]] | None = None,
) -> Path:
    """Writes ``run_dir/report.html`` and returns its path.

    ``summary`` is the dict also saved as ``summary.json`` (rendered generically, with headline
    figures from the keys it has). ``timeline`` has one ``(seconds since replay start,
    cumulative claims confirmed, gas used by the transaction, claims in the transaction)``
    tuple per confirmed transaction; None or empty for a run without a chain, in which case
    the throughput and gas plots are left out with a sentence saying why.
    """
    run_dir = Path(run_dir)
    summary = summary if isinstance(summary, dict) else {}
    frame = _load_results(run_dir)
    rejects = _load_csv(run_dir / REJECTS_FILE)
    input_errors = _load_csv(run_dir / INPUT_ERRORS_FILE)
    tl = _timeline_array(timeline)

    lines_by_status = _status_counts(frame)
    denials = denial_reasons(frame) if len(frame) else pd.Series(dtype="int64")

    sections: list[str] = [
        _headline_html(summary, frame, lines_by_status, rejects, tl, incentive_cards(run_dir, _fmt_cents)),
        _outcomes_section(frame, lines_by_status, denials),
        _money_section(frame),
        incentives_section(run_dir, frame, _table, _fmt_cents),
        _replay_section(tl, summary),
        _rejects_section(rejects, input_errors),
        _summary_section(summary),
    ]
    name = run_dir.resolve().name or str(run_dir.resolve())
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    document = _PAGE.format(
        title=_e(f"claimledger run report: {name}"),
        name=_e(name),
        path=_e(str(run_dir.resolve())),
        generated=_e(generated),
        css=_CSS,
        body="\n".join(s for s in sections if s),
    )
    out = run_dir / REPORT_FILE
    write_text_atomically(out, document, encoding="utf-8")
    return out


# ------------------------------------------------------------------------------------ inputs
def _load_results(run_dir: Path) -> pd.DataFrame:
    """``results.csv`` with amounts as integer cents (like ``results.read_results``).

    Amounts are parsed as numbers and rounded to the cent rather than by deleting the decimal
    point from their text, which would misread a value pandas has parsed as ``92.0``.
    """
    path = run_dir / RESULTS_FILE
    if not path.exists() or path.stat().st_size == 0:
        return _empty_results()
    frame = pd.read_csv(path, dtype={"claim_id": str, "status": str, "adjustments": str},
                        keep_default_na=False, low_memory=False)
    if frame.empty:
        return _empty_results()
    for column in RESULT_COLUMNS:
        if column not in frame.columns:
            frame[column] = 0 if column in AMOUNT_COLUMNS else ""
    for column in AMOUNT_COLUMNS:
        dollars = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
        frame[column] = (dollars * 100).round().astype("int64")
    for column in ("claim_id", "status", "adjustments"):
        frame[column] = frame[column].astype(str)
    return frame


def _empty_results() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="int64") for c in AMOUNT_COLUMNS + ("line",)})
    for column in ("claim_id", "status", "adjustments"):
        frame[column] = pd.Series(dtype=object)
    return frame[list(RESULT_COLUMNS)]


def _load_csv(path: Path) -> pd.DataFrame:
    if not path.exists() or path.stat().st_size == 0:
        return pd.DataFrame()
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
        return pd.DataFrame()


def _timeline_array(timeline: Sequence[tuple[float, int, int, int]] | None) -> np.ndarray:
    """(n, 4) float array sorted by elapsed time; empty (0, 4) when there is nothing usable."""
    if timeline is None or len(timeline) == 0:
        return np.empty((0, 4))
    try:
        arr = np.asarray(timeline, dtype=float)
    except (TypeError, ValueError):
        return np.empty((0, 4))
    if arr.ndim != 2 or arr.shape[1] < 4:
        return np.empty((0, 4))
    arr = arr[:, :4]
    arr = arr[np.isfinite(arr).all(axis=1)]
    return arr[np.argsort(arr[:, 0], kind="stable")]


def _status_counts(frame: pd.DataFrame) -> pd.Series:
    counts = frame["status"].value_counts()
    order = [s for s in STATUS_ORDER if s in counts.index] + sorted(set(counts.index) - set(STATUS_ORDER))
    return counts.reindex(order).astype(int)


# ------------------------------------------------------------------------------- formatting
def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _fmt_number(value: Any) -> str:
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


def _fmt_dollars(value: Any) -> str:
    v = _num(value)
    if v is None:
        return str(value)
    return f"-${-v:,.2f}" if v < 0 else f"${v:,.2f}"


def _fmt_cents(value: Any) -> str:
    v = _num(value)
    return str(value) if v is None else _fmt_dollars(v / 100)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else ""


def _mpl(text: Any) -> str:
    """Text for a matplotlib label: a ``$`` would otherwise start mathtext."""
    return str(text).replace("\\", "\\\\").replace("$", r"\$")


def _carc_label(code: str) -> str:
    meaning = CARC_MEANINGS.get(str(code))
    return f"CARC {code}: {meaning}" if meaning else f"CARC {code}"


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]], numeric: Iterable[int] = (),
           cls: str = "") -> str:
    """An HTML table; every cell is escaped, columns listed in ``numeric`` right-aligned."""
    numeric = set(numeric)
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(header))
    body = []
    for row in rows:
        cells = "".join(f"<td{' class=num' if i in numeric else ''}>{_e(c)}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table class='{_e(cls)}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure_html(fig, alt: str, caption: str = "") -> str:
    """Saves ``fig`` as an embedded PNG and closes it."""
    plt = _pyplot()
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}">{cap}</figure>'


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _downsample_index(n: int, limit: int = MAX_PLOT_POINTS) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def _get(d: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


# -------------------------------------------------------------------------------- headline
def _headline_html(summary: dict, frame: pd.DataFrame, lines_by_status: pd.Series,
                   rejects: pd.DataFrame, tl: np.ndarray, rewards: list | None = None) -> str:
    cards: list[tuple[str, str, str, str]] = []  # label, value, note, css class

    lines = _get(summary, "outcomes", "lines")
    if not isinstance(lines, dict):
        lines = {k: int(v) for k, v in lines_by_status.items()}
    counts = {str(k): v for k, v in lines.items() if _num(v) is not None}
    total_lines = sum(counts.values())

    claims = _get(summary, "replay", "claims")
    if _num(claims) is None and len(frame):
        claims = int(frame["claim_id"].nunique())
    if _num(claims) is not None:
        cards.append(("Claims", _fmt_number(claims), "", ""))
    cards.append(("Lines", _fmt_number(total_lines), "rows of results.csv", ""))
    for status in STATUS_ORDER:
        if status in counts:
            cards.append((f"{status.title()} lines", _fmt_number(counts[status]),
                          _pct(counts[status], total_lines) + " of lines", status.lower()))

    rejected = _get(summary, "counts", "REJECTED")
    if _num(rejected) is None:
        rejected = len(rejects)
    cards.append(("Rejected records", _fmt_number(rejected), "not adjudicated (A-3)", ""))

    amounts = _get(summary, "outcomes", "amounts")
    if isinstance(amounts, dict):
        for key, label in (("billed", "Billed"), ("allowed", "Allowed"), ("paid", "Paid by plan"),
                           ("patient", "Patient share")):
            if _num(amounts.get(key)) is not None:
                note = ""
                if key in ("paid", "patient") and _num(amounts.get("allowed")):
                    note = _pct(amounts[key], amounts["allowed"]) + " of allowed"
                cards.append((label, _fmt_dollars(amounts[key]), note, ""))

    settlement = summary.get("settlement")
    if isinstance(settlement, dict):
        for key, label in (("owed_cents", "Owed to providers"), ("funded_cents", "Escrow funded"),
                           ("paid_cents", "Settled to providers"), ("outstanding_cents", "Outstanding")):
            if _num(settlement.get(key)) is not None:
                cls = "bad" if key == "outstanding_cents" and settlement[key] else ""
                cards.append((label, _fmt_cents(settlement[key]), "settlement", cls))
    cards += rewards or []  # member rewards beside the providers' payments (A-12)

    replay = summary.get("replay") if isinstance(summary.get("replay"), dict) else {}
    cps, gpc = replay.get("claims_per_second"), replay.get("gas_per_claim")
    seconds, txs = replay.get("seconds"), replay.get("transactions")
    if len(tl):
        claims_tl = tl[:, 3].sum()
        if _num(cps) is None and tl[-1, 0] > 0:
            cps = round(float(tl[-1, 1] / tl[-1, 0]), 1)
        if _num(gpc) is None and claims_tl:
            gpc = round(float(tl[:, 2].sum() / claims_tl))
        if _num(seconds) is None:
            seconds = round(float(tl[-1, 0]), 3)
        if _num(txs) is None:
            txs = len(tl)
    if _num(cps) is not None:
        cards.append(("Throughput", f"{_fmt_number(cps)} claims/s", "confirmed on chain", ""))
    if _num(gpc) is not None:
        from .bench import GAS_PER_SECOND, US_CLAIMS_PER_S

        cards.append(("Gas per claim", _fmt_number(gpc), "", ""))
        if _num(gpc):
            cards.append(("A real chain carries", f"{_fmt_number(round(GAS_PER_SECOND / _num(gpc), 1))} claims/s",
                          f"at {GAS_PER_SECOND / 1e6:g}M gas/s; US average {US_CLAIMS_PER_S}/s", ""))
    if _num(txs) is not None:
        cards.append(("Transactions", _fmt_number(txs), "", ""))
    if _num(seconds) is not None:
        cards.append(("Replay time", f"{_fmt_number(seconds)} s", "", ""))

    match = summary.get("reference_match")
    if isinstance(match, bool):
        cards.append(("Reference model", "matches" if match else "DIFFERS",
                      "chain vs Python reference", "good" if match else "bad"))
    mode = summary.get("mode")
    if isinstance(mode, str):
        cards.append(("Mode", mode, "", ""))

    html_cards = "".join(
        f"<div class='card {_e(cls)}'><div class=label>{_e(label)}</div>"
        f"<div class=value>{_e(value)}</div><div class=note>{_e(note)}</div></div>"
        for label, value, note, cls in cards
    )
    return f"<section><h2>Headline</h2><div class=cards>{html_cards}</div></section>"


# -------------------------------------------------------------------------------- outcomes
def _outcomes_section(frame: pd.DataFrame, lines_by_status: pd.Series, denials: pd.Series) -> str:
    parts = ["<section><h2>Outcomes by reason code</h2>"]
    if frame.empty:
        parts.append("<p class=muted>results.csv has no lines, so there are no outcomes to plot.</p></section>")
        return "".join(parts)

    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    top = denials.head(MAX_CARC_BARS)
    bars = [(_carc_label(code), int(n)) for code, n in top.items()]
    if len(denials) > MAX_CARC_BARS:
        bars.append((f"{len(denials) - MAX_CARC_BARS} other codes", int(denials.iloc[MAX_CARC_BARS:].sum())))
    height = max(3.2, 0.38 * len(bars) + 1.2)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, height), gridspec_kw={"width_ratios": [2.2, 1]})
    if bars:
        labels = [_mpl(b[0]) for b in bars][::-1]
        values = [b[1] for b in bars][::-1]
        ax1.barh(labels, values, color=STATUS_COLORS["DENIED"])
        for y, v in enumerate(values):
            ax1.annotate(f"{v:,}", (v, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        ax1.set_xlabel("denied lines")
        ax1.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax1.margins(x=0.12)
    else:
        ax1.text(0.5, 0.5, "no denied lines", ha="center", va="center", transform=ax1.transAxes)
        ax1.set_yticks([])
    ax1.set_title("Denied lines by reason code (CARC)")

    statuses = list(lines_by_status.index)
    ax2.bar([_mpl(s) for s in statuses], lines_by_status.values,
            color=[STATUS_COLORS.get(s, "#455a64") for s in statuses])
    for x, v in enumerate(lines_by_status.values):
        ax2.annotate(f"{int(v):,}", (x, v), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    ax2.set_title("Lines by status")
    ax2.set_ylabel("lines")
    ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax2.margins(y=0.12)
    ax2.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    parts.append(_figure_html(fig, "Denied lines by reason code and lines by status"))

    parts.append("<h3>Top denial reasons</h3>")
    if denials.empty:
        parts.append("<p class=muted>No line was denied.</p>")
    else:
        denied = frame.loc[frame["status"] == "DENIED", "adjustments"]
        extracted = denied.str.extract(r"^CO-([^:]+):(-?[0-9]+(?:\.[0-9]*)?)")
        billed = pd.to_numeric(extracted[1], errors="coerce").groupby(extracted[0]).sum()
        total_denied = int(denials.sum())
        rows = []
        for code, n in denials.head(TOP_DENIALS).items():
            rows.append([code, CARC_MEANINGS.get(str(code), "(not in the code list)"), f"{int(n):,}",
                         _pct(n, total_denied), _fmt_dollars(billed.get(code, 0.0))])
        parts.append(_table(["CARC", "meaning", "denied lines", "share of denials", "billed denied"], rows,
                            numeric=(2, 3, 4)))
        if len(denials) > TOP_DENIALS:
            parts.append(f"<p class=muted>{len(denials) - TOP_DENIALS} more reason codes not shown.</p>")

    pended = frame.loc[frame["status"] == "PENDED", "claim_id"]
    if len(pended):
        ids = pended.drop_duplicates()
        shown = ", ".join(_e(i) for i in ids.head(MAX_LISTED_IDS))
        more = f" and {len(ids) - MAX_LISTED_IDS:,} more" if len(ids) > MAX_LISTED_IDS else ""
        parts.append(f"<p>Pended for review: {_plural(len(pended), 'line')} of "
                     f"{_plural(len(ids), 'claim')} ({shown}{more}).</p>")
    parts.append("</section>")
    return "".join(parts)


# ----------------------------------------------------------------------------------- money
def _money_section(frame: pd.DataFrame) -> str:
    parts = ["<section><h2>Paid vs patient share</h2>"]
    approved = frame.loc[frame["status"] == "APPROVED", list(AMOUNT_COLUMNS)]
    if approved.empty:
        parts.append("<p class=muted>No approved lines, so no dollars to split.</p></section>")
        return "".join(parts)

    plt = _pyplot()
    edges = _BAND_EDGES + [np.inf]
    labels = [f"< ${_BAND_EDGES[1] // 100:,}"] + [
        f"${lo // 100:,}–{hi // 100:,}" for lo, hi in zip(_BAND_EDGES[1:-1], _BAND_EDGES[2:])
    ] + [f"≥ ${_BAND_EDGES[-1] // 100:,}"]
    band = pd.cut(approved["allowed"].clip(lower=0), bins=edges, right=False, labels=labels)
    shares = ["paid", "deductible", "copay", "coinsurance"]
    by_band = approved.groupby(band, observed=True)[shares].sum() / 100
    lines_per_band = approved.groupby(band, observed=True).size()

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [2.2, 1]})
    x = np.arange(len(by_band))
    bottom = np.zeros(len(by_band))
    for share in shares:
        values = by_band[share].to_numpy(dtype=float)
        ax1.bar(x, values, bottom=bottom, label=share, color=SHARE_COLORS[share])
        bottom += values
    ax1.set_xticks(x, [f"{_mpl(b)}\n{_plural(int(n), 'line')}" for b, n in zip(by_band.index.astype(str), lines_per_band)],
                   fontsize=8)
    ax1.set_xlabel("allowed amount per approved line (US dollars)")
    ax1.set_ylabel("US dollars")
    ax1.set_title("Approved lines: allowed dollars by who pays")
    ax1.legend(fontsize=8)
    ax1.yaxis.set_major_formatter(_dollar_formatter())

    net = frame[["paid", "patient"]].sum() / 100  # REVERSED rows net their originals out
    paid_total, patient_total = float(net["paid"]), float(net["patient"])
    if paid_total >= 0 and patient_total >= 0 and paid_total + patient_total > 0:
        ax2.pie([paid_total, patient_total], labels=["paid by plan", "patient share"],
                colors=[SHARE_COLORS["paid"], "#ef6c00"], autopct="%1.1f%%", startangle=90,
                wedgeprops={"linewidth": 1, "edgecolor": "white"})
        ax2.axis("equal")
    else:
        ax2.bar(["paid by plan", "patient share"], [paid_total, patient_total],
                color=[SHARE_COLORS["paid"], "#ef6c00"])
        ax2.yaxis.set_major_formatter(_dollar_formatter())
    ax2.set_title("Net paid vs patient share")
    fig.tight_layout()
    parts.append(_figure_html(fig, "Allowed dollars by payer, and net paid vs patient share"))

    approved_totals = approved[list(AMOUNT_COLUMNS)].sum()
    reversed_rows = frame.loc[frame["status"] == "REVERSED", list(AMOUNT_COLUMNS)]
    rows = [["approved lines", f"{len(approved):,}"] + [_fmt_cents(approved_totals[c]) for c in AMOUNT_COLUMNS]]
    if len(reversed_rows):
        rev = reversed_rows.sum()
        rows.append(["reversed lines", f"{len(reversed_rows):,}"] + [_fmt_cents(rev[c]) for c in AMOUNT_COLUMNS])
    all_rows = frame[list(AMOUNT_COLUMNS)].sum()
    rows.append(["net (all rows)", f"{len(frame):,}"] + [_fmt_cents(all_rows[c]) for c in AMOUNT_COLUMNS])
    parts.append(_table(["rows", "lines"] + list(AMOUNT_COLUMNS), rows, numeric=range(1, 8)))
    parts.append("<p class=muted>Net totals include REVERSED rows, whose negative amounts take back "
                 "their originals (A-7); the pie uses net totals.</p></section>")
    return "".join(parts)


def _dollar_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: _mpl(f"${v:,.0f}"))


# ---------------------------------------------------------------------------------- replay
def _replay_section(tl: np.ndarray, summary: dict) -> str:
    parts = ["<section><h2>Throughput and gas</h2>"]
    if len(tl) == 0:
        mode = summary.get("mode")
        why = ("this run was adjudicated by the Python reference model, off chain"
               if mode == "reference" or "replay" not in summary
               else "no transaction timeline was recorded for this run")
        parts.append(f"<p class=muted>No throughput or gas plots: {_e(why)}, so there are no "
                     "confirmed transactions to measure.</p></section>")
        return "".join(parts)

    plt = _pyplot()
    t, cum, gas, per_tx = tl[:, 0], tl[:, 1], tl[:, 2], tl[:, 3]
    n = len(tl)
    duration = float(t[-1])
    total_claims = float(per_tx.sum())

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [1.6, 1]})
    if duration > 0:
        width = _bin_width(duration, n)
        edges = np.arange(0.0, duration, width)
        if duration - edges[-1] < 0.25 * width and len(edges) > 1:
            edges[-1] = duration  # fold a sliver of a last bin into the one before it
        else:
            edges = np.append(edges, duration)
        counts, _ = np.histogram(t, bins=edges, weights=per_tx)
        ax1.stairs(counts / np.diff(edges), edges, fill=True, alpha=0.3, color="#1565c0",
                   label=f"per {_fmt_number(width)} s bin")
        k = int(np.clip(n // 20, 5, 100))
        if n > k:
            dt = t[k:] - t[:-k]
            good = dt > 0
            rolling = np.full(n - k, np.nan)
            rolling[good] = (cum[k:] - cum[:-k])[good] / dt[good]
            idx = _downsample_index(n - k)
            ax1.plot(t[k:][idx], rolling[idx], color="#0d47a1", lw=1.2, label=f"rolling over {k} transactions")
        ax1.axhline(total_claims / duration, color="#c62828", ls="--", lw=1,
                    label=f"mean {total_claims / duration:,.1f} claims/s since the first send "
                          f"(includes {t[0]:.2f} s to fill the pipeline)")
        ax1.legend(fontsize=8, loc="best")
    else:
        ax1.text(0.5, 0.5, "all transactions confirmed at t = 0", ha="center", va="center",
                 transform=ax1.transAxes)
    ax1.set_xlabel("seconds since replay start")
    ax1.set_ylabel("claims confirmed per second")
    ax1.set_title("Throughput over the run")
    ax1.set_ylim(bottom=0)

    idx = _downsample_index(n)
    ax2.plot(t[idx], cum[idx], color="#2e7d32")
    ax2.set_xlabel("seconds since replay start")
    ax2.set_ylabel("claims confirmed")
    ax2.set_title("Cumulative claims confirmed")
    ax2.yaxis.set_major_formatter(_int_formatter())
    fig.tight_layout()
    note = f"{n:,} transactions" + (f", plotted from {len(idx):,} evenly spaced points" if len(idx) < n else "")
    parts.append(_figure_html(fig, "Claims per second over the run", _e(note)))

    has = per_tx > 0
    gpc = gas[has] / per_tx[has]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [1.6, 1]})
    mean = float(gas.sum() / total_claims) if total_claims else float("nan")
    if len(gpc):
        idx = _downsample_index(len(gpc))
        ax1.scatter(t[has][idx], gpc[idx], s=18 if len(idx) < 500 else 6, alpha=0.5, color="#6a1b9a", linewidths=0)
        ax1.axhline(mean, color="#c62828", ls="--", lw=1, label=f"overall {mean:,.0f} gas/claim")
        ax1.legend(fontsize=8, loc="lower left")
        ax2.hist(gpc, bins=min(60, max(5, int(np.sqrt(len(gpc))))), color="#6a1b9a", alpha=0.8, edgecolor="white")
        ax2.axvline(mean, color="#c62828", ls="--", lw=1, label="overall mean")
        ax2.legend(fontsize=8)
    else:
        for ax in (ax1, ax2):
            ax.text(0.5, 0.5, "no transaction carried claims", ha="center", va="center", transform=ax.transAxes)
    ax1.set_xlabel("seconds since replay start")
    ax1.set_ylabel("gas per claim")
    ax1.set_title("Gas per claim, per transaction")
    ax1.yaxis.set_major_formatter(_int_formatter())
    ax2.set_xlabel("gas per claim")
    ax2.set_ylabel("transactions")
    ax2.set_title("Distribution")
    ax2.xaxis.set_major_formatter(_int_formatter())
    ax2.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    parts.append(_figure_html(fig, "Gas per claim per transaction"))

    stats = [["transactions", f"{n:,}"], ["claims confirmed", f"{int(total_claims):,}"],
             ["replay seconds", f"{duration:,.3f}"],
             ["mean claims/s", f"{total_claims / duration:,.1f}" if duration > 0 else ""],
             ["claims per transaction (mean)", f"{total_claims / n:,.1f}"],
             ["gas used", f"{int(gas.sum()):,}"]]
    if len(gpc):
        p50, p95 = np.percentile(gpc, [50, 95])
        stats += [["gas per claim (overall)", f"{mean:,.0f}"], ["gas per claim (median tx)", f"{p50:,.0f}"],
                  ["gas per claim (95th pct tx)", f"{p95:,.0f}"]]
    parts.append(_table(["measure", "value"], stats, numeric=(1,), cls="narrow"))
    parts.append("</section>")
    return "".join(parts)


def _bin_width(duration: float, transactions: int, max_bins: int = 120, min_tx_per_bin: float = 4) -> float:
    """A round bin width: at most ``max_bins`` bins, and a few transactions per bin on average."""
    want = max(duration / max_bins, duration * min_tx_per_bin / max(transactions, 1))
    for width in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if width >= want:
            return float(width)
    return float(math.ceil(want / 3600) * 3600)


def _int_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.0f}")


# --------------------------------------------------------------------------------- rejects
def _rejects_section(rejects: pd.DataFrame, input_errors: pd.DataFrame) -> str:
    parts = ["<section><h2>Rejected records</h2>"]
    if rejects.empty or not {"field", "reason"} <= set(rejects.columns):
        parts.append("<p class=muted>rejects.csv has no rows: every record could be adjudicated.</p>")
    else:
        parts.append(_reason_table(rejects, ["field", "reason"], "claim_id", "records", len(rejects)))
    if not input_errors.empty and {"field", "reason"} <= set(input_errors.columns):
        group = [c for c in ("file", "field", "reason") if c in input_errors.columns]
        parts.append("<h3>Input errors (skipped while loading the scenario)</h3>")
        parts.append(_reason_table(input_errors, group, "record_id", "rows", len(input_errors)))
    parts.append("</section>")
    return "".join(parts)


def _reason_table(frame: pd.DataFrame, group: list[str], id_column: str, noun: str, total: int) -> str:
    grouped = frame.groupby(group, sort=False, dropna=False)
    counts = grouped.size()
    examples = grouped[id_column].first() if id_column in frame.columns else None
    counts = counts.sort_values(ascending=False, kind="stable")
    rows = []
    for key, n in counts.head(MAX_REJECT_REASONS).items():
        key = key if isinstance(key, tuple) else (key,)
        example = examples.loc[key] if examples is not None else ""
        rows.append(list(key) + [f"{int(n):,}", _pct(n, total), example])
    out = _table(group + [noun, "share", f"e.g. {id_column}"], rows, numeric=(len(group), len(group) + 1))
    if len(counts) > MAX_REJECT_REASONS:
        out += f"<p class=muted>{len(counts) - MAX_REJECT_REASONS:,} more reasons not shown.</p>"
    return out


# --------------------------------------------------------------------------------- summary
def _summary_section(summary: dict) -> str:
    if not summary:
        return "<section><h2>Summary</h2><p class=muted>No summary was given.</p></section>"
    scalars = {k: v for k, v in summary.items() if not isinstance(v, (dict, list, tuple))}
    nested = {k: v for k, v in summary.items() if isinstance(v, (dict, list, tuple))}
    parts = ["<section><h2>Summary</h2><p class=muted>Every key of summary.json.</p><div class=tables>"]
    if scalars:
        parts.append(f"<div><h3>run</h3>{_value_html(scalars, 'run', 1)}</div>")
    for key, value in nested.items():
        parts.append(f"<div><h3>{_e(key)}</h3>{_value_html(value, str(key), 1, key == 'amounts')}</div>")
    parts.append("</div></section>")
    return "".join(parts)


def _value_html(value: Any, key: str, depth: int, dollars: bool = False) -> str:
    """A summary value as HTML: dicts as small key/value tables (nested), lists as lists.

    Numbers under an ``amounts`` key are dollars, numbers whose key ends in ``_cents`` cents."""
    if isinstance(value, dict):
        if not value:
            return "<span class=muted>(empty)</span>"
        if depth > MAX_TABLE_DEPTH:
            return _e(repr(value))
        rows = "".join(
            f"<tr><th>{_e(k)}</th><td class='{'num' if _num(v) is not None else ''}'>"
            f"{_value_html(v, str(k), depth + 1, dollars or k == 'amounts')}</td></tr>"
            for k, v in value.items()
        )
        return f"<table class=kv>{rows}</table>"
    if isinstance(value, (list, tuple)):
        if not value:
            return "<span class=muted>(none)</span>"
        items = "".join(f"<li>{_value_html(v, key, depth + 1, dollars)}</li>" for v in value[:MAX_LIST_ITEMS])
        more = f"<li class=muted>… {len(value) - MAX_LIST_ITEMS:,} more</li>" if len(value) > MAX_LIST_ITEMS else ""
        return f"<ul>{items}{more}</ul>"
    if isinstance(value, bool):
        return f"<span class={'good' if value else 'bad'}>{'yes' if value else 'no'}</span>"
    if value is None:
        return "<span class=muted>none</span>"
    if _num(value) is not None:
        text = _e(_fmt_number(value))
        if dollars:
            return _e(_fmt_dollars(value))
        if key.endswith("_cents"):
            text = f"{_e(_fmt_cents(value))} <span class=muted>({text} ¢)</span>"
        return text
    return _e(value)


# ------------------------------------------------------------------------------------ page
_CSS = """
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

_PAGE = """<!DOCTYPE html>
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
