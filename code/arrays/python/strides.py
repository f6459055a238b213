import numpy as np

c_order = np.zeros((3, 4), dtype=np.float32, order="C")
f_order = np.zeros((3, 4), dtype=np.float32, order="F")
# NumPy's strides are in bytes; ndarray's count elements: divide by the element size to compare
elements = lambda x: tuple(s // x.itemsize for s in x.strides)
print("C order:", c_order.shape, "strides", elements(c_order), "bytes", c_order.strides)
print("F order:", f_order.shape, "strides", elements(f_order), "bytes", f_order.strides)

t = c_order.T  # a view with the strides swapped
print("transpose:", t.shape, "strides", elements(t), "bytes", t.strides)
