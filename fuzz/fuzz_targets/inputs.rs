#![no_main]
//! Every reader of outside text, the first byte choosing which: the RON note reader (talk and
//! event), the interchange JSON importer, the frab/pretalx, Sessionize, Sched (iCalendar) and
//! Dreamkast schedule importers, the Markdown recap importer and the query parser. Any panic
//! is a bug; errors are fine.

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use talknotes::import::{self, recap, schedule};
use talknotes::note::{Event, Talk};
use talknotes::store::codec;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let json = Path::new("fuzz.json");
    match which % 9 {
        0 => drop(codec::parse::<Talk>(Path::new("t.ron"), rest, "t")),
        1 => drop(codec::parse::<Event>(Path::new("event.ron"), rest, "ev")),
        2 => drop(talknotes::interchange::from_json(json, &text)),
        3 => drop(schedule::parse_frab(json, &text)),
        4 => drop(schedule::parse_sessionize(json, &text)),
        5 => {
            import::detect(Path::new("fuzz.md"), rest);
            drop(recap::parse(Path::new("fuzz.md"), &text));
        }
        6 => drop(schedule::parse_sched(Path::new("fuzz.ics"), rest, None)),
        7 => drop(schedule::parse_dreamkast(&schedule::DreamkastFiles {
            talks: Some((json, &text)),
            ..Default::default()
        })),
        _ => drop(talknotes::search::query::parse(&text, which & 0x80 != 0)),
    }
});
