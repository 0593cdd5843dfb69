"""What tools/paired-ratios.py and tools/paired-percentiles.py share: reading the paired runs of a
benchmark from JMH's JSON output and pooling runs with contenders a and b swapped."""
import json


def pooled_cells(paths, benchmark, cell_param, forks_of_pairs):
    """Per (first, second, size, value of cell_param), the forks of every result of the benchmark
    (whose name ends so) in the files at paths, each fork a list of pairs (first's, second's) as
    forks_of_pairs(result) gives them; a run with a and b swapped is pooled with the one given
    first, its pairs turned round. Empty forks are left out."""
    cells = {}
    for path in paths:
        with open(path) as file:
            results = json.load(file)
        for result in results:
            if not result["benchmark"].endswith(benchmark):
                continue
            params = result["params"]
            a, b, size, cell = params["a"], params["b"], params["size"], params[cell_param]
            forks = forks_of_pairs(result)
            if (b, a, size, cell) in cells:
                a, b = b, a
                forks = [[(y, x) for x, y in fork] for fork in forks]
            cells.setdefault((a, b, size, cell), []).extend(fork for fork in forks if fork)
    return cells
