"""Times a preview server's rebuild: saves a new value into one profile's TOML file,
then polls a page over HTTP until it shows the value; N times. Prints the median and the
95th percentile in ms. The same for `hugo server` and `mpgen serve`.

    python3 benches/peers/server_edit.py URL FILE N
"""
import os
import re
import statistics
import sys
import time
import urllib.request

url, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
pattern = re.compile(r"(\[series\.migrant_stock\]\n(?:.*\n)*?values = \{.*?2024 = )\d+")


def fetch():
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""


times = []
for i in range(n):
    value = 70_000_000 + i * 7
    shown = f"{value:,}"
    text = open(path).read()
    new, count = pattern.subn(lambda m: m.group(1) + str(value), text, count=1)
    assert count == 1, "no 2024 migrant stock in " + path
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(new)
    start = time.perf_counter()
    os.replace(tmp, path)
    while shown not in fetch():
        if time.perf_counter() - start > 30:
            sys.exit(f"the page never showed {shown}")
        time.sleep(0.002)
    times.append((time.perf_counter() - start) * 1000)
    time.sleep(0.3)
times.sort()
p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
print(f"median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms over {n} edits")
