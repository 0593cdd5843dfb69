#!/usr/bin/env python3
"""Round-trip percentiles from the ping-pong benchmarks' record of every round trip.

    rm -f jmh-latency.jsonl
    ./jshm bench CrossJvmQueuePingPong -f 3
    tools/round-trips.py jmh-latency.jsonl

    rm -f jmh-latency.jsonl
    ./jshm bench CrossJvmQueuePairedPingPong -f 2 -p a=jshm-spsc -p b=agrona-1to1
    ./jshm bench CrossJvmQueuePairedPingPong -f 2 -p a=agrona-1to1 -p b=jshm-spsc
    tools/round-trips.py jmh-latency.jsonl

CrossJvmQueuePingPong and CrossJvmQueuePairedPingPong time every round trip of their measurement
iterations and append each iteration's histogram (nanoseconds) to jmh-latency.jsonl in the working
directory (RoundTripLog says why not JMH's SampleTime). For CrossJvmQueuePingPong this prints, per
cell, the percentiles of all its round trips, every fork pooled, the ratio of p50, p99 and p99.9 to
jshm-spsc's in the same size and cpus (above 1: SpscQueue is faster), and p50 and p99 per fork
(forks fall in states). For CrossJvmQueuePairedPingPong, whose iterations make round trips on a and
b in turn, it pairs each iteration of a with the next of b (one second apart, on the machine in the
same state) and prints each one's median over its iterations of an iteration's p50, p99, p99.9 and
p99.99, the medians of the pairs' ratios (the second's time over the first's: above 1, the first is
faster), and the median p50 ratio per fork. Runs with a and b swapped are pooled, named in the order
of the first run given.
"""
import json
import statistics
import sys

from paired_runs import pool

PERCENTILES = (50, 90, 99, 99.9, 99.99)
PAIRED_PERCENTILES = (50, 99, 99.9, 99.99)


def percentile(histogram, p):
    """The value in µs at percentile p of a [[nanos, count], ...] histogram."""
    total = sum(count for _, count in histogram)
    seen = 0
    for nanos, count in sorted(histogram):
        seen += count
        if seen >= p / 100 * total:
            return nanos / 1e3
    sys.exit("an iteration with no round trips")


def merged(histograms):
    counts = {}
    for histogram in histograms:
        for nanos, count in histogram:
            counts[nanos] = counts.get(nanos, 0) + count
    return list(counts.items())


def read(paths):
    """The log's lines, each a measurement iteration: {benchmark, params, fork, iteration, contender, nanos}."""
    lines = []
    for path in paths:
        with open(path) as file:
            lines.extend(json.loads(line) for line in file if line.strip())
    return lines


def by_fork(lines):
    forks = {}
    for line in lines:
        forks.setdefault(line["fork"], []).append(line)
    return [sorted(fork, key=lambda line: line["iteration"]) for fork in forks.values()]


def ping_pong_table(lines):
    cells = {}
    for line in lines:
        params = line["params"]
        cells.setdefault((params["transport"], int(params["size"]), params["cpus"]), []).append(line)
    if not cells:
        return
    stats = {}
    for cell, cell_lines in cells.items():
        histogram = merged(line["nanos"] for line in cell_lines)
        forks = [merged(line["nanos"] for line in fork) for fork in by_fork(cell_lines)]
        stats[cell] = ([percentile(histogram, p) for p in PERCENTILES], max(n for n, _ in histogram) / 1e3,
                       sum(c for _, c in histogram), sum(n * c for n, c in histogram) / sum(c for _, c in histogram) / 1e3,
                       [(percentile(f, 50), percentile(f, 99)) for f in forks])
    print("| contender | size | cpus | round trips | mean | p50 | p90 | p99 | p99.9 | p99.99 | max "
          "| p50 / p99 / p99.9 to jshm-spsc | p50, p99 per fork |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (transport, size, cpus), (values, longest, count, mean, forks) in sorted(
            stats.items(), key=lambda item: (item[0][2], item[0][1])):
        reference = stats.get(("jshm-spsc", size, cpus))
        ratios = " / ".join("%.2f" % (values[i] / reference[0][i]) for i in (0, 2, 3)) if reference else "-"
        print("| %s | %d | %s | %d | %.3f | %s | %.0f | %s | %s |" % (
            transport, size, cpus, count, mean, " | ".join("%.3g" % v for v in values), longest, ratios,
            " ".join("%.2f, %.2f" % fork for fork in forks)))


def paired_table(lines):
    results = []
    for fork in by_fork(lines):
        params = fork[0]["params"]
        if len(fork) % 2:
            print("note: an odd number of measurement iterations; the last has no pair", file=sys.stderr)
        pairs = []
        for first, second in zip(fork[0::2], fork[1::2]):
            if (first["contender"], second["contender"]) != (params["a"], params["b"]):
                sys.exit("fork %s: iterations %d and %d ran %s and %s, not a then b as a paired run does" % (
                    first["fork"], first["iteration"], second["iteration"], first["contender"], second["contender"]))
            pairs.append(tuple([percentile(line["nanos"], p) for p in PAIRED_PERCENTILES] for line in (first, second)))
        results.append((params, [pairs]))
    cells = pool(results, "cpus")
    if not cells:
        return
    print("| first / second | size | cpus | first p50 / p99 / p99.9 / p99.99, µs | second | p50 ratio, median (min-max) "
          "| p99 ratio | p99.9 ratio | p99.99 ratio | pairs | first faster at p50 | median p50 ratio per fork |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (first, second, size, cpus), forks in cells.items():
        pairs = [pair for fork in forks for pair in fork]
        ratios = [[pair[1][i] / pair[0][i] for pair in pairs] for i in range(len(PAIRED_PERCENTILES))]
        sides = [" / ".join("%.3g" % statistics.median(pair[side][i] for pair in pairs)
                            for i in range(len(PAIRED_PERCENTILES))) for side in (0, 1)]
        per_fork = " ".join("%.2f" % statistics.median(y[0] / x[0] for x, y in fork) for fork in forks)
        print("| %s / %s | %s | %s | %s | %s | %.2f (%.2f-%.2f) | %.2f | %.2f | %.2f | %d | %d of %d | %s |" % (
            first, second, size, cpus, sides[0], sides[1], statistics.median(ratios[0]), min(ratios[0]),
            max(ratios[0]), statistics.median(ratios[1]), statistics.median(ratios[2]), statistics.median(ratios[3]),
            len(pairs), sum(1 for r in ratios[0] if r > 1), len(pairs), per_fork))


def main(paths):
    if not paths:
        sys.exit(__doc__)
    lines = read(paths)
    if not lines:
        sys.exit("no round trips in " + ", ".join(paths))
    ping_pong_table([line for line in lines if line["benchmark"].endswith(".CrossJvmQueuePingPong.roundTrip")])
    paired_table([line for line in lines if line["benchmark"].endswith(".CrossJvmQueuePairedPingPong.roundTrip")])


if __name__ == "__main__":
    main(sys.argv[1:])
