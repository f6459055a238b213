import numpy as np
from numba import njit


# Numba's way is the loop itself (the Rust tab's iterator version has no Numba twin)
@njit  # compiled to machine code by LLVM on the first call, then as fast as a compiled loop
def dot_indexed(x, y):
    if x.shape != y.shape:
        raise ValueError("a dot product needs arrays of equal length")
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * y[i]
    return total


n = 2048  # the in-cache size of the tables below
x = (np.arange(n) * 7919 % 1000) / 1000  # the tables' inputs: numbers in [0, 1)
y = (np.arange(n) * 104_729 % 997) / 997
print("n =", n)
print("dot_indexed(x, y) =", dot_indexed(x, y))
print("np.dot(x, y)      =", round(np.dot(x, y), 10))  # BLAS adds in another order: equal to 10 decimals
