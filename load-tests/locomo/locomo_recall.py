#!/usr/bin/env python3
"""LoCoMo retrieval recall through the real memory service (REST, via the gateway or direct).

Protocol (shared/benchmarks/locomo/README.md): every turn of a conversation is stored as one memory of one
user ("<speaker>: <text>", session date and dia_id as metadata); every question of categories 1-4 is searched
in that user's memories; recall_any@5 = share of questions with at least one evidence turn in the top 5,
recall_all@10 = share with every evidence turn in the top 10. Reported for hybrid, text (BM25) and dense search,
over all conversations and over two halves (conversations 0-4, used for tuning, and 5-9, held out).

    python3 load-tests/locomo/locomo_recall.py --base http://localhost:8080 \
        --zip ../shared/benchmarks/locomo/locomo10.zip

--state FILE keeps the users and the memory id -> dia_id mapping of an ingest, so later runs (e.g. after
restarting the service with other ranking settings) search the same memories without storing them again.
--dump FILE writes, per question, the top 100 dense and text candidates with their scores (for offline
fusion experiments: load-tests/locomo/fusion_experiments.py).
Needs only the Python standard library.
"""
import argparse
import concurrent.futures
import datetime
import json
import os
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
            with urllib.request.urlopen(request, timeout=120) as response:
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


def sessions(sample):
    """(session name, its turns in order) for each session of a conversation."""
    grouped = {}
    for turn in turns(sample):
        grouped.setdefault("session_" + turn[0].split(":")[0].lstrip("D"), []).append(turn)
    return list(grouped.items())


def questions_of(sample):
    return [q for q in sample["qa"] if q.get("category") in (1, 2, 3, 4) and q.get("evidence")]


