#!/usr/bin/env python3
"""Stronger embedding models and cheap ranking signals on LoCoMo, evaluated offline (2026-12-08).

Inputs: the service's text (BM25) candidate lists from `locomo_recall.py --dump` (top 100 per question, with the
service's BM25 scores) and dense vectors of every turn and question computed by EmbedTexts.java with the model
under test (exact cosine over the conversation's turns, as the service's exact scan does). Fusion is the service's
default (each ranking's scores divided by its best, 50 candidates each); with MiniLM vectors this script reproduces
the service's figures exactly (0.669 / 0.603). Signals added to the fused score:
  speaker  +sp when the memory's speaker prefix ("Caroline: ...") is a name the question mentions
  temporal +t  when the question asks about time (when / how long / what year...) and the memory mentions one
  neighbour +g * (best fused score of the memory's neighbours in its session - lowest fused score): the turn
           before and after it (LoCoMo dia ids; in the service: the same sessionId, ordered by time)
Parameters are chosen on conversations 0-4 (tuning), reported for 5-9 (held out) and all ten, per category.

    python3 offline_signals.py export --zip ../shared/benchmarks/locomo/locomo10.zip --out /tmp/lc
    # then for each model (jar resources of dev.langchain4j:langchain4j-embeddings-<model>, e.g. e5-small-v2-q):
    java -cp <memory-service runtime classpath>:. EmbedTexts e5-small-v2-q.onnx e5-small-v2-q-tokenizer.json \
        mean "query: " /tmp/lc/queries.txt /tmp/lc/e5.q.bin 2
    java ... EmbedTexts ... mean "passage: " /tmp/lc/passages.txt /tmp/lc/e5.p.bin 2
    python3 offline_signals.py evaluate --dir /tmp/lc --dump /tmp/locomo-candidates.json --model e5 [--grid]

Ranking variants (2026-12-08, later; docs/benchmarks/memory.md "Ranking variants offline"): `variants` prints the
table of variants for a model (candidate pools, dense normalisation, neighbour-signal forms, second hops, diversity,
the session-date signal, the recipe and its ablations), `--grid` searches the recipe's parameters on conversations
0-4. `bm25` makes the text-candidate dump without a running service: PostgreSQL runs the service's own BM25
statement (MemorySearch.textRanking, small-caller path) for every question, in a scratch schema `locomo_bm25` of
the given database (dropped again); its dump gives the service's figures to the third decimal, like
locomo_recall.py --dump, and serves `evaluate` as well.

    python3 offline_signals.py bm25 --dir /tmp/lc --db postgresql://agency:agency@localhost:5432/<db> \
        --out /tmp/lc/locomo-candidates.json
    python3 offline_signals.py variants --dir /tmp/lc --dump /tmp/lc/locomo-candidates.json --model e5 [--grid]

MiniLM (2026-12-08, h28; docs/benchmarks/memory.md "MiniLM reaches the goal"): `lexemes` writes PostgreSQL's english
lexemes of every turn and question (BM25 with any k1 / b recomputed here; k1 1.2, b 0.1 give the dump's scores
exactly) and two query rewrites to embed; `minilm` prints the MiniLM table (new knobs: BM25 k1 / b / df_cut, dense
query variants, mention, adaptive weight, date slack before, 2nd-hop weight, dense power), `--grid [A B C D S]`
chooses structure and weights on conversations 0-4.

    python3 offline_signals.py lexemes --dir /tmp/lc --db postgresql://agency:agency@localhost:5432/<any db>
    java ... EmbedTexts all-minilm-l6-v2-q.onnx all-minilm-l6-v2-q-tokenizer.json mean "" \
        /tmp/lc/queries-noname.txt /tmp/lc/minilm-noname.q.bin 2        # and queries-nocap -> minilm-nocap
    python3 offline_signals.py minilm --dir /tmp/lc --dump /tmp/lc/locomo-candidates.json [--grid [A B C D S]]
"""
import argparse
import csv
import datetime as dt
import itertools
import json
import re
import struct
import subprocess
import sys
import time

import numpy as np

TIME = re.compile(r"\b(yesterday|today|tonight|tomorrow|last|next|ago|week|weekend|month|year|years|months|weeks|"
                  r"days|recently|soon|january|february|march|april|may|june|july|august|september|october|"
                  r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4}|summer|"
                  r"winter|spring|autumn|fall)\b", re.I)
TEMPORAL_QUESTION = re.compile(r"^\s*(when|how long|what (year|month|day|date|time))\b|\bwhen\b", re.I)


def export(args):
    sys.path.insert(0, __file__.rsplit("/", 1)[0] if "/" in __file__ else ".")
    from locomo_recall import conversations, turns, questions_of
    passages, queries, meta = [], [], {"passages": [], "queries": []}
    for index, (_, sample) in enumerate(conversations(args.zip)):
        for dia, text, date in turns(sample):
            passages.append(text.replace("\n", " "))
            meta["passages"].append([index, dia, date])
        for q in questions_of(sample):
            queries.append(q["question"].replace("\n", " "))
            meta["queries"].append([index, q["question"], q["evidence"], q["category"]])
    with open(f"{args.out}/passages.txt", "w") as f:
        f.write("\n".join(passages) + "\n")
    with open(f"{args.out}/queries.txt", "w") as f:
        f.write("\n".join(queries) + "\n")
    with open(f"{args.out}/meta.json", "w") as f:
        json.dump(meta, f)
    print(len(passages), "turns,", len(queries), "questions")


def vectors(path):
    with open(path, "rb") as f:
        n, d = struct.unpack(">ii", f.read(8))
        return np.frombuffer(f.read(), dtype="<f4").reshape(n, d)


class Data:
    def __init__(self, directory, dump, model):
        self.meta = json.load(open(f"{directory}/meta.json"))
        texts = open(f"{directory}/passages.txt").read().split("\n")
        self.text = {(m[0], m[1]): t for m, t in zip(self.meta["passages"], texts)}
        self.bm25 = {(q["conversation"], q["question"]): q["candidates"]["text"] for q in json.load(open(dump))}
        qv, pv = vectors(f"{directory}/{model}.q.bin"), vectors(f"{directory}/{model}.p.bin")
        conv = np.array([p[0] for p in self.meta["passages"]])
        self.dense = []
        for i, (c, *_rest) in enumerate(self.meta["queries"]):
            idx = np.where(conv == c)[0]
            sims = pv[idx] @ qv[i]
            order = np.argsort(-sims)[:100]
            self.dense.append([(self.meta["passages"][idx[j]][1], float(sims[j])) for j in order])


def neighbours(dia):
    session, n = dia.split(":")
    return f"{session}:{int(n) - 1}", f"{session}:{int(n) + 1}"


