import tracemalloc

import numpy as np


def peak_heap(f):
    """f's result and the most memory allocated while it ran, in bytes."""
    tracemalloc.start()
    result = f()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, peak


def per_batch_dot():
    c = np.zeros((16, 64, 64), dtype=np.float32)
    for out, x, y in zip(c, a, b):
        out[...] = x @ y
    return c


a = np.ones((16, 64, 64), dtype=np.float32)
b = np.ones((16, 64, 64), dtype=np.float32)

# batch matmul by broadcasting: a (16, 64, 64, 64) temporary before the sum over K
c1, broadcast_peak = peak_heap(lambda: (a[:, :, :, None] * b[:, None, :, :]).sum(axis=2))
# batch matmul by one `@` per batch: only the (16, 64, 64) result (np.matmul(a, b) does the same in one call)
c2, dot_peak = peak_heap(per_batch_dot)
assert np.array_equal(c1, c2)
print(f"peak heap: broadcast {broadcast_peak} bytes, per-batch dot {dot_peak} bytes")
