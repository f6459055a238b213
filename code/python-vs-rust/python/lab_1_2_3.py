"""Lab 1.2.3 in Python: the 2x2 model-analysis dashboard with Matplotlib and Seaborn, as the Python module draws it.

It draws the very numbers the Rust dashboard draws: the Rust side writes the trained model's results
(DashboardData) to a JSON file, and this script reads it (reading is not timed). One timed call is: make the
figure, draw the four panels, save it as SVG into memory, close it. Rendering only, as on the Rust side.
Prints the protocol of lab_1_2_1.py: `sample` and `info` lines. The checksum is a digest of the data drawn
(it shows both sides drew the same numbers; it cannot compare pictures).
"""
import argparse
import io
import json
import sys
import time

from lab_1_2_1 import info, np

try:
    import matplotlib

    matplotlib.use("svg")  # no display; the SVG backend, as the Rust side writes SVG
    import matplotlib.pyplot as plt
    import seaborn as sns
except ImportError:  # reported as `missing` in the info lines
    plt = sns = None


def checksum(d):
    """Sum of every number drawn, weighted per panel; the Rust side computes the same."""
    return (
        sum(d["train_loss"]) + 2 * sum(d["val_loss"]) + 3 * sum(map(sum, d["confusion"]))
        + 4 * sum(i["mean"] + i["std"] for i in d["importance"]) + 5 * sum(d["confidence"]) + 6 * sum(d["predicted"])
    )


def draw(d):
    """The dashboard: loss curves, confusion heatmap, importance bars, confidence histogram."""
    names = d["class_names"]
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.2), dpi=100)
    fig.suptitle(d["title"])

    ax = axes[0][0]
    epochs = np.arange(1, len(d["train_loss"]) + 1)
    sns.lineplot(x=epochs, y=d["train_loss"], ax=ax, label="train")
    sns.lineplot(x=epochs, y=d["val_loss"], ax=ax, label="validation")
    best = int(np.argmin(d["val_loss"]))
    ax.axvline(best + 1, linestyle="--", color="grey", linewidth=1)
    ax.scatter([best + 1], [d["val_loss"][best]], zorder=3, label=f"best: epoch {best + 1}, {d['val_loss'][best]:.3f}")
    ax.set_yscale("log")
    ax.set(title="Loss per epoch", xlabel="epoch", ylabel="cross-entropy (log scale)")
    ax.legend()

    ax = axes[0][1]
    cm = np.array(d["confusion"])
    sns.heatmap(cm, annot=True, fmt="d", cmap="viridis", cbar=False, xticklabels=names, yticklabels=names, ax=ax)
    ax.set(title=f"Confusion matrix, held-out set (accuracy {100 * np.trace(cm) / cm.sum():.1f}%)", xlabel="predicted", ylabel="true")

    ax = axes[1][0]
    imp = d["importance"]
    sns.barplot(x=[i["mean"] for i in imp], y=[i["feature"] for i in imp], orient="h", color="C0", ax=ax)
    ax.errorbar([i["mean"] for i in imp], range(len(imp)), xerr=[i["std"] for i in imp], fmt="o", color="black", capsize=4)
    ax.set(title="Permutation importance (validation set)", xlabel="drop in accuracy when the column is shuffled")

    ax = axes[1][1]
    sns.histplot(x=d["confidence"], hue=[names[p] for p in d["predicted"]], hue_order=names, multiple="stack",
                 bins=20, binrange=(0, 1), ax=ax)
    ax.set(title="Prediction confidence (held-out set)", xlabel="probability of the predicted class", ylabel="held-out rows")

    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--data", required=True, help="the DashboardData JSON written by the Rust side")
    parser.add_argument("--smoke", action="store_true", help="one run, check the figure was drawn")
    args = parser.parse_args()
    info(lambda k, v: print(f"info\t{k}\t{v}", flush=True))
    print(f"info\tmatplotlib\t{matplotlib.__version__ if plt is not None else 'missing'}", flush=True)
    print(f"info\tseaborn\t{sns.__version__ if sns is not None else 'missing'}", flush=True)
    if plt is None:
        if args.smoke:
            print("smoke: ok", flush=True)  # nothing to compare: the Rust test reports the skip
        return
    with open(args.data) as f:
        data = json.load(f)
    digest = checksum(data)
    svg = draw(data)  # warm-up: the first figure loads fonts and caches
    if args.smoke:
        if not (svg.startswith("<?xml") and "Loss per epoch" in svg and "Prediction confidence" in svg):
            sys.exit("the dashboard SVG is missing panels")
        print(f"sample\tdashboard\tMatplotlib + Seaborn, SVG\t0.0\t{digest!r}", flush=True)
        print("smoke: ok", flush=True)
        return
    for _ in range(args.runs):
        start = time.perf_counter()
        draw(data)
        elapsed = time.perf_counter() - start
        print(f"sample\tdashboard\tMatplotlib + Seaborn, SVG\t{elapsed:.9f}\t{digest!r}", flush=True)


if __name__ == "__main__":
    main()