def rank(data, i, w, sp, t, g, pool=50):
    conv, question, _, _ = data.meta["queries"][i]
    dense = data.dense[i][:pool]
    text = [(c[0][0], c[1]) for c in data.bm25[(conv, question)][:pool] if c[0]]
    max_d, max_t = max(s for _, s in dense), max((s for _, s in text), default=1) or 1
    floor_d, floor_t = min(s for _, s in dense) / max_d, min((s for _, s in text), default=0) / max_t
    parts = {d: [s / max_d, floor_t] for d, s in dense}
    for d, s in text:
        parts.setdefault(d, [floor_d, None])[1] = s / max_t
    asks_time = bool(TEMPORAL_QUESTION.search(question))
    lowered = question.lower()
    fused = {}
    for d, (x, y) in parts.items():
        memory = data.text[(conv, d)]
        score = w * x + (1 - w) * y
        speaker, _, said = memory.partition(":")
        if sp and speaker.strip().lower() in lowered:
            score += sp
        if t and asks_time and TIME.search(said):
            score += t
        fused[d] = score
    lowest = min(fused.values())
    final = {d: s + g * max(fused.get(n, lowest) - lowest for n in neighbours(d)) for d, s in fused.items()}
    return sorted(final, key=lambda d: -final[d])


def recall(data, conversations, w, sp, t, g):
    hits, per_category = [0, 0], {}
    n = 0
    for i, (conv, _, evidence, category) in enumerate(data.meta["queries"]):
        if conv not in conversations:
            continue
        ranked, evidence = rank(data, i, w, sp, t, g), set(evidence)
        any5, all10 = bool(evidence & set(ranked[:5])), evidence <= set(ranked[:10])
        hits[0] += any5
        hits[1] += all10
        c = per_category.setdefault(category, [0, 0, 0])
        c[0] += any5
        c[1] += all10
        c[2] += 1
        n += 1
    return (hits[0] / n, hits[1] / n,
            {k: f"{v[0] / v[2]:.3f} / {v[1] / v[2]:.3f} ({v[2]})" for k, v in sorted(per_category.items())})


def evaluate(args):
    data = Data(args.dir, args.dump, args.model)
    settings = [("fusion only (dense 0.65)", 0.65, 0, 0, 0)]
    if args.grid:
        grid = itertools.product((0.65, 0.8, 0.85, 0.9, 0.95), (0, 0.05, 0.1, 0.15), (0, 0.05, 0.1),
                                 (0, 0.3, 0.4, 0.5, 0.6))
        best = max(grid, key=lambda p: sum(recall(data, range(5), *p)[:2]))
        settings.append(("best on 0-4: dense %.2f, speaker %.2f, temporal %.2f, neighbour %.1f" % best, *best))
    else:
        settings.append(("dense 0.95, speaker 0.15, temporal 0.05, neighbour 0.6", 0.95, 0.15, 0.05, 0.6))
    for name, *p in settings:
        tuning, held, every = (recall(data, c, *p) for c in (range(5), range(5, 10), range(10)))
        print(f"| {args.model} | {name} | {tuning[0]:.3f} / {tuning[1]:.3f} | {held[0]:.3f} / {held[1]:.3f} | "
              f"{every[0]:.3f} / {every[1]:.3f} |")
        print("   per category (1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop):", every[2])


# ---- Ranking variants (2026-12-08, later) --------------------------------------------------------------------------

BM25_SQL = """
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS locomo_bm25 CASCADE; CREATE SCHEMA locomo_bm25;
CREATE FUNCTION locomo_bm25.token_count(tsvector) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT sum(coalesce(array_length(positions, 1), 1))::integer FROM unnest($1) $$;
CREATE TABLE locomo_bm25.turns (conv int, dia text, content text,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
  doc_len integer GENERATED ALWAYS AS (locomo_bm25.token_count(to_tsvector('english', content))) STORED);
CREATE TABLE locomo_bm25.questions (qid int, conv int, question text);
\\copy locomo_bm25.turns (conv, dia, content) FROM '{dir}/turns.csv' csv
\\copy locomo_bm25.questions FROM '{dir}/questions.csv' csv
\\copy (SELECT q.qid, r.dia, r.bm25 FROM locomo_bm25.questions q CROSS JOIN LATERAL ( WITH stats AS (SELECT count(*) AS n, greatest(avg(doc_len), 1)::float8 AS avgdl FROM locomo_bm25.turns WHERE conv = q.conv), terms AS (SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', q.question))), tsq AS (SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS q, array_agg(lexeme) AS lexemes FROM terms), mine AS MATERIALIZED (SELECT dia, doc_len, CASE WHEN tsv @@ tsq.q THEN ts_filter(setweight(tsv, 'A', tsq.lexemes), '{{a}}') END AS hits FROM locomo_bm25.turns, tsq WHERE conv = q.conv), occurrences AS MATERIALIZED (SELECT m.dia, m.doc_len, o.lexeme, coalesce(array_length(o.positions, 1), 1) AS tf FROM mine m CROSS JOIN LATERAL unnest(m.hits) o WHERE m.hits IS NOT NULL), df AS (SELECT lexeme, ln(1 + ((SELECT n FROM stats) - count(*) + 0.5) / (count(*) + 0.5))::float8 AS idf FROM occurrences GROUP BY lexeme) SELECT o.dia, sum(d.idf * (o.tf * (1.2 + 1)) / (o.tf + 1.2 * (1 - 0.1 + 0.1 * o.doc_len / (SELECT avgdl FROM stats)))) AS bm25 FROM occurrences o JOIN df d ON d.lexeme = o.lexeme GROUP BY o.dia ORDER BY bm25 DESC, o.dia LIMIT 100) r ORDER BY q.qid, r.bm25 DESC, r.dia) TO '{dir}/bm25.csv' csv
DROP SCHEMA locomo_bm25 CASCADE;
"""


