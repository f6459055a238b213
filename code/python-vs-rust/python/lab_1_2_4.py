"""Lab 1.2.4 in Python, the way the Python module teaches it: loops, NumPy matmul, and np.einsum.

Scaled dot-product attention, softmax(Q K^T / sqrt(d)) V, with Q, K, V of shape (B, H, S, D), f32.
Run by the cross-language generator (code/python-vs-rust); the Rust side builds its inputs from the same formula.
Prints the protocol of lab_1_2_1.py: `sample` and `info` lines. `--smoke` runs tiny shapes once and checks that
every implementation agrees.
"""
import argparse
import math
import sys
import time

from lab_1_2_1 import f32, info, list_inputs, np, np_inputs, np_sum_of_squares, sum_of_squares

LAB = (8, 8, 256, 64)
SMOKE = (2, 2, 5, 3)


def head_loops(q, k, v, s, d):
    """One head with pure-Python loops over nested lists: scores, stable softmax, weighted sum of V's rows."""
    scale = 1.0 / math.sqrt(d)
    out = []
    for i in range(s):
        q_i = q[i]
        logits = [sum(q_i[l] * k[j][l] for l in range(d)) * scale for j in range(s)]
        top = max(logits)
        weights = [math.exp(x - top) for x in logits]
        total = sum(weights)
        out.append([sum(weights[j] * v[j][c] for j in range(s)) / total for c in range(d)])
    return out


def np_softmax(scores):
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


def attention(runs, shape, emit):
    b, h, s, d = shape
    size = b * h * s * d
    # Pure Python: head (0, 0), timed, then scaled by B * H (all 64 heads would take minutes).
    rows = lambda flat: [[f32(flat[i * d + l]) for l in range(d)] for i in range(s)]
    q0, k0, v0 = rows(list_inputs(s * d, 0)), rows(list_inputs(s * d, size)), rows(list_inputs(s * d, 2 * size))
    for _ in range(max(1, runs // 10)):
        start = time.perf_counter()
        out0 = head_loops(q0, k0, v0, s, d)
        elapsed = time.perf_counter() - start
        emit("attention", f"pure Python loops (1 of {b * h} heads, time x{b * h})", elapsed * b * h, sum_of_squares(out0))
    if np is None:
        return
    q, k, v = (np_inputs((b, h, s, d), i * size, np.float32) for i in range(3))
    scale = np.float32(1.0 / math.sqrt(d))

    def explicit():
        return np.matmul(np_softmax(np.matmul(q, k.transpose(0, 1, 3, 2)) * scale), v)

    def einsum(optimize):
        return lambda: np.einsum("bhst,bhtd->bhsd", np_softmax(np.einsum("bhsd,bhtd->bhst", q, k, optimize=optimize) * scale), v, optimize=optimize)

    impls = [
        ("NumPy `np.matmul`, stable softmax", explicit, runs),
        ("NumPy `np.einsum(..., optimize=True)`", einsum(True), runs),
        ("NumPy `np.einsum(...)` (optimize=False)", einsum(False), max(1, runs // 3)),
    ]
    for name, f, count in impls:
        f()  # warm-up
        for _ in range(count):
            start = time.perf_counter()
            out = f()
            elapsed = time.perf_counter() - start
            emit("attention", name, elapsed, np_sum_of_squares(out[0, 0]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="tiny shapes, one run, check agreement")
    args = parser.parse_args()
    checks = []

    def emit(workload, name, seconds, checksum):
        checks.append(checksum)
        print(f"sample\t{workload}\t{name}\t{seconds:.9f}\t{checksum!r}", flush=True)

    info(lambda k, v: print(f"info\t{k}\t{v}", flush=True))
    attention(1 if args.smoke else args.runs, SMOKE if args.smoke else LAB, emit)
    if args.smoke:
        if max(checks) - min(checks) > 1e-4 * max(1.0, abs(checks[0])):
            sys.exit(f"attention: implementations disagree: {checks}")
        print("smoke: ok", flush=True)


if __name__ == "__main__":
    main()
