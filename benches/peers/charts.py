"""Times matplotlib drawing the charts mpgen draws, as the peer a report writer would
otherwise use: line charts of 35 years and bar charts of 10 partners, each saved as SVG
and as PNG at mpgen's print size (800 x 450 at 1.5x). Prints the median time per chart
file in ms.

    python3 benches/peers/charts.py [CHARTS]
"""
import io
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
years = list(range(1990, 2025))
times = {"svg": [], "png": []}
for i in range(n):
    for fmt in ("svg", "png"):
        start = time.perf_counter()
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=150 if fmt == "png" else 100)
        if i % 2 == 0:
            values = [1_000_000 + 25_000 * k + (i * 7919 % 50_000) for k in range(len(years))]
            ax.plot(years, values, color="#0072B2", linewidth=2)
            ax.set_title("International migrant stock, Country %03d" % i, loc="left")
        else:
            names = ["Partner %d" % k for k in range(10)]
            values = [(10 - k) * 100_000 + i for k in range(10)]
            ax.barh(names[::-1], values[::-1], color="#0072B2")
            ax.set_title("Emigrants by destination, Country %03d" % i, loc="left")
        ax.set_ylabel("Persons")
        ax.grid(axis="y", color="#dddddd")
        fig.text(0.01, 0.01, "Source: International Migrant Stock 2024", fontsize=8)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt)
        plt.close(fig)
        times[fmt].append((time.perf_counter() - start) * 1000)
for fmt, t in times.items():
    print(f"{fmt} median {statistics.median(t):.1f} ms per chart")
print(f"all median {statistics.median(times['svg'] + times['png']):.1f} ms per chart")
