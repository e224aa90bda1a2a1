"""The sections of the run report: headline figures, outcomes by reason code, the plan/patient
split of allowed dollars, rejected records and the summary's keys (``claimledger/report.py``
assembles them)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .report_html import (
    AMOUNT_COLUMNS, CARC_MEANINGS, MAX_CARC_BARS, MAX_LISTED_IDS, MAX_LIST_ITEMS,
    MAX_REJECT_REASONS, MAX_TABLE_DEPTH, SHARE_COLORS, STATUS_COLORS, STATUS_ORDER, TOP_DENIALS,
    carc_label, dollar_formatter, esc, figure_html, fmt_cents, fmt_dollars, fmt_number,
    get_path, mpl_text, num, pct, plural, pyplot, table,
)

# Allowed-amount bands (cents, lower bound inclusive) for the plan/patient split of approved lines.
_BAND_EDGES = [0, 50_00, 100_00, 250_00, 500_00, 1_000_00, 2_500_00, 10_000_00]


def headline_section(summary: dict, frame: pd.DataFrame, lines_by_status: pd.Series,
                     rejects: pd.DataFrame, tl: np.ndarray, rewards: list | None = None) -> str:
    cards: list[tuple[str, str, str, str]] = []  # label, value, note, css class

    lines = get_path(summary, "outcomes", "lines")
    if not isinstance(lines, dict):
        lines = {k: int(v) for k, v in lines_by_status.items()}
    counts = {str(k): v for k, v in lines.items() if num(v) is not None}
    total_lines = sum(counts.values())

    claims = get_path(summary, "replay", "claims")
    if num(claims) is None and len(frame):
        claims = int(frame["claim_id"].nunique())
    if num(claims) is not None:
        cards.append(("Claims", fmt_number(claims), "", ""))
    cards.append(("Lines", fmt_number(total_lines), "rows of results.csv", ""))
    for status in STATUS_ORDER:
        if status in counts:
            cards.append((f"{status.title()} lines", fmt_number(counts[status]),
                          pct(counts[status], total_lines) + " of lines", status.lower()))

    rejected = get_path(summary, "counts", "REJECTED")
    if num(rejected) is None:
        rejected = len(rejects)
    cards.append(("Rejected records", fmt_number(rejected), "not adjudicated (A-3)", ""))

    amounts = get_path(summary, "outcomes", "amounts")
    if isinstance(amounts, dict):
        for key, label in (("billed", "Billed"), ("allowed", "Allowed"), ("paid", "Paid by plan"),
                           ("patient", "Patient share")):
            if num(amounts.get(key)) is not None:
                note = ""
                if key in ("paid", "patient") and num(amounts.get("allowed")):
                    note = pct(amounts[key], amounts["allowed"]) + " of allowed"
                cards.append((label, fmt_dollars(amounts[key]), note, ""))

    settlement = summary.get("settlement")
    if isinstance(settlement, dict):
        for key, label in (("owed_cents", "Owed to providers"), ("funded_cents", "Escrow funded"),
                           ("paid_cents", "Settled to providers"), ("outstanding_cents", "Outstanding")):
            if num(settlement.get(key)) is not None:
                cls = "bad" if key == "outstanding_cents" and settlement[key] else ""
                cards.append((label, fmt_cents(settlement[key]), "settlement", cls))
    cards += rewards or []  # member rewards beside the providers' payments (A-12)

    replay = summary.get("replay") if isinstance(summary.get("replay"), dict) else {}
    cps, gpc = replay.get("claims_per_second"), replay.get("gas_per_claim")
    seconds, txs = replay.get("seconds"), replay.get("transactions")
    if len(tl):
        claims_tl = tl[:, 3].sum()
        if num(cps) is None and tl[-1, 0] > 0:
            cps = round(float(tl[-1, 1] / tl[-1, 0]), 1)
        if num(gpc) is None and claims_tl:
            gpc = round(float(tl[:, 2].sum() / claims_tl))
        if num(seconds) is None:
            seconds = round(float(tl[-1, 0]), 3)
        if num(txs) is None:
            txs = len(tl)
    if num(cps) is not None:
        cards.append(("Throughput", f"{fmt_number(cps)} claims/s", "confirmed on chain", ""))
    if num(gpc) is not None:
        from .bench import GAS_PER_SECOND, US_CLAIMS_PER_S

        cards.append(("Gas per claim", fmt_number(gpc), "", ""))
        if num(gpc):
            cards.append(("A real chain carries", f"{fmt_number(round(GAS_PER_SECOND / num(gpc), 1))} claims/s",
                          f"at {GAS_PER_SECOND / 1e6:g}M gas/s; US average {US_CLAIMS_PER_S}/s", ""))
    if num(txs) is not None:
        cards.append(("Transactions", fmt_number(txs), "", ""))
    if num(seconds) is not None:
        cards.append(("Replay time", f"{fmt_number(seconds)} s", "", ""))

    match = summary.get("reference_match")
    if isinstance(match, bool):
        cards.append(("Reference model", "matches" if match else "DIFFERS",
                      "chain vs Python reference", "good" if match else "bad"))
    mode = summary.get("mode")
    if isinstance(mode, str):
        cards.append(("Mode", mode, "", ""))

    html_cards = "".join(
        f"<div class='card {esc(cls)}'><div class=label>{esc(label)}</div>"
        f"<div class=value>{esc(value)}</div><div class=note>{esc(note)}</div></div>"
        for label, value, note, cls in cards
    )
    return f"<section><h2>Headline</h2><div class=cards>{html_cards}</div></section>"


# -------------------------------------------------------------------------------- outcomes
def outcomes_section(frame: pd.DataFrame, lines_by_status: pd.Series, denials: pd.Series) -> str:
    parts = ["<section><h2>Outcomes by reason code</h2>"]
    if frame.empty:
        parts.append("<p class=muted>results.csv has no lines, so there are no outcomes to plot.</p></section>")
        return "".join(parts)

    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    top = denials.head(MAX_CARC_BARS)
    bars = [(carc_label(code), int(n)) for code, n in top.items()]
    if len(denials) > MAX_CARC_BARS:
        bars.append((f"{len(denials) - MAX_CARC_BARS} other codes", int(denials.iloc[MAX_CARC_BARS:].sum())))
    height = max(3.2, 0.38 * len(bars) + 1.2)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, height), gridspec_kw={"width_ratios": [2.2, 1]})
    if bars:
        labels = [mpl_text(b[0]) for b in bars][::-1]
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
    ax2.bar([mpl_text(s) for s in statuses], lines_by_status.values,
            color=[STATUS_COLORS.get(s, "#455a64") for s in statuses])
    for x, v in enumerate(lines_by_status.values):
        ax2.annotate(f"{int(v):,}", (x, v), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    ax2.set_title("Lines by status")
    ax2.set_ylabel("lines")
    ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax2.margins(y=0.12)
    ax2.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    parts.append(figure_html(fig, "Denied lines by reason code and lines by status"))

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
                         pct(n, total_denied), fmt_dollars(billed.get(code, 0.0))])
        parts.append(table(["CARC", "meaning", "denied lines", "share of denials", "billed denied"], rows,
                            numeric=(2, 3, 4)))
        if len(denials) > TOP_DENIALS:
            parts.append(f"<p class=muted>{len(denials) - TOP_DENIALS} more reason codes not shown.</p>")

    pended = frame.loc[frame["status"] == "PENDED", "claim_id"]
    if len(pended):
        ids = pended.drop_duplicates()
        shown = ", ".join(esc(i) for i in ids.head(MAX_LISTED_IDS))
        more = f" and {len(ids) - MAX_LISTED_IDS:,} more" if len(ids) > MAX_LISTED_IDS else ""
        parts.append(f"<p>Pended for review: {plural(len(pended), 'line')} of "
                     f"{plural(len(ids), 'claim')} ({shown}{more}).</p>")
    parts.append("</section>")
    return "".join(parts)


# ----------------------------------------------------------------------------------- money
def money_section(frame: pd.DataFrame) -> str:
    parts = ["<section><h2>Paid vs patient share</h2>"]
    approved = frame.loc[frame["status"] == "APPROVED", list(AMOUNT_COLUMNS)]
    if approved.empty:
        parts.append("<p class=muted>No approved lines, so no dollars to split.</p></section>")
        return "".join(parts)

    plt = pyplot()
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
    ax1.set_xticks(x, [f"{mpl_text(b)}\n{plural(int(n), 'line')}" for b, n in zip(by_band.index.astype(str), lines_per_band)],
                   fontsize=8)
    ax1.set_xlabel("allowed amount per approved line (US dollars)")
    ax1.set_ylabel("US dollars")
    ax1.set_title("Approved lines: allowed dollars by who pays")
    ax1.legend(fontsize=8)
    ax1.yaxis.set_major_formatter(dollar_formatter())

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
        ax2.yaxis.set_major_formatter(dollar_formatter())
    ax2.set_title("Net paid vs patient share")
    fig.tight_layout()
    parts.append(figure_html(fig, "Allowed dollars by payer, and net paid vs patient share"))

    approved_totals = approved[list(AMOUNT_COLUMNS)].sum()
    reversed_rows = frame.loc[frame["status"] == "REVERSED", list(AMOUNT_COLUMNS)]
    rows = [["approved lines", f"{len(approved):,}"] + [fmt_cents(approved_totals[c]) for c in AMOUNT_COLUMNS]]
    if len(reversed_rows):
        rev = reversed_rows.sum()
        rows.append(["reversed lines", f"{len(reversed_rows):,}"] + [fmt_cents(rev[c]) for c in AMOUNT_COLUMNS])
    all_rows = frame[list(AMOUNT_COLUMNS)].sum()
    rows.append(["net (all rows)", f"{len(frame):,}"] + [fmt_cents(all_rows[c]) for c in AMOUNT_COLUMNS])
    parts.append(table(["rows", "lines"] + list(AMOUNT_COLUMNS), rows, numeric=range(1, 8)))
    parts.append("<p class=muted>Net totals include REVERSED rows, whose negative amounts take back "
                 "their originals (A-7); the pie uses net totals.</p></section>")
    return "".join(parts)



# --------------------------------------------------------------------------------- rejects
def rejects_section(rejects: pd.DataFrame, input_errors: pd.DataFrame) -> str:
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
        rows.append(list(key) + [f"{int(n):,}", pct(n, total), example])
    out = table(group + [noun, "share", f"e.g. {id_column}"], rows, numeric=(len(group), len(group) + 1))
    if len(counts) > MAX_REJECT_REASONS:
        out += f"<p class=muted>{len(counts) - MAX_REJECT_REASONS:,} more reasons not shown.</p>"
    return out


# --------------------------------------------------------------------------------- summary
def summary_section(summary: dict) -> str:
    if not summary:
        return "<section><h2>Summary</h2><p class=muted>No summary was given.</p></section>"
    scalars = {k: v for k, v in summary.items() if not isinstance(v, (dict, list, tuple))}
    nested = {k: v for k, v in summary.items() if isinstance(v, (dict, list, tuple))}
    parts = ["<section><h2>Summary</h2><p class=muted>Every key of summary.json.</p><div class=tables>"]
    if scalars:
        parts.append(f"<div><h3>run</h3>{_value_html(scalars, 'run', 1)}</div>")
    for key, value in nested.items():
        parts.append(f"<div><h3>{esc(key)}</h3>{_value_html(value, str(key), 1, key == 'amounts')}</div>")
    parts.append("</div></section>")
    return "".join(parts)


def _value_html(value: Any, key: str, depth: int, dollars: bool = False) -> str:
    """A summary value as HTML: dicts as small key/value tables (nested), lists as lists.

    Numbers under an ``amounts`` key are dollars, numbers whose key ends in ``_cents`` cents."""
    if isinstance(value, dict):
        if not value:
            return "<span class=muted>(empty)</span>"
        if depth > MAX_TABLE_DEPTH:
            return esc(repr(value))
        rows = "".join(
            f"<tr><th>{esc(k)}</th><td class='{'num' if num(v) is not None else ''}'>"
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
    if num(value) is not None:
        text = esc(fmt_number(value))
        if dollars:
            return esc(fmt_dollars(value))
        if key.endswith("_cents"):
            text = f"{esc(fmt_cents(value))} <span class=muted>({text} ¢)</span>"
        return text
    return esc(value)


