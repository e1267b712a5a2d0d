//! The integration tests of `tn`, as one test binary: every test binary links the embedded
//! dictionary, so the modules live in tests/it/ and are declared here.

#[path = "it/common.rs"]
mod common;

#[path = "it/browse.rs"]
mod browse;
#[path = "it/capture.rs"]
mod capture;
#[path = "it/check.rs"]
mod check;
#[path = "it/cli_basic.rs"]
mod cli_basic;
#[path = "it/concept_quality.rs"]
mod concept_quality;
#[path = "it/concepts.rs"]
mod concepts;
#[path = "it/concurrency.rs"]
mod concurrency;
#[path = "it/crash.rs"]
mod crash;
#[path = "it/export_recap.rs"]
mod export_recap;
#[path = "it/fuzz.rs"]
mod fuzz;
#[path = "it/hangs.rs"]
mod hangs;
#[path = "it/hostile.rs"]
mod hostile;
#[path = "it/import_export.rs"]
mod import_export;
#[path = "it/import_schedule.rs"]
mod import_schedule;
#[path = "it/lifecycle.rs"]
mod lifecycle;
#[path = "it/new_talk.rs"]
mod new_talk;
#[path = "it/outside.rs"]
mod outside;
#[path = "it/props.rs"]
mod props;
#[path = "it/publish.rs"]
mod publish;
#[path = "it/races.rs"]
mod races;
#[path = "it/safety.rs"]
mod safety;
#[path = "it/schedules.rs"]
mod schedules;
#[path = "it/search.rs"]
mod search;
#[path = "it/search_quality.rs"]
mod search_quality;
#[path = "it/team.rs"]
mod team;
#[path = "it/tui.rs"]
mod tui;
