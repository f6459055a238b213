import timeit


def sum_loop(v):
    s = 0.0
    for i in range(len(v)):
        s += v[i]
    return s


for n in [1_000, 100_000]:
    v = [float(i) for i in range(n)]
    for name, f in [("index loop", lambda: sum_loop(v)), ("sum()", lambda: sum(v))]:
        loops, _ = timeit.Timer(f).autorange()  # enough calls to take at least 0.2 s
        best = min(timeit.repeat(f, number=loops, repeat=5)) / loops  # the best of 5: the least disturbed
        print(f"sum/{name}/{n}: best of 5: {best * 1e6:.3f} µs per call, {n / best / 1e6:.1f} M elements/s")
