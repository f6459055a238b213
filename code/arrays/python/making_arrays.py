import numpy as np

zeros = np.zeros((2, 3))
ones = np.ones(4, dtype=np.float32)
sevens = np.full((2, 2), 7, dtype=np.uint8)
grid = np.linspace(0, 1, 5)
steps = np.arange(0, 1, 0.25)  # the end is excluded
eye = np.eye(3)
block = np.zeros((2, 3, 4))

m = np.array([1, 2, 3, 4, 5, 6]).reshape(2, 3)  # the data is laid out row after row
print(m)
print("grid:", grid)
print("steps:", steps)
print(eye)
print(f"block: {block.ndim} axes, shape {block.shape}, {block.size} elements")

try:
    np.array([1, 2, 3]).reshape(2, 4)  # a shape that does not fit the data
except ValueError:
    pass  # NumPy raises; ndarray returns an Err
