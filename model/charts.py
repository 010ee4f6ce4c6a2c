"""Charts (placeholder until the charts module lands)."""
from pathlib import Path


def scenario_charts(timeseries, municipalities, out: Path, title: str = "") -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    overall = timeseries[(timeseries.group_type == "overall") & (timeseries.innovation == "all")]
    g = overall.groupby("year")["adoption_share"]
    fig, ax = plt.subplots()
    ax.plot(g.mean().index, g.mean().values)
    ax.fill_between(g.mean().index, g.quantile(0.025).values, g.quantile(0.975).values, alpha=0.3)
    path = out / "diffusion.png"
    fig.savefig(path)
    plt.close(fig)
    return [path]
