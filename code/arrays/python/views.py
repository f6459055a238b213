import numpy as np

x = np.zeros((3, 3))
x[0, :] = 1.0  # write through a view
x[1:, 1:] += 2.0

first_column = x[:, 0]  # a view: shares x's memory
snapshot = x[:, 0].copy()  # a copy

x[2, 0] = 5.0  # NumPy allows it, and first_column now shows 5.0 too
print(x)
print("snapshot:", snapshot)  # the copy kept the old values
