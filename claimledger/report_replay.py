"""The run report's throughput and gas section: claims confirmed over time, throughput per
interval and gas per claim, from the replay's timeline of confirmed transactions."""
from __future__ import annotations

import math

import numpy as np

from .report_html import (
    downsample_index, esc, figure_html, fmt_number, int_formatter, pyplot, table,
)

def replay_section(tl: np.ndarray, summary: dict) -> str:
    parts = ["<section><h2>Throughput and gas</h2>"]
    if len(tl) == 0:
        mode = summary.get("mode")
        why = ("this run was adjudicated by the Python reference model, off chain"
               if mode == "reference" or "replay" not in summary
               else "no transaction timeline was recorded for this run")
        parts.append(f"<p class=muted>No throughput or gas plots: {esc(why)}, so there are no "
                     "confirmed transactions to measure.</p></section>")
        return "".join(parts)

    plt = pyplot()
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
                   label=f"per {fmt_number(width)} s bin")
        k = int(np.clip(n // 20, 5, 100))
        if n > k:
            dt = t[k:] - t[:-k]
            good = dt > 0
            rolling = np.full(n - k, np.nan)
            rolling[good] = (cum[k:] - cum[:-k])[good] / dt[good]
            idx = downsample_index(n - k)
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

    idx = downsample_index(n)
    ax2.plot(t[idx], cum[idx], color="#2e7d32")
    ax2.set_xlabel("seconds since replay start")
    ax2.set_ylabel("claims confirmed")
    ax2.set_title("Cumulative claims confirmed")
    ax2.yaxis.set_major_formatter(int_formatter())
    fig.tight_layout()
    note = f"{n:,} transactions" + (f", plotted from {len(idx):,} evenly spaced points" if len(idx) < n else "")
    parts.append(figure_html(fig, "Claims per second over the run", esc(note)))

    has = per_tx > 0
    gpc = gas[has] / per_tx[has]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [1.6, 1]})
    mean = float(gas.sum() / total_claims) if total_claims else float("nan")
    if len(gpc):
        idx = downsample_index(len(gpc))
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
    ax1.yaxis.set_major_formatter(int_formatter())
    ax2.set_xlabel("gas per claim")
    ax2.set_ylabel("transactions")
    ax2.set_title("Distribution")
    ax2.xaxis.set_major_formatter(int_formatter())
    ax2.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    parts.append(figure_html(fig, "Gas per claim per transaction"))

    stats = [["transactions", f"{n:,}"], ["claims confirmed", f"{int(total_claims):,}"],
             ["replay seconds", f"{duration:,.3f}"],
             ["mean claims/s", f"{total_claims / duration:,.1f}" if duration > 0 else ""],
             ["claims per transaction (mean)", f"{total_claims / n:,.1f}"],
             ["gas used", f"{int(gas.sum()):,}"]]
    if len(gpc):
        p50, p95 = np.percentile(gpc, [50, 95])
        stats += [["gas per claim (overall)", f"{mean:,.0f}"], ["gas per claim (median tx)", f"{p50:,.0f}"],
                  ["gas per claim (95th pct tx)", f"{p95:,.0f}"]]
    parts.append(table(["measure", "value"], stats, numeric=(1,), cls="narrow"))
    parts.append("</section>")
    return "".join(parts)


def _bin_width(duration: float, transactions: int, max_bins: int = 120, min_tx_per_bin: float = 4) -> float:
    """A round bin width: at most ``max_bins`` bins, and a few transactions per bin on average."""
    want = max(duration / max_bins, duration * min_tx_per_bin / max(transactions, 1))
    for width in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if width >= want:
            return float(width)
    return float(math.ceil(want / 3600) * 3600)

