import numpy as np
from numba import njit, prange


# prange splits the loop between the cores and adds their partial sums; fastmath lets each core's part use SIMD,
# as the Rust tab's blocks run the eight-lane loop
@njit(parallel=True, fastmath=True)
def dot_parallel(x, y):
    if x.shape != y.shape:
        raise ValueError("a dot product needs arrays of equal length")
    total = 0.0
    for i in prange(x.shape[0]):
        total += x[i] * y[i]
    return total


n = 1 << 23  # the streaming size of the tables below: 128 MiB for both arrays
x = (np.arange(n) * 7919 % 1000) / 1000
y = (np.arange(n) * 104_729 % 997) / 997
print("n =", n)
# the partial sums depend on the number of cores: the last digits may differ, so 6 decimals
print("dot_parallel(x, y) =", round(dot_parallel(x, y), 6))
