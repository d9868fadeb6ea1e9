"""`python -m tests.bench updates [--n N] [--families F] [--rounds R]`: see tests/bench/updates.py.

`python -m tests.bench registration [--n N]`: see tests/bench/registration.py.

`python -m tests.bench hamlet [--households N]`: see tests/bench/hamlet.py.

`python -m tests.bench broadcast [--recipients N] [--interactive-rate R]`: see
tests/bench/broadcast.py.

`python -m tests.bench memory [--users N] [--fsm both|redis|sql]`: see tests/bench/memory.py.

`python -m tests.bench all`: each of them in turn with its defaults, one JSON line each.

Each reports its figures as ratios to a floor measured in the same run, so machines compare.
"""

from __future__ import annotations

import argparse
import sys

from tests.bench import broadcast, hamlet, memory, registration, stats, updates

BENCHMARKS = ("updates", "registration", "hamlet", "stats", "broadcast", "memory")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("name", choices=[*BENCHMARKS, "all"])
    parser.add_argument(
        "--n",
        type=int,
        help="updates per measurement (400); registration: users (2000); hamlet: calls (300)",
    )
    parser.add_argument("--households", type=int, default=2000, help="hamlet: its households")
    parser.add_argument(
        "--households-total", type=int, default=1_000_000, help="stats: households in all"
    )
    parser.add_argument("--communes", type=int, default=300, help="stats: communes")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--recipients", type=int, default=3000, help="broadcast: recipients")
    parser.add_argument(
        "--interactive-rate", type=float, default=2.0, help="broadcast: /help updates a second"
    )
    parser.add_argument("--concurrency", type=int, default=1, help="registration: users at once")
    parser.add_argument("--users", type=int, default=10_000, help="memory: users mid-dialog")
    parser.add_argument(
        "--fsm", choices=["both", "redis", "sql"], default="both", help="memory: FSM storages"
    )
    parser.add_argument("--families", type=int, default=40, help="updates: families at once")
    parser.add_argument("--rounds", type=int, default=2, help="updates: runs per cluster")
    args = parser.parse_args(argv)
    if args.name == "all":
        return max(run(name, parser.parse_args([name])) for name in BENCHMARKS)
    return run(args.name, args)


def run(name: str, args: argparse.Namespace) -> int:
    print(f"# {name}", flush=True)
    args.name = name
    if args.name == "registration":
        return registration.main(args.n or 2000, args.concurrency)
    if args.name == "hamlet":
        return hamlet.main(args.households, args.n or 300)
    if args.name == "broadcast":
        return broadcast.main(args.recipients, args.interactive_rate)
    if args.name == "memory":
        return memory.main(args.users, args.fsm)
    if args.name == "stats":
        return stats.main(args.households_total, args.communes, args.n or 5)
    return updates.main(args.n or 300, args.families, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
