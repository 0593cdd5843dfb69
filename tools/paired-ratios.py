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
import json
import statistics
import sys


def forks_of_pairs(result):
    """Per fork, (rate of a, rate of b) for each pair of iterations, in M msg/s."""
    rates_a = result["secondaryMetrics"]["a"]["rawData"]
    rates_b = result["secondaryMetrics"]["b"]["rawData"]
    forks = []
    for fork_a, fork_b in zip(rates_a, rates_b):
        turns_a = [x for x, y in zip(fork_a, fork_b) if x > 0 and y == 0]
        turns_b = [y for x, y in zip(fork_a, fork_b) if y > 0 and x == 0]
        if len(turns_a) + len(turns_b) != len(fork_a):
            sys.exit("an iteration sent on both contenders, or on neither: not a paired run")
        forks.append([(x / 1e6, y / 1e6) for x, y in zip(turns_a, turns_b)])
    return forks


def main(paths):
    if not paths:
        sys.exit(__doc__)
    cells = {}  # (first, second, size, payload) -> list of forks, each a list of (first, second)
    for path in paths:
        with open(path) as file:
            results = json.load(file)
        for result in results:
            if not result["benchmark"].endswith("CrossJvmQueuePairedThroughput.send"):
                continue
            params = result["params"]
            a, b, size, payload = params["a"], params["b"], params["size"], params["payload"]
            forks = forks_of_pairs(result)
            if (b, a, size, payload) in cells:
                a, b = b, a
                forks = [[(y, x) for x, y in fork] for fork in forks]
            cells.setdefault((a, b, size, payload), []).extend(fork for fork in forks if fork)
    print("| first / second | size | payload | first: M msg/s | second: M msg/s "
          "| ratio, median (min-max) | first ahead | median ratio per fork |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (a, b, size, payload), forks in cells.items():
        found = [pair for fork in forks for pair in fork]
        ratios = [x / y for x, y in found]
        per_fork = " ".join("%.2f" % statistics.median(x / y for x, y in fork) for fork in forks)
        print("| %s / %s | %s | %s | %.1f | %.1f | %.2f (%.2f-%.2f) | %d of %d | %s |" % (
            a, b, size, payload,
            statistics.median(x for x, _ in found), statistics.median(y for _, y in found),
            statistics.median(ratios), min(ratios), max(ratios),
            sum(r > 1 for r in ratios), len(ratios), per_fork))


if __name__ == "__main__":
    main(sys.argv[1:])