def bm25_dump(args):
    """The text candidates (top 100, service's BM25: k1 1.2, b 0.1, statistics per conversation) of every question,
    computed by PostgreSQL with the service's statement, in locomo_recall.py's --dump format (no dense lists: the
    dense rankings are computed here from the model's vectors). Ties are broken by dia id instead of memory id."""
    meta = json.load(open(f"{args.dir}/meta.json"))
    texts = open(f"{args.dir}/passages.txt").read().split("\n")
    with open(f"{args.dir}/turns.csv", "w", newline="") as f:
        w = csv.writer(f)
        for (conv, dia, _), text in zip(meta["passages"], texts):
            w.writerow([conv, dia, text])
    with open(f"{args.dir}/questions.csv", "w", newline="") as f:
        w = csv.writer(f)
        for i, (conv, question, _, _) in enumerate(meta["queries"]):
            w.writerow([i, conv, question])
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", args.db], input=BM25_SQL.format(dir=args.dir), text=True,
                   check=True)
    candidates = {}
    for qid, dia, score in csv.reader(open(f"{args.dir}/bm25.csv")):
        candidates.setdefault(int(qid), []).append([[dia], float(score), None, None])
    dump = [{"conversation": conv, "question": question, "evidence": evidence,
             "candidates": {"dense": [], "text": candidates.get(i, [])}}
            for i, (conv, question, evidence, _) in enumerate(meta["queries"])]
    with open(args.out, "w") as f:
        json.dump(dump, f)
    print(len(dump), "questions,", sum(len(v) for v in candidates.values()), "text candidates")


MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
_M = "|".join(MONTHS)
DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)? (" + _M + r"),? (\d{4})\b", re.I)
MONTH_DAY_YEAR = re.compile(r"\b(" + _M + r") (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b", re.I)
MONTH_YEAR = re.compile(r"\b(" + _M + r"),? (\d{4})\b", re.I)
MONTH_ONLY = re.compile(r"\b(" + _M + r")\b", re.I)
YEAR_ONLY = re.compile(r"\b(19\d\d|20\d\d)\b")


def session_date(text):
    """LoCoMo's session date ("1:56 pm on 8 May, 2023") as a date: what a memory's validFrom would hold."""
    m = DAY_MONTH_YEAR.search(text)
    return dt.date(int(m.group(3)), MONTHS.index(m.group(2).lower()) + 1, int(m.group(1))) if m else None


