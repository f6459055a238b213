import numpy as np

a = np.array([[1.0, 2.0], [3.0, 4.0]])
b = np.array([[5.0, 6.0], [7.0, 8.0]])
v = np.array([1.0, -1.0])

print("v @ v =", v @ v)
print("a @ v =", a @ v)
print("a @ b =", a @ b, sep="\n")
print("a.T @ a =", a.T @ a, sep="\n")
