//! Concepts: which spellings name the same thing, so that a search for one finds the others.
//!
//! Japanese tech notes write one concept many ways (observability, オブザーバビリティ, 可観測性,
//! o11y), and a search that matches spellings literally finds about half of the talks about
//! it. This module knows the equivalences and where each comes from; `search::concepts`
//! turns them into queries.
//!
//! Four sources, all offline:
//!
//! - [`glossary`]: the shipped glossary (`glossary.ron`, from the CNCF Cloud Native Glossary
//!   and curated by hand), with per-spelling flags that say how a spelling may match
//!   ([`Flags`]);
//! - [`loanwords`]: katakana loanwords and their English origin, from UniDic
//!   (`loanwords.tsv`), weighed below the glossary because they are translations, not
//!   reviewed concepts;
//! - [`learn`]: pairs written side by side in notes (`オブザーバビリティ（Observability）`),
//!   mined when a talk is indexed; a pair seen in enough talks is an equivalence;
//! - [`user`]: the user's own file, `notes/concepts.ron`, which adds equivalences or vetoes
//!   any of them, whatever its source.
//!
//! [`Thesaurus`] puts them together and answers one question, [`Thesaurus::expand`]: what a
//! query word also matches, and why. The shipped data is parsed once per process, lazily;
//! the user's file is read by whoever builds a thesaurus (once per search, it is small).
//! [`matcher`] finds a spelling in text with its flags, for snippets and for saying which
//! spelling a talk matched.

pub mod glossary;
pub mod learn;
pub mod loanwords;
pub mod matcher;
pub mod user;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use serde::Serialize;

use crate::search::analysis;

/// How a spelling may match text. Every flag defaults to off, except the two `expand_*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Flags {
    /// An abbreviation, acronym or numeronym (SRE, IaC, k8s): implies `word`.
    #[serde(skip_serializing_if = "is_false")]
    pub abbr: bool,
    /// Only as a whole word (Go is not in GoLand).
    #[serde(skip_serializing_if = "is_false")]
    pub word: bool,
    /// Only in this letter case in text (AI, not the given name Ai).
    #[serde(skip_serializing_if = "is_false")]
    pub case: bool,
    /// Longer words containing the spelling that mean something else (ログ in ブログ).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_in: Vec<String>,
    /// Typed alone, the spelling expands to its concept.
    #[serde(skip_serializing_if = "is_true")]
    pub expand_from: bool,
    /// Other spellings expand to this one.
    #[serde(skip_serializing_if = "is_true")]
    pub expand_to: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Default for Flags {
    fn default() -> Self {
        Flags {
            abbr: false,
            word: false,
            case: false,
            not_in: Vec::new(),
            expand_from: true,
            expand_to: true,
        }
    }
}

impl Flags {
    /// Whether the spelling matches only whole words.
    pub fn whole_word(&self) -> bool {
        self.abbr || self.word
    }
}

/// One spelling and how it may match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Term {
    pub text: String,
    #[serde(flatten)]
    pub flags: Flags,
}

impl Term {
    pub fn plain(text: impl Into<String>) -> Term {
        Term {
            text: text.into(),
            flags: Flags::default(),
        }
    }
}

/// Where an equivalence comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A word as typed that no data knows (only learned pairs expand it).
    Typed,
    /// The user's file (`notes/concepts.ron`).
    User,
    /// The shipped glossary, from the CNCF Cloud Native Glossary.
    Cncf,
    /// The shipped glossary, written by hand.
    Curated,
    /// Written side by side in the knowledge base's notes.
    Learned,
    /// UniDic's loanword table.
    Loanword,
    /// Two parts of UniDic's loanword list written together (トラブル + シューティング,
    /// trouble + shooting): a compound no dictionary lists.
    Compound,
}

impl Source {
    /// How much a match of a spelling from this source weighs, against 1 for the spelling as
    /// typed: reviewed sources above learned ones, translations from a dictionary last.
    pub fn weight(self) -> f32 {
        match self {
            Source::Typed => 1.0,
            // Low enough that a short English title (one term in the bigram view) does not
            // outrank the same title in katakana (a bigram per kana pair, and its word
            // boundaries, make a longer field): the typed spelling first.
            Source::User | Source::Cncf | Source::Curated => 0.6,
            Source::Learned => 0.5,
            Source::Loanword | Source::Compound => 0.4,
        }
    }

