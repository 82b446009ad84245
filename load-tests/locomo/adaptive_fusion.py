#!/usr/bin/env python3
"""Per-query (adaptive) fusion weights, evaluated offline on candidate dumps of locomo_recall.py --dump and
paraphrase_dump.py. Base: the service's default fusion (each ranking's scores divided by its best, a missing
ranking's score = that ranking's lowest, dense 0.65 / text 0.35, 50 candidates each). Each variant changes only the
two weights per query, from what the two candidate lists already carry (no extra statement per search). Parameters
are chosen on LoCoMo conversations 0-4; figures for 5-9 (held out), all ten, and the paraphrase set (recall@1/@5).

    python3 load-tests/locomo/adaptive_fusion.py /tmp/locomo-candidates.json /tmp/paraphrase-candidates.json
"""
import itertools
import json
import sys


def key(candidate):
    return tuple(candidate[0])


def fused(dense, text, weights, pool=50):
    dense, text = dense[:pool], text[:pool]
    w_dense, w_text = weights(dense, text)
    scores = {}
    max_d = max((c[1] for c in dense), default=0) or 1
    max_t = max((c[1] for c in text), default=0) or 1
    floor_d = min((c[1] for c in dense), default=0) / max_d
    floor_t = min((c[1] for c in text), default=0) / max_t
    for c in dense:
        scores[key(c)] = [c[1] / max_d, floor_t]
    for c in text:
        scores.setdefault(key(c), [floor_d, None])[1] = c[1] / max_t
    total = w_dense + w_text
    final = {k: (w_dense * d + w_text * t) / total for k, (d, t) in scores.items()}
    return sorted(final, key=lambda k: -final[k])


def locomo(dump, weights, conversations):
    any5 = all10 = n = 0
    for q in dump:
        if q["conversation"] not in conversations:
            continue
        n += 1
        ranked = fused(q["candidates"]["dense"], q["candidates"]["text"], weights)
        evidence = set(q["evidence"])
        any5 += bool(evidence & {d for k in ranked[:5] for d in k})
        all10 += evidence <= {d for k in ranked[:10] for d in k}
    return any5 / n, all10 / n


def paraphrase(dump, weights):
    at1 = at5 = worse = 0
    for q in dump:
        target = tuple(q["evidence"])
        ranked = fused(q["candidates"]["dense"], q["candidates"]["text"], weights)
        dense = [key(c) for c in q["candidates"]["dense"]]
        rank = ranked.index(target) + 1 if target in ranked else 99
        rank_d = dense.index(target) + 1 if target in dense else 99
        at1 += rank == 1
        at5 += rank <= 5
        worse += rank > rank_d
    n = len(dump)
    return at1 / n, at5 / n, worse


def fixed(w_dense=0.65):
    return lambda dense, text: (w_dense, 1 - w_dense)


def bm25_confidence(t):
    """Text weight scaled down while the best BM25 score is below t (few or common query terms matched)."""
    return lambda dense, text: (0.65, 0.35 * min(1.0, (text[0][1] if text else 0) / t))


def dense_confidence(s0, m):
    """Dense weight multiplied by m when the best cosine similarity reaches s0 (a close semantic match)."""
    return lambda dense, text: (0.65 * (m if dense and dense[0][1] >= s0 else 1), 0.35)


def agreement(top, a):
    """Text weight multiplied by a when the two rankings' top candidates share nothing."""
    def weights(dense, text):
        shared = {key(c) for c in dense[:top]} & {key(c) for c in text[:top]}
        return 0.65, 0.35 * (a if not shared else 1)
    return weights


def main():
    loco = json.load(open(sys.argv[1]))
    para = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else []
    tune, held, every = set(range(5)), set(range(5, 10)), set(range(10))
    families = {
        "default (dense 0.65, fixed)": [("", fixed())],
        "BM25 confidence": [(f"t={t}", bm25_confidence(t)) for t in (2, 4, 6, 8, 10, 12, 15, 20)],
        "dense confidence": [(f"s0={s}, m={m}", dense_confidence(s, m))
                             for s, m in itertools.product((0.5, 0.55, 0.6, 0.65, 0.7), (1.25, 1.5, 2, 3))],
        "agreement": [(f"top={k}, a={a}", agreement(k, a))
                      for k, a in itertools.product((3, 5, 10), (0.25, 0.5, 0.75, 1.5))],
    }
    when = {q["question"] for q in loco if q["question"].lower().startswith("when")}
    print("| variant | parameters (chosen on conv 0-4) | tuning 0-4 | held out 5-9 | all | paraphrase @1 / @5, worse than dense |")
    print("|---|---|---|---|---|---|")
    for family, variants in families.items():
        best = max(variants, key=lambda v: sum(locomo(loco, v[1], tune)))
        t, h, a = (locomo(loco, best[1], s) for s in (tune, held, every))
        p = paraphrase(para, best[1]) if para else (float("nan"),) * 3
        print(f"| {family} | {best[0]} | {t[0]:.3f} / {t[1]:.3f} | {h[0]:.3f} / {h[1]:.3f} | {a[0]:.3f} / {a[1]:.3f} "
              f"| {p[0]:.3f} / {p[1]:.3f}, {p[2]} |")
    # temporal questions ("When ..."): the same fusion with their own dense weight
    timed = [q for q in loco if q["question"] in when]
    for w in (0.35, 0.45, 0.55, 0.65, 0.75, 0.85):
        t = locomo(timed, fixed(w), tune)
        h = locomo(timed, fixed(w), held)
        print(f"| 'when' questions only ({len(timed)}) | w_dense={w} | {t[0]:.3f} / {t[1]:.3f} | {h[0]:.3f} / {h[1]:.3f} | | |")
    # every variant's paraphrase figures, to see whether any closes the gap to dense
    if para:
        print("\nparaphrase set, every variant (recall@1 / @5, queries ranked worse than dense):")
        for family, variants in families.items():
            for name, w in variants:
                p = paraphrase(para, w)
                print(f"  {family} {name}: {p[0]:.3f} / {p[1]:.3f}, {p[2]}")
        print("  dense only: %.3f / %.3f" % paraphrase(para, lambda d, t: (1, 0))[:2])


if __name__ == "__main__":
    main()
