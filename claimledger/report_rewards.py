"""The run report's member incentives (A-12) and prior payers (A-11): what members earned, had
taken back and were paid, beside what providers were paid, from ``incentives.csv`` and
``results.csv``. HTML only; the totals are sums of the files' amounts (no rule arithmetic)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .results import INCENTIVES_FILE


def reward_totals(run_dir: Path) -> dict[str, int] | None:
    """Cents earned, taken back and paid, and members, of the run's incentives.csv; None
    without one (a run from before A-12) or without a row."""
    path = Path(run_dir) / INCENTIVES_FILE
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if frame.empty:
        return None
    cents = frame["amount"].str.replace(".", "", regex=False).astype("int64")
    by_status = cents.groupby(frame["status"]).sum()
    earned, taken, paid = (int(by_status.get(s, 0)) for s in ("EARNED", "REVERSED", "PAID"))
    return {"earned": earned, "taken_back": -taken, "paid": paid, "owed": earned + taken - paid,
            "members": int(frame["member_id"].nunique())}


def prior_payers_paid(frame: pd.DataFrame) -> int:
    """Cents the prior payers paid on the lines this plan paid second (OA-23, net of reversals)."""
    if frame.empty:
        return 0
    found = frame["adjustments"].str.extractall(r"OA-23:(-?\d+\.\d{2})")
    if found.empty:
        return 0
    return int(found[0].str.replace(".", "", regex=False).astype("int64").sum())


def incentive_cards(run_dir: Path, fmt_cents) -> list[tuple[str, str, str, str]]:
    """Headline cards of the rewards, to stand beside the providers' settlement."""
    totals = reward_totals(run_dir)
    if totals is None:
        return []
    return [("Rewards earned", fmt_cents(totals["earned"] - totals["taken_back"]),
             f"net of {fmt_cents(totals['taken_back'])} taken back (A-12)", ""),
            ("Rewards paid", fmt_cents(totals["paid"]), "from the incentive pool, not the escrow", ""),
            ("Rewards owed", fmt_cents(totals["owed"]), f"{totals['members']:,} member(s)", "")]


def incentives_section(run_dir: Path, frame: pd.DataFrame, table, fmt_cents) -> str:
    """The section beside the money: rewards and what prior payers paid; '' when neither."""
    totals = reward_totals(run_dir)
    prior = prior_payers_paid(frame)
    if totals is None and not prior:
        return ""
    parts = ["<section><h2>Member incentives and prior payers</h2>"]
    if totals is not None:
        rows = [["earned", fmt_cents(totals["earned"])], ["taken back (reversed lines)", fmt_cents(-totals["taken_back"])],
                ["paid to members", fmt_cents(-totals["paid"])], ["owed to members", fmt_cents(totals["owed"])]]
        parts.append(table(["rewards (incentives.csv)", "amount"], rows, numeric=[1]))
        parts.append("<p class=muted>Rewards are paid from the incentive pool the treasurer funds, apart "
                     "from the escrow that pays providers; they never change results.csv (A-12.3).</p>")
    if prior:
        parts.append(f"<p>Prior payers paid {fmt_cents(prior)} of the lines this plan paid second "
                     f"(OA-23, A-11).</p>")
    parts.append("</section>")
    return "".join(parts)
