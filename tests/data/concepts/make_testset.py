#!/usr/bin/env python3
"""Judges the concept test set: which talks of the corpus are about which concept.

    python3 tests/data/concepts/make_testset.py                 # judgements.tsv from corpus.json
    python3 tests/data/concepts/make_testset.py --review        # matches per spelling, in context
    python3 tests/data/concepts/make_testset.py --git WEBSITE_GIT_DIR --out FILE

Inputs, next to this script:

- corpus.json (committed): the talks as the interchange JSON `tn import` reads, one event per
  conference, with published titles, speakers, dates and URLs and abstracts rewritten in our own
  words (README.md says how and why).
- concepts.tsv: concepts and the spellings a user types for each, with per-spelling flags.
- exclusions.tsv: reviewed false positives of the reference matcher (concept, talk, reason).

Output: judgements.tsv (concept, talk ids about it, sorted). `--git` instead builds the corpus
with the published abstracts from a snapshot of cloudnativedaysjp/website (files listed in
sources.tsv) into FILE, for a local measurement; that text is never committed.

A talk is about a concept when its title or abstract contains any spelling of the concept, found
by the reference matcher below, and no exclusion names it. Speakers, companies, job titles and
URLs never make a talk relevant: a search that finds a talk only through them loses precision.

Reference matcher: both sides NFKC-normalised, case-folded (unless the spelling has the `case`
flag), katakana prolonged sound marks dropped (サーバー = サーバ). A Latin spelling matches only at
word boundaries (not inside a longer run of letters or digits; a plural may follow, and for
English words longer than four letters -ing/-ed and the singular of a plural spelling), and its
spaces and hyphens match any run of spaces, hyphens or nothing (service mesh = service-mesh =
ServiceMesh). CJK spellings match anywhere except inside an occurrence of one of their `not_in`
words (ログ not in ブログ).

--review prints, for every spelling, how many talks it matches and the text around each match
of the short or risky spellings, which is how exclusions.tsv was written.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))


def read_tsv(name):
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        header = None
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            cells += [""] * (len(header) - len(cells))
            rows.append(dict(zip(header, cells)))
    return rows


def fold_marks(text):
    """Drops ー after katakana, as the search does."""
    out = []
    for c in text:
        if c == "ー" and out and "\u30a1" <= out[-1] <= "\u30fa":
            continue
        out.append(c)
    return "".join(out)


def normalize(text, fold_case=True):
    text = unicodedata.normalize("NFKC", text)
    if fold_case:
        text = text.casefold()
    return fold_marks(text)


def is_latin(c):
    return c.isascii() and c.isalnum()


class Spelling:
    def __init__(self, concept, text, flags, not_in):
        self.concept = concept
        self.text = text
        self.case = "case" in flags
        norm = normalize(text, fold_case=not self.case)
        words = re.split(r"[\s\-]+", norm)
        inflect = not self.case and len(words[-1]) > 4 and words[-1].isalpha() and words[-1].isascii()
        if inflect and words[-1].endswith("s") and not words[-1].endswith("ss"):
            words[-1] = words[-1][:-1]  # metrics also finds metric, operations operation
        stem_e = inflect and words[-1].endswith("e")
        if stem_e:
            words[-1] = words[-1][:-1]  # upgrade: upgrades, upgraded, upgrading
        parts = []
        for i, word in enumerate(words):
            if i:
                parts.append(r"[\s\-]*")
            parts.append(re.escape(word))
        body = "".join(parts)
        if is_latin(norm[0]):
            body = r"(?<![a-z0-9])" + body if not self.case else r"(?<![A-Za-z0-9])" + body
        if is_latin(norm[-1]):
            if self.case:
                body += r"(?![A-Za-z0-9])"
            else:
                # Regular inflections of a longer English word: network finds networks and
                # networking, upgrade upgraded; short words and abbreviations take a plural only.
                if stem_e:
                    suffix = r"(?:e|es|ed|ing)"
                elif inflect:
                    suffix = r"(?:s|es|ing|ed)?"
                else:
                    suffix = r"(?:e?s)?"
                body += suffix + r"(?![a-z0-9])"
        self.pattern = re.compile(body)
        self.not_in = [normalize(w, fold_case=not self.case) for w in not_in if w]

    def spans(self, text):
        """Match spans in `text` (already normalised the same way)."""
        blocked = []
        for word in self.not_in:
            start = text.find(word)
            while start >= 0:
                blocked.append((start, start + len(word)))
                start = text.find(word, start + 1)
        for m in self.pattern.finditer(text):
            if not any(a <= m.start() and m.end() <= b for a, b in blocked):
                yield m.span()


def git_json(git_dir, commit, path):
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def clock(value):
    m = re.search(r"T(\d{2}:\d{2})", value or "")
    return m.group(1) if m else None


def clean(text):
    """Line ends as \\n, no trailing spaces; the corpus keeps the text otherwise as published."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def build_corpus(git_dir):
    events = []
    for src in read_tsv("sources.tsv"):
        commit, abbr = src["commit"], src["event"]
        talks = git_json(git_dir, commit, src["talks"])
        speakers = {s["id"]: s for s in git_json(git_dir, commit, src["speakers"])}
        meta = git_json(git_dir, commit, src["event metadata"])
        dates = sorted({t["conferenceDayDate"] for t in talks if t.get("conferenceDayDate")})
        event = {
            "id": abbr,
            "name": meta["name"],
            "kind": "conference",
            "starts_on": dates[0] if dates else None,
            "ends_on": dates[-1] if dates else None,
            "url": f"https://event.cloudnativedays.jp/{abbr}",
            "talks": [],
        }
        for t in sorted(talks, key=lambda t: t["id"]):
            title, abstract = clean(t["title"]), clean(t.get("abstract"))
            if not title:
                continue
            talk = {
                "id": f"talk-{t['id']}",
                "kind": "session",
                "title": title,
                "url": f"https://event.cloudnativedays.jp/{abbr}/talks/{t['id']}",
            }
            people = []
            for ref in t.get("speakers") or []:
                s = speakers.get(ref["id"], {})
                person = {"name": clean(s.get("name") or ref.get("name")) or "?"}
                if clean(s.get("company")):
                    person["affiliation"] = clean(s["company"])
                if clean(s.get("jobTitle")):
                    person["role"] = clean(s["jobTitle"])
                people.append(person)
            if people:
                talk["speakers"] = people
            if t.get("conferenceDayDate"):
                talk["date"] = t["conferenceDayDate"]
            if clock(t.get("startTime")) and clock(t.get("endTime")):
                talk["start"], talk["end"] = clock(t["startTime"]), clock(t["endTime"])
            talk["language"] = "ja" if re.search(r"[\u3040-\u30ff]", title + abstract) else "en"
            if abstract:
                talk["abstract"] = abstract
            if (t.get("documentUrl") or "").startswith("http"):
                talk["links"] = [{"url": t["documentUrl"].strip(), "title": "slides"}]
            event["talks"].append(talk)
        events.append(event)
    return {"talknotes": 1, "events": events}


