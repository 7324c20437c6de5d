"""`fairrecruit --help`: the median wall time of a fresh process printing the command list (target < 0.4 s),
beside its CPU time (what it costs on a loaded machine, where wall times stretch) and a bare Python start."""
import argparse
from pathlib import Path
import resource
import statistics
import subprocess
import sys
import time

from common import report

ROOT = Path(__file__).resolve().parent.parent
HELP = "import sys\nfrom app.cli import main\nsys.argv = ['fairrecruit', '--help']\nmain()\n"


def median_seconds(code, runs):
    """Median wall and CPU (user + system) seconds of `runs` fresh processes running this code from the root."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    median_seconds(HELP, 1)  # warm the file cache
    wall, cpu = median_seconds("pass", args.runs)
    print(f"{'python -c pass (for scale)':58} {wall:10.2f} s   CPU {cpu:.2f} s, no target", flush=True)
    wall, cpu = median_seconds(HELP, args.runs)
    report(f"fairrecruit --help (CPU {cpu:.2f} s)", wall, 0.4, "s")

if __name__ == "__main__":
    main()
