#!/usr/bin/env python3
"""Checks src/concepts/glossary.ron and reports what a reviewer should look at.

    python3 scripts/concepts/check_glossary.py [--json] [--unidic LOANWORDS_TSV] [GLOSSARY]

Parses the RON subset the glossary uses (named and anonymous structs, lists, strings, bools,
bare identifiers, // comments), then checks the rules of schemas/glossary.schema.json that a
JSON Schema cannot state:

- ids are slugs; a (id, source) pair occurs once; `source` is cncf, curated or unidic;
- every term is non-empty, `not_in` words contain the term, flags are booleans;
- a term does not occur twice in one concept (over all its entries), compared after the search's normalisation
  (NFKC, case folding, katakana prolonged sound mark dropped).

It exits non-zero on an error. Warnings (printed, not fatal) list what needs a human eye:
terms shared by two concepts, and with --unidic, katakana terms that occur inside longer
katakana words of UniDic without a `not_in` entry (ログ in ブログ). --json prints the glossary
as JSON, the shape schemas/glossary.schema.json validates.
"""

import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT = os.path.join(REPO, "src", "concepts", "glossary.ron")

SOURCES = {"cncf", "curated", "unidic"}
TERM_FLAGS = {"abbr", "word", "case", "expand_from", "expand_to"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class RonError(Exception):
    pass


class Parser:
    """Recursive descent over the RON subset; positions are reported as line:column."""

    TOKEN = re.compile(
        r'\s+|//[^\n]*|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|-?[0-9]+|[()\[\]{}:,]'
    )

    def __init__(self, text, path):
        self.path = path
        self.tokens = []
        pos = 0
        while pos < len(text):
            m = self.TOKEN.match(text, pos)
            if not m:
                raise RonError(f"{self.where(text, pos)}: unexpected character {text[pos]!r}")
            tok = m.group(0)
            if not tok.isspace() and not tok.startswith("//"):
                self.tokens.append((tok, self.where(text, pos)))
            pos = m.end()
        self.i = 0

    def where(self, text, pos):
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        return f"{self.path}:{line}:{col}"

    def peek(self):
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def at(self):
        return self.tokens[min(self.i, len(self.tokens) - 1)][1]

    def take(self, expected=None):
        if self.i >= len(self.tokens):
            raise RonError(f"{self.path}: unexpected end of file")
        tok, where = self.tokens[self.i]
        if expected is not None and tok != expected:
            raise RonError(f"{where}: expected {expected!r}, found {tok!r}")
        self.i += 1
        return tok

    def value(self):
        tok = self.peek()
        if tok is None:
            raise RonError(f"{self.path}: unexpected end of file")
        if tok.startswith('"'):
            self.take()
            return json.loads(tok)
        if tok == "[":
            self.take()
            items = []
            while self.peek() != "]":
                items.append(self.value())
                if self.peek() != "]":
                    self.take(",")
            self.take("]")
            return items
        if tok == "(":
            return self.struct(None)
        if re.fullmatch(r"-?[0-9]+", tok):
            self.take()
            return int(tok)
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tok):
            self.take()
            if tok in ("true", "false"):
                return tok == "true"
            if self.peek() == "(":
                return self.struct(tok)
            return {"$ident": tok}
        raise RonError(f"{self.at()}: unexpected {tok!r}")

    def struct(self, name):
        start = self.at()
        self.take("(")
        fields = {}
        while self.peek() != ")":
            where = self.at()
            key = self.take()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                raise RonError(f"{where}: expected a field name, found {key!r}")
            self.take(":")
            if key in fields:
                raise RonError(f"{where}: field `{key}` given twice")
            fields[key] = (self.value(), where)
            if self.peek() != ")":
                self.take(",")
        self.take(")")
        return {"$struct": name, "$at": start, "fields": fields}


