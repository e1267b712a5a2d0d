#!/usr/bin/env python3
"""Writes src/concepts/loanword_parts.tsv: katakana words that may be parts of a compound
loanword, with their English origin, from UniDic's loanword list.

    python3 scripts/concepts/loanword_parts.py [--loanwords TSV]

A compound such as トラブルシューティング (troubleshooting) is in no dictionary, but its
parts are: トラブル (trouble) and シューティング (shooting). concept search composes such a
word from two parts, in either direction (see src/concepts/loanwords.rs, `compound`). The
parts need not be words of this field (shooting is not), so this list is wider than
loanwords.tsv, and stricter in what a part is: a pair is kept when

1. a common noun or adjectival noun, written in katakana letters and ー only (no ・), of 3
   characters or more;
2. UniDic's standard spelling itself (the surface is the lemma, after the search's
   normalisation: ー after katakana dropped), so each part composes in one spelling;
3. its origin is one plain English word of 4 letters or more, not a stop word, not in DENY;
4. the katakana has that one origin in the whole list (ライト: light, right, write, gone);

and every pair of src/concepts/loanwords.tsv whose origin is one word of 4 letters or more is
a part too, with the origin that table gives (it resolves チェック check/czech by the field's
vocabulary), and no other origin for its katakana. DENY_PARTS drops endings and fragments
that split words wrongly. Each line is flagged `f` when its pair is in the shipped table (a
split of two such parts is preferred) and `w` for the spellings a compound is written with.

Deterministic for the same input. UniDic: BSD-3-Clause, see src/concepts/LICENSE-UniDic.txt.
"""

import argparse
import collections
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import unidic_loanwords as u  # noqa: E402

OUT = os.path.join(u.OUT_DIR, "loanword_parts.tsv")
KEYS = os.path.join(u.OUT_DIR, "loanword_keys.tsv")

# Parts that split words wrongly: English endings and fragments that UniDic also lists as
# words (comfort+able, traffic+king, shop+ping, nove+list), and katakana whose search key
# collides with a common prefix (サーブ, serve, is サブ once ー is dropped: サブシステム).
DENY_PARTS = set("""able king ping ration ester oral cute dies rely aire acre agon enter tiff
    plie sets drin brea nove anari serve fool""".split())

# At most this many katakana spellings of one English part are offered when a compound is
# written in katakana (the field's own spelling first, when the shipped table has one).
MAX_SPELLINGS = 2


IPADIC = "/usr/share/mecab/dic/ipadic"


def ipadic_words(directory):
    """Every surface form of Debian's mecab-ipadic (EUC-JP CSVs): the spellings a modern
    dictionary has, which a compound is preferably written with (ノート, not ノオト)."""
    words = set()
    for name in sorted(os.listdir(directory)):
        if name.endswith(".csv"):
            with open(os.path.join(directory, name), encoding="euc_jp", errors="replace") as f:
                words.update(line.split(",", 1)[0] for line in f)
    return words


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--loanwords", default=u.DEFAULT_LOANWORDS)
    ap.add_argument("--ipadic", default=IPADIC, help="mecab-ipadic's CSV directory (apt-get install mecab-ipadic)")
    args = ap.parse_args()
    modern = ipadic_words(args.ipadic)
    origins = collections.defaultdict(set)
    rows = []
    with open(args.loanwords, encoding="utf-8") as f:
        header = next(f)
        assert header.split("\t")[:3] == ["surface", "lemma", "origin"], header
        for line in f:
            surface, lemma, origin, pos = line.rstrip("\n").split("\t")
            key = u.normalize(surface)
            low = origin.lower()
            origins[key].add(low)
            if (
                pos in u.KEEP_POS
                and u.is_katakana(surface)
                and all("\u30a1" <= c <= "\u30fa" or c == "ー" for c in surface)
                and len(surface) >= 3
                and key == u.normalize(lemma)
                and re.fullmatch(r"[a-z]{4,}", low)
                and low not in u.STOP
                and low not in DENY_PARTS
                and (surface, low) not in u.DENY
                and (lemma, low) not in u.DENY
            ):
                rows.append((key, surface, low))
    shipped = {}
    with open(os.path.join(u.OUT_DIR, "loanwords.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("katakana\t"):
                continue
            katakana, english = line.rstrip("\n").split("\t")[:2]
            if re.fullmatch(r"[a-z]{4,}", english) and english not in DENY_PARTS and all(
                "\u30a1" <= c <= "\u30fa" or c == "ー" for c in katakana
            ):
                shipped.setdefault(u.normalize(katakana), set()).add((katakana, english))
    kept = {(surface, low) for key, surface, low in rows
            if len(origins[key]) == 1 and key not in shipped}
    field = set()
    for pairs in shipped.values():
        kept |= pairs
        field |= pairs
    # The spellings a compound is written with, per English word: those IPADIC knows (modern:
    # ノート, not ノオト; チェック, not チッキ), then the field's, then the shortest; a few of
    # distinct keys.
    by_english = collections.defaultdict(list)
    for surface, low in kept:
        by_english[low].append(surface)
    preferred = set()
    for low, surfaces in by_english.items():
        # Known to IPADIC first (modern spellings), then the field's, then the shortest.
        rank = lambda x: (x not in modern, (x, low) not in field, len(x), x)  # noqa: E731
        mine = sorted(surfaces, key=rank)
        seen = set()
        for x in mine:
            if u.normalize(x) not in seen and len(seen) < MAX_SPELLINGS:
                seen.add(u.normalize(x))
                preferred.add((x, low))
    # Lines sorted as bytes, English word first, so that a search finds a word by binary
    # search in the embedded text; then flags:
    # `f` when the pair is in the shipped table (a word of the field), `w` when compounds
    # are written with this spelling.
    lines = sorted(
        f"{low}\t{surface}\t"
        f"{'f' if (surface, low) in field else ''}{'w' if (surface, low) in preferred else ''}\n"
        for surface, low in kept
    )
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# Katakana words that may be parts of a compound loanword, and their English origin,\n")
        f.write("# from UniDic 3.1.1, selected by scripts/concepts/loanword_parts.py; see src/concepts/README.md.\n")
        f.write("# Copyright 2011-2018 The UniDic Consortium; BSD-3-Clause, see LICENSE-UniDic.txt beside this file.\n")
        f.write("english\tkatakana\tflags\n")
        f.writelines(lines)
    # The same parts by search key, for a katakana word's cut: one English word per key (the
    # field's when there is one), the key's flags merged; sorted as bytes for binary search.
    by_key = {}
    for surface, low in sorted(kept, key=lambda r: ((r not in field), r[1], r[0])):
        k = u.normalize(surface)
        english, flag = by_key.get(k, (low, ""))
        by_key[k] = (english, flag or ("f" if (surface, low) in field else ""))
    with open(KEYS, "w", encoding="utf-8") as f:
        f.write("# The parts of loanword_parts.tsv by search key (one English word per key), made by\n")
        f.write("# scripts/concepts/loanword_parts.py from UniDic 3.1.1; BSD-3-Clause, see LICENSE-UniDic.txt.\n")
        f.write("key\tenglish\tflags\n")
        f.writelines(sorted(f"{k}\t{e}\t{fl}\n" for k, (e, fl) in by_key.items()))
    print(f"{OUT}: {len(kept)} parts; {KEYS}: {len(by_key)} keys")


if __name__ == "__main__":
    sys.exit(main())
