import numpy as np

a = np.array([[0.0], [10.0], [20.0]])  # shape (3, 1)
b = np.array([[0.0, 1.0, 2.0, 3.0]])  # shape (1, 4)
c = a + b  # shape (3, 4)
print(c)

x = np.ones((2, 3))
x += np.array([1.0, 2.0, 3.0])  # in place, no new array
print(x)

# column statistics broadcast over the rows
data = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])
standardized = (data - data.mean(axis=0)) / data.std(axis=0)
print(standardized)
