import tracemalloc
from pathlib import Path

import numpy as np

tracemalloc.start()  # from here on, every allocation of Python and NumPy is counted, with where it came from

x = np.ones((500, 200))  # 800 KB
centred = x - x.mean(axis=0)  # a temporary mean, then the result
gram = centred.T @ centred  # 200 x 200 = 320 KB

current, peak = tracemalloc.get_traced_memory()
snapshot = tracemalloc.take_snapshot()
tracemalloc.stop()
print(f"peak {peak} bytes; {current} bytes alive now")
for stat in snapshot.statistics("lineno")[:3]:  # the lines that hold the most memory now
    where = stat.traceback[0]  # the line that allocated it: in this file, or in NumPy's
    print(f"{Path(where.filename).name}:{where.lineno}: {stat.size} bytes in {stat.count} blocks")
assert abs(gram[0, 0]) < 1e-9  # every column is constant: centred to zero
