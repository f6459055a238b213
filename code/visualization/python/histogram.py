import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

df = pd.read_csv("data/penguins.csv")  # 344 rows; the text NA is read as missing
fig, ax = plt.subplots(figsize=(7.2, 4.2))
species = sorted(df["species"].dropna().unique())  # the Rust figure's order (and colours): by name
sns.histplot(df, x="flipper_length_mm", hue="species", hue_order=species, bins=24, stat="density", common_norm=False, kde=True, ax=ax)
ax.set_title("Distribution of flipper_length_mm by species")
fig.savefig("flipper.svg")
