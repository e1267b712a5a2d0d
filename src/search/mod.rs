//! Search: how note text is analysed, indexed and queried.
//!
//! `analysis` turns text into terms (dictionary words and CJK bigrams), `schema` names the
//! index fields, `index` keeps the tantivy index in step with the note files (in the
//! directory `cache_dir` provides), `query` parses what a user typed and ranks hits, and
//! `snippet` cuts and highlights the text shown with each hit.

pub mod analysis;
pub mod cache_dir;
pub mod index;
pub mod query;
pub mod schema;
pub mod snippet;
