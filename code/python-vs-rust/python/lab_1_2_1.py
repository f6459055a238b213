"""Lab 1.2.1 in Python, the way the Python module teaches it: loops, then NumPy.

Run by the cross-language generator (code/python-vs-rust); the Rust side builds its inputs from the same formula,
so both languages compute on identical numbers. Prints tab-separated lines:
    sample <TAB> workload <TAB> implementation <TAB> seconds <TAB> checksum
    info   <TAB> key <TAB> value
`--smoke` runs tiny shapes once and checks that every implementation agrees (no NumPy needed for the loops).
"""
import argparse
import os
import platform
import struct
import sys
import time

try:
    import numpy as np
except ImportError:  # the loops still run; the generator reports NumPy as missing
    np = None


def value(k):
    """The shared input formula: element k of a flattened input, in [-1, 1]."""
    return ((k * 37) % 101) / 50.0 - 1.0


def f32(x):
    """x rounded to the nearest float32, as the f32 arrays of the other implementations hold it."""
    return struct.unpack("f", struct.pack("f", x))[0]


def sum_of_squares(rows):
    """The checksum of a 2-D output: never near zero, so a relative comparison means something."""
    return sum(v * v for row in rows for v in row)


def np_sum_of_squares(out):
    wide = out.astype(np.float64)
    return float((wide * wide).sum())


def np_inputs(shape, offset, dtype):
    k = np.arange(int(np.prod(shape)), dtype=np.int64) + offset
    return (((k * 37) % 101) / 50.0 - 1.0).astype(dtype).reshape(shape)


def list_inputs(n, offset):
    return [value(k + offset) for k in range(n)]


# --- batch matmul, (B, M, K) x (B, K, N) ------------------------------------------------------------------
def matmul_loops(a, b, m, k, n):
    """One matrix product with pure-Python loops over nested lists."""
    out = [[0.0] * n for _ in range(m)]
    for i in range(m):
        a_i = a[i]
        out_i = out[i]
        for j in range(n):
            total = 0.0
            for l in range(k):
                total += a_i[l] * b[l][j]
            out_i[j] = total
    return out


