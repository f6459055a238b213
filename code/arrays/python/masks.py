import numpy as np

x = np.array([3.0, -1.0, 4.0, -1.5, 5.0])

mask = x > 0
relu = np.where(x > 0, x, 0.0)
positive = x[mask]  # the selected values, in a new (shorter) array
indices = np.nonzero(mask)[0]
picked = x[indices]

y = x.copy()
y[~mask] = 0.0
print("indices:", indices)
print("positive:", positive)
print("y:", y)
assert (picked == positive).all() and (y == relu).all()
