//! talknotes: a terminal knowledge base of conference-talk notes.
//!
//! Data flows one way: note files (`store`, RON) → model (`note`) → commands (`capture`,
//! `interchange`) → the command line (`cli`, `commands`). The note files are the only source
//! of truth; everything else is derived from them.

pub mod analysis;
pub mod capture;
pub mod cli;
pub mod commands;
pub mod display;
pub mod editor;
pub mod error;
pub mod interchange;
pub mod note;
pub mod slug;
pub mod store;