def named_periods(question):
    """The periods a question names, most specific pattern first, each match removed before the next pattern
    runs: a day ("May 23, 2023", "23 May 2023") -> that day; a month and year -> that month; a month alone ->
    ("month", m), that month of any year ("may" only as "in may"); a year alone -> that year. As (start, end)."""
    found, rest = [], question
    for pattern, kind in ((DAY_MONTH_YEAR, "dmy"), (MONTH_DAY_YEAR, "mdy"), (MONTH_YEAR, "my"), (MONTH_ONLY, "m"),
                          (YEAR_ONLY, "y")):
        for m in pattern.finditer(rest):
            g = m.groups()
            if kind in ("dmy", "mdy"):
                day, month, year = (g[0], g[1], g[2]) if kind == "dmy" else (g[1], g[0], g[2])
                d = dt.date(int(year), MONTHS.index(month.lower()) + 1, int(day))
                found.append((d, d + dt.timedelta(days=1)))
            elif kind == "my":
                month, year = MONTHS.index(g[0].lower()) + 1, int(g[1])
                found.append((dt.date(year, month, 1), dt.date(year + month // 12, month % 12 + 1, 1)))
            elif kind == "m":
                if g[0].lower() == "may" and not re.search(r"\bin may\b", question, re.I):
                    continue  # the verb
                found.append(("month", MONTHS.index(g[0].lower()) + 1))
            else:
                found.append((dt.date(int(g[0]), 1, 1), dt.date(int(g[0]) + 1, 1, 1)))
        rest = pattern.sub(" ", rest)
    return found


class Question:
    pass


class Prepared:
    """Every question with its conversation's turns as arrays: exact cosine to each turn (the dense ranking), the
    service's BM25 of its top 100 text candidates, speaker / time / session-date features and session neighbours
    (the turn before and after in the same session, as the service's previous_id / next_id)."""

    def __init__(self, directory, dump, model, lexicon=None, extra_queries=()):
        meta = json.load(open(f"{directory}/meta.json"))
        texts = open(f"{directory}/passages.txt").read().split("\n")
        bm25 = {(q["conversation"], q["question"]): q["candidates"]["text"] for q in json.load(open(dump))}
        qv, pv = vectors(f"{directory}/{model}.q.bin"), vectors(f"{directory}/{model}.p.bin")
        conv_of = np.array([p[0] for p in meta["passages"]])
        self.convs = {}
        for c in sorted(set(conv_of.tolist())):
            idx = np.where(conv_of == c)[0]
            dias = [meta["passages"][j][1] for j in idx]
            session = np.array([int(d.split(":")[0].lstrip("D")) for d in dias])
            n = len(idx)
            speakers, mentions_time = [], []
            for j in idx:
                speaker, _, said = texts[j].partition(":")
                speakers.append(re.sub(r"[^\w]+", " ", speaker.lower()).strip())
                mentions_time.append(bool(TIME.search(said)))
            self.convs[c] = {
                "dias": dias, "pos": {d: k for k, d in enumerate(dias)}, "session": session,
                "texts": [texts[j] for j in idx],
                "prev": np.array([j - 1 if j > 0 and session[j - 1] == session[j] else -1 for j in range(n)]),
                "next": np.array([j + 1 if j < n - 1 and session[j + 1] == session[j] else -1 for j in range(n)]),
                "speakers": speakers, "time": np.array(mentions_time), "vecs": pv[idx],
                "dates": [session_date(meta["passages"][j][2]) for j in idx]}
        self.questions = []
        for i, (c, question, evidence, category) in enumerate(meta["queries"]):
            cv, q = self.convs[c], Question()
            q.conv, q.question, q.category = c, question, category
            q.evidence = {cv["pos"][e] for e in evidence if e in cv["pos"]}
            q.findable = len(q.evidence) == len(set(evidence))  # evidence that is no turn is never found
            q.qv = qv[i]
            q.cos = cv["vecs"] @ qv[i]
            q.dense_order = np.argsort(-q.cos, kind="stable")
            text = [(cv["pos"][x[0][0]], x[1]) for x in bm25[(c, question)] if x[0]]
            q.text_order = np.array([p for p, _ in text], dtype=int)
            q.bm25 = np.zeros(len(cv["dias"]))
            q.bm25[q.text_order] = [s for _, s in text]
            lowered = " " + re.sub(r"[^\w]+", " ", question.lower()) + " "
            q.speaker = np.array([bool(s) and f" {s} " in lowered for s in cv["speakers"]])
            q.asks_time = bool(TEMPORAL_QUESTION.search(question))
            q.periods = named_periods(question)
            q.in_period = {}
            q.text_cache, q.dense_cache = {}, {}
            self.questions.append(q)
        self.names = {c: set(cv["speakers"]) - {""} for c, cv in self.convs.items()}
        for q in self.questions:
            cv = self.convs[q.conv]
            # names the question mentions (the conversation's speakers, or a capitalised word inside the sentence)
            q.names = {x.lower() for x in re.findall(r"(?<!^)(?<![.?!] )\b[A-Z][a-z]+\b", q.question)}
            q.names |= {s for s in self.names[q.conv] if f" {s} " in " " + re.sub(r"[^\w]+", " ",
                                                                                    q.question.lower()) + " "}
            q.mention = np.array([bool(q.names & set(re.findall(r"[a-z]+", t.partition(":")[2].lower())))
                                  for t in cv["texts"]])
        if lexicon:
            self.load_lexicon(lexicon)
        for name in extra_queries:
            extra = vectors(f"{directory}/{name}.q.bin")
            for i, q in enumerate(self.questions):
                cos = self.convs[q.conv]["vecs"] @ extra[i]
                q.dense_cache[name] = (cos, np.argsort(-cos, kind="stable"))

    def load_lexicon(self, directory):
        """PostgreSQL's english lexemes of every turn (with counts) and question (`offline_signals.py lexemes`): the
        service's BM25 recomputed here with any k1 / b (k1 1.2, b 0.1 give the dump's scores exactly)."""
        for cv in self.convs.values():
            cv["postings"], cv["dl"] = {}, np.zeros(len(cv["dias"]))
        seen = {}
        for conv, dia, lexemes in csv.reader(open(f"{directory}/turn_lex.csv")):
            cv = self.convs[int(conv)]
            k = cv["pos"][dia]
            for item in lexemes.split():
                lexeme, count = item.rsplit(":", 1)
                cv["postings"].setdefault(lexeme, []).append((k, int(count)))
                cv["dl"][k] += int(count)
            seen.setdefault(int(conv), []).append(bool(lexemes))
        for c, cv in self.convs.items():
            cv["postings"] = {x: (np.array([k for k, _ in v]), np.array([t for _, t in v], float))
                              for x, v in cv["postings"].items()}
            cv["avgdl"] = max(cv["dl"][np.array(seen[c])].mean(), 1)  # SQL avg() skips empty tsvectors
            cv["dia_rank"] = np.argsort(np.argsort(np.array(cv["dias"])))  # ties broken by dia id, as the SQL
        for qid, lexemes in csv.reader(open(f"{directory}/q_lex.csv")):
            q = self.questions[int(qid)]
            q.lexemes = lexemes.split()
            cv = self.convs[q.conv]
            n = len(cv["dias"])
            # the query's rarest word: its idf over the idf of a word in one memory (0..1)
            dfs = [len(cv["postings"][x][0]) for x in q.lexemes if x in cv["postings"]]
            q.rarity = np.log(1 + (n - min(dfs) + 0.5) / (min(dfs) + 0.5)) / np.log(1 + (n - 0.5) / 1.5) if dfs else 0


def text_of(data, q, p):
    """(top-100 text candidates in order, BM25 of every turn) under p's k1 / b / df_cut: the dump's unless changed."""
    key = (p["k1"], p["b"], p["df_cut"])
    if key == (1.2, 0.1, 0.0):
        return q.text_order, q.bm25
    if key not in q.text_cache:
        cv = data.convs[q.conv]
        n, k1, b = len(cv["dias"]), p["k1"], p["b"]
        scores = np.zeros(n)
        for lexeme in q.lexemes:
            if lexeme not in cv["postings"]:
                continue
            idx, tf = cv["postings"][lexeme]
            if p["df_cut"] and len(idx) > p["df_cut"] * n:
                continue  # a query word in more than df_cut of the user's memories (a speaker's name) is dropped
            idf = np.log(1 + (n - len(idx) + 0.5) / (len(idx) + 0.5))
            scores[idx] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * cv["dl"][idx] / cv["avgdl"]))
        order = np.lexsort((cv["dia_rank"], -scores))
        order = order[scores[order] > 0][:100]
        q.text_cache[key] = (order, np.where(np.isin(np.arange(n), order), scores, 0.0))
    return q.text_cache[key]


def dense_of(data, q, p):
    """(cosines, order) of q's dense ranking: its own vector, or another query text's (p["qvec"], a *.q.bin name),
    or the mean of both (p["qmix"] > 0: own + qmix x other)."""
    if not p["qvec"]:
        return q.cos, q.dense_order
    cos, _ = q.dense_cache[p["qvec"]]
    if p["qmix"]:
        cos = (q.cos + p["qmix"] * cos) / (1 + p["qmix"])
    key = (p["qvec"], p["qmix"])
    if key not in q.dense_cache:
        q.dense_cache[key] = (cos, np.argsort(-cos, kind="stable"))
    return q.dense_cache[key]


def in_period(cv, q, slack_days, before_days=0):
    """Turns whose session date lies in a period the question names, or up to slack_days after its end (what
    happened on a day is often told in a later session: "last week"), or before_days before its start."""
    if (slack_days, before_days) not in q.in_period:
        slack, before = dt.timedelta(days=slack_days), dt.timedelta(days=before_days)
        hit = np.zeros(len(cv["dias"]), bool)
        for k, day in enumerate(cv["dates"]):
            for period in q.periods if day else ():
                if period[0] == "month":
                    hit[k] |= day.month == period[1] or (day - slack).month == period[1]
                else:
                    hit[k] |= period[0] - before <= day < period[1] + slack
        q.in_period[(slack_days, before_days)] = hit
    return q.in_period[(slack_days, before_days)]


def normalised(values, members, how):
    """A ranking's scores normalised over its candidates (members), and the floor a non-candidate gets."""
    v = values[members]
    if how == "best":  # the service: divided by the best; a non-candidate gets the lowest candidate's
        best = v.max() if v.max() > 0 else 1
        return np.maximum(values / best, 0), v.min() / best
    if how == "minmax":
        span = (v.max() - v.min()) or 1
        return (values - v.min()) / span, 0.0
    mean, sd = v.mean(), v.std() or 1  # z-scores
    return (values - mean) / sd, (v.min() - mean) / sd


#: The service's ranking today (RankingSignals, e5 weights of offline_signals.py evaluate) plus every variant's knob,
#: each off. w dense weight (text 1 - w); sp speaker, t temporal, g neighbour, dt session-date weight.
BASE = dict(w=0.95, sp=0.15, t=0.05, g=0.6, dt=0.0, slack=7, dense_pool=50, text_pool=50, norm="best",
            true_dense=False, window=1, nb="max", side=None, nb_true=False, expand=0, prf=0.0, prf_k=3,
            session_prior=0.0, prior_k=3, entity=0.0, entity_k=3, diversity=0.0, mmr=0.0,
            k1=1.2, b=0.1, df_cut=0.0, qvec=None, qmix=0.0, mention=0.0, adapt=0.0, adapt_at=0.5, date_before=0,
            expand_g=None, dense_pow=1.0)


def ranked(data, q, p):
    """The turns of q's conversation in final order (candidates only) under the parameters p."""
    cv = data.convs[q.conv]
    n = len(cv["dias"])
    cos, order = dense_of(data, q, p)
    text_order, bm25 = text_of(data, q, p)
    if p["prf"]:
        # pseudo-relevance feedback: a second dense query, the query vector + prf x the mean of the first ranking's
        # best prf_k turns (in the service: one more dense statement, no more embedding)
        first = ranked(data, q, {**p, "prf": 0.0})[: p["prf_k"]]
        v = q.qv + p["prf"] * cv["vecs"][first].mean(axis=0)
        cos = cv["vecs"] @ (v / np.linalg.norm(v))
        order = np.argsort(-cos, kind="stable")
    in_dense, in_text = np.zeros(n, bool), np.zeros(n, bool)
    in_dense[order[: p["dense_pool"]]] = True
    in_text[text_order[: p["text_pool"]]] = True
    candidate = in_dense | in_text
    dense, dense_floor = normalised(cos, in_dense, p["norm"])
    if in_text.any():
        text, text_floor = normalised(bm25, in_text, "best")  # the variants change the dense side only
    else:
        text, text_floor = np.zeros(n), 0.0
    if p["dense_pow"] != 1:
        dense, dense_floor = np.maximum(dense, 0) ** p["dense_pow"], max(dense_floor, 0) ** p["dense_pow"]
    w = p["w"]
    if p["adapt"] and in_text.any():
        # adaptive fusion: the query's rarest word's share of the BM25 ranking's best score moves weight to text
        rarity = q.rarity if hasattr(q, "rarity") else 0.0
        w = min(1.0, max(0.0, w - p["adapt"] * (rarity - p["adapt_at"])))
    own = (w * (dense if p["true_dense"] else np.where(in_dense, dense, dense_floor))
           + (1 - w) * np.where(in_text, text, text_floor))
    own += p["sp"] * q.speaker
    if q.asks_time:
        own += p["t"] * cv["time"]
    if p["dt"] and q.periods:
        own += p["dt"] * in_period(cv, q, p["slack"], p["date_before"])
    if p["mention"]:
        own += p["mention"] * q.mention  # the turn's text (not its speaker prefix) names someone the query names
    # what a turn outside the candidates would score with its true cosine (for nb_true and expand)
    outside = own - w * np.where(in_dense, dense, dense_floor) + w * dense if not p["true_dense"] else own
    s = own.copy()
    low = s[candidate].min()
    if p["session_prior"]:
        # + session_prior x (mean of the session's best prior_k candidate scores - lowest)
        prior = np.zeros(n)
        for session in np.unique(cv["session"][candidate]):
            top = np.sort(s[candidate & (cv["session"] == session)])[::-1][: p["prior_k"]]
            prior[cv["session"] == session] = top.sum() / p["prior_k"] - low
        s += p["session_prior"] * prior
        low = s[candidate].min()
    base = np.where(candidate, s, np.maximum(outside, low) if p["nb_true"] else low)
    final = s.copy()
    if p["g"]:
        best = np.full(n, low)
        for k in range(1, p["window"] + 1):
            for links, side in ((cv["prev"], "prev"), (cv["next"], "next")):
                if p["side"] and side != p["side"]:
                    continue
                j = np.arange(n)
                for _ in range(k):
                    j = np.where(j >= 0, links[np.maximum(j, 0)], -1)
                value = low + 0.5 ** (k - 1) * (np.where(j >= 0, base[np.maximum(j, 0)], low) - low)
                best = np.maximum(best, value) if p["nb"] == "max" else best + value - low
        final = s + p["g"] * (best - low)
    final = np.where(candidate, final, -np.inf)
    if p["expand"]:
        # the session neighbours of the best `expand` candidates join the candidates, scored as a candidate
        # would be (true cosine, text floor, signals) plus the neighbour signal from the candidate next to them
        for j in np.argsort(-final, kind="stable")[: p["expand"]]:
            for k in (cv["prev"][j], cv["next"][j]):
                if k >= 0 and not candidate[k]:
                    g = p["g"] if p["expand_g"] is None else p["expand_g"]
                    final[k] = max(final[k], outside[k] + g * (base[j] - low))
    if p["entity"]:
        # entity second hop: candidates sharing a capitalised word (not a speaker, not in the question) with the
        # best entity_k get + entity
        first = np.argsort(-final, kind="stable")[: p["entity_k"]]
        shared = set().union(*(entities(cv["texts"][j], cv["speakers"]) for j in first)) - {
            x.lower() for x in re.findall(r"\b[A-Z][a-z]+\b", q.question)}
        for j in np.where(np.isfinite(final))[0]:
            if shared and j not in first and entities(cv["texts"][j], cv["speakers"]) & shared:
                final[j] += p["entity"]
    order = np.argsort(-final, kind="stable")
    order = order[np.isfinite(final[order])]
    if p["diversity"] or p["mmr"]:
        # greedy choice of the first 10 places among the best 40: score minus diversity x (how many chosen ones share
        # its session), or minus mmr x its highest cosine to a chosen one
        pool, chosen, per_session = list(order[:40]), [], {}
        while pool and len(chosen) < 10:
            def value(j):
                v = final[j] - p["diversity"] * per_session.get(cv["session"][j], 0)
                if p["mmr"] and chosen:
                    v -= p["mmr"] * max(float(cv["vecs"][j] @ cv["vecs"][c]) for c in chosen)
                return v
            pick = max(pool, key=value)
            chosen.append(pick)
            pool.remove(pick)
            per_session[cv["session"][pick]] = per_session.get(cv["session"][pick], 0) + 1
        order = np.array(chosen + [j for j in order if j not in set(chosen)])
    return order


_ENTITIES = {}


def entities(text, speakers):
    if text not in _ENTITIES:
        said = text.partition(":")[2].strip()
        _ENTITIES[text] = {x.lower() for x in re.findall(r"(?<![.!?] )(?<!^)\b[A-Z][a-z]+\b", said)}
    return _ENTITIES[text] - set(speakers) - {"i", "hey", "thanks", "wow", "yeah", "oh", "yes", "no", "congrats"}


def recall_of(data, p, conversations=range(10)):
    """(recall_any@5, recall_all@10) overall and per category (1 multi-hop, 2 temporal, 3 open-domain, 4 single)."""
    p = {**BASE, **p}
    hits = {}
    for q in data.questions:
        if q.conv not in conversations:
            continue
        order = ranked(data, q, p)
        any5 = bool(q.evidence & set(order[:5].tolist()))
        all10 = q.findable and q.evidence <= set(order[:10].tolist())
        for key in ("all", q.category):
            h = hits.setdefault(key, [0, 0, 0])
            h[0], h[1], h[2] = h[0] + any5, h[1] + all10, h[2] + 1
    return {k: (v[0] / v[2], v[1] / v[2]) for k, v in hits.items()}


def row(data, name, p):
    every, tuning, held = (recall_of(data, p, c) for c in (range(10), range(5), range(5, 10)))
    f = lambda r: f"{r[0]:.3f} / {r[1]:.3f}"
    return (f"| {name} | {f(every['all'])} | {f(tuning['all'])} | {f(held['all'])} | "
            + " | ".join(f(every[c]) for c in (1, 2, 3, 4)) + " |")


#: The recipe: best of the grid below on conversations 0-4 (tied with t 0.03 + nb_true; the simpler one kept).
RECIPE = dict(w=0.93, sp=0.15, t=0.05, g=0.55, dt=0.05, slack=7, dense_pool=75, text_pool=50)
#: MiniLM's own: the service's defaults today, and the best of a grid on conversations 0-4 with the date signal.
MINILM_TODAY = dict(w=0.65, sp=0.15, t=0.1, g=0.5)
MINILM_TUNED = dict(w=0.65, sp=0.2, t=0.15, g=0.5, dt=0.2, slack=7)


def variants(args):
    data = Prepared(args.dir, args.dump, args.model)
    print("| variant | all ten | tuning 0-4 | held out 5-9 | multi-hop | temporal | open-domain | single-hop |")
    print("|---|---|---|---|---|---|---|---|")
    if args.grid:
        space = dict(w=(0.93, 0.95), sp=(0.1, 0.15), t=(0.03, 0.05), g=(0.5, 0.55, 0.6, 0.65), dt=(0.05, 0.1),
                     dense_pool=(50, 75), nb_true=(False, True))
        t0, results = time.time(), []
        for values in itertools.product(*space.values()):
            p = dict(zip(space, values))
            r = recall_of(data, p, range(5))["all"]
            results.append((-(r[0] + r[1]), len(results), p))
        results.sort(key=lambda x: x[:2])
        for _, _, p in results[:5]:
            print(row(data, ", ".join(f"{k} {v}" for k, v in p.items()), p), flush=True)
        print(f"{len(results)} settings in {time.time() - t0:.0f} s", file=sys.stderr)
        return
    if args.model != "e5":
        for name, p in (("today's service weights (dense 0.65, speaker 0.15, temporal 0.1, neighbour 0.5)",
                         MINILM_TODAY),
                        ("the e5 recipe as it is", RECIPE),
                        ("today's weights + session date 0.05, dense pool 75",
                         {**MINILM_TODAY, "dt": 0.05, "dense_pool": 75}),
                        ("best on 0-4 with the date signal: dense 0.65, speaker 0.2, temporal 0.15, neighbour 0.5, "
                         "date 0.2", MINILM_TUNED)):
            print(row(data, name, p), flush=True)
        return
    before = {}
    rows = [
        ("fusion only, dense 0.65 (today's fusion)", dict(sp=0, t=0, g=0, w=0.65)),
        ("**before**: dense 0.95, speaker 0.15, temporal 0.05, neighbour 0.6, pools 50", before),
        ("pools 30 / 30", dict(dense_pool=30, text_pool=30)),
        ("pools 75 / 75", dict(dense_pool=75, text_pool=75)),
        ("pools 100 / 100", dict(dense_pool=100, text_pool=100)),
        ("dense pool 75, text 50", dict(dense_pool=75)),
        ("dense pool 50, text 100", dict(text_pool=100)),
        ("min-max normalised, best of a grid on 0-4 (dense 0.4, speaker 0.2, temporal 0.1, neighbour 0.3)",
         dict(norm="minmax", w=0.4, sp=0.2, t=0.1, g=0.3)),
        ("z-scores (dense 0.95)", dict(norm="z")),
        ("true cosine for text-only candidates (no dense floor)", dict(true_dense=True)),
        ("neighbour: 2 turns each side (the 2nd at half weight)", dict(window=2)),
        ("neighbour: sum of both sides instead of the best", dict(nb="sum")),
        ("neighbour: previous turn only", dict(side="prev")),
        ("neighbour: next turn only", dict(side="next")),
        ("neighbour: a non-candidate neighbour counts with its true cosine", dict(nb_true=True)),
        ("2nd hop: session neighbours of the best 5 join the candidates", dict(expand=5)),
        ("2nd hop: dense pseudo-relevance feedback 0.2 (top 3)", dict(prf=0.2)),
        ("2nd hop: dense pseudo-relevance feedback 0.5 (top 3)", dict(prf=0.5)),
        ("2nd hop: entity sharing with the best 3, + 0.02", dict(entity=0.02)),
        ("session prior 0.02 (mean of the session's best 3)", dict(session_prior=0.02)),
        ("session prior 0.1", dict(session_prior=0.1)),
        ("diversity: − 0.005 per chosen turn of the same session", dict(diversity=0.005)),
        ("diversity: − 0.02 per chosen turn of the same session", dict(diversity=0.02)),
        ("diversity: MMR 0.1 (cosine to the chosen ones)", dict(mmr=0.1)),
        ("**session date 0.05** (named day/month/year, 7 days' slack)", dict(dt=0.05)),
        ("session date 0.05, no slack", dict(dt=0.05, slack=0)),
        ("session date 0.2", dict(dt=0.2)),
        ("**recipe**: dense 0.93, speaker 0.15, temporal 0.05, neighbour 0.55, date 0.05, dense pool 75, text 50",
         RECIPE),
        ("recipe without the date signal", {**RECIPE, "dt": 0}),
        ("recipe without the neighbour signal", {**RECIPE, "g": 0}),
        ("recipe without the speaker signal", {**RECIPE, "sp": 0}),
        ("recipe without the temporal signal", {**RECIPE, "t": 0}),
        ("recipe with pools 50 / 50", {**RECIPE, "dense_pool": 50}),
        ("recipe with pools 75 / 75 (one setting)", {**RECIPE, "text_pool": 75}),
        ("recipe + non-candidate neighbours' true cosine", {**RECIPE, "nb_true": True}),
        ("recipe + neighbours of the best 5 as candidates", {**RECIPE, "expand": 5}),
    ]
    for name, p in rows:
        print(row(data, name, p), flush=True)


# ---- MiniLM: can the default model reach the goal with cheap changes? (2026-12-08, h28) --------------------------

LEXEMES_SQL = """
CREATE TEMP TABLE turns (conv int, dia text, content text);
CREATE TEMP TABLE questions (qid int, conv int, question text);
\\copy turns FROM '{dir}/turns.csv' csv
\\copy questions FROM '{dir}/questions.csv' csv
\\copy (SELECT conv, dia, (SELECT string_agg(lexeme || ':' || coalesce(array_length(positions, 1), 1), ' ') FROM unnest(to_tsvector('english', content))) FROM turns) TO '{dir}/turn_lex.csv' csv
\\copy (SELECT qid, (SELECT string_agg(DISTINCT lexeme, ' ') FROM unnest(to_tsvector('english', question))) FROM questions) TO '{dir}/q_lex.csv' csv
"""


def lexemes(args):
    """PostgreSQL's english lexemes of every turn and question (temporary tables only; any database will do), for
    BM25 with other k1 / b offline, and the two query rewrites whose MiniLM vectors `minilm` reads:
    queries-noname.txt (the conversation's speaker names, with a possessive 's, taken out) and queries-nocap.txt
    (every capitalised word after the first taken out: no knowledge of the speakers needed)."""
    meta = json.load(open(f"{args.dir}/meta.json"))
    texts = open(f"{args.dir}/passages.txt").read().split("\n")
    with open(f"{args.dir}/turns.csv", "w", newline="") as f:
        w = csv.writer(f)
        for (conv, dia, _), text in zip(meta["passages"], texts):
            w.writerow([conv, dia, text])
    with open(f"{args.dir}/questions.csv", "w", newline="") as f:
        w = csv.writer(f)
        for i, (conv, question, _, _) in enumerate(meta["queries"]):
            w.writerow([i, conv, question])
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", args.db], input=LEXEMES_SQL.format(dir=args.dir),
                   text=True, check=True)
    names = {}
    for (conv, _, _), text in zip(meta["passages"], texts):
        speaker = text.partition(":")[0].strip()
        if speaker:
            names.setdefault(conv, set()).add(speaker)
    noname, nocap = [], []
    for conv, question, _, _ in meta["queries"]:
        q = question
        for name in sorted(names[conv], key=len, reverse=True):
            q = re.sub(r"\b" + re.escape(name) + r"('s)?\b", "", q)
        noname.append(re.sub(r"\s+", " ", q).strip())
        first, _, rest = question.partition(" ")
        nocap.append(re.sub(r"\s+", " ", first + " " + re.sub(r"\b[A-Z][\w-]*('s)?", "", rest)).strip())
    for name, lines in (("noname", noname), ("nocap", nocap)):
        with open(f"{args.dir}/queries-{name}.txt", "w") as f:
            f.write("\n".join(lines) + "\n")
    print("lexemes and query rewrites written to", args.dir)


