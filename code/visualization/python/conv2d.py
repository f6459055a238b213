import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d(image, kernel):
    # one window per output position, as a view: shape (h - kh + 1, w - kw + 1, kh, kw)
    windows = sliding_window_view(image, kernel.shape)
    return (windows * kernel).sum(axis=(2, 3))


image = np.zeros((5, 6))
image[:, 2:4] = 1.0  # a bright vertical bar on a dark ground
vertical_edges = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])  # Sobel x

feature_map = conv2d(image, vertical_edges)
activated = np.maximum(feature_map, 0.0)  # ReLU
print(image)
print(feature_map)
print(activated)
