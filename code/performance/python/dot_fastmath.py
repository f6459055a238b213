import numpy as np
from numba import njit


# One running sum, and a switch that lets LLVM reorder its additions (so it can use SIMD registers). Rust has no
# such switch: the Rust tab's eight running sums are that reordering, written out.
@njit(fastmath=True)
def dot_fastmath(x, y):
    if x.shape != y.shape:
        raise ValueError("a dot product needs arrays of equal length")
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * y[i]
    return total


n = 2048
x = (np.arange(n) * 7919 % 1000) / 1000
y = (np.arange(n) * 104_729 % 997) / 997
print("n =", n)
# the order of the additions depends on the CPU's SIMD width: the last digits may differ, so 10 decimals
print("dot_fastmath(x, y) =", round(dot_fastmath(x, y), 10))
