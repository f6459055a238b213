import matplotlib.pyplot as plt

train = [1.10, 0.62, 0.41, 0.30, 0.24, 0.21]
val = [1.12, 0.70, 0.52, 0.47, 0.46, 0.48]
epochs = range(1, 7)

fig, ax = plt.subplots(figsize=(5.6, 3.6))
ax.plot(epochs, train, color="blue", linewidth=2, label="train")
ax.plot(epochs, val, color="red", linewidth=2, label="validation")
ax.set_title("Loss per epoch")
ax.set_xlabel("epoch")
ax.set_ylabel("loss")
ax.set_xlim(1, 6)
ax.set_ylim(0, 1.2)
ax.legend()
fig.savefig("loss-per-epoch.svg")
