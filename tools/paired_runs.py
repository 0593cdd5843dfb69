"""What tools/paired-ratios.py and tools/round-trips.py share: pooling the paired runs of a
benchmark, with contenders a and b swapped."""
import json


def pool(results, cell_param):
    """Per (first, second, size, value of cell_param), the forks of every result, each result a
    (params, forks) with forks a list of pairs (a's, b's); a run with a and b swapped is pooled with
    the one given first, its pairs turned round. Empty forks are left out."""
    cells = {}
    for params, forks in results:
        a, b, size, cell = params["a"], params["b"], params["size"], params[cell_param]
        if (b, a, size, cell) in cells:
            a, b = b, a
            forks = [[(y, x) for x, y in fork] for fork in forks]
        cells.setdefault((a, b, size, cell), []).extend(fork for fork in forks if fork)
    return cells


def pooled_cells(paths, benchmark, cell_param, forks_of_pairs):
    """pool() over every result of the benchmark (whose name ends so) in the JMH JSON files at
    paths, its forks as forks_of_pairs(result) gives them."""
    results = []
    for path in paths:
        with open(path) as file:
            results.extend((result["params"], forks_of_pairs(result)) for result in json.load(file)
                           if result["benchmark"].endswith(benchmark))
    return pool(results, cell_param)
