import numpy as np

x = np.fromfunction(lambda i, j: 10 * i + j, (4, 5), dtype=int)  # x[i, j] = 10 i + j
print(x)
print("x[2, 3] =", x[2, 3])
print("x[1, :] =", x[1, :])
print("x[:, -1] =", x[:, -1])
print("x[::2, 1:4] =", x[::2, 1:4], sep="\n")
print("x[0, ::-2] =", x[0, ::-2])
