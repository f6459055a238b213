import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

df = pd.read_csv("data/penguins.csv")  # 344 rows; the text NA is read as missing
fig, ax = plt.subplots(figsize=(7.2, 4.2))
sns.histplot(df, x="flipper_length_mm", hue="species", bins=24, stat="density", common_norm=False, kde=True, ax=ax)
ax.set_title("flipper_length_mm by species")
fig.savefig("flipper.svg")
