#!/usr/bin/env python3
"""Measures `tn search` on the concept test set: recall and precision of every spelling.

    python3 tests/data/concepts/baseline.py --tn path/to/tn [--kb DIR] [--markdown]

Imports corpus.json into a fresh knowledge base (a temporary directory unless --kb is given),
then runs `tn search --json -n 1000 -- <spelling>` for every spelling of concepts.tsv and
compares the hits with the concept's talks in judgements.tsv:

- recall: the share of the concept's talks that the spelling finds;
- precision: the share of the hits that are about the concept (a spelling that finds nothing
  has no precision; such spellings are counted and left out of the precision average).

Both are averaged over every spelling queried (macro average), and per concept over its
spellings. It also measures the two precision leaks of issue 13 by querying words that occur
in the talks' Dreamkast URLs and in speakers' job titles, and counting hits whose title,
abstract and speaker names do not contain the word.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_testset as m  # noqa: E402  (the reference matcher and the TSV reader)

URL_WORDS = ["cloud", "native", "cloudnativedays", "event", "talks"]
ROLE_WORDS = ["specialist", "engineer", "manager", "architect", "evangelist", "consultant"]


def search(tn, kb, query):
    out = subprocess.run(
        [tn, "--dir", kb, "search", "--json", "-n", "1000", "--", query],
        check=True, capture_output=True, text=True,
    ).stdout
    return [hit["id"] for hit in json.loads(out)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tn", required=True)
    ap.add_argument("--kb")
    ap.add_argument("--markdown", action="store_true", help="print the per-concept table as Markdown")
    args = ap.parse_args()
    kb = args.kb or tempfile.mkdtemp(prefix="tn-concepts-")
    if not os.path.exists(os.path.join(kb, "notes")):
        subprocess.run([args.tn, "--dir", kb, "init"], check=True, capture_output=True)
        subprocess.run([args.tn, "--dir", kb, "import", os.path.join(HERE, "corpus.json")],
                       check=True, capture_output=True)

    judged = {r["concept"]: set(filter(None, r["talks"].split(","))) for r in m.read_tsv("judgements.tsv")}
    rows = []
    for row in m.read_tsv("concepts.tsv"):
        relevant = judged[row["concept"]]
        hits = search(args.tn, kb, row["spelling"])
        good = len(set(hits) & relevant)
        recall = good / len(relevant)
        precision = good / len(hits) if hits else None
        rows.append((row["concept"], row["class"], row["spelling"], len(relevant), len(hits), recall, precision))

    def mean(xs):
        xs = [x for x in xs if x is not None]
        return sum(xs) / len(xs) if xs else float("nan")

    print(f"spellings queried: {len(rows)}; concepts: {len(judged)}; talks judged relevant: "
          f"{sum(len(v) for v in judged.values())} (concept, talk) pairs")
    print(f"macro recall    {mean(r[5] for r in rows):.3f}")
    print(f"macro precision {mean(r[6] for r in rows):.3f} over {sum(r[6] is not None for r in rows)} "
          f"spellings with hits; {sum(r[6] is None for r in rows)} spellings found nothing")
    by_class = {}
    for r in rows:
        by_class.setdefault(r[1], []).append(r)
    for cls, rs in sorted(by_class.items()):
        print(f"  {cls:13s} {len(rs):3d} spellings  recall {mean(r[5] for r in rs):.3f}  "
              f"precision {mean(r[6] for r in rs):.3f}")

    if args.markdown:
        print("\n| concept | class | talks | spelling: hits, recall, precision |")
        print("| --- | --- | ---: | --- |")
        concepts = []
        for r in rows:
            if r[0] not in concepts:
                concepts.append(r[0])
        for c in concepts:
            rs = [r for r in rows if r[0] == c]
            cells = "; ".join(
                f"`{r[2]}` {r[4]}, {r[5]:.2f}, {'–' if r[6] is None else f'{r[6]:.2f}'}" for r in rs)
            print(f"| {c} | {rs[0][1]} | {rs[0][3]} | {cells} |")

    # Precision leaks: hits that only the URL or a speaker's role/affiliation explains.
    corpus = json.load(open(os.path.join(HERE, "corpus.json"), encoding="utf-8"))
    talks = {f"{e['id']}/{t['id']}": t for e in corpus["events"] for t in e["talks"]}

    def text_of(t, fields):
        parts = []
        for f in fields:
            if f == "names":
                parts += [s["name"] for s in t.get("speakers", [])]
            elif f == "roles":
                parts += [s.get("role", "") + " " + s.get("affiliation", "") for s in t.get("speakers", [])]
            elif f == "urls":
                parts += [t.get("url", "")] + [link["url"] for link in t.get("links", [])]
            else:
                parts.append(t.get(f, ""))
        return m.normalize("\n".join(parts))

    # URLs were never indexed as words: what these hits share with the URL is the event's
    # name (CloudNative Days), which issue 17 made context that ranks below the talk's text.
    print("\nleak: word in URLs only (hits whose title, abstract, speaker names and roles lack the word)")
    for w in URL_WORDS:
        hits = search(args.tn, kb, w)
        only = [h for h in hits if w not in text_of(talks[h], ["title", "abstract", "names", "roles"])
                and w in text_of(talks[h], ["urls"])]
        first = next((i + 1 for i, h in enumerate(hits) if h in only), None)
        print(f"  {w:16s} {len(hits):4d} hits, {len(only):4d} only through a URL; "
              f"first of those at rank {first}, after {len(hits) - len(only)} other hits" if only else
              f"  {w:16s} {len(hits):4d} hits, {len(only):4d} only through a URL")
    print("leak: word in speaker role/affiliation only (hits whose title and abstract lack the word)")
    for w in ROLE_WORDS:
        hits = search(args.tn, kb, w)
        only = [h for h in hits if w not in text_of(talks[h], ["title", "abstract"])
                and w in text_of(talks[h], ["roles"])]
        top = [i + 1 for i, h in enumerate(hits[:10]) if h in only]
        print(f"  {w:16s} {len(hits):4d} hits, {len(only):4d} only through a role/affiliation; "
              f"top-10 ranks of those: {top}")


if __name__ == "__main__":
    main()
