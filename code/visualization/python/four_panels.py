import matplotlib.pyplot as plt

fig, axes = plt.subplots(2, 2, figsize=(6, 4))
fig.suptitle("Four panels")
for i, ax in enumerate(axes.flat):  # row by row: top-left, top-right, bottom-left, bottom-right
    ax.set_facecolor(plt.get_cmap("tab10")(i, alpha=0.2))
    ax.text(0.05, 0.85, f"axes[{i // 2}][{i % 2}]", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
fig.savefig("four-panels.svg")
