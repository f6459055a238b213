import numpy as np

m = np.arange(6.0).reshape(2, 3)
print(m)

v = np.array([1.0, 2.0])
print("v[:, None]:", v[:, None].shape, " v[None, :]:", v[None, :].shape)

flat = m.T.reshape(6)  # the transpose read row by row: a copy
print("m.T.reshape(6):", flat)