def hits_of(data, p, conversations=range(10)):
    """Per question of the given conversations: (recall_any@5 hit, recall_all@10 hit, conversation, category)."""
    p = {**BASE, **p}
    out = []
    for q in data.questions:
        if q.conv in conversations:
            order = ranked(data, q, p)
            out.append((bool(q.evidence & set(order[:5].tolist())),
                        q.findable and q.evidence <= set(order[:10].tolist()), q.conv, q.category))
    return np.array(out, dtype=float).reshape(-1, 4)


def tuning_score(data, p):
    h = hits_of(data, p, range(5))
    return h[:, 0].mean() + h[:, 1].mean(), h[:, 0].mean(), h[:, 1].mean()


def fast_row(data, name, p):
    h = hits_of(data, p)
    f = lambda m: f"{h[m, 0].mean():.3f} / {h[m, 1].mean():.3f}"
    return (f"| {name} | {f(h[:, 2] >= 0)} | {f(h[:, 2] < 5)} | {f(h[:, 2] >= 5)} | "
            + " | ".join(f(h[:, 3] == c) for c in (1, 2, 3, 4)) + " |")


#: The structure chosen on conversations 0-4 (grid stage 1): second neighbours at half weight, the session
#: neighbours of the best 10 join the candidates, pools 50 / 50.
STRUCTURE = dict(window=2, expand=10, dense_pool=50, text_pool=50)
#: The recipes, each the best of the weight grid on conversations 0-4 (grid stage 2) for its dense query.
MINILM_RECIPES = {
    "A": dict(STRUCTURE, qvec="minilm-noname", qmix=0.0),
    "B": dict(STRUCTURE, qvec="minilm-noname", qmix=1.0),
    "C": dict(STRUCTURE, qvec="minilm-nocap", qmix=1.0),
    "D": dict(STRUCTURE, qvec="minilm-nocap", qmix=0.0),
    "S": dict(STRUCTURE),
}