    /// How `tn search --explain` and `tn concepts` name it.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Typed => "as typed",
            Source::User => "your notes/concepts.ron",
            Source::Cncf => "glossary (CNCF Cloud Native Glossary)",
            Source::Curated => "glossary (curated)",
            Source::Learned => "learned from your notes",
            Source::Loanword => "loanword (UniDic)",
            Source::Compound => "loanword parts (UniDic)",
        }
    }

    /// Which source to keep when two give the same spelling: the user's word first, then
    /// reviewed data, then what was learned, then the dictionary.
    fn rank(self) -> u8 {
        match self {
            Source::Typed | Source::User => 0,
            Source::Cncf | Source::Curated => 1,
            Source::Learned => 2,
            Source::Loanword => 3,
            Source::Compound => 4,
        }
    }
}

/// A spelling of a concept and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Spelling {
    #[serde(flatten)]
    pub term: Term,
    pub source: Source,
    /// For a learned spelling: in how many talks the pair was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub talks: Option<u64>,
    /// For a spelling from the user's file: its line there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Spelling {
    pub fn new(term: Term, source: Source) -> Spelling {
        Spelling {
            term,
            source,
            talks: None,
            line: None,
        }
    }

    /// Where it came from, for people: `glossary (curated)`, `learned from your notes (3
    /// talks)`, `your notes/concepts.ron:4`.
    pub fn origin(&self) -> String {
        match (self.source, self.talks, self.line) {
            (Source::Learned, Some(n), _) => {
                format!("{} ({n} talk{})", self.source.describe(), plural(n))
            }
            (Source::User, _, Some(line)) => format!("{}:{line}", self.source.describe()),
            _ => self.source.describe().to_owned(),
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A concept: an id and every spelling that names it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Concept {
    /// The glossary's id (`observability`), `unidic:<english>` for a loanword pair,
    /// `learned:<spelling>` or `user:<spelling>` for one without a glossary id.
    pub id: String,
    pub spellings: Vec<Spelling>,
    /// The glossary's note: why the concept is grouped this way, what was left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How spellings are compared: the search's normalisation (NFKC, prolonged sound marks,
/// iteration marks), lower case, and words separated by one space, except next to CJK,
/// where the space is dropped (`生成 AI` = `生成AI`). Hyphens, slashes and other punctuation
/// separate words (`CI/CD` = `ci cd`, `multi-cloud` = `multi cloud`).
pub fn key(text: &str) -> String {
    let normalized = analysis::normalize(text).to_lowercase();
    let mut out = String::with_capacity(normalized.len());
    let mut gap = false;
    for c in normalized.chars() {
        // Cheap tests first: `is_alphanumeric` searches a table for every kana and kanji.
        if c.is_ascii_alphanumeric()
            || analysis::is_cjk(c)
            || c.is_alphanumeric()
            || matches!(c, '+' | '#')
        {
            if gap && !out.is_empty() && !analysis::is_cjk(c) && !out.ends_with(analysis::is_cjk) {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// The key without its spaces, under which a spelling of several Latin words is also found
/// (`ServiceMesh`, `servicemesh` for `service mesh`); `None` for a single word.
pub fn joined_key(key: &str) -> Option<String> {
    key.contains(' ').then(|| key.replace(' ', ""))
}

/// Whether `text` is written in Latin letters and digits only (with spaces and punctuation).
pub fn is_latin(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
        && text
            .chars()
            .all(|c| c.is_ascii() || !(c.is_alphanumeric() || analysis::is_cjk(c)))
}

/// The shipped concepts: the glossary, indexed by spelling key, and the loanword table,
/// looked up by scanning it.
pub struct Shipped {
    glossary: Vec<Concept>,
    by_id: HashMap<String, usize>,
    by_key: HashMap<String, Vec<(u32, u32)>>,
    loanwords: &'static [loanwords::Row],
    /// Why the embedded data could not be read (never, unless a unit test failed first).
    pub problems: Vec<String>,
}

static SHIPPED: LazyLock<Shipped> = LazyLock::new(Shipped::load);

impl Shipped {
    /// The shipped concepts, parsed on first use.
    pub fn get() -> &'static Shipped {
        &SHIPPED
    }

    fn load() -> Shipped {
        let mut problems = Vec::new();
        let glossary = glossary::embedded().unwrap_or_else(|e| {
            problems.push(format!("the embedded glossary: {e}"));
            Vec::new()
        });
        let loanwords = loanwords::rows().unwrap_or_else(|e| {
            problems.push(format!("the embedded loanword table: {e}"));
            &[]
        });
        let mut shipped = Shipped {
            glossary: Vec::new(),
            by_id: HashMap::new(),
            by_key: HashMap::new(),
            loanwords,
            problems,
        };
        for concept in glossary {
            shipped.add(concept);
        }
        shipped
    }

    fn add(&mut self, concept: Concept) {
        let index = self.glossary.len();
        self.by_id.insert(concept.id.clone(), index);
        for (s, spelling) in concept.spellings.iter().enumerate() {
            let k = key(&spelling.term.text);
            let at = (index as u32, s as u32);
            if let Some(joined) = joined_key(&k) {
                self.by_key.entry(joined).or_default().push(at);
            }
            self.by_key.entry(k).or_default().push(at);
        }
        self.glossary.push(concept);
    }

    /// The glossary's concepts.
    pub fn glossary(&self) -> &[Concept] {
        &self.glossary
    }

    /// Whether `id` names a shipped concept (the glossary's, a loanword's or a compound's).
    pub fn has(&self, id: &str) -> bool {
        self.by_id.contains_key(id) || !self.spellings(id).is_empty()
    }

    /// The spellings of a shipped concept.
    fn spellings(&self, id: &str) -> Vec<Spelling> {
        match self.by_id.get(id) {
            Some(&i) => self.glossary[i].spellings.clone(),
            None if id.starts_with(loanwords::COMPOUND_PREFIX) => loanwords::compound_spellings(id),
            None => loanwords::spellings(self.loanwords, id),
        }
    }

    fn note(&self, id: &str) -> Option<String> {
        self.by_id
            .get(id)
            .and_then(|&i| self.glossary[i].note.clone())
    }

    /// The concepts a key names, with the spelling that names them.
    fn lookup(&self, key: &str) -> Vec<(String, Spelling)> {
        let mut found: Vec<(String, Spelling)> = self
            .by_key
            .get(key)
            .into_iter()
            .flatten()
            .map(|&(c, s)| {
                let concept = &self.glossary[c as usize];
                (concept.id.clone(), concept.spellings[s as usize].clone())
            })
            .collect();
        found.extend(loanwords::lookup(self.loanwords, key));
        found
    }

    /// Every loanword concept's id (for `tn concepts --loanwords`).
    fn loanword_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for row in self.loanwords {
            if seen.insert(row.english) {
                ids.push(format!("{}{}", loanwords::ID_PREFIX, row.english));
            }
        }
        ids
    }
}

/// Learned pairs, as the index knows them: the spellings written beside `key` in enough
/// talks, and in how many.
pub trait Learned {
    fn partners(&self, key: &str) -> Vec<(String, u64)>;
}

/// What `tn concepts WORD` says of `word`: its expansion as a search makes it, or the word
/// alone when it names no concept in force, and the spellings the user's vetoes hide from it.
pub fn describe(
    shipped: &Shipped,
    user: Option<&mut user::UserConcepts>,
    word: &str,
    learned: &dyn Learned,
) -> Expansion {
    let mut expansion = Thesaurus::new(shipped, user.as_deref())
        .expand(word, learned)
        .unwrap_or_else(|| Expansion::alone(word));
    if let Some(user) = user {
        expansion.hidden = hidden_by_vetoes(shipped, user, word, learned);
    }
    expansion
}

/// The spellings of `word`'s concepts that the user's vetoes keep it from matching, each with
/// the veto that does (`tn concepts WORD`): `word` expanded with the file's vetoes and
/// without them, compared.
pub fn hidden_by_vetoes(
    shipped: &Shipped,
    user: &mut user::UserConcepts,
    word: &str,
    learned: &dyn Learned,
) -> Vec<Hidden> {
    let without = user.without_vetoes(|u| Thesaurus::new(shipped, Some(u)).expand(word, learned));
    let Some(without) = without else {
        return Vec::new();
    };
    let with = Thesaurus::new(shipped, Some(user)).expand(word, learned);
    let kept: HashSet<String> = with
        .iter()
        .flat_map(|e| e.spellings.iter().map(|s| key(&s.spelling.term.text)))
        .collect();
    let word_key = key(word);
    // A word found through an inflection or its joined words (`containers`) loses its
    // concept by the veto of the spelling it was found through (`container`).
    let through = without.spellings.iter().find_map(|s| {
        let k = key(&s.spelling.term.text);
        (!kept.contains(&k))
            .then(|| user.vetoes.hiding(&word_key, &k, &without.concepts))
            .flatten()
    });
    without
        .others()
        .filter_map(|s| {
            let k = key(&s.spelling.term.text);
            if kept.contains(&k) {
                return None;
            }
            let veto = user
                .vetoes
                .hiding(&word_key, &k, &without.concepts)
                .or(through)?;
            Some(Hidden {
                spelling: s.spelling.term.text.clone(),
                veto: veto.clone(),
                path: user.path.clone(),
            })
        })
        .collect()
}

/// The user's vetoes that hide nothing from the glossary, the loanword table, the user's own
/// concepts or the pairs `learned` knows: a misspelt term, a concept that lacks the spelling,
/// a pair that never expands to each other (`tn check` warns of them). With
/// [`NothingLearned`] (no index yet), a veto of a learned pair is listed too.
pub fn idle_vetoes(
    shipped: &Shipped,
    user: &mut user::UserConcepts,
    learned: &dyn Learned,
) -> Vec<user::Veto> {
    let vetoes = user.vetoes.list.clone();
    user.without_vetoes(|user| {
        let thesaurus = Thesaurus::new(shipped, Some(user));
        let names = |word: &str, other: &str| {
            thesaurus
                .expand(word, learned)
                .is_some_and(|e| e.others().any(|s| key(&s.spelling.term.text) == key(other)))
        };
        vetoes
            .into_iter()
            .filter(|veto| match veto {
                // A spelling of some concept, whatever it expands to: vetoing it hides it from
                // the others (ノード, which expands to nothing, from Node).
                user::Veto::Term { term, concept, .. } => {
                    let k = key(term);
                    let named = thesaurus.find(&k);
                    match concept {
                        Some(id) => !named.iter().any(|(c, _)| c == id),
                        // A learned partner of any word: the veto keeps it from every one.
                        None => named.is_empty() && learned.partners(&k).is_empty(),
                    }
                }
                user::Veto::Pair { pair: (a, b), .. } => !names(a, b) && !names(b, a),
            })
            .collect()
    })
}

/// No learned pairs (tests, and a thesaurus without an index).
pub struct NothingLearned;

impl Learned for NothingLearned {
    fn partners(&self, _key: &str) -> Vec<(String, u64)> {
        Vec::new()
    }
}

/// One spelling a query word matches, as [`Thesaurus::expand`] plans it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Expanded {
    #[serde(flatten)]
    pub spelling: Spelling,
    /// The spelling the user typed (matched with its flags, in every part of a talk); the
    /// others match only what a talk is about (see `search::concepts`).
    pub typed: bool,
}

/// What a query word matches: itself and the other spellings of its concepts.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Expansion {
    /// The word or phrase as typed.
    pub word: String,
    /// The concepts it names (ids), in the order found; none when it names no concept in
    /// force (then `spellings` holds the typed one only).
    pub concepts: Vec<String>,
    /// The typed spelling first, then the others by weight.
    pub spellings: Vec<Expanded>,
    /// The spellings the user's vetoes keep it from matching (`tn concepts WORD`; a search
    /// leaves this empty).
    pub hidden: Vec<Hidden>,
}

/// A spelling that a veto of the user's file keeps a word from matching.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Hidden {
    /// The spelling, as its source writes it.
    pub spelling: String,
    /// The veto that hides it; its `line` is in `path`.
    pub veto: user::Veto,
    /// The user's concepts file.
    pub path: std::path::PathBuf,
}

impl Expansion {
    /// A word that names no concept in force: matched as typed only.
    pub fn alone(word: &str) -> Expansion {
        Expansion {
            word: word.trim().to_owned(),
            concepts: Vec::new(),
            spellings: vec![Expanded {
                spelling: Spelling::new(Term::plain(word.trim()), Source::Typed),
                typed: true,
            }],
            hidden: Vec::new(),
        }
    }

    /// The other spellings (not the typed one).
    pub fn others(&self) -> impl Iterator<Item = &Expanded> {
        self.spellings.iter().filter(|s| !s.typed)
    }
}

/// The equivalences in force for one knowledge base: the shipped ones and the user's file.
/// Learned pairs live in the search index and are asked for through [`Learned`].
pub struct Thesaurus<'a> {
    shipped: &'a Shipped,
    user: Option<&'a user::UserConcepts>,
}

impl<'a> Thesaurus<'a> {
    pub fn new(shipped: &'a Shipped, user: Option<&'a user::UserConcepts>) -> Thesaurus<'a> {
        Thesaurus { shipped, user }
    }

    /// The shipped data alone.
    pub fn shipped() -> Thesaurus<'static> {
        Thesaurus::new(Shipped::get(), None)
    }

    fn vetoes(&self) -> Option<&user::Vetoes> {
        self.user.map(|u| &u.vetoes)
    }

    /// Whether the user vetoed `spelling_key` as a spelling of `concept`.
    fn vetoed(&self, concept: &str, spelling_key: &str) -> bool {
        self.vetoes()
            .is_some_and(|v| v.removes(concept, spelling_key))
    }

    /// Whether the user split `a` and `b`.
    fn split(&self, a: &str, b: &str) -> bool {
        self.vetoes().is_some_and(|v| v.splits(a, b))
    }

    /// Every spelling of concept `id`, shipped and the user's, vetoes applied.
    pub fn spellings_of(&self, id: &str) -> Vec<Spelling> {
        let mut out: Vec<Spelling> = Vec::new();
        let user = self
            .user
            .and_then(|u| u.concept(id))
            .map(|c| c.spellings.as_slice());
        for s in user
            .into_iter()
            .flatten()
            .cloned()
            .chain(self.shipped.spellings(id))
        {
            if !self.vetoed(id, &key(&s.term.text)) {
                merge_spelling(&mut out, s);
            }
        }
        out
    }

    /// The concepts (ids) a key names, with the spelling it names them by, vetoes applied.
    /// A spelling whose own key is `k` wins over one found by its joined words (`CICD` is a
    /// spelling of its own, and `CI/CD` is also found as `cicd`), then the better source.
    fn named_by(&self, k: &str) -> Vec<(String, Spelling)> {
        let mut found: Vec<(String, Spelling)> = Vec::new();
        let user = self
            .user
            .into_iter()
            .flat_map(|u| u.lookup(k))
            .map(|(c, s)| (c.id.clone(), s.clone()));
        let order = |s: &Spelling| (key(&s.term.text) != k, s.source.rank());
        for (id, spelling) in user.chain(self.shipped.lookup(k)) {
            if self.vetoed(&id, k) || self.vetoed(&id, &key(&spelling.term.text)) {
                continue;
            }
            match found.iter_mut().find(|(kept_id, _)| *kept_id == id) {
                Some((_, kept)) if order(&spelling) < order(kept) => *kept = spelling,
                Some(_) => {}
                None => found.push((id, spelling)),
            }
        }
        found
    }

    /// The concepts and spelling a typed word names: as typed, else (for an English word) as
    /// its singular or stem (`containers`, `deploying`).
    pub(crate) fn find(&self, k: &str) -> Vec<(String, Spelling)> {
        let found = self.named_by(k);
        if !found.is_empty() {
            return found;
        }
        let bases = if is_latin(k) {
            uninflected(k)
        } else {
            Vec::new()
        };
        for base in &bases {
            let found = self.named_by(base);
            if !found.is_empty() {
                return found;
            }
        }
        // Last, a compound of two loanword parts (troubleshooting, トラブルシューティング): a
        // base form first (datasets is dataset's, not data + sets), and never for a word that
        // shipped data names, even where a veto hides that concept.
        if std::iter::once(k)
            .chain(bases.iter().map(String::as_str))
            .any(|k| !self.shipped.lookup(k).is_empty())
        {
            return Vec::new();
        }
        bases
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(k))
            .find_map(|k| {
                let (id, spelling) = loanwords::compound(k)?;
                (!self.vetoed(&id, k)).then(|| vec![(id, spelling)])
            })
            .unwrap_or_default()
    }

    /// What `word` (a word or a phrase, as typed) matches besides itself, or `None` when it
    /// names no concept with other spellings in force.
    pub fn expand(&self, word: &str, learned: &dyn Learned) -> Option<Expansion> {
        let k = key(word);
        if k.is_empty() {
            return None;
        }
        let named = self.find(&k);
        // The typed spelling keeps the flags the data gives it (ログ keeps its not_in). Found
        // through its joined words or an inflection (`githubactions`, `containers`), it is
        // matched as typed, and the data's spelling is one of the others: a talk that writes
        // it as typed ranks first.
        let typed = named
            .iter()
            .map(|(_, s)| s)
            .min_by_key(|s| (key(&s.term.text) != k, s.source.rank()))
            .map(|s| Term {
                text: if key(&s.term.text) == k {
                    s.term.text.clone()
                } else {
                    word.trim().to_owned()
                },
                flags: s.term.flags.clone(),
            })
            .unwrap_or_else(|| Term::plain(word.trim()));
        let typed_key = key(&typed.text);
        let mut spellings: Vec<Spelling> = Vec::new();
        let mut concepts = Vec::new();
        for (id, spelling) in &named {
            if !spelling.term.flags.expand_from {
                continue;
            }
            concepts.push(id.clone());
            for s in self.spellings_of(id) {
                let sk = key(&s.term.text);
                if sk == typed_key {
                    continue;
                }
                if !s.term.flags.expand_to || self.split(&k, &sk) || self.split(&typed_key, &sk) {
                    continue;
                }
                merge_spelling(&mut spellings, s);
            }
        }
        // Learned pairs of the typed word and of every spelling found so far (one step).
        let mut sources: Vec<String> = vec![k.clone()];
        if typed_key != k {
            sources.push(typed_key.clone());
        }
        sources.extend(spellings.iter().map(|s| key(&s.term.text)));
        let known: HashSet<String> = sources.iter().cloned().collect();
        for source in &sources {
            for (partner, talks) in learned.partners(source) {
                if known.contains(&partner)
                    || self.split(source, &partner)
                    || self.split(&k, &partner)
                    || self
                        .vetoes()
                        .is_some_and(|v| v.removes_everywhere(&partner))
                {
                    continue;
                }
                let mut spelling = Spelling::new(Term::plain(partner.clone()), Source::Learned);
                spelling.talks = Some(talks);
                merge_spelling(&mut spellings, spelling);
                if concepts.is_empty() {
                    concepts.push(format!("learned:{k}"));
                }
            }
        }
        if spellings.is_empty() {
            return None;
        }
        spellings.sort_by_key(|s| s.source.rank());
        // The typed spelling's source is where its flags came from, if anywhere.
        let mut typed_spelling = Spelling::new(typed, Source::Typed);
        if let Some((_, s)) = named
            .iter()
            .min_by_key(|(_, s)| (key(&s.term.text) != k, s.source.rank()))
        {
            typed_spelling.source = s.source;
            typed_spelling.line = s.line;
        }
        let mut all = vec![Expanded {
            spelling: typed_spelling,
            typed: true,
        }];
        all.extend(spellings.into_iter().map(|spelling| Expanded {
            spelling,
            typed: false,
        }));
        Some(Expansion {
            word: word.trim().to_owned(),
            concepts,
            spellings: all,
            hidden: Vec::new(),
        })
    }

    /// Whether `words` (typed one after another) name a concept together, so they are
    /// matched as one phrase: `Infrastructure as Code`, `service mesh`.
    pub fn names_phrase(&self, words: &str, learned: &dyn Learned) -> bool {
        let k = key(words);
        k.contains(' ') && self.expand(words, learned).is_some()
    }

    /// Every concept in force, for `tn concepts`: the glossary's, the user's, and (when
    /// `loanwords`) the loanword pairs; vetoes applied, concepts left with one spelling
    /// dropped.
    pub fn all(&self, loanwords: bool) -> Vec<Concept> {
        let mut ids: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let user = self.user.map(|u| u.concepts.as_slice()).unwrap_or_default();
        let glossary = self
            .shipped
            .glossary
            .iter()
            .chain(user)
            .map(|c| c.id.clone());
        let loanword_ids = if loanwords {
            self.shipped.loanword_ids()
        } else {
            Vec::new()
        };
        for id in glossary.chain(loanword_ids) {
            if seen.insert(id.clone()) {
                ids.push(id);
            }
        }
        ids.into_iter()
            .filter_map(|id| {
                let spellings = self.spellings_of(&id);
                let note = self.shipped.note(&id);
                (spellings.len() > 1).then_some(Concept {
                    id,
                    spellings,
                    note,
                })
            })
            .collect()
    }
}

