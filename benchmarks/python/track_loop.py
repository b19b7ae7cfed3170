"""OPS times `with genops.track("op"): pass`, exporter "none": the command that
benchmarks/callgrind_per_op.py runs under callgrind. --attached runs them under
genops.propagation.attach (a remote parent), --attach-once attaches and detaches once
first (the process has attached, these operations are not under it). --guide runs
bench_track.py's operation instead (track_enhanced with four attributes, then
record_cost with five arguments); --floor runs that operation's do-nothing floor
(bench_track.py's), for the instructions Python itself spends on the call shape.

    python3 benchmarks/callgrind_per_op.py --toggle-collect genops_py_current_parent -- \\
        python3 benchmarks/python/track_loop.py {ops} [--attached | --attach-once]
"""

from __future__ import annotations

import argparse
import contextlib

import genops
from genops import propagation

REMOTE = propagation.RemoteContext(0x4BF92F3577B34DA6A3CE929D0E0E4736, 0x00F067AA0BA902B7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ops", type=int)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--attached", action="store_true")
    mode.add_argument("--attach-once", action="store_true")
    parser.add_argument("--guide", action="store_true")
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--warm", type=int, default=16384, help="operations run and flushed first")
    args = parser.parse_args()
    genops.init(exporter_type="none", service_name="bench", auto_detect=False)
    if args.attach_once:
        propagation.detach(propagation.attach(REMOTE))
    track, track_enhanced = genops.track, genops.track_enhanced
    if args.floor:
        from bench_track import floor_track_enhanced as track_enhanced

    def guide(n: int) -> None:
        for _ in range(n):
            with track_enhanced(
                operation_name="ai.chat.completion",
                team="ml-platform",
                project="support-bot",
                customer_id="customer-7",
                feature="chat",
            ) as span:
                span.record_cost(
                    cost=0.0021,
                    provider="openai",
                    model="gpt-4o-mini",
                    tokens_input=812,
                    tokens_output=95,
                )

    def hold_then_end(n: int) -> None:
        """n operations with the guide's attributes open at once, then each ended:
        exactly n slots are grown."""
        attributes = dict(team="ml-platform", project="support-bot", customer_id="customer-7", feature="chat")
        spans = [track_enhanced(operation_name="ai.chat.completion", **attributes) for _ in range(n)]
        for held in spans:
            with held as span:
                span.record_cost(cost=0.0021, provider="openai", model="gpt-4o-mini")

    def plain(n: int) -> None:
        for _ in range(n):
            with track("op"):
                pass

    run = guide if args.guide or args.floor else plain
    with propagation.attach(REMOTE) if args.attached else contextlib.nullcontext():
        # Steady state, as bench_pipeline --callgrind: warm the slot pool with more spans
        # than the counted loop queues at once (valgrind runs one thread at a time, so the
        # export thread may fall far behind), and give them back; the counted loop then
        # never meets a slot whose arena and attribute list are still to be grown. The
        # guide's spans are held open first, so that every run grows the same number of
        # slots: a warm-up loop alone grows as many as the export thread left in flight,
        # which moved the count by about 300 instructions an operation between runs.
        if run is guide:
            hold_then_end(args.warm)
            genops.flush()
        run(args.warm)
        genops.flush()
        run(args.ops)
    genops.shutdown()


if __name__ == "__main__":
    main()
