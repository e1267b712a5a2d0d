//! talknotes: a terminal knowledge base of conference-talk notes.
//!
//! Data flows one way: note files (`store`, RON) → model (`note`) → search index (`analysis`,
//! `schema`, `index`) → queries (`query`, `snippet`) → the command line (`cli`, `commands`).
//! Capturing (`capture`) and import/export (`interchange`) write through `store`. The note
//! files are the only source of truth; everything else is derived from them.

pub mod analysis;
pub mod author;
pub mod cache_dir;
pub mod capture;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod display;
pub mod editor;
pub mod error;
pub mod export;
pub mod git;
pub mod guard;
pub mod import;
pub mod index;
pub mod interchange;
pub mod merge;
pub mod note;
pub mod now;
pub mod query;
pub mod registry;
pub mod regular_file;
pub mod schema;
pub mod slug;
pub mod snippet;
pub mod store;
pub mod sync;
pub mod tui;
