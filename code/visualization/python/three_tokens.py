import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

weights = np.array([[1.0, 0.0, 0.0], [0.3, 0.7, 0.0], [0.2, 0.3, 0.5]])
tokens = ["the", "cat", "sat"]
fig, ax = plt.subplots(figsize=(5.2, 4.2))
sns.heatmap(weights, vmin=0, vmax=1, cmap="viridis", annot=True, fmt=".1f", xticklabels=tokens, yticklabels=tokens, ax=ax)
ax.set_title("Three tokens")
ax.set_xlabel("key")
ax.set_ylabel("query")
fig.savefig("three-tokens.svg")
