#!/usr/bin/env python3
"""Do two memory-service builds rank alike? (issue 4 benchmark tool; not a test)

Sends the same searches (random users of the database, benchmark-style questions and facts, and a rotation of
request variants: hybrid, mode=text, mode=dense, fusion=rrf, limit=50, threshold, minImportance, boosts) to two
services on the same database, and compares ids, scores (12 decimals), similarity and textScore of every result.
A search with a recency boost may differ in the last decimals: the two calls are made at different instants.

    python3 load-tests/memory-latency/compare_builds.py --a http://localhost:18093 --b http://localhost:18094 \
        --auth http://localhost:18091 --admin-password … --db-name memlat_a --searches 400
"""
import argparse
import os
import random
import subprocess

import memory_latency as ml

VARIANTS = [{}, {"mode": "text"}, {"mode": "dense"}, {"fusion": "rrf"}, {"limit": 50}, {"threshold": 0.3},
            {"filters": {"minImportance": 0.5}}, {"recencyWeight": 0.2, "importanceWeight": 0.1}]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--auth", default="http://localhost:8081")
    parser.add_argument("--admin-user", default="admin")
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--db-name", default="agency")
    parser.add_argument("--searches", type=int, default=400)
    args = parser.parse_args()
    token = ml.call(args.auth, "POST", "/api/v1/auth/login",
                    {"username": args.admin_user, "password": args.admin_password})["accessToken"]
    users = subprocess.run(["psql", "-h", "localhost", "-U", "agency", "-d", args.db_name, "-Atc",
                            "SELECT DISTINCT user_id FROM memory.memories LIMIT 60"],
                           env=dict(os.environ, PGPASSWORD=os.environ.get("PGPASSWORD", "agency")),
                           capture_output=True, text=True, check=True).stdout.split()
    rng = random.Random(5)
    same = differ = 0
    for i in range(args.searches):
        body = {"query": ml.question(rng) if i % 3 else ml.fact(rng)[:60], "limit": 10,
                **VARIANTS[i % len(VARIANTS)]}
        path = f"/api/v1/memories/search?userId={rng.choice(users)}"
        a, b = ([(r["id"], round(r["score"], 12), r.get("similarity"), r.get("textScore"))
                 for r in ml.call(base, "POST", path, body, token)["results"]] for base in (args.a, args.b))
        if a == b:
            same += 1
        else:
            differ += 1
            print("DIFFERENT", body, path, "\n  a:", a[:3], "\n  b:", b[:3])
    print(f"same {same}, different {differ}")


if __name__ == "__main__":
    main()
