#!/usr/bin/env python3
"""Latency and throughput of memory-service through its REST API (issue 4 benchmark; not a test).

1. Add throughput (infer=false): single adds ({"content"}) and batched adds ({"messages"}: 50 user messages per
   request, one embedAll), each from --clients concurrent clients, spread over 100 users (admin ?userId=).
   These memories have real MiniLM embeddings and become the seed of step 2.
2. Seeding to each --sizes total by direct SQL (REST ingest of 100k is too slow on a shared 2-core machine):
   each new memory joins the texts of two seed memories and sums their vectors (a vector pointing between two
   real sentence embeddings), spread evenly over the same 100 users; the HNSW, GIN and B-tree indexes are
   maintained by PostgreSQL as rows go in.
3. Search latency at each size: --queries sequential searches (hybrid, limit 10) by random users, each query
   text new (no embedding cache hits), after a warm-up; p50/p95/p99 as the client sees them. Requests go over
   kept-alive connections, one per client thread, as a pooled HTTP client sends them (until 2026-11-26 10:00 the
   harness opened a new connection per request, ~1-2 ms more per request). Then heap (from
   /actuator/prometheus) and RSS (/proc/<pid>/status) of the service.

    python3 load-tests/memory-latency/memory_latency.py --base http://localhost:8082 --auth http://localhost:8081 \
        --admin-password "$(cat .platform/admin-password)" --db-name agency --pid <memory-service pid>
Needs the Python standard library and psql.
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import subprocess
import threading
import time
import http.client
import urllib.parse
import urllib.request
import uuid

VERBS = ["play", "collect", "cook", "paint", "study", "teach", "repair", "photograph", "grow", "build", "sell",
         "write about", "train for", "volunteer at", "travel to", "dream about", "read about", "practise", "watch",
         "visit"]
OBJECTS = ["the violin", "vintage cameras", "spicy ramen", "watercolour landscapes", "marine biology", "chess",
           "old motorbikes", "street art", "tomatoes", "wooden furniture", "sourdough bread", "science fiction",
           "marathons", "the animal shelter", "Japan", "sailing boats", "jazz records", "yoga", "bird songs",
           "mountain villages", "board games", "Italian opera", "electric guitars", "orchids", "rock climbing"]
PLACES = ["Berlin", "Lisbon", "Osaka", "Toronto", "Nairobi", "Lima", "Oslo", "Melbourne", "Porto", "Austin",
          "Seoul", "Krakow", "Dublin", "Marseille", "Cape Town", "Vancouver", "Hanoi", "Bologna"]
PEOPLE = ["my sister", "my brother", "my best friend", "my grandmother", "my partner", "my neighbour",
          "my colleague", "my son", "my daughter", "my uncle", "my old roommate", "my yoga teacher"]
WHEN = ["every weekend", "since 2019", "on Tuesdays", "twice a year", "after work", "in the summer",
        "every morning", "when it rains", "since I was a child", "during the holidays"]


def fact(rng):
    return (f"I {rng.choice(VERBS)} {rng.choice(OBJECTS)} in {rng.choice(PLACES)} with {rng.choice(PEOPLE)} "
            f"{rng.choice(WHEN)} (note {rng.randrange(10**6)})")


def question(rng):
    return rng.choice([
        f"Who do I {rng.choice(VERBS)} {rng.choice(OBJECTS)} with?",
        f"What do I do in {rng.choice(PLACES)}?",
        f"When do I {rng.choice(VERBS)} {rng.choice(OBJECTS)}?",
        f"What hobby do I share with {rng.choice(PEOPLE)}?",
        f"Where do I {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}?",
    ])


_connections = threading.local()


def call(base, method, path, body=None, token=None):
    """One request on this thread's kept-alive connection to base (as a pooled HTTP client would send it)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    pool = getattr(_connections, "pool", None)
    if pool is None:
        pool = _connections.pool = {}
    for attempt in range(2):
        connection = pool.get(base)
        if connection is None:
            url = urllib.parse.urlsplit(base)
            connection = pool[base] = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (http.client.HTTPException, ConnectionError):
            connection.close()
            del pool[base]
            if attempt == 1:
                raise
            continue  # the server closed an idle kept-alive connection: once more on a new one
        if response.status >= 400:
            raise SystemExit(f"{method} {path}: HTTP {response.status} {payload[:300]!r}")
        return json.loads(payload or b"null")