/// Adds `spelling` unless one with the same key is there; of two, the better source stays.
fn merge_spelling(into: &mut Vec<Spelling>, spelling: Spelling) {
    let k = key(&spelling.term.text);
    match into.iter_mut().find(|s| key(&s.term.text) == k) {
        Some(kept) if spelling.source.rank() < kept.source.rank() => *kept = spelling,
        Some(_) => {}
        None => into.push(spelling),
    }
}

/// The forms an inflected English word may come from: `containers` → `container`,
/// `deploying` → `deploy`, `upgraded` → `upgrade`, `policies` → `policy`, `debugging` →
/// `debug`. Only the last word of a phrase.
fn uninflected(k: &str) -> Vec<String> {
    let (head, last) = match k.rsplit_once(' ') {
        Some((head, last)) => (format!("{head} "), last),
        None => (String::new(), k),
    };
    let mut out = Vec::new();
    for suffix in ["s", "es", "ing", "ed"] {
        if let Some(stem) = last.strip_suffix(suffix)
            && stem.len() >= 3
        {
            out.push(format!("{head}{stem}"));
            if suffix != "s" {
                out.push(format!("{head}{stem}e"));
                // A doubled final consonant: debugg(ing), as `matcher::inflections` doubles it.
                let b = stem.as_bytes();
                if let Some(single) = stem.get(..stem.len() - 1)
                    && b[b.len() - 1] == b[b.len() - 2]
                    && matcher::doubles_its_last_letter(single)
                {
                    out.push(format!("{head}{single}"));
                }
            }
        }
    }
    for suffix in ["ies", "ied"] {
        if let Some(stem) = last.strip_suffix(suffix)
            && stem.len() >= 3
        {
            out.push(format!("{head}{stem}y"));
        }
    }
    out
}

