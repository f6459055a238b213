import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def loss_panel(ax, train, val, smoothing=None):
    """Training and validation loss per epoch (log scale), the best epoch marked. With `smoothing` (a weight in
    [0, 1), as TensorBoard's slider), the raw curves are drawn faint and their moving averages on top."""
    epochs = np.arange(1, len(train) + 1)
    for name, series, colour in [("train", train, "C0"), ("validation", val, "C1")]:
        shown = series
        if smoothing is not None:
            ax.plot(epochs, series, color=colour, alpha=0.3, linewidth=1)
            shown = pd.Series(series).ewm(alpha=1 - smoothing, adjust=False).mean()
            name += " (smoothed)"
        ax.plot(epochs, shown, color=colour, linewidth=2, label=name)
    best = int(np.argmin(val))  # chosen on the raw validation loss, as the checkpoint was
    ax.axvline(best + 1, color="grey", linestyle="--")
    ax.plot(best + 1, val[best], "o", color="C1", label=f"best: epoch {best + 1}, {val[best]:.3f}")
    ax.set(yscale="log", xlabel="epoch", ylabel="cross-entropy (log scale)", title="Loss per epoch")
    ax.legend()
    return best


# ten epochs of made-up losses, to draw something (the figure below is the lab's real run)
train = np.array([1.05, 0.62, 0.41, 0.33, 0.27, 0.24, 0.22, 0.20, 0.19, 0.18])
val = np.array([1.00, 0.60, 0.45, 0.36, 0.31, 0.30, 0.32, 0.29, 0.31, 0.33])
fig, ax = plt.subplots(figsize=(7, 4))
best = loss_panel(ax, train, val, smoothing=0.6)
fig.savefig("loss.svg")
print("train", train)
print("val", val)
print("best epoch", best + 1)
print("smoothed val", pd.Series(val).ewm(alpha=0.4, adjust=False).mean().round(6).to_numpy())