def psql(args, sql):
    env = dict(os.environ, PGPASSWORD=args.db_password)
    for attempt in range(10):
        out = subprocess.run(["psql", "-h", args.db_host, "-U", args.db_user, "-d", args.db_name, "-v",
                              "ON_ERROR_STOP=1", "-qtAc", sql], env=env, capture_output=True, text=True)
        if out.returncode != 2 or attempt == 9:  # 2: no connection (a shared server may be out of slots)
            break
        time.sleep(3)
    if out.returncode != 0:
        raise SystemExit(f"psql failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout.strip()


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def throughput(args, token, users, batch, total, rng):
    bodies = []
    for i in range(total // batch):
        texts = [fact(rng) for _ in range(batch)]
        body = ({"content": texts[0], "infer": False} if batch == 1 else
                {"messages": [{"role": "user", "content": t} for t in texts], "infer": False})
        bodies.append((users[i % len(users)], body))

    def add(item):
        user, body = item
        results = call(args.base, "POST", f"/api/v1/memories?userId={user}", body, token)["results"]
        added = sum(1 for r in results if r["event"] == "ADD")
        if added != len(results):  # the same --seed on the same database repeats texts: NOOPs, not inserts
            raise SystemExit(f"{len(results) - added} of {len(results)} texts were already stored; "
                             "use another --seed or an empty database")
        return added

    timers = server_timers(args)
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        stored = sum(pool.map(add, bodies))
    seconds = time.time() - started
    return stored, seconds, server_breakdown(timers, server_timers(args))


SERVER_TIMERS = {
    "http search": r'http_server_requests_seconds_(sum|count)\{[^}]*method="POST"[^}]*uri="/api/v1/memories/search"[^}]*\}',
    "http add": r'http_server_requests_seconds_(sum|count)\{[^}]*method="POST"[^}]*status="201"[^}]*uri="/api/v1/memories"[^}]*\}',
    "search method": r'agency_memory_search_seconds_(sum|count)\{[^}]*\}',
    "add method": r'agency_memory_add_seconds_(sum|count)\{[^}]*\}',
    "embedding": r'agency_embedding_seconds_(sum|count)\{[^}]*\}',
}


def server_timers(args):
    """Sum and count of the service's own timers (Micrometer), to split a phase's time on the server side."""
    text = urllib.request.urlopen(args.base + "/actuator/prometheus", timeout=30).read().decode()
    timers = {}
    for name, pattern in SERVER_TIMERS.items():
        total = {"sum": 0.0, "count": 0.0}
        for m in re.finditer("^" + pattern + r" (\S+)$", text, re.M):
            total[m.group(1)] += float(m.group(2))
        timers[name] = total
    return timers


def server_breakdown(before, after):
    parts = []
    for name in SERVER_TIMERS:
        count = after[name]["count"] - before[name]["count"]
        if count > 0:
            seconds = after[name]["sum"] - before[name]["sum"]
            parts.append(f"{name} {seconds / count * 1000:.1f} ms × {count:.0f}")
    return "server-side means: " + ", ".join(parts)


def heap_and_rss(args):
    text = urllib.request.urlopen(args.base + "/actuator/prometheus", timeout=30).read().decode()
    heap = sum(float(m.group(1)) for m in re.finditer(r'^jvm_memory_used_bytes\{[^}]*area="heap"[^}]*\} (\S+)',
                                                      text, re.M))
    rss = None
    if args.pid:
        with open(f"/proc/{args.pid}/status") as f:
            rss = int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) * 1024
    return heap, rss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8082")
    parser.add_argument("--auth", default="http://localhost:8081")
    parser.add_argument("--admin-user", default="admin")
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--db-host", default="localhost")
    parser.add_argument("--db-name", default="agency")
    parser.add_argument("--db-user", default="agency")
    parser.add_argument("--db-password", default="agency")
    parser.add_argument("--pid", type=int, default=None, help="memory-service pid, for RSS")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--single", type=int, default=1000, help="memories added one per request")
    parser.add_argument("--batched", type=int, default=5000, help="memories added 50 per request")
    parser.add_argument("--add-warmup", type=int, default=200,
                        help="memories added one per request (and twice as many 50 per request) before measuring")
    parser.add_argument("--sizes", default="10000,100000", help='memory counts to search at; "none": adds only')
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42,
                        help="texts and users; a second add run on the same database needs another seed")
    parser.add_argument("--query-seed", type=int, default=None,
                        help="seed of the search texts (default: a new one each run, so no query-embedding cache hits "
                             "when searching a running service again)")
    parser.add_argument("--skip-adds", action="store_true",
                        help="skip the throughput phase (the seed memories of an earlier run are reused)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    def login():
        return call(args.auth, "POST", "/api/v1/auth/login",
                    {"username": args.admin_user, "password": args.admin_password})["accessToken"]

    token = login()
    users = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(100)]
    print("| measurement | figure |")
    print("|---|---|")
    if not args.skip_adds:
        if args.add_warmup:  # JIT-compile the add path first, as the 50 warm-up searches do for search
            throughput(args, token, users, 1, args.add_warmup, rng)
            throughput(args, token, users, 50, args.add_warmup * 2, rng)
        stored, seconds, split = throughput(args, token, users, 1, args.single, rng)
        print(f"| add, 1 memory per request, {args.clients} clients | {stored / seconds:.0f} memories/s "
              f"({stored} in {seconds:.1f} s; {split}) |", flush=True)
        stored, seconds, split = throughput(args, token, users, 50, args.batched, rng)
        print(f"| add, 50 memories per request, {args.clients} clients | {stored / seconds:.0f} memories/s "
              f"({stored} in {seconds:.1f} s; {split}) |", flush=True)
    user_array = "ARRAY[" + ",".join(f"'{u}'::uuid" for u in users) + "]"
    for size in (int(s) for s in args.sizes.split(",") if s.strip() not in ("", "none")):
        have = int(psql(args, "SELECT count(*) FROM memory.memories"))
        if have < size:
            started = time.time()
            # many rows: build the HNSW index once afterwards instead of inserting into it row by row
            bulk = size - have > 20000
            drop = "DROP INDEX memory.memories_embedding_idx;" if bulk else ""
            # rebuilt as the schema defines it (since V4 a partial index: only big callers' memories are in the graph)
            definition = psql(args, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'memory' "
                                    "AND indexname = 'memories_embedding_idx'")
            build = f"SET maintenance_work_mem = '1GB'; {definition};" if bulk else ""
            psql(args, f"""{drop}
                CREATE TEMP TABLE seeds AS
                    SELECT row_number() OVER (ORDER BY id) AS n, content, embedding FROM memory.memories
                    WHERE user_id = ANY({user_array}) AND NOT content LIKE '% + %';
                INSERT INTO memory.memories (id, user_id, content, content_hash, embedding, importance, created_at,
                                             updated_at, embedding_model)
                SELECT gen_random_uuid(), ({user_array})[1 + g % 100], a.content || ' + ' || b.content,
                       md5(a.content || ' + ' || b.content || g), a.embedding + b.embedding, (g % 10) / 10.0,
                       now() - make_interval(mins => g), now(), (SELECT model FROM memory.embedding_config)
                FROM generate_series({have}, {size - 1}) g
                JOIN seeds a ON a.n = 1 + g % (SELECT count(*) FROM seeds)
                JOIN seeds b ON b.n = 1 + (g * 7919 + 13) % (SELECT count(*) FROM seeds);
                {build}""")
            # as autovacuum would soon: fresh statistics, and a visibility map for the index-only scans
            psql(args, "VACUUM ANALYZE memory.memories")
            print(f"| seeding {have} → {size} memories by SQL | {time.time() - started:.0f} s |", flush=True)
        size = max(size, int(psql(args, "SELECT count(*) FROM memory.memories")))
        qrng = random.Random(args.query_seed if args.query_seed is not None else random.SystemRandom().getrandbits(64))
        for _ in range(50):
            call(args.base, "POST", f"/api/v1/memories/search?userId={qrng.choice(users)}",
                 {"query": question(qrng) + f" {qrng.randrange(10**6)}", "limit": 10}, token)
        latencies = []
        token = login()  # access tokens are short-lived
        timers = server_timers(args)
        for i in range(args.queries):
            if i % 200 == 199:
                token = login()
            body = {"query": question(qrng) + f" {qrng.randrange(10**6)}", "limit": 10}
            t0 = time.perf_counter()
            results = call(args.base, "POST", f"/api/v1/memories/search?userId={qrng.choice(users)}", body, token)
            latencies.append(time.perf_counter() - t0)
            assert results["results"], "a search found nothing"
        print(f"| search at {size:,} memories (100 users, ~{size // 100:,} each), hybrid, limit 10, "
              f"{args.queries} sequential queries | p50 {percentile(latencies, 0.5):.1f} ms, "
              f"p95 {percentile(latencies, 0.95):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms "
              f"(client mean {sum(latencies) / len(latencies) * 1000:.1f} ms; "
              f"{server_breakdown(timers, server_timers(args))}) |", flush=True)
        heap, rss = heap_and_rss(args)
        print(f"| service memory at {size:,} | heap used {heap / 2**20:.0f} MiB"
              + (f", RSS {rss / 2**20:.0f} MiB |" if rss else " |"), flush=True)


if __name__ == "__main__":
    main()
