#!/usr/bin/env python3
"""Offline fusion experiments on a candidate dump of locomo_recall.py --dump (top-100 dense and text candidates
per question, as ranked by the running service). Every fusion's parameters are chosen on conversations 0-4 only
(the tuning half); the figures reported are for 5-9 (held out) and for all ten.

    python3 load-tests/locomo/fusion_experiments.py /tmp/locomo-candidates.json
"""
import itertools
import json
import sys

import numpy as np


def recall(dump, fuse, conversations):
    any5 = all10 = n = 0
    for q in dump:
        if q["conversation"] not in conversations:
            continue
        n += 1
        ranked = fuse(q["candidates"]["dense"], q["candidates"]["text"])
        evidence = set(q["evidence"])
        top5 = set(d for key in ranked[:5] for d in key)
        top10 = set(d for key in ranked[:10] for d in key)
        any5 += bool(evidence & top5)
        all10 += evidence <= top10
    return (any5 / n, all10 / n) if n else (float('nan'), float('nan'))


def key(candidate):
    return tuple(candidate[0])


def rrf(w_dense, k, pool):
    def fuse(dense, text):
        scores = {}
        for i, c in enumerate(dense[:pool]):
            scores[key(c)] = scores.get(key(c), 0) + w_dense / (k + i + 1)
        for i, c in enumerate(text[:pool]):
            scores[key(c)] = scores.get(key(c), 0) + 1.0 / (k + i + 1)
        return sorted(scores, key=lambda x: -scores[x])
    return fuse


def normalised(w_dense, pool, method):
    def norm(values):
        v = np.array(values, dtype=float)
        if method == "minmax":
            span = v.max() - v.min()
            return (v - v.min()) / span if span > 0 else np.ones_like(v)
        if method == "max":
            return v / v.max() if v.max() > 0 else v
        std = v.std()
        return (v - v.mean()) / std if std > 0 else np.zeros_like(v)

    def fuse(dense, text):
        dense, text = dense[:pool], text[:pool]
        scores = {}
        floor_d = floor_t = 0.0
        if dense:
            nd = norm([c[1] for c in dense])
            floor_d = nd.min()
            for c, s in zip(dense, nd):
                scores[key(c)] = [s, None]
        if text:
            nt = norm([c[1] for c in text])
            floor_t = nt.min()
            for c, s in zip(text, nt):
                scores.setdefault(key(c), [None, None])[1] = s
        fused = {k_: w_dense * (d if d is not None else floor_d) + (1 - w_dense) * (t if t is not None else floor_t)
                 for k_, (d, t) in scores.items()}
        return sorted(fused, key=lambda x: -fused[x])
    return fuse


def main():
    dump = json.load(open(sys.argv[1]))
    tune, held, every = set(range(5)), set(range(5, 10)), set(range(10))
    families = {
        "RRF, previous defaults": [("w_dense=0.7, k=5, pool=50", rrf(0.7, 5, 50))],
        "RRF": [(f"w_dense={w}, k={k}, pool={p}", rrf(w, k, p))
                for w, k, p in itertools.product([0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0], [1, 2, 5, 10, 20, 60],
                                                 [20, 50, 100])],
    }
    for method in ("minmax", "zscore", "max"):
        families[f"weighted sum ({method})"] = [
            (f"w_dense={w}, pool={p}", normalised(w, p, method))
            for w, p in itertools.product([round(x, 2) for x in np.arange(0.1, 0.95, 0.05)], [20, 50, 100])]
    families["text only"] = [("", lambda d, t: [key(c) for c in t])]
    families["dense only"] = [("", lambda d, t: [key(c) for c in d])]
    print("| fusion | parameters (chosen on conv 0-4) | tuning 0-4 | held out 5-9 | all |")
    print("|---|---|---|---|---|")
    for family, variants in families.items():
        best = max(variants, key=lambda v: sum(recall(dump, v[1], tune)))
        t, h, a = (recall(dump, best[1], s) for s in (tune, held, every))
        print(f"| {family} | {best[0]} | {t[0]:.3f} / {t[1]:.3f} | {h[0]:.3f} / {h[1]:.3f} | {a[0]:.3f} / {a[1]:.3f} |")


if __name__ == "__main__":
    main()
