"""``claimledger bench``: throughput and gas against baselines on one node (benchmarks/README.md)."""
from __future__ import annotations

from pathlib import Path

from .cli_networks import add_network_options
from .cli_optimistic import OPTIMISTIC_FIGURES, add_mode_options
from .clients import CLIENTS


def cmd_bench(args) -> int:
    from tqdm import tqdm

    from .bench import run_bench

    bars = []

    def on_phase(name: str, total: int):
        if bars:
            bars[-1].close()
        bars.append(tqdm(total=total, desc=name, unit="tx" if "transfer" in name else "claim", dynamic_ncols=True))
        return bars[-1].update

    try:
        result = run_bench(Path(args.out), claims=args.claims, batch=args.batch, window=args.window, on_phase=on_phase,
                           client=args.client, rpc=args.rpc, deployment=args.deployment,
                           steady_claims=args.steady_claims, gas_per_second=args.gas_per_second, mode=args.mode)
    finally:
        for bar in bars:
            bar.close()
    for key in ("baseline_eth_tps", "baseline_erc20_tps", "claims_per_s_single", "claims_per_s_batched",
                "ratio_single_to_erc20", "ratio_batched_to_erc20", "gas_per_claim_single",
                "gas_per_claim_batched", "gas_floor_probe", "ratio_batched_to_probe", "gas_per_claim_batched_steady",
                "sign_per_s", "node_gas_per_s_batched", "network_claims_per_s", "network_claims_per_s_steady",
                *OPTIMISTIC_FIGURES):
        if result.get(key) is not None:
            print(f"{key:<30}{result[key]:>16,}")
    print(f"a chain of {result['gas_per_second']:,} gas/s carries {result['network_claims_per_s']:,} claims/s "
          f"(US average: {result['us_average_claims_per_s']}/s)")
    print(f"wrote {Path(args.out) / 'bench.json'} and {Path(args.out) / 'report.html'}")
    return 0


def add_bench_command(sub) -> None:
    bench = sub.add_parser("bench", help="measure throughput and gas against ETH/ERC-20 baselines on one fresh anvil")
    bench.add_argument("--claims", type=int, default=2000, help="claims (and baseline transfers) per phase")
    bench.add_argument("--batch", type=int, default=100, help="claims per batched transaction (default and max 100)")
    bench.add_argument("--window", type=int, default=512, help="transactions in flight")
    bench.add_argument("--out", required=True)
    bench.add_argument("--steady-claims", type=int, default=100_000,
                       help="fill the chain to this many claims, then measure again (0: skip)")
    bench.add_argument("--gas-per-second", type=int, default=15_000_000,
                       help="gas a second of the chain network_claims_per_s is worked out for (30M-gas blocks every 2 s)")
    bench.add_argument("--client", choices=CLIENTS, default="anvil", help="the embedded node to measure on")
    bench.add_argument("--rpc", help="measure on the node at URL instead (fresh contracts deployed there)")
    add_network_options(bench)
    add_mode_options(bench, window=False)
    bench.set_defaults(func=cmd_bench)