def ingest(args, auth, sample):
    user, password = new_user(auth)
    token = login(auth, user, password)
    dia_of = {}

    def add(turn, session=None):
        dia_id, text, date = turn
        body = {"content": text, "infer": False, "metadata": {"diaId": dia_id, "date": date}}
        if session:
            body["sessionId"] = session
        if args.valid_from and date:
            # the session date ("1:56 pm on 8 May, 2023") as the time the memory is about (the date signal)
            body["validFrom"] = datetime.datetime.strptime(date.strip(), "%I:%M %p on %d %B, %Y").strftime(
                "%Y-%m-%dT%H:%M:00Z")
        result = call(args.base, "POST", "/api/v1/memories", body, token)
        return dia_id, result["results"][0]["id"]

    def add_session(session):
        # one LoCoMo session = one sessionId, its turns added in order (the session-neighbour signal reads that order)
        name, session_turns = session
        return [add(turn, name) for turn in session_turns]

    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        if args.session_ids:
            added = [pair for pairs in pool.map(add_session, list(sessions(sample))) for pair in pairs]
        else:
            added = pool.map(add, list(turns(sample)))
        for dia_id, memory_id in added:
            dia_of.setdefault(memory_id, []).append(dia_id)
    return {"user": user, "password": password, "dia_of": dia_of}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8080")
    parser.add_argument("--auth", default=None, help="auth-service base URL when --base is not the gateway")
    parser.add_argument("--zip", default="../shared/benchmarks/locomo/locomo10.zip")
    parser.add_argument("--modes", default="hybrid,text,dense")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--state", default=None, help="JSON file: reuse the ingest recorded there, or record it")
    parser.add_argument("--dump", default=None, help="JSON file: write the top-100 dense and text candidates")
    parser.add_argument("--session-ids", action="store_true",
                        help="store each LoCoMo session's turns under one sessionId, in order (session neighbours)")
    parser.add_argument("--valid-from", action="store_true",
                        help="send each turn's session date as validFrom (metadata.date keeps the protocol's text)")
    parser.add_argument("--extra", default="{}", help="JSON merged into every search body (e.g. boosts)")
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    extra = json.loads(args.extra)
    auth = args.auth or args.base
    state = {}
    if args.state and os.path.exists(args.state):
        with open(args.state) as f:
            state = json.load(f)
    splits = {"all": lambda i, c: True, "conv 0-4 (tuning)": lambda i, c: i < 5,
              "conv 5-9 (held out)": lambda i, c: i >= 5}
    for category, label in ((1, "multi-hop"), (2, "temporal"), (3, "open-domain"), (4, "single-hop")):
        splits[f"all, {label}"] = lambda i, c, category=category: c == category
    hits = {s: {m: {"any5": 0, "all10": 0} for m in modes} for s in splits}
    counts = {s: 0 for s in splits}
    stored = 0
    add_seconds = 0.0
    search_latencies = []
    dump = []
    dumped = set()
    if args.dump and os.path.exists(args.dump):
        with open(args.dump) as f:
            dump = json.load(f)
        dumped = {q["conversation"] for q in dump}
    for index, (name, sample) in enumerate(conversations(args.zip)):
        if name not in state:
            started = time.time()
            state[name] = ingest(args, auth, sample)
            add_seconds += time.time() - started
            stored += sum(len(d) for d in state[name]["dia_of"].values())
            if args.state:
                with open(args.state, "w") as f:
                    json.dump(state, f)
        entry = state[name]
        dia_of = {k: set(v) for k, v in entry["dia_of"].items()}
        token = login(auth, entry["user"], entry["password"])
        qa = questions_of(sample)
        if args.dump and index in dumped and not modes:
            print(f"{name}: candidates already dumped", file=sys.stderr)
            continue

        def evaluate(q):
            evidence = set(q["evidence"])
            outcome = {}
            for mode in modes:
                t0 = time.time()
                results = call(args.base, "POST", "/api/v1/memories/search",
                               {"query": q["question"], "limit": 10, "mode": mode, **extra}, token)["results"]
                latency = time.time() - t0
                ranked = [dia_of.get(r["id"], set()) for r in results]
                top5 = set().union(*ranked[:5]) if ranked else set()
                top10 = set().union(*ranked[:10]) if ranked else set()
                outcome[mode] = (bool(evidence & top5), evidence <= top10, latency)
            candidates = None
            if args.dump:
                candidates = {}
                for mode, key in (("dense", "similarity"), ("text", "textScore")):
                    results = call(args.base, "POST", "/api/v1/memories/search",
                                   {"query": q["question"], "limit": 100, "mode": mode}, token)["results"]
                    candidates[mode] = [[sorted(dia_of.get(r["id"], [])), r[key],
                                         r["createdAt"], r["importance"]] for r in results]
            return outcome, candidates

        with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
            for q, (outcome, candidates) in zip(qa, pool.map(evaluate, qa)):
                for split, member in splits.items():
                    if not member(index, q.get("category")):
                        continue
                    counts[split] += 1
                    for mode, (any5, all10, latency) in outcome.items():
                        hits[split][mode]["any5"] += any5
                        hits[split][mode]["all10"] += all10
                for mode, (any5, all10, latency) in outcome.items():
                    search_latencies.append(latency)
                if candidates is not None:
                    dump.append({"conversation": index, "question": q["question"], "evidence": q["evidence"],
                                 "candidates": candidates})
        if args.dump:
            with open(args.dump, "w") as f:
                json.dump(dump, f)
        print(f"{name}: {len(dia_of)} memories, {len(qa)} questions", file=sys.stderr)
    if stored:
        print(f"conversations stored: {stored} turns in {add_seconds:.1f} s ({stored / add_seconds:.0f} adds/s, "
              f"{args.workers} clients)")
    if not modes:
        return
    search_latencies.sort()
    p = lambda q: search_latencies[int(q * (len(search_latencies) - 1))] * 1000
    print(f"search latency over all modes: p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, p99 {p(0.99):.1f} ms")
    print("| questions | mode | recall_any@5 | recall_all@10 |")
    print("|---|---|---|---|")
    for split in splits:
        for mode in modes:
            h = hits[split][mode]
            print(f"| {split}: {counts[split]} | {mode} | {h['any5'] / counts[split]:.3f} | "
                  f"{h['all10'] / counts[split]:.3f} |")


if __name__ == "__main__":
    main()