def minilm(args):
    data = Prepared(args.dir, args.dump, "minilm", lexicon=args.dir, extra_queries=("minilm-noname", "minilm-nocap"))
    if args.grid:
        t0 = time.time()
        stage1 = []
        for qv, mix, dp, win, ex in itertools.product((None, "minilm-noname", "minilm-nocap"), (0.0, 1.0),
                                                      (50, 100), (1, 2), (0, 10)):
            if qv or not mix:
                p = dict(MINILM_TUNED, qvec=qv, qmix=mix, dense_pool=dp, window=win, expand=ex)
                stage1.append((tuning_score(data, p), p))
        stage1.sort(key=lambda x: -x[0][0])
        print("stage 1 (today's MiniLM weights), best 10 on 0-4:")
        for (s, a, b), p in stage1[:10]:
            print(f"  {s:.4f} ({a:.3f} / {b:.3f})", {k: p[k] for k in ("qvec", "qmix", "dense_pool", "window",
                                                                        "expand")})
        space = dict(w=(0.55, 0.6, 0.65, 0.7, 0.75), sp=(0.1, 0.15, 0.2, 0.25), t=(0.1, 0.15, 0.2),
                     g=(0.4, 0.5, 0.6), dt=(0.1, 0.2, 0.3))
        # stage 3: past stage 2's edges (its best often had speaker 0.25 and neighbour 0.6)
        edges = dict(w=(0.55, 0.6, 0.65), sp=(0.25, 0.3, 0.35), t=(0.15, 0.2), g=(0.6, 0.7, 0.8), dt=(0.2, 0.3))
        for key in args.keys or MINILM_RECIPES:
            results = []
            for stage, grid in ((2, space), (3, edges)):
                for values in itertools.product(*grid.values()):
                    p = dict(MINILM_RECIPES[key], **dict(zip(grid, values)))
                    results.append((tuning_score(data, p)[0], len(results), stage, p))
            results.sort(key=lambda x: (-x[0], x[1]))
            print(f"stages 2 + 3, query {key}: best 3 of {len(results)} on 0-4 ({time.time() - t0:.0f} s)")
            for score, _, stage, p in results[:3]:
                print(fast_row(data, f"{key} (stage {stage}, {score:.4f} on 0-4): "
                               + ", ".join(f"{k} {p[k]}" for k in space), p), flush=True)
        return
    print("| variant (MiniLM) | all ten | tuning 0-4 | held out 5-9 | multi-hop | temporal | open-domain | "
          "single-hop |")
    print("|---|---|---|---|---|---|---|---|")
    t = MINILM_TUNED
    rows = [("**today** (RankingWeights.MINILM: dense 0.65, speaker 0.2, temporal 0.15, neighbour 0.5, date 0.2)", t)]
    rows += [(f"dense pool {d}, text {x}", dict(t, dense_pool=d, text_pool=x))
             for d, x in ((30, 30), (100, 50), (150, 50), (200, 50), (50, 100), (100, 100))]
    rows += [("dense relative score squared", dict(t, dense_pow=2)), ("dense relative score, square root",
                                                                      dict(t, dense_pow=0.5)),
             ("dense min-max normalised (best of a 216-point grid on 0-4: dense 0.3, speaker 0.3, temporal 0.15, "
              "neighbour 0.5, date 0.2)", dict(t, norm="minmax", w=0.3, sp=0.3, t=0.15, g=0.5, dt=0.2)),
             ("true cosine for text-only candidates", dict(t, true_dense=True))]
    rows += [(f"BM25 k1 {k1}, b {b}", dict(t, k1=k1, b=b)) for k1, b in ((0.9, 0.1), (0.9, 0.3), (1.2, 0.3),
                                                                       (1.2, 0.75), (2.0, 0.1))]
    rows += [("BM25 without query words in > 30 % of the memories (the speakers' names)", dict(t, df_cut=0.3)),
             ("date slack 3 days", dict(t, slack=3)), ("date slack 14 days", dict(t, slack=14)),
             ("date: also 7 days before the period", dict(t, date_before=7)),
             ("+ 0.05 when the turn's text names whom the question names", dict(t, mention=0.05)),
             ("adaptive: dense weight − 0.2 × (rarity of the rarest query word − 0.7)", dict(t, adapt=0.2,
                                                                                            adapt_at=0.7)),
             ("session prior 0.02", dict(t, session_prior=0.02)), ("MMR 0.05", dict(t, mmr=0.05)),
             ("dense pseudo-relevance feedback 0.2", dict(t, prf=0.2)),
             ("neighbour: a non-candidate neighbour counts with its true cosine", dict(t, nb_true=True)),
             ("neighbour: sum of both sides", dict(t, nb="sum")),
             ("**neighbour: 2 turns each side** (the 2nd at half weight)", dict(t, window=2)),
             ("**2nd hop: session neighbours of the best 10 join the candidates**", dict(t, expand=10)),
             ("2nd hop of the best 5", dict(t, expand=5)), ("2nd hop of the best 20", dict(t, expand=20)),
             ("structure S: 2 turns each side + 2nd hop of the best 10", dict(t, **STRUCTURE)),
             ("**dense query without the speakers' names**", dict(t, qvec="minilm-noname")),
             ("dense query: mean cosine of the query and the query without names", dict(t, qvec="minilm-noname",
                                                                                       qmix=1.0)),
             ("dense query without capitalised words (after the first)", dict(t, qvec="minilm-nocap")),
             ("dense query: mean cosine of the query and the query without capitalised words",
              dict(t, qvec="minilm-nocap", qmix=1.0))]
    for key, recipe in MINILM_RECIPES.items():
        if key != "S":
            rows.append((f"structure S + query {key}, today's weights", dict(t, **recipe)))
    for key, p in MINILM_FINAL.items():
        rows.append((f"**recipe {key}**: " + ", ".join(f"{k} {p[k]}" for k in ("w", "sp", "t", "g", "dt")),
                     dict(MINILM_RECIPES[key], **p)))
    a = dict(MINILM_RECIPES["A"], **MINILM_FINAL["A"])
    rows += [("recipe A without the 2nd hop", dict(a, expand=0)), ("recipe A with 1 turn each side", dict(a, window=1)),
             ("recipe A without the name removal", dict(a, qvec=None)),
             ("recipe A without the date signal", dict(a, dt=0)),
             ("recipe A without the speaker signal", dict(a, sp=0)),
             ("recipe A with dense pool 100", dict(a, dense_pool=100)),
             ("recipe A, 2nd hop of the best 5", dict(a, expand=5))]
    for name, p in rows:
        print(fast_row(data, name, p), flush=True)


