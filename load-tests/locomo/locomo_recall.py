#!/usr/bin/env python3
"""LoCoMo retrieval recall through the real memory service (REST, via the gateway or direct).

Protocol (shared/benchmarks/locomo/README.md): every turn of a conversation is stored as one memory of one
user ("<speaker>: <text>", session date and dia_id as metadata); every question of categories 1-4 is searched
in that user's memories; recall_any@5 = share of questions with at least one evidence turn in the top 5,
recall_all@10 = share with every evidence turn in the top 10. Reported for hybrid, text (BM25) and dense search.

    python3 load-tests/locomo/locomo_recall.py --base http://localhost:8080 \
        --zip ../shared/benchmarks/locomo/locomo10.zip
Needs only the Python standard library.
"""
import argparse
import concurrent.futures
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile


def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            if e.code in (502, 503, 429) and attempt < 4:
                time.sleep(0.5 * (attempt + 1))
                continue
            raise RuntimeError(f"{method} {path} -> {e.code}: {e.read().decode()[:300]}")


def new_user(base):
    name = "locomo" + uuid.uuid4().hex[:12]
    password = "locomo-benchmark-" + uuid.uuid4().hex
    call(base, "POST", "/api/v1/auth/register", {"username": name, "email": name + "@example.com", "password": password})
    return name, password


def login(base, name, password):
    return call(base, "POST", "/api/v1/auth/login", {"username": name, "password": password})["accessToken"]


def conversations(path):
    with zipfile.ZipFile(path) as archive:
        for entry in sorted(archive.namelist()):
            if entry.endswith(".json"):
                yield entry.rsplit("/", 1)[-1], json.loads(archive.read(entry))


def turns(sample):
    index = 1
    while f"session_{index}" in sample:
        date = sample.get(f"session_{index}_date_time", "")
        for turn in sample[f"session_{index}"]:
            yield turn["dia_id"], f"{turn['speaker']}: {turn['text']}", date
        index += 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8080")
    parser.add_argument("--auth", default=None, help="auth-service base URL when --base is not the gateway")
    parser.add_argument("--zip", default="../shared/benchmarks/locomo/locomo10.zip")
    parser.add_argument("--modes", default="hybrid,text,dense")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    modes = args.modes.split(",")
    hits = {m: {"any5": 0, "all10": 0} for m in modes}
    questions = 0
    stored = 0
    add_seconds = 0.0
    search_latencies = []
    for name, sample in conversations(args.zip):
        auth = args.auth or args.base
        user, password = new_user(auth)
        token = login(auth, user, password)
        dia_of = {}

        def add(turn):
            dia_id, text, date = turn
            result = call(args.base, "POST", "/api/v1/memories",
                          {"content": text, "infer": False, "metadata": {"diaId": dia_id, "date": date}}, token)
            return dia_id, result["results"][0]["id"]

        started = time.time()
        with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
            for dia_id, memory_id in pool.map(add, list(turns(sample))):
                dia_of.setdefault(memory_id, set()).add(dia_id)
                stored += 1
        add_seconds += time.time() - started
        token = login(auth, user, password)
        qa = [q for q in sample["qa"] if q.get("category") in (1, 2, 3, 4) and q.get("evidence")]
        def evaluate(q):
            evidence = set(q["evidence"])
            outcome = {}
            for mode in modes:
                t0 = time.time()
                results = call(args.base, "POST", "/api/v1/memories/search",
                               {"query": q["question"], "limit": 10, "mode": mode}, token)["results"]
                latency = time.time() - t0
                ranked = [dia_of.get(r["id"], set()) for r in results]
                top5 = set().union(*ranked[:5]) if ranked else set()
                top10 = set().union(*ranked[:10]) if ranked else set()
                outcome[mode] = (bool(evidence & top5), evidence <= top10, latency)
            return outcome

        with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
            for outcome in pool.map(evaluate, qa):
                questions += 1
                for mode, (any5, all10, latency) in outcome.items():
                    hits[mode]["any5"] += any5
                    hits[mode]["all10"] += all10
                    search_latencies.append(latency)
        print(f"{name}: {len(dia_of)} memories, {len(qa)} questions", file=sys.stderr)
    print(f"conversations stored: {stored} turns in {add_seconds:.1f} s ({stored / add_seconds:.0f} adds/s, "
          f"{args.workers} clients); questions (categories 1-4): {questions}")
    search_latencies.sort()
    p = lambda q: search_latencies[int(q * (len(search_latencies) - 1))] * 1000
    print(f"search latency over all modes: p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms")
    print("| mode | recall_any@5 | recall_all@10 |")
    print("|---|---|---|")
    for mode in modes:
        print(f"| {mode} | {hits[mode]['any5'] / questions:.3f} | {hits[mode]['all10'] / questions:.3f} |")


if __name__ == "__main__":
    main()