def spellings():
    out = []
    for row in read_tsv("concepts.tsv"):
        flags = {f.strip() for f in row["flags"].split(",") if f.strip()}
        out.append(Spelling(row["concept"], row["spelling"], flags, row["not_in"].split(",")))
    return out


def judge(corpus, spells):
    excluded = {(r["concept"], r["talk"]) for r in read_tsv("exclusions.tsv")}
    relevant = {}
    matched_by = {}  # (concept, talk) -> matched by the raw matcher, before exclusions
    for event in corpus["events"]:
        for talk in event["talks"]:
            tid = f"{event['id']}/{talk['id']}"
            raw = talk["title"] + "\n" + talk.get("abstract", "")
            folded, cased = normalize(raw), normalize(raw, fold_case=False)
            for s in spells:
                if any(True for _ in s.spans(cased if s.case else folded)):
                    matched_by.setdefault((s.concept, tid), []).append(s.text)
    for (concept, tid) in matched_by:
        if (concept, tid) not in excluded:
            relevant.setdefault(concept, set()).add(tid)
    unused = excluded - set(matched_by)
    if unused:
        sys.exit(f"exclusions.tsv names pairs the matcher does not find: {sorted(unused)}")
    return relevant, matched_by


def review(corpus, spells, width=18):
    texts = {}
    for event in corpus["events"]:
        for talk in event["talks"]:
            texts[f"{event['id']}/{talk['id']}"] = talk["title"] + "\n" + talk.get("abstract", "")
    for s in spells:
        hits = []
        for tid, raw in texts.items():
            text = normalize(raw, fold_case=not s.case)
            for a, b in s.spans(text):
                hits.append((tid, text[max(0, a - width):b + width].replace("\n", " ")))
        talks = {t for t, _ in hits}
        print(f"== {s.concept} / {s.text}: {len(talks)} talks")
        if len(normalize(s.text)) <= 4 or s.not_in or s.case:
            for tid, ctx in hits:
                print(f"   {tid}\t{ctx}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git", help="git dir of a cloudnativedaysjp/website snapshot: build the "
                    "corpus with the published abstracts into --out (for a local measurement; "
                    "never committed)")
    ap.add_argument("--out", help="where --git writes its corpus")
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus.json"),
                    help="the corpus to judge (default: the committed corpus.json)")
    ap.add_argument("--review", action="store_true")
    args = ap.parse_args()
    if args.git:
        if not args.out:
            sys.exit("--git needs --out: the published abstracts are not committed")
        corpus = build_corpus(args.git)
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(corpus, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print(f"{args.out}: written")
        return
    with open(args.corpus, encoding="utf-8") as f:
        corpus = json.load(f)
    spells = spellings()
    if args.review:
        review(corpus, spells)
        return
    relevant, _ = judge(corpus, spells)
    concepts = []
    for s in spells:
        if s.concept not in concepts:
            concepts.append(s.concept)
    with open(os.path.join(HERE, "judgements.tsv"), "w", encoding="utf-8") as f:
        f.write("# Generated by make_testset.py from corpus.json; do not edit. "
                "concept, number of talks, talk ids.\n")
        f.write("concept\tn\ttalks\n")
        for c in concepts:
            ids = sorted(relevant.get(c, ()))
            f.write(f"{c}\t{len(ids)}\t{','.join(ids)}\n")
    n_talks = sum(len(e["talks"]) for e in corpus["events"])
    print(f"{len(corpus['events'])} events, {n_talks} talks; judgements.tsv: "
          f"{len(concepts)} concepts, {sum(len(v) for v in relevant.values())} (concept, talk) pairs")


if __name__ == "__main__":
    main()