def normalize(text):
    """What the search compares: NFKC, case folded, ー after katakana dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for c in text:
        if c == "ー" and out and "\u30a1" <= out[-1] <= "\u30fa":
            continue
        out.append(c)
    return "".join(out)


def is_katakana_word(text):
    return bool(text) and all("\u30a0" <= c <= "\u30ff" for c in text)


def load(path):
    with open(path, encoding="utf-8") as f:
        root = Parser(f.read(), path)
    doc = root.value()
    if root.peek() is not None:
        raise RonError(f"{root.at()}: text after the glossary")
    return doc


def check(doc):
    """Returns (glossary as plain JSON data, errors, warnings)."""
    errors, warnings = [], []
    if not (isinstance(doc, dict) and doc.get("$struct") == "Glossary"):
        return None, ["the file must hold one Glossary(...)"], []
    fields = doc["fields"]
    unknown = set(fields) - {"schema", "concepts"}
    for k in unknown:
        errors.append(f"{fields[k][1]}: unknown field `{k}` in Glossary")
    if fields.get("schema", (None,))[0] != 1:
        errors.append(f"{doc['$at']}: `schema: 1` is required")
    concepts_out = []
    seen = {}
    by_term = {}
    union = {}  # id -> normalised term -> term, over every entry of the concept
    for c in fields.get("concepts", ([], None))[0]:
        where = c.get("$at", "?") if isinstance(c, dict) else "?"
        if not (isinstance(c, dict) and c.get("$struct") == "Concept"):
            errors.append(f"{where}: expected Concept(...)")
            continue
        f = c["fields"]
        for k in set(f) - {"id", "source", "terms", "note"}:
            errors.append(f"{f[k][1]}: unknown field `{k}` in Concept")
        cid = f.get("id", (None,))[0]
        source = f.get("source", (None,))[0]
        source = source.get("$ident") if isinstance(source, dict) else None
        if not isinstance(cid, str) or not SLUG.match(cid):
            errors.append(f"{where}: `id` must be a slug (a-z, 0-9, -), found {cid!r}")
            continue
        if source not in SOURCES:
            errors.append(f"{where}: `source` must be one of {sorted(SOURCES)}")
            continue
        if (cid, source) in seen:
            errors.append(f"{where}: concept `{cid}` from {source} already given at {seen[(cid, source)]}")
        seen[(cid, source)] = where
        terms_out = []
        for t in f.get("terms", ([], None))[0]:
            if isinstance(t, str):
                term = {"text": t}
            elif isinstance(t, dict) and t.get("$struct") is None and "$at" in t:
                term = {}
                for k, (v, w) in t["fields"].items():
                    if k == "text" and isinstance(v, str):
                        term[k] = v
                    elif k in TERM_FLAGS and isinstance(v, bool):
                        term[k] = v
                    elif k == "not_in" and isinstance(v, list) and all(isinstance(x, str) for x in v):
                        term[k] = v
                    else:
                        errors.append(f"{w}: bad term field `{k}`")
                if "text" not in term:
                    errors.append(f"{t['$at']}: a term needs `text`")
                    continue
            else:
                errors.append(f"{where}: a term is a string or (text: ..., flags)")
                continue
            if not term["text"].strip() or term["text"] != term["text"].strip():
                errors.append(f"{where}: term {term['text']!r} is empty or has surrounding spaces")
            for outer in term.get("not_in", []):
                if normalize(term["text"]) not in normalize(outer) or normalize(outer) == normalize(term["text"]):
                    errors.append(f"{where}: not_in word {outer!r} does not contain {term['text']!r}")
            terms_out.append(term)
            by_term.setdefault(normalize(term["text"]), []).append(cid)
        for t in terms_out:
            n = normalize(t["text"])
            if n in union.setdefault(cid, {}):
                errors.append(f"{where}: `{cid}` lists {t['text']!r}, the same as "
                              f"{union[cid][n]!r} after normalisation")
            union[cid][n] = t["text"]
        if not terms_out:
            errors.append(f"{where}: `{cid}` has no terms")
        out = {"id": cid, "source": source, "terms": terms_out}
        if "note" in f:
            out["note"] = f["note"][0]
        concepts_out.append(out)
    ids_by_term = {n: sorted(set(ids)) for n, ids in by_term.items()}
    for n, ids in sorted(ids_by_term.items()):
        if len(ids) > 1:
            warnings.append(f"term {n!r} is shared by {', '.join(ids)}")
    return {"schema": 1, "concepts": concepts_out}, errors, warnings


def unidic_hazards(glossary, path):
    """Katakana terms found inside longer UniDic katakana words that no `not_in` covers."""
    words = set()
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            surface = line.split("\t", 1)[0]
            if is_katakana_word(surface):
                words.add(normalize(surface))
    out = []
    for c in glossary["concepts"]:
        for t in c["terms"]:
            n = normalize(t["text"])
            if not is_katakana_word(t["text"]) or len(n) > 4:
                continue
            covered = {normalize(w) for w in t.get("not_in", [])}
            hits = sorted(w for w in words if n in w and w != n and not any(x in w for x in covered))
            if hits:
                out.append(f"{c['id']}: {t['text']} occurs in {len(hits)} UniDic words, e.g. {', '.join(hits[:6])}")
    return out


def main(argv):
    args = argv[1:]
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    unidic = None
    if "--unidic" in args:
        i = args.index("--unidic")
        unidic = args[i + 1]
        del args[i : i + 2]
    path = args[0] if args else DEFAULT
    try:
        doc = load(path)
    except RonError as e:
        print(e, file=sys.stderr)
        return 1
    glossary, errors, warnings = check(doc)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if errors:
        return 1
    if as_json:
        print(json.dumps(glossary, ensure_ascii=False, indent=1))
        return 0
    for w in warnings:
        print(f"warning: {w}")
    if unidic:
        for h in unidic_hazards(glossary, unidic):
            print(f"review: {h}")
    ids = {c["id"] for c in glossary["concepts"]}
    terms = sum(len(c["terms"]) for c in glossary["concepts"])
    by_source = {}
    for c in glossary["concepts"]:
        by_source[c["source"]] = by_source.get(c["source"], 0) + 1
    print(f"{path}: {len(ids)} concepts ({len(glossary['concepts'])} entries: "
          f"{', '.join(f'{k} {v}' for k, v in sorted(by_source.items()))}), {terms} terms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
