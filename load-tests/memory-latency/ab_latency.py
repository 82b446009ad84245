#!/usr/bin/env python3
"""Search latency of two services, interleaved request by request (issue 4 benchmark tool; not a test).

This machine's speed drifts by tens of percent over minutes, so a before/after pair measured one after the other
compares two moments as much as two builds. Here every query (a new text, a random user with at least
--min-memories memories) goes to both services, in alternating order, over kept-alive connections; p50/p95/p99
and the services' own timers are printed per service.

    python3 load-tests/memory-latency/ab_latency.py --bases http://localhost:18093,http://localhost:18094 \
        --auth http://localhost:18091 --admin-password … --db-name memlat_a --queries 400
"""
import argparse
import os
import random
import subprocess
import time

import memory_latency as ml


class Target:
    def __init__(self, base):
        self.base = base
        self.latencies = []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bases", required=True, help="comma-separated service base URLs")
    parser.add_argument("--auth", default="http://localhost:8081")
    parser.add_argument("--admin-user", default="admin")
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--db-name", default="agency")
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--min-memories", type=int, default=900)
    parser.add_argument("--mode", default="hybrid")
    args = parser.parse_args()
    token = ml.call(args.auth, "POST", "/api/v1/auth/login",
                    {"username": args.admin_user, "password": args.admin_password})["accessToken"]
    users = subprocess.run(["psql", "-h", "localhost", "-U", "agency", "-d", args.db_name, "-Atc",
                            f"SELECT user_id FROM memory.memories GROUP BY 1 HAVING count(*) >= {args.min_memories}"],
                           env=dict(os.environ, PGPASSWORD=os.environ.get("PGPASSWORD", "agency")),
                           capture_output=True, text=True, check=True).stdout.split()
    targets = [Target(b) for b in args.bases.split(",")]
    before = [ml.server_timers(t) for t in targets]
    rng = random.Random()
    for i in range(args.queries):
        body = {"query": ml.question(rng) + f" {rng.randrange(10**6)}", "limit": 10, "mode": args.mode}
        path = f"/api/v1/memories/search?userId={rng.choice(users)}"
        for t in (targets if i % 2 == 0 else targets[::-1]):
            started = time.perf_counter()
            ml.call(t.base, "POST", path, body, token)
            t.latencies.append(time.perf_counter() - started)
    for t, timers in zip(targets, before):
        v = t.latencies
        print(f"{t.base}: p50 {ml.percentile(v, 0.5):.1f} ms, p95 {ml.percentile(v, 0.95):.1f} ms, "
              f"p99 {ml.percentile(v, 0.99):.1f} ms, mean {sum(v) / len(v) * 1000:.1f} ms; "
              f"{ml.server_breakdown(timers, ml.server_timers(t))}")


if __name__ == "__main__":
    main()
