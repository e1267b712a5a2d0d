#!/usr/bin/env python3
"""Filters UniDic's katakana loanwords down to the pairs that are real in this field.

    python3 scripts/concepts/unidic_loanwords.py --vocab GIT_DIR:PATH_PREFIX [--vocab ...] \
        [--loanwords TSV] [--rejects FILE]

Writes src/concepts/loanwords.tsv (katakana, English origin, field evidence) and
src/concepts/LICENSE-UniDic.txt. Deterministic for the same inputs.

UniDic records the English origin of ~45,000 katakana words (`コンテナ-container`), but sounds
collide: クラウド is recorded only as crowd, キャッシュ only as cash, メッシュ as meche and mesh.
A pair is kept only when all of these hold:

1. a common noun or adjectival noun (proper nouns are people and places; products and projects
   are in glossary.ron instead);
2. the katakana is UniDic's standard spelling or a near variant of it (at most two characters
   from its lemma after normalisation: サーバ and サーバー, プラットフォーム beside the lemma
   プラットホーム, stay; old transliterations like アルシーブ for archive go), at least 3
   characters long (two-character words like ラン, run/LAN/orchid, are too ambiguous to expand),
   and not a clipped form much shorter than its origin (コミュ for community, マスコン for master
   controller): clipped forms are substrings of other words (コミュニケーション); nor cut
   inside a mora of its lemma (セキュリテ for セキュリティー, フラッシ for フラッシュ), which
   matches inside every full spelling and doubles the work of a search; nor another kept spelling
   with a small kana added (メモリィ beside メモリ), which that spelling already matches;
3. the origin is plain English (letters, spaces, hyphens) and no stop word;
4. every word of the origin is field vocabulary: it occurs in at least MIN_DOCS documents of the
   field corpus given with --vocab (English singular and plural counted together);
5. the katakana has exactly one surviving origin: ライト (light, write, right), リード (read, lead),
   ロール (role, roll) name several field words and are dropped, while メッシュ keeps mesh
   because meche is no field word;
6. the pair is not in DENY, the reviewed list of collisions whose English word is field
   vocabulary but not what the katakana means here.

The field corpus used for the shipped table (see src/concepts/README.md): the English entries of
the CNCF Cloud Native Glossary (cncf/glossary, content/en) and the Kubernetes Enhancement
Proposals (kubernetes/enhancements, keps/**/README.md), read from git snapshots with
`git --git-dir=GIT_DIR`. The talk corpus of tests/data/concepts is deliberately not used: the
table must not be tuned on the test set.
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "src", "concepts")
DEFAULT_LOANWORDS = "/work/shared/data/unidic-loanwords/loanwords.tsv"
DEFAULT_LICENSE = "/work/shared/data/unidic-loanwords/LICENSE-UniDic-BSD.txt"

MIN_DOCS = 3
KEEP_POS = {"名詞-普通名詞", "形状詞-一般"}

# Function words and the like: in every text, never a concept.
STOP = set(
    """a an the of in on at to for from by with as and or but not no yes if so than then this that
    these those it its is are was were be been being am do does did done have has had i you he she
    we they me him her us them my your our their all any each every some one two three four five
    up down out over under off about into onto upon more most less least very just only also too
    here there where when what who whom which why how can could may might must shall should will
    would go get got let make made take see say said ok okay oh hi hello""".split()
)

# Reviewed collisions: the English word is field vocabulary, but in this field the katakana
# means a different word (or, for the first ones, UniDic's word is not the field's at all).
DENY = {
    ("クラウド", "crowd"): "cloud in this field; UniDic has no クラウド-cloud",
    ("キャッシュ", "cash"): "cache in this field; UniDic has no キャッシュ-cache",
    ("メッシュ", "meche"): "mesh in this field",
    ("サーバ", "sabre"): "server in this field",
    ("プロフ", "profile"): "a clipped form that matches inside プロファイル and プロフェッショナル",
    ("プレーン", "plain"): "plane in this field (コントロールプレーン, データプレーン); plain only in プレーンテキスト",
    ("プレーンズ", "plain"): "as プレーン",
}

# Small kana: each ends a mora begun by the character before it (テ + ィ = ティ).
SMALL_KANA = set("ァィゥェォャュョヮ")


def cut_inside_mora(key, lemma_key):
    """True when the lemma goes on from the spelling with a small kana: セキュリテ|ィ (two
    characters, ボデ|ィ, match as whole words only, so not inside the lemma)."""
    return (
        len(key) >= 3
        and len(lemma_key) > len(key)
        and lemma_key.startswith(key)
        and lemma_key[len(key)] in SMALL_KANA
    )


def normalize(text):
    """The search's normalisation: NFKC, case folding, ー after katakana dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for c in text:
        if c == "ー" and out and "\u30a1" <= out[-1] <= "\u30fa":
            continue
        out.append(c)
    return "".join(out)


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def is_katakana(text):
    return bool(text) and all("\u30a0" <= c <= "\u30ff" for c in text)


def singular(word):
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def git_docs(spec):
    """Yields the text of every .md file under PATH_PREFIX at HEAD of the git dir."""
    git_dir, _, prefix = spec.partition(":")
    names = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", "HEAD", "--", prefix],
        check=True, capture_output=True, text=True,
    ).stdout.split("\n")
    for name in names:
        if name.endswith(".md"):
            yield subprocess.run(
                ["git", f"--git-dir={git_dir}", "show", f"HEAD:{name}"],
                check=True, capture_output=True, text=True, errors="replace",
            ).stdout


