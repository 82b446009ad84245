#!/usr/bin/env python3
"""Candidate dump of the paraphrase robustness set (memory-service/src/test/resources/paraphrase) in the format of
locomo_recall.py --dump, so fusion_experiments.py can score fusion variants on it offline: each fact stored through
the REST API as a memory of its user (one new user each), each question's top-30 dense and text candidates fetched.
"conversation" is the user's index (0-2); "evidence" the target fact's id.

    python3 load-tests/locomo/paraphrase_dump.py --base http://localhost:18082 --auth http://localhost:18081 \\
        --dump /tmp/paraphrase-candidates.json
"""
import argparse
import json
import os

from locomo_recall import call, login, new_user

HERE = os.path.dirname(os.path.abspath(__file__))
SET = os.path.join(HERE, "..", "..", "memory-service", "src", "test", "resources", "paraphrase")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8080")
    parser.add_argument("--auth", default=None)
    parser.add_argument("--dump", required=True)
    args = parser.parse_args()
    auth = args.auth or args.base
    facts = json.load(open(os.path.join(SET, "facts.json")))
    queries = json.load(open(os.path.join(SET, "queries.json")))
    users = sorted({f["user"] for f in facts})
    tokens = {u: login(auth, *new_user(auth)) for u in users}
    fact_of = {}
    for f in facts:
        result = call(args.base, "POST", "/api/v1/memories", {"content": f["text"], "infer": False}, tokens[f["user"]])
        fact_of[result["results"][0]["id"]] = f["id"]
    user_of = {f["id"]: f["user"] for f in facts}
    dump = []
    for q in queries:
        user = user_of[q["target"]]
        candidates = {}
        for mode, key in (("dense", "similarity"), ("text", "textScore")):
            results = call(args.base, "POST", "/api/v1/memories/search",
                           {"query": q["query"], "limit": 30, "mode": mode}, tokens[user])["results"]
            candidates[mode] = [[[fact_of[r["id"]]], r[key], r["createdAt"], r["importance"]] for r in results]
        dump.append({"conversation": users.index(user), "question": q["query"], "evidence": [q["target"]],
                     "candidates": candidates})
    with open(args.dump, "w") as f:
        json.dump(dump, f)
    print(f"{len(facts)} facts, {len(dump)} questions -> {args.dump}")


if __name__ == "__main__":
    main()
