import numpy as np

x = np.zeros((3, 3))
first_column = x[:, 0]  # a view of x's memory
x[2, 0] = 5.0  # NumPy allows the write while the view exists
print(first_column)  # and the view shows it