def field_vocabulary(specs):
    """Document frequency of lower-case English words (singular and plural merged)."""
    df = collections.Counter()
    n_docs = 0
    for spec in specs:
        for text in git_docs(spec):
            n_docs += 1
            words = {singular(w) for w in re.findall(r"[a-z]+", text.lower())}
            df.update(words)
    return df, n_docs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vocab", action="append", required=True, metavar="GIT_DIR:PATH_PREFIX")
    ap.add_argument("--loanwords", default=DEFAULT_LOANWORDS)
    ap.add_argument("--license", default=DEFAULT_LICENSE)
    ap.add_argument("--rejects", help="also write every rejected pair and its reason here")
    args = ap.parse_args()

    df, n_docs = field_vocabulary(args.vocab)

    n_rows = 0
    candidates = collections.defaultdict(dict)  # normalised katakana -> origin(lower) -> row
    rejects = []
    with open(args.loanwords, encoding="utf-8") as f:
        header = next(f)
        assert header.split("\t")[:3] == ["surface", "lemma", "origin"], header
        for line in f:
            n_rows += 1
            surface, lemma, origin, pos = line.rstrip("\n").split("\t")
            key = normalize(surface)
            low = origin.lower()
            reason = None
            if pos not in KEEP_POS:
                reason = f"part of speech {pos}"
            elif not is_katakana(surface):
                reason = "not katakana"
            elif edit_distance(key, normalize(lemma)) > 2:
                reason = "not the standard spelling"
            elif len(surface) < 3:
                reason = "katakana shorter than 3"
            elif len(surface) < 0.4 * len(low.replace(" ", "")):
                reason = "clipped form"
            elif cut_inside_mora(key, normalize(lemma)):
                reason = "cut inside a mora"
            elif not re.fullmatch(r"[a-z][a-z -]*[a-z]", low):
                reason = "origin not plain English"
            elif (surface, low) in DENY or (lemma, low) in DENY:
                reason = "deny: " + DENY.get((surface, low), DENY.get((lemma, low), ""))
            else:
                words = re.split(r"[ -]+", low)
                if any(w in STOP for w in words):
                    reason = "stop word"
                else:
                    rare = [w for w in words if df[singular(w)] < MIN_DOCS]
                    if rare:
                        reason = f"not field vocabulary: {', '.join(rare)}"
            if reason:
                rejects.append((surface, origin, reason))
                continue
            # One row per spelling that differs after normalisation (プラットフォーム and
            # プラットホーム); サーバ and サーバー are one spelling to the search.
            evidence = min(df[singular(w)] for w in re.split(r"[ -]+", low))
            candidates[key].setdefault(low, (surface, origin, evidence))

    kept = []
    for key, origins in candidates.items():
        if len(origins) > 1:
            names = ", ".join(sorted(o for _, o, _ in origins.values()))
            for surface, origin, _ in origins.values():
                rejects.append((surface, origin, f"several field origins: {names}"))
            continue
        (surface, origin, evidence), = origins.values()
        # メモリィ beside メモリ: every match of it is a match of the shorter spelling (the
        # search matches katakana of two characters, リビ, as whole words only).
        shorter = candidates.get(key[:-1], {})
        if (
            key[-1] in SMALL_KANA
            and len(key) > 3
            and len(shorter) == 1
            and origin.lower() in shorter
        ):
            rejects.append((surface, origin, "another spelling with a small kana added"))
            continue
        kept.append((surface, origin, evidence))
    kept.sort(key=lambda r: (normalize(r[0]), r[1].lower()))

    out = os.path.join(OUT_DIR, "loanwords.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write("# Katakana loanwords and their English origin, from UniDic 3.1.1 (lemma column),\n")
        f.write("# filtered to this field by scripts/concepts/unidic_loanwords.py; see src/concepts/README.md.\n")
        f.write("# Copyright 2011-2018 The UniDic Consortium; BSD-3-Clause, see LICENSE-UniDic.txt beside this file.\n")
        f.write(f"# evidence: in how many of {n_docs} field documents the rarest English word occurs.\n")
        f.write("katakana\tenglish\tevidence\n")
        for surface, origin, evidence in kept:
            f.write(f"{surface}\t{origin}\t{evidence}\n")
    with open(args.license, encoding="utf-8") as f:
        licence = f.read()
    with open(os.path.join(OUT_DIR, "LICENSE-UniDic.txt"), "w", encoding="utf-8") as f:
        f.write("UniDic (used for src/concepts/loanwords.tsv)\n")
        f.write("Copyright 2011-2018 The UniDic Consortium. All rights reserved.\n")
        f.write("UniDic is distributed under the BSD-3-Clause, LGPL-2.1 or GPL-2+ licence; talknotes uses it under BSD-3-Clause:\n\n")
        f.write(licence)
    if args.rejects:
        with open(args.rejects, "w", encoding="utf-8") as f:
            for surface, origin, reason in sorted(rejects):
                f.write(f"{surface}\t{origin}\t{reason}\n")
    reasons = collections.Counter(r.split(":")[0] for _, _, r in rejects)
    print(f"{out}: kept {len(kept)} pairs from {n_rows} UniDic rows ({n_docs} field documents)")
    for reason, n in reasons.most_common():
        print(f"  rejected {n:6d}  {reason}")


if __name__ == "__main__":
    sys.exit(main())
