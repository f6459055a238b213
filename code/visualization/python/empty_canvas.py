import io

import matplotlib.pyplot as plt

fig = plt.figure(figsize=(3.2, 2.0))  # inches: the canvas, white
# into a file: the format comes from the name
fig.savefig("empty.svg")

# into memory, e.g. to serve it or to test it
buffer = io.StringIO()
fig.savefig(buffer, format="svg")
assert 'width="230.4pt"' in buffer.getvalue()  # 3.2 inches at 72 points an inch
