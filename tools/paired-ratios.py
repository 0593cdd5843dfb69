#!/usr/bin/env python3
"""Ratios from CrossJvmQueuePairedThroughput runs, pair by pair.

    ./jshm bench CrossJvmQueuePairedThroughput -f 3 -rf json -rff ab.json -p a=jshm-fanin -p b=agrona-mto1
    ./jshm bench CrossJvmQueuePairedThroughput -f 3 -rf json -rff ba.json -p a=agrona-mto1 -p b=jshm-fanin
    tools/paired-ratios.py ab.json ba.json

Each measurement iteration of that benchmark sends on one contender only, a and b in turn, so its
counters "a" and "b" hold one contender's rate per iteration and 0 for the other. This pairs each
iteration of a with the next of b (one second apart, on the machine in the same state) and prints,
per pair of contenders and cell, the median rate of each, the median of the pairs' ratios with
their range, how many pairs the first contender won, and the median ratio of each fork (forks
differ more than seconds do). Runs with a and b swapped are pooled, named in the order of the first
run given. The primary score of that benchmark mixes both contenders: it is not read here.
"""
import statistics
import sys

from paired_runs import pooled_cells


def forks_of_pairs(result):
    """Per fork, (rate of a, rate of b) for each pair of iterations, in M msg/s."""
    counters = result["secondaryMetrics"]
    if counters["a"]["scoreUnit"] != "ops/s" or counters["b"]["scoreUnit"] != "ops/s":
        sys.exit("rates are not in ops/s: run without -tu")
    forks = []
    for fork_a, fork_b in zip(counters["a"]["rawData"], counters["b"]["rawData"]):
        for i, (x, y) in enumerate(zip(fork_a, fork_b)):
            if (x > 0) == (y > 0) or (x > 0) != (i % 2 == 0):
                sys.exit("measurement iteration %d sent on %s: not a, b, a, b, ... as a paired run does"
                         % (i + 1, "both contenders" if x > 0 and y > 0 else "neither" if x == y else "the wrong one"))
        if len(fork_a) % 2:
            print("note: an odd number of iterations; the last, of a, has no pair", file=sys.stderr)
        forks.append([(fork_a[i] / 1e6, fork_b[i + 1] / 1e6) for i in range(0, len(fork_a) - 1, 2)])
    return forks


def main(paths):
    if not paths:
        sys.exit(__doc__)
    # (first, second, size, payload) -> list of forks, each a list of (first, second)
    cells = pooled_cells(paths, "CrossJvmQueuePairedThroughput.send", "payload", forks_of_pairs)
    print("| first / second | size | payload | first: M msg/s | second: M msg/s "
          "| ratio, median (min-max) | first ahead | median ratio per fork |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (a, b, size, payload), forks in cells.items():
        found = [pair for fork in forks for pair in fork]
        if not found:
            print("| %s / %s | %s | %s | no pairs: fewer than 2 measurement iterations |" % (a, b, size, payload))
            continue
        ratios = [x / y for x, y in found]
        per_fork = " ".join("%.2f" % statistics.median(x / y for x, y in fork) for fork in forks)
        print("| %s / %s | %s | %s | %.1f | %.1f | %.2f (%.2f-%.2f) | %d of %d | %s |" % (
            a, b, size, payload,
            statistics.median(x for x, _ in found), statistics.median(y for _, y in found),
            statistics.median(ratios), min(ratios), max(ratios),
            sum(r > 1 for r in ratios), len(ratios), per_fork))


if __name__ == "__main__":
    main(sys.argv[1:])
