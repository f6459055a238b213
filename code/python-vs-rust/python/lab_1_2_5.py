"""Lab 1.2.5 in Python, the way the Python module teaches it: loops, NumPy broadcasting, then Numba.

Pairwise Euclidean distances of N points in D dimensions, and each point's k nearest neighbours.
Run by the cross-language generator (code/python-vs-rust); the Rust side builds its points from the same formula.
Prints the protocol of lab_1_2_1.py: `sample` and `info` lines. `--smoke` runs a tiny size once and checks that
every implementation agrees.

Checksums, over the first ROWS points only (pure Python computes only those, and its time is scaled to all N):
  distances: the sum of their distances to every point;
  knn: the sum of their distances to their k nearest neighbours (the same whichever way ties are broken);
  every implementation except pure Python finds the neighbours of all N points.
"""
import argparse
import math
import sys
import time

from lab_1_2_1 import info, np

try:
    import numba
    from numba import njit, prange
except ImportError:  # the generator reports Numba as missing; loops and NumPy still run
    numba = None

LAB = (2000, 3, 10, 100)  # N, D, k, ROWS
SMOKE = (50, 3, 5, 50)


def coordinate(k):
    """Coordinate k of the flattened (N, D) points, in [0, 1): distinct points for N up to 3335 at D = 3."""
    return ((k * 7919) % 10007) / 10007.0


# --- pure Python, as the lab's slow function --------------------------------------------------------------
def distances_loops(points, rows):
    out = []
    for i in range(rows):
        p = points[i]
        row = []
        for q in points:
            total = 0.0
            for d in range(len(p)):
                diff = p[d] - q[d]
                total += diff * diff
            row.append(math.sqrt(total))
        out.append(row)
    return out


def knn_loops(points, k, rows):
    dist = distances_loops(points, rows)
    checksum = 0.0
    for i, row in enumerate(dist):
        candidates = sorted((d, j) for j, d in enumerate(row) if j != i)
        checksum += sum(d for d, _ in candidates[:k])
    return checksum


# --- NumPy -------------------------------------------------------------------------------------------------
def np_distances(x):
    diff = x[:, None, :] - x[None, :, :]  # (N, N, D) temporary
    return np.sqrt((diff * diff).sum(axis=-1))


def np_knn_checksum(dist, k, rows):
    """The k nearest of every point (all N rows, as the Rust versions find them); the checksum reads `rows`."""
    n = dist.shape[0]
    np.fill_diagonal(dist, np.inf)  # not its own neighbour
    idx = np.argpartition(dist, k - 1, axis=1)[:, :k]  # the k nearest, unordered
    nearest = np.take_along_axis(dist, idx, axis=1)
    order = np.argsort(nearest, axis=1, kind="stable")  # nearest first, as the neighbour lists are
    idx = np.take_along_axis(idx, order, axis=1)
    return float(np.take_along_axis(dist[:rows], idx[:rows], axis=1).sum())


# --- Numba -------------------------------------------------------------------------------------------------
if numba is not None:

    @njit(cache=False)
    def nb_distances(x):
        n, dims = x.shape
        out = np.empty((n, n))
        for i in range(n):
            for j in range(n):
                total = 0.0
                for d in range(dims):
                    diff = x[i, d] - x[j, d]
                    total += diff * diff
                out[i, j] = math.sqrt(total)
        return out

    @njit(parallel=True, cache=False)
    def nb_distances_parallel_into(x, out):
        """The same into a kept output: no fresh memory touched (the Rust side's kept-output row)."""
        n, dims = x.shape
        for i in prange(n):
            for j in range(n):
                total = 0.0
                for d in range(dims):
                    diff = x[i, d] - x[j, d]
                    total += diff * diff
                out[i, j] = math.sqrt(total)
        return out

    @njit(parallel=True, cache=False)
    def nb_distances_parallel(x):
        n, dims = x.shape
        out = np.empty((n, n))
        for i in prange(n):
            for j in range(n):
                total = 0.0
                for d in range(dims):
                    diff = x[i, d] - x[j, d]
                    total += diff * diff
                out[i, j] = math.sqrt(total)
        return out


def timed(emit, workload, name, runs, f, checksum, scale=1.0):
    f()  # warm-up (and, for Numba, the compilation)
    for _ in range(runs):
        start = time.perf_counter()
        out = f()
        elapsed = time.perf_counter() - start
        emit(workload, name, elapsed * scale, checksum(out))


def lab(runs, size, emit):
    n, dims, k, rows = size
    flat = [coordinate(i) for i in range(n * dims)]
    points = [flat[i * dims:(i + 1) * dims] for i in range(n)]
    scale = n / rows
    label = f" ({rows} of {n} rows, time x{scale:g})" if rows < n else ""
    slow_runs = max(1, runs // 5)
    timed(emit, "distances", f"pure Python loops{label}", slow_runs, lambda: distances_loops(points, rows),
          lambda out: sum(sum(r) for r in out), scale)
    timed(emit, "knn", f"pure Python loops, `sorted`{label}", slow_runs, lambda: knn_loops(points, k, rows), lambda c: c, scale)
    if np is None:
        return
    x = np.array(flat, dtype=np.float64).reshape(n, dims)
    first_rows = lambda d: float(d[:rows].sum())
    timed(emit, "distances", "NumPy broadcasting", runs, lambda: np_distances(x), first_rows)
    timed(emit, "knn", "NumPy broadcasting + `np.argpartition`", runs, lambda: np_knn_checksum(np_distances(x), k, rows), lambda c: c)
    if numba is None:
        return
    timed(emit, "distances", "Numba `@njit`", runs, lambda: nb_distances(x), first_rows)
    timed(emit, "distances", "Numba `@njit(parallel=True)`", runs, lambda: nb_distances_parallel(x), first_rows)
    kept = np.empty((n, n))
    timed(emit, "distances", "Numba `parallel=True` into a kept output", runs, lambda: nb_distances_parallel_into(x, kept), first_rows)
    timed(emit, "knn", "Numba `parallel=True` + `np.argpartition`", runs,
          lambda: np_knn_checksum(nb_distances_parallel(x), k, rows), lambda c: c)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="tiny size, one run, check agreement")
    args = parser.parse_args()
    checks = {}

    def emit(workload, name, seconds, checksum):
        checks.setdefault(workload, []).append(checksum)
        print(f"sample\t{workload}\t{name}\t{seconds:.9f}\t{checksum!r}", flush=True)

    info(lambda k, v: print(f"info\t{k}\t{v}", flush=True))
    print(f"info\tnumba\t{numba.__version__ if numba else 'missing'}", flush=True)
    if numba is not None:
        print(f"info\tNUMBA_NUM_THREADS\t{numba.config.NUMBA_NUM_THREADS}", flush=True)
    lab(1 if args.smoke else args.runs, SMOKE if args.smoke else LAB, emit)
    if args.smoke:
        for workload, values in checks.items():
            if max(values) - min(values) > 1e-9 * max(1.0, abs(values[0])):
                sys.exit(f"{workload}: implementations disagree: {values}")
        print("smoke: ok", flush=True)


if __name__ == "__main__":
    main()
