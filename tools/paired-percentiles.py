#!/usr/bin/env python3
"""Round-trip percentiles from CrossJvmQueuePairedPingPong runs, pair by pair.

    ./jshm bench CrossJvmQueuePairedPingPong -f 3 -rf json -rff ab.json -p a=jshm-spsc -p b=agrona-1to1
    ./jshm bench CrossJvmQueuePairedPingPong -f 3 -rf json -rff ba.json -p a=agrona-1to1 -p b=jshm-spsc
    tools/paired-percentiles.py ab.json ba.json

Each measurement iteration of that benchmark makes round trips on one contender only, a and b in
turn, so JMH's histogram of an iteration (SampleTime, in the JSON as rawDataHistogram) is one
contender's. This pairs each iteration of a with the next of b (one second apart, on the machine in
the same state) and prints, per pair of contenders and cell, each one's median over its iterations
of the p50, p99 and p99.9 of an iteration, the median of the pairs' ratios (the second contender's
time over the first's: above 1, the first is faster) with their range, and the median p50 ratio of
each fork (forks differ more than seconds do). Runs with a and b swapped are pooled, named in the
order of the first run given. The primary score of that benchmark mixes both contenders: it is not
read here.
"""
import statistics
import sys

from paired_runs import pooled_cells

QUANTILES = (0.5, 0.99, 0.999)


def quantile(histogram, q):
    """The value at quantile q of an iteration's [[value, count], ...] histogram."""
    total = sum(count for _, count in histogram)
    seen = 0
    for value, count in sorted(histogram):
        seen += count
        if seen >= q * total:
            return value
    sys.exit("an empty iteration: was this run with -bm sample?")


def forks_of_pairs(result):
    """Per fork, (quantiles of a, quantiles of b) for each pair of iterations, in µs."""
    if result["primaryMetric"]["scoreUnit"] != "us/op":
        sys.exit("times are in %s, not us/op: run without -tu" % result["primaryMetric"]["scoreUnit"])
    forks = []
    for fork in result["primaryMetric"]["rawDataHistogram"]:
        if len(fork) % 2:
            sys.exit("an odd number of measurement iterations: a and b need one each per pair")
        iterations = [[quantile(histogram, q) for q in QUANTILES] for histogram in fork]
        forks.append(list(zip(iterations[0::2], iterations[1::2])))
    return forks


def side_medians(pairs, side):
    """The medians over pairs of one side's (0: first, 1: second) quantiles, as "p50 / p99 / p99.9"."""
    return " / ".join("%.2f" % statistics.median(pair[side][i] for pair in pairs) for i in range(len(QUANTILES)))


def main(paths):
    if not paths:
        sys.exit(__doc__)
    # (first, second, size, cpus) -> list of forks, each a list of (first's, second's) quantiles
    cells = pooled_cells(paths, "CrossJvmQueuePairedPingPong.roundTrip", "cpus", forks_of_pairs)
    if not cells:
        sys.exit("no CrossJvmQueuePairedPingPong results in " + ", ".join(paths))
    print("| first / second | size | cpus | first p50 / p99 / p99.9, µs | second | p50 ratio, median (min-max) "
          "| p99 ratio | p99.9 ratio | pairs | first faster at p50 | median p50 ratio per fork |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (first, second, size, cpus), forks in cells.items():
        pairs = [pair for fork in forks for pair in fork]
        ratios = [[pair[1][i] / pair[0][i] for pair in pairs] for i in range(len(QUANTILES))]
        per_fork = " ".join("%.2f" % statistics.median(y[0] / x[0] for x, y in fork) for fork in forks)
        print("| %s / %s | %s | %s | %s | %s | %.2f (%.2f-%.2f) | %.2f | %.2f | %d | %d of %d | %s |" % (
            first, second, size, cpus, side_medians(pairs, 0), side_medians(pairs, 1), statistics.median(ratios[0]),
            min(ratios[0]),
            max(ratios[0]), statistics.median(ratios[1]), statistics.median(ratios[2]), len(pairs),
            sum(1 for r in ratios[0] if r > 1), len(pairs), per_fork))


if __name__ == "__main__":
    main(sys.argv[1:])
