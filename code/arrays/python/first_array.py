import numpy as np

x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print("shape:", x.shape)

column_means = x.mean(axis=0)
print("column means:", column_means)

y = x * 2 + 1  # element-wise, a new array
print(y)
