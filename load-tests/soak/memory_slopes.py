"""Issue 18, item 5 (soak): samples every service of a platform started by ./platform up while a load runs, and
reports how the live heap and the resident memory grow.

    python3 load-tests/soak/memory_slopes.py [--minutes 30] [--interval 60] [--warmup 5] [--csv FILE]

Every --interval seconds, for each service: a full collection (`jcmd <pid> GC.run`; Micrometer updates the live data
size only after an old-generation collection, which a steady load may not cause for half an hour), then
`jvm_gc_live_data_size_bytes` from /actuator/prometheus (the old generation right after that collection: the live
set, what a leak makes grow) and VmRSS of its process
(/proc/<pid>/status; pids from .platform/*.pid). After the run, the least-squares slope of each over the samples
taken after --warmup minutes, per 10 minutes. PASS when every service grows < 1 MiB of live heap and < 5 MiB of RSS
per 10 minutes (issue 18's bar). Honours AGENCY_PORT_BASE like ./platform. Reads only; the load is someone else's
(load-tests/soak/run.sh starts both).
"""
import argparse, csv, os, re, subprocess, sys, time, urllib.request

BASE = int(os.environ.get("AGENCY_PORT_BASE", "8080"))
SERVICES = {  # name -> (pid file, actuator port)
    "auth-service": BASE + 1, "memory-service": BASE + 2, "tool-service": BASE + 3,
    "orchestration-service": BASE + 4, "multimodal-service": BASE + 5, "realtime-gateway": BASE + 1000,
}
MIB = 1024 * 1024


def full_gc(pid):
    jcmd = os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "jcmd")
    subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=60)


def live_heap(port):
    try:
        text = urllib.request.urlopen(f"http://localhost:{port}/actuator/prometheus", timeout=10).read().decode()
    except Exception:
        return None
    m = re.search(r"^jvm_gc_live_data_size_bytes(?:\{[^}]*\})?\s+([0-9.eE+-]+)$", text, re.M)
    return float(m.group(1)) if m else None


def rss(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None


def pid_of(name):
    try:
        return int(open(f".platform/{name}.pid").read().strip())
    except (OSError, ValueError):
        return None


def slope_per_10_min(points):
    """Least-squares slope of (seconds, bytes) points, in bytes per 10 minutes; None with fewer than 3 points."""
    pts = [(t, v) for t, v in points if v is not None]
    if len(pts) < 3:
        return None
    n = len(pts)
    mt = sum(t for t, _ in pts) / n
    mv = sum(v for _, v in pts) / n
    var = sum((t - mt) ** 2 for t, _ in pts)
    return 0.0 if var == 0 else sum((t - mt) * (v - mv) for t, v in pts) / var * 600


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--interval", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--csv", default=None)
    a = ap.parse_args()
    pids = {s: pid_of(s) for s in SERVICES}
    missing = [s for s, p in pids.items() if p is None]
    if missing:
        sys.exit(f"not running (no .platform pid file): {missing}; start the platform with ./platform up")
    rows, t0 = [], time.time()
    out = open(a.csv, "w", newline="") if a.csv else None
    writer = csv.writer(out) if out else None
    if writer:
        writer.writerow(["seconds", "service", "live_heap_bytes", "rss_bytes"])
    while time.time() - t0 < a.minutes * 60:
        t = time.time() - t0
        for s, port in SERVICES.items():
            full_gc(pids[s])
            row = (t, s, live_heap(port), rss(pids[s]))
            rows.append(row)
            if writer:
                writer.writerow(row)
                out.flush()
        time.sleep(max(0, a.interval - (time.time() - t0 - t)))
    ok = True
    print(f"\nmemory growth after the first {a.warmup:g} min of {a.minutes:g} (per 10 min; bar: live heap < 1 MiB, RSS < 5 MiB)")
    print(f"{'service':24} {'live heap':>12} {'RSS':>12} {'live heap at end':>18} {'RSS at end':>12}")
    for s in SERVICES:
        mine = [r for r in rows if r[1] == s and r[0] >= a.warmup * 60]
        heap = slope_per_10_min([(r[0], r[2]) for r in mine])
        res = slope_per_10_min([(r[0], r[3]) for r in mine])
        last = mine[-1] if mine else (0, s, None, None)
        good = heap is not None and res is not None and heap < MIB and res < 5 * MIB
        ok &= good
        fmt = lambda v: "n/a" if v is None else f"{v / MIB:+.2f} MiB"
        end = lambda v: "n/a" if v is None else f"{v / MIB:.0f} MiB"
        print(f"{s:24} {fmt(heap):>12} {fmt(res):>12} {end(last[2]):>18} {end(last[3]):>12} {'ok' if good else 'TOO MUCH'}")
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