def batch_matmul(runs, shape, emit):
    bsz, m, k, n = shape
    # Pure Python: one of the B matrices, timed, then scaled by B (the full batch would take minutes).
    flat_a, flat_b = list_inputs(m * k, 0), list_inputs(k * n, 7)
    a0 = [[f32(flat_a[i * k + l]) for l in range(k)] for i in range(m)]
    b0 = [[f32(flat_b[l * n + j]) for j in range(n)] for l in range(k)]
    for _ in range(max(1, runs // 10)):
        start = time.perf_counter()
        out0 = matmul_loops(a0, b0, m, k, n)
        elapsed = time.perf_counter() - start
        emit("batch_matmul", f"pure Python loops (1 of {bsz} matrices, time x{bsz})", elapsed * bsz, sum_of_squares(out0))
    if np is None:
        return
    a = np_inputs((bsz, m, k), 0, np.float32)
    b = np_inputs((bsz, k, n), 7, np.float32)
    kept = np.empty((bsz, m, n), np.float32)
    impls = [
        ("NumPy `np.matmul(a, b)`", lambda: np.matmul(a, b), runs),
        ("NumPy `np.matmul(a, b, out=kept)`", lambda: np.matmul(a, b, out=kept), runs),
        ("NumPy `np.einsum('bmk,bkn->bmn')`", lambda: np.einsum("bmk,bkn->bmn", a, b), max(1, runs // 3)),
        ("NumPy broadcast `(a[..., None] * b[:, None]).sum(2)`", lambda: (a[:, :, :, None] * b[:, None, :, :]).sum(axis=2), max(1, runs // 3)),
    ]
    for name, f, count in impls:
        f()  # warm-up
        for _ in range(count):
            start = time.perf_counter()
            out = f()
            elapsed = time.perf_counter() - start
            emit("batch_matmul", name, elapsed, np_sum_of_squares(out[0]))


# --- outer product ------------------------------------------------------------------------------------------
def outer(runs, n, emit):
    a, b = [f32(v) for v in list_inputs(n, 0)], [f32(v) for v in list_inputs(n, 3)]
    for _ in range(max(1, runs // 10)):
        start = time.perf_counter()
        out = [[x * y for y in b] for x in a]
        elapsed = time.perf_counter() - start
        emit("outer", "pure Python loops (list comprehension)", elapsed, sum_of_squares(out))
    del out
    if np is None:
        return
    x, y = np_inputs((n,), 0, np.float32), np_inputs((n,), 3, np.float32)
    kept = np.empty((n, n), np.float32)
    impls = [
        ("NumPy broadcast `a[:, None] * b[None, :]`", lambda: x[:, None] * y[None, :]),
        ("NumPy `np.outer(a, b)`", lambda: np.outer(x, y)),
        ("NumPy `np.multiply(..., out=kept)`", lambda: np.multiply(x[:, None], y[None, :], out=kept)),
    ]
    for name, f in impls:
        f()
        for _ in range(runs):
            start = time.perf_counter()
            out = f()
            elapsed = time.perf_counter() - start
            emit("outer", name, elapsed, np_sum_of_squares(out))


# --- sum ----------------------------------------------------------------------------------------------------
def sums(runs, n, emit):
    values = list_inputs(n, 0)
    for _ in range(runs):
        start = time.perf_counter()
        total = 0.0
        for v in values:
            total += v
        emit("sum", "pure Python loop `for v in x: total += v`", time.perf_counter() - start, total)
    for _ in range(runs):
        start = time.perf_counter()
        total = sum(values)
        emit("sum", "built-in `sum(x)`", time.perf_counter() - start, total)
    if np is None:
        return
    x = np_inputs((n,), 0, np.float64)
    x.sum()
    for _ in range(runs * 4):
        start = time.perf_counter()
        total = x.sum()
        emit("sum", "NumPy `x.sum()`", time.perf_counter() - start, float(total))


def info(emit_info):
    emit_info("python", platform.python_version())
    if np is None:
        emit_info("numpy", "missing")
        return
    emit_info("numpy", np.__version__)
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        emit_info("blas", f"{blas.get('name')} {blas.get('version')}")
    except Exception as e:  # the layout of show_config changes between releases
        emit_info("blas", f"unknown ({e})")
    try:
        # which of OpenBLAS's kernels this CPU got (e.g. Haswell: AVX2; SkylakeX: AVX-512)
        from threadpoolctl import threadpool_info
        cores = [p.get("architecture") for p in threadpool_info() if p.get("internal_api") == "openblas"]
        emit_info("blas_kernels", cores[0] if cores else "not OpenBLAS")
    except Exception as e:
        emit_info("blas_kernels", f"unknown ({e})")
    emit_info("OPENBLAS_CORETYPE", os.environ.get("OPENBLAS_CORETYPE", "not set"))
    emit_info("OPENBLAS_NUM_THREADS", os.environ.get("OPENBLAS_NUM_THREADS", "not set"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="tiny shapes, one run, check agreement")
    parser.add_argument("--only", choices=["batch_matmul", "outer", "sum"], help="run one workload")
    args = parser.parse_args()
    lines = []

    def emit(workload, name, seconds, checksum):
        lines.append((workload, name, seconds, checksum))
        print(f"sample\t{workload}\t{name}\t{seconds:.9f}\t{checksum!r}", flush=True)

    info(lambda k, v: print(f"info\t{k}\t{v}", flush=True))
    if args.smoke:
        batch_matmul(1, (2, 5, 4, 3), emit)
        outer(1, 7, emit)
        sums(1, 100, emit)
        for workload in {w for w, *_ in lines}:
            checks = [c for w, _, _, c in lines if w == workload]
            if max(checks) - min(checks) > 1e-4 * max(1.0, abs(checks[0])):
                sys.exit(f"{workload}: implementations disagree: {checks}")
        print("smoke: ok", flush=True)
        return
    if args.only in (None, "batch_matmul"):
        batch_matmul(args.runs, (64, 128, 128, 128), emit)
    if args.only in (None, "outer"):
        outer(args.runs, 4096, emit)
    if args.only in (None, "sum"):
        sums(args.runs, 1_000_000, emit)


if __name__ == "__main__":
    main()
