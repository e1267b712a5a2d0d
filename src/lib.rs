//! talknotes: a terminal knowledge base of conference-talk notes.
//!
//! Data flows one way: note files (`store`, RON) → model (`note`) → search index (`analysis`,
//! `schema`, `index`) → queries (`query`, `snippet`) → the command line (`cli`, `commands`).
//! Capturing (`capture`) and import/export (`interchange`) write through `store`. The note
//! files are the only source of truth; everything else is derived from them.

pub mod capture;
pub mod cli;
pub mod display;
pub mod editor;
pub mod error;
pub mod export;
pub mod guard;
pub mod import;
pub mod interchange;
pub mod note;
pub mod now;
pub mod present;
pub mod registry;
pub mod search;
pub mod slug;
pub mod store;
pub mod tui;