#: The choice of `minilm --grid` on conversations 0-4 per recipe (B and C: stage 2 only; S: tied with w 0.6, sp 0.25,
#: t 0.15, g 0.6, dt 0.2, the first in grid order kept).
MINILM_FINAL = {
    "A": dict(w=0.65, sp=0.3, t=0.2, g=0.6, dt=0.3),
    "B": dict(w=0.65, sp=0.25, t=0.15, g=0.6, dt=0.2),
    "C": dict(w=0.55, sp=0.25, t=0.2, g=0.5, dt=0.3),
    "D": dict(w=0.6, sp=0.25, t=0.15, g=0.6, dt=0.3),
    "S": dict(w=0.55, sp=0.15, t=0.2, g=0.6, dt=0.2),
}


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export")
    e.add_argument("--zip", required=True)
    e.add_argument("--out", required=True)
    v = sub.add_parser("evaluate")
    v.add_argument("--dir", required=True)
    v.add_argument("--dump", required=True)
    v.add_argument("--model", required=True)
    v.add_argument("--grid", action="store_true")
    b = sub.add_parser("bm25")
    b.add_argument("--dir", required=True)
    b.add_argument("--db", required=True,
                   help="libpq URL of a scratch database (schema locomo_bm25 is made and dropped)")
    b.add_argument("--out", required=True)
    r = sub.add_parser("variants")
    r.add_argument("--dir", required=True)
    r.add_argument("--dump", required=True)
    r.add_argument("--model", required=True)
    r.add_argument("--grid", action="store_true")
    x = sub.add_parser("lexemes")
    x.add_argument("--dir", required=True)
    x.add_argument("--db", required=True, help="libpq URL of any database (temporary tables only)")
    m = sub.add_parser("minilm")
    m.add_argument("--dir", required=True, help="with turn_lex.csv / q_lex.csv and minilm{,-noname,-nocap}.q.bin")
    m.add_argument("--dump", required=True)
    m.add_argument("--grid", action="store_true")
    m.add_argument("keys", nargs="*", help="with --grid: the recipes (A B C D S) to tune, default all")
    args = parser.parse_args()
    {"export": export, "evaluate": evaluate, "bm25": bm25_dump, "variants": variants, "lexemes": lexemes,
     "minilm": minilm}[args.command](args)


if __name__ == "__main__":
    main()
