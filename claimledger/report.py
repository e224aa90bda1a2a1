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

import datetime as _dt
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .atomic import write_text_atomically
from .report_rewards import incentive_cards, incentives_section
from .report_html import AMOUNT_COLUMNS, PAGE_CSS, PAGE_HTML, RESULT_COLUMNS, STATUS_ORDER, esc, fmt_cents, table
from .report_replay import replay_section
from .report_sections import headline_section, money_section, outcomes_section, rejects_section, summary_section
from .results import INPUT_ERRORS_FILE, REJECTS_FILE, RESULTS_FILE, denial_reasons

REPORT_FILE = "report.html"



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
        headline_section(summary, frame, lines_by_status, rejects, tl, incentive_cards(run_dir, fmt_cents)),
        outcomes_section(frame, lines_by_status, denials),
        money_section(frame),
        incentives_section(run_dir, frame, table, fmt_cents),
        replay_section(tl, summary),
        rejects_section(rejects, input_errors),
        summary_section(summary),
    ]
    name = run_dir.resolve().name or str(run_dir.resolve())
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    document = PAGE_HTML.format(
        title=esc(f"claimledger run report: {name}"),
        name=esc(name),
        path=esc(str(run_dir.resolve())),
        generated=esc(generated),
        css=PAGE_CSS,
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


