import numpy as np
from scipy.stats import gaussian_kde as scipy_kde


def gaussian_kde(values, grid):
    """Gaussian kernel density estimate of `values` at each point of `grid`, with Scott's bandwidth."""
    n = len(values)
    h = values.std(ddof=1) * n ** (-1 / 5)  # Scott's rule, with the sample standard deviation
    norm = 1 / (n * h * np.sqrt(2 * np.pi))
    # one row per grid point, one column per value: broadcasting instead of two loops
    return norm * np.exp(-0.5 * ((grid[:, None] - values[None, :]) / h) ** 2).sum(axis=1)


values = np.array([181.0, 186.0, 195.0, 193.0, 190.0, 181.0, 195.0, 182.0])  # eight flipper lengths, mm
grid = np.array([170.0, 180.0, 190.0, 200.0])
density = gaussian_kde(values, grid)
print("values", values)
print("grid", grid)
print("density", density)
print("the same as SciPy's gaussian_kde:", np.allclose(density, scipy_kde(values)(grid), rtol=1e-12))