/// Summary counts of the shipped data, for `tn concepts`.
pub fn shipped_counts() -> BTreeMap<&'static str, usize> {
    let shipped = Shipped::get();
    let mut counts = BTreeMap::new();
    counts.insert("glossary concepts", shipped.glossary.len());
    counts.insert("loanword concepts", shipped.loanword_ids().len());
    counts.insert("loanword pairs", shipped.loanwords.len());
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_english_words_find_their_concept() {
        let shipped = Shipped::get();
        let thesaurus = Thesaurus::new(shipped, None);
        let ids = |word: &str| -> Vec<String> {
            thesaurus
                .find(&key(word))
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        };
        // A doubled consonant and -ies, which the plain suffixes missed.
        assert_eq!(ids("debugging"), ids("debug"));
        assert_eq!(ids("debugged"), ids("debug"));
        assert!(!ids("debug").is_empty());
        assert_eq!(ids("policies"), ids("policy"));
        assert!(!ids("policy").is_empty());
        // The regular ones still.
        assert!(!ids("deploy").is_empty() && !ids("container").is_empty());
        assert_eq!(ids("deploying"), ids("deploy"));
        assert_eq!(ids("containers"), ids("container"));
        // Every other source comes before a compound of loanword parts: dashboard is a
        // loanword of its own, and a veto of a glossary concept does not let a compound in.
        assert!(!ids("dashboard").is_empty());
        assert!(
            ids("dashboard")
                .iter()
                .all(|id| !id.starts_with("compound:"))
        );
        assert_eq!(ids("troubleshooting"), ["compound:trouble shooting"]);
        // Words that end doubled already are not cut.
        assert_eq!(uninflected("installing"), ["install", "installe"]);
        assert_eq!(uninflected("passed"), ["pass", "passe"]);
    }

    #[test]
    fn keys_compare_spellings_the_way_search_does() {
        assert_eq!(key("CI/CD"), "ci cd");
        assert_eq!(key("Multi-Cloud"), key("multi cloud"));
        assert_eq!(key("サーバー"), key("サーバ"));
        assert_eq!(key("ＫＵＢＥＲＮＥＴＥＳ"), "kubernetes");
        assert_eq!(key("生成 AI"), key("生成AI"));
        assert_eq!(
            key("Kubernetes セキュリティ"),
            key("Kubernetesセキュリティ")
        );
        assert_eq!(key("  Infrastructure   as Code "), "infrastructure as code");
        assert_eq!(joined_key("service mesh").as_deref(), Some("servicemesh"));
        assert_eq!(joined_key("k8s"), None);
        assert_eq!(key("C++"), "c++");
    }

    #[test]
    fn scripts_are_read_from_characters() {
        assert!(is_latin("Infrastructure as Code"));
        assert!(is_latin("CI/CD"));
        assert!(!is_latin("生成AI"));
        assert!(!is_latin("コンテナ"));
        assert!(!is_latin("--"));
    }

    #[test]
    fn a_word_expands_to_the_other_spellings_of_its_concept() {
        let t = Thesaurus::shipped();
        let e = t
            .expand("container", &NothingLearned)
            .expect("container is a concept");
        assert!(e.spellings[0].typed);
        assert_eq!(e.concepts[0], "container");
        let others: Vec<&str> = e.others().map(|s| s.spelling.term.text.as_str()).collect();
        assert!(others.contains(&"コンテナ"), "{others:?}");
        // Loanwords weigh below the glossary, so they come after it.
        let sources: Vec<Source> = e.others().map(|s| s.spelling.source).collect();
        let mut sorted = sources.clone();
        sorted.sort_by_key(|s| s.rank());
        assert_eq!(sources, sorted);

        let e = t.expand("o11y", &NothingLearned).expect("o11y");
        let others: Vec<&str> = e.others().map(|s| s.spelling.term.text.as_str()).collect();
        for s in ["Observability", "オブザーバビリティ", "可観測性"] {
            assert!(others.contains(&s), "{s} in {others:?}");
        }
        // A spelling of its own wins over one whose joined words read the same.
        let e = t.expand("CICD", &NothingLearned).expect("CICD");
        assert_eq!(e.spellings[0].spelling.term.text, "CICD");
        assert!(e.others().any(|s| s.spelling.term.text == "CI/CD"));
        // Found through its joined words, a word is matched as typed, and the data's
        // spelling is another.
        let e = t.expand("githubactions", &NothingLearned).expect("joined");
        assert_eq!(e.spellings[0].spelling.term.text, "githubactions");
        assert!(e.others().any(|s| s.spelling.term.text == "GitHub Actions"));
        // Inflected English finds its concept.
        assert!(t.expand("containers", &NothingLearned).is_some());
        assert!(t.expand("サーバーレス", &NothingLearned).is_some());
        // Unknown words have no expansion.
        assert!(t.expand("忖度", &NothingLearned).is_none());
    }

    #[test]
    fn flags_of_the_data_apply_to_the_typed_spelling_and_expand_to_is_respected() {
        let t = Thesaurus::shipped();
        let e = t.expand("ログ", &NothingLearned).expect("ログ");
        assert!(
            e.spellings[0]
                .spelling
                .term
                .flags
                .not_in
                .contains(&"ブログ".to_owned())
        );
        // Node is not expanded to (it also names Node.js), but typing it expands.
        let e = t.expand("ノード", &NothingLearned).expect("ノード");
        assert!(e.others().all(|s| s.spelling.term.text != "Node"));
        let e = t.expand("node", &NothingLearned).expect("node");
        assert!(e.others().any(|s| s.spelling.term.text == "ノード"));
    }

    #[test]
    fn learned_partners_join_the_expansion() {
        struct Pairs;
        impl Learned for Pairs {
            fn partners(&self, key: &str) -> Vec<(String, u64)> {
                match key {
                    "内製" => vec![("in house development".into(), 3)],
                    "observability" => vec![("観測可能性".into(), 2)],
                    _ => Vec::new(),
                }
            }
        }
        let t = Thesaurus::shipped();
        let e = t.expand("内製", &Pairs).expect("learned only");
        assert_eq!(e.spellings[1].spelling.source, Source::Learned);
        assert_eq!(e.spellings[1].spelling.talks, Some(3));
        // A partner of another spelling of the concept counts too (one step).
        let e = t.expand("オブザーバビリティ", &Pairs).expect("o11y");
        assert!(e.others().any(|s| s.spelling.term.text == "観測可能性"));
    }
}
