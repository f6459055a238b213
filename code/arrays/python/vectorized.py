import numpy as np

x = np.linspace(-2.0, 2.0, 1_000, dtype=np.float32)

z = np.sqrt(x**2 + 1)  # a new array from a function of each element
y = x * z  # element by element, a new array
w = np.log(z)  # on one core; ndarray's par_mapv_inplace uses all of them
print("z[0] =", z[0], " y[-1] =", y[-1], " w[0] =", w[0])
