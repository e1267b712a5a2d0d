//! A talk's life around its event: star before it (`tn star`, `tn agenda`, `--ics`), attend
//! during it (`tn now` prefers starred talks, a takeaway marks a talk attended), watch and
//! rate after it (`tn watch-later`, `tn queue`, `tn rate`), and find talks by all of it
//! (`status:`, `rating:`, `sort:rating`, `tn list --status/--min-rating/--sort`).

use std::path::PathBuf;

use icalendar::Component;
use serde_json::Value;
use talknotes::note::{LinkKind, Rating, TalkStatus};

use crate::common::{Kb, stderr, stdout};

fn fixture_path(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/schedules")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

const VPA: &str = "cnds2026/kubernetes-no-risosu-saiteki-ka-wo-jidou-ka-suru-2701";
const OAC: &str = "cnds2026/observability-as-code-grafana-to-opentelemetry-2702";
const SECRET: &str = "cnds2026/zerotorasuto-jidai-no-kubernetes-secret-kanri-2704";
const TENANT: &str = "cnds2026/building-a-multi-tenant-platform-on-cluster-api-2705";

/// CloudNative Days Summer 2026 from its Dreamkast files.
fn cnds() -> Kb {
    let kb = Kb::new();
    kb.ok(&[
        "import",
        &fixture_path("dreamkast-talks.json"),
        &fixture_path("dreamkast-speakers.json"),
        &fixture_path("dreamkast-events.json"),
        &fixture_path("dreamkast-tracks.json"),
    ]);
    kb
}

fn talk(kb: &Kb, id: &str) -> talknotes::note::Talk {
    let (event, talk) = id.split_once('/').unwrap();
    kb.talk(event, talk)
}

fn ids_of(out: &std::process::Output) -> Vec<String> {
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn statuses_and_ratings_are_set_cleared_and_follow_takeaways() {
    let kb = cnds();
    let out = kb.ok(&["star", VPA, OAC]);
    assert!(
        stderr(&out).contains(&format!("{VPA}: planned")),
        "{}",
        stderr(&out)
    );
    assert_eq!(talk(&kb, OAC).status, Some(TalkStatus::Planned));
    // Writing a takeaway in a starred talk means being there.
    kb.ok(&["jot", "--talk", VPA, "--at", "11:05", "VPA は下限だけ使う"]);
    assert_eq!(talk(&kb, VPA).status, Some(TalkStatus::Attended));
    // A talk marked for later stays so while notes are taken from the recording.
    kb.ok(&["watch-later", SECRET]);
    kb.ok(&[
        "jot",
        "--talk",
        SECRET,
        "--at",
        "20:00",
        "ESO の refreshInterval",
    ]);
    assert_eq!(talk(&kb, SECRET).status, Some(TalkStatus::ToWatch));
    kb.ok(&["mark", "watched", SECRET]);
    assert_eq!(talk(&kb, SECRET).status, Some(TalkStatus::Watched));
    // The current talk by default.
    kb.ok(&["current", TENANT]);
    kb.ok(&["attend"]);
    assert_eq!(talk(&kb, TENANT).status, Some(TalkStatus::Attended));
    kb.ok(&["rate", "4"]);
    kb.ok(&["rate", "5", VPA, SECRET]);
    assert_eq!(talk(&kb, VPA).rating, Rating::new(5));
    assert_eq!(talk(&kb, TENANT).rating, Rating::new(4));

    // Taking a star away leaves other statuses alone.
    kb.ok(&["star", "--off", OAC, VPA]);
    assert_eq!(talk(&kb, OAC).status, None);
    assert_eq!(talk(&kb, VPA).status, Some(TalkStatus::Attended));
    kb.ok(&["mark", "none", TENANT]);
    kb.ok(&["rate", "--clear", TENANT]);
    let tenant = talk(&kb, TENANT);
    assert_eq!((tenant.status, tenant.rating), (None, None));

    // Mistakes are the command line's.
    let out = kb.fails(&["rate", "6", VPA]);
    assert!(stderr(&out).contains("use 1 to 5"), "{}", stderr(&out));
    let out = kb.fails_with(&["mark", "maybe", VPA], 2);
    assert!(stderr(&out).contains("to-watch"), "{}", stderr(&out));
    let out = kb.fails(&["star", "cnds2026/nope"]);
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));

    // `tn show` says it; JSON carries it.
    let shown = stdout(&kb.ok(&["show", VPA]));
    assert!(shown.contains("status     attended"), "{shown}");
    assert!(shown.contains("rating     ★★★★★"), "{shown}");
    let row: Value = serde_json::from_slice(&kb.ok(&["show", VPA, "--json"]).stdout).unwrap();
    assert_eq!(row["status"], "attended");
    assert_eq!(row["rating"], 5);
    assert_eq!(row["source"]["schedule"], "dreamkast");
    kb.ok(&["check"]);
}

#[test]
fn status_and_rating_filter_and_sort_searches_and_lists() {
    let kb = cnds();
    kb.ok(&["star", OAC, SECRET]);
    kb.ok(&["mark", "watched", VPA]);
    kb.ok(&["mark", "to-watch", TENANT]);
    kb.ok(&["rate", "3", OAC]);
    kb.ok(&["rate", "5", SECRET]);
    kb.ok(&["rate", "4", VPA]);

    let search = |query: &str| ids_of(&kb.ok(&["search", "--json", "-n", "50", query]));
    let mut starred = search("status:planned");
    starred.sort();
    assert_eq!(starred, [OAC, SECRET]);
    assert_eq!(search("status:starred"), search("status:planned"));
    assert_eq!(
        search("status:to"),
        [TENANT],
        "a unique prefix while typing"
    );
    assert_eq!(search("status:none"), Vec::<String>::new());
    assert_eq!(search("rating:>=4 sort:rating"), [SECRET, VPA]);
    assert_eq!(search("rating:4"), [VPA]);
    assert_eq!(search("rating:<4"), [OAC], "unrated talks are not below 4");
    assert_eq!(search("sort:rating"), [SECRET, VPA, OAC, TENANT]);
    assert_eq!(search("Kubernetes sort:rating"), [SECRET, VPA]);
    assert_eq!(
        ids_of(&kb.ok(&["search", "--json", "--sort", "rating", "status:planned"])),
        [SECRET, OAC]
    );
    assert_eq!(search("sort:rating -status:planned"), [VPA, TENANT]);
    // A typo matches nothing (it used to be dropped, listing every talk), and says why.
    let out = kb.ok(&["search", "status:maybe", "Kubernetes"]);
    assert!(
        stderr(&out).contains("no talk matches `status:maybe`: write planned"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "", "no talk listed");
    let out = kb.ok(&["search", "rating:9"]);
    assert!(
        stderr(&out).contains("no talk matches `rating:9`"),
        "{}",
        stderr(&out)
    );
    let hits: Vec<Value> =
        serde_json::from_slice(&kb.ok(&["search", "--json", "status:watched"]).stdout).unwrap();
    assert_eq!(hits[0]["status"], "watched");
    assert_eq!(hits[0]["rating"], 4);
    let text = stdout(&kb.ok(&["search", "status:watched"]));
    assert!(text.contains("· watched ★★★★☆"), "{text}");

    let list = |args: &[&str]| {
        let mut all = vec!["list", "--json"];
        all.extend_from_slice(args);
        ids_of(&kb.ok(&all))
    };
    assert_eq!(list(&["--status", "planned"]), [OAC, SECRET]);
    assert_eq!(list(&["--min-rating", "4"]), [VPA, SECRET]);
    assert_eq!(list(&["--sort", "rating"]), [SECRET, VPA, OAC, TENANT]);
    let table = stdout(&kb.ok(&["list", "--sort", "rating", "--event", "cnds2026"]));
    let first = table.lines().next().unwrap();
    assert!(
        first.starts_with(SECRET) && first.contains("planned ★★★★★"),
        "{table}"
    );
    kb.fails_with(&["list", "--min-rating", "0"], 2);
}

/// Checks `text` is an iCalendar file as RFC 5545 wants it, parses it back with the
/// `icalendar` crate, and returns (UID, SUMMARY, DTSTART, DTEND) of each event.
fn parse_ics(text: &str) -> Vec<(String, String, String, String)> {
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.ends_with("END:VCALENDAR\r\n"), "{text}");
    for line in text.split_inclusive('\n') {
        assert!(line.ends_with("\r\n"), "a line without CRLF: {line:?}");
        assert!(line.len() <= 77, "a line over 75 octets: {line:?}");
    }
    assert!(
        !text.contains("TZID="),
        "times are UTC, with no VTIMEZONE to need"
    );
    assert!(text.contains("\r\nVERSION:2.0\r\n") && text.contains("\r\nPRODID:"));
    let unfolded = text.replace("\r\n ", "");
    for event in unfolded.split("BEGIN:VEVENT").skip(1) {
        let event = event.split("END:VEVENT").next().unwrap();
        for property in ["\r\nUID:", "\r\nDTSTAMP:", "\r\nDTSTART"] {
            assert!(event.contains(property), "{property} missing in {event}");
        }
    }
    let calendar: icalendar::Calendar = text.parse().expect("the agenda parses back");
    calendar
        .events()
        .map(|e| {
            let time = |p: &str| e.property_value(p).unwrap_or_default().to_owned();
            (
                e.get_uid().unwrap().to_owned(),
                e.get_summary().unwrap().to_owned(),
                time("DTSTART"),
                time("DTEND"),
            )
        })
        .collect()
}

#[test]
fn the_agenda_marks_clashes_and_exports_a_valid_calendar() {
    let kb = cnds();
    let out = kb.ok(&["agenda"]);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("no starred talks"),
        "{}",
        stderr(&out)
    );

    kb.ok(&["star", VPA, OAC, SECRET]);
    let out = kb.ok(&["agenda"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "CloudNative Days Summer 2026  cnds2026", "{text}");
    assert_eq!(lines[1], "2026-06-11 (Thu)", "{text}");
    assert!(
        lines[2].starts_with(&format!("  {VPA}  11:00–11:40  planned  A  "))
            && lines[2].ends_with(&format!("! clashes with {OAC}")),
        "{text}"
    );
    assert!(
        lines[3].ends_with(&format!("! clashes with {VPA}")),
        "{text}"
    );
    assert_eq!(lines[4], "2026-06-12 (Fri)", "{text}");
    assert!(
        lines[5].starts_with(&format!("  {SECRET}  13:20–14:00")),
        "{text}"
    );
    assert!(!lines[5].contains("clashes"), "{text}");
    assert!(stderr(&out).contains("2 talk(s) clash"), "{}", stderr(&out));
    // Attending one keeps it on the day; another event's agenda is asked by name.
    kb.ok(&["jot", "--talk", VPA, "--at", "11:02", "メモ"]);
    let text = stdout(&kb.ok(&["agenda", "cnds2026"]));
    assert!(
        text.contains(&format!("{VPA}  11:00–11:40  attended")),
        "{text}"
    );
    kb.fails(&["agenda", "nope"]);

    let out = kb
        .tn()
        .args(["agenda", "--ics"])
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let ics = stdout(&out);
    let events = parse_ics(&ics);
    assert_eq!(events.len(), 3, "{ics}");
    // Tokyo wall clock as UTC instants; a stable UID and the given DTSTAMP.
    assert_eq!(
        events[0],
        (
            format!("{VPA}@talknotes"),
            "Kubernetesのリソース最適化を自動化する: VPAとKarpenterの組み合わせ実践".to_owned(),
            "20260611T020000Z".to_owned(),
            "20260611T024000Z".to_owned(),
        )
    );
    assert_eq!(events[2].2, "20260612T042000Z");
    assert!(ics.contains("DTSTAMP:20260528T202640Z"), "{ics}");
    assert!(ics.contains("LOCATION:A\r\n"), "{ics}");
    assert!(
        ics.replace("\r\n ", "")
            .contains("URL:https://event.cloudnativedays.jp/cnds2026/talks/2701"),
        "{ics}"
    );
    // The same through -o, written whole.
    let file = kb.base.join("agenda.ics");
    kb.tn()
        .args(["agenda", "--ics", "-o", file.to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ics);
}

#[test]
fn a_talk_without_a_time_is_a_whole_day_and_text_is_escaped() {
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "Hallway; track, and more \u{1b}[31m",
        "--id",
        "hallway",
        "--date",
        "2024-06-01",
        "--no-edit",
    ]);
    kb.ok(&["star"]);
    let ics = stdout(&kb.ok(&["agenda", "--ics"]));
    assert!(
        !ics.contains('\u{1b}'),
        "a control character reached the file"
    );
    let events = parse_ics(&ics);
    assert_eq!(events[0].1, "Hallway; track, and more \\u{1b}[31m");
    assert_eq!(
        (events[0].2.as_str(), events[0].3.as_str()),
        ("20240601", "20240602")
    );
    assert!(
        ics.contains("SUMMARY:Hallway\\; track\\, and more \\\\u{1b}[31m\r\n"),
        "{ics}"
    );
    assert!(ics.contains("DTSTART;VALUE=DATE:20240601"), "{ics}");
}

#[test]
fn now_prefers_starred_talks_and_picks_one() {
    let kb = cnds();
    kb.ok(&["star", OAC]);
    let out = kb.ok(&["now", "--at", "2026-06-11 10:50"]);
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(OAC) && first.contains("starred"),
        "{text}"
    );
    let out = kb.ok(&["now", "--at", "2026-06-11 10:50", "--pick"]);
    assert!(
        stderr(&out).contains(&format!("current talk: {OAC}")),
        "{}",
        stderr(&out)
    );
    // In a room, the room comes first.
    let out = kb.ok(&["now", "--at", "2026-06-11 10:50", "--room", "A", "--pick"]);
    assert!(
        stderr(&out).contains(&format!("current talk: {VPA}")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_queue_lists_talks_to_watch_with_recordings_first() {
    let kb = cnds();
    let out = kb.ok(&["queue"]);
    assert!(
        stderr(&out).contains("nothing to watch"),
        "{}",
        stderr(&out)
    );
    kb.ok(&["watch-later", VPA, OAC, TENANT]);
    kb.ok(&["mark", "watched", TENANT]);
    let text = stdout(&kb.ok(&["queue"]));
    let order: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(order, [VPA, OAC], "{text}");
    assert!(text.contains("(no recording yet)"), "{text}");
    // The recordings arrive with the updated schedule.
    kb.ok(&[
        "import",
        &fixture_path("dreamkast-talks-updated.json"),
        &fixture_path("dreamkast-events.json"),
    ]);
    let text = stdout(&kb.ok(&["queue"]));
    assert!(text.contains("https://vimeo.com/1089654321"), "{text}");
    assert!(text.contains("playlist.m3u8"), "{text}");
    assert!(!text.contains("no recording"), "{text}");
}

#[test]
fn a_link_added_by_hand_gets_the_kind_its_url_tells() {
    let kb = Kb::with_event();
    kb.ok(&["new", "Talk", "--id", "t", "--no-edit"]);
    kb.ok(&["link", "https://speakerdeck.com/someone/talk", "スライド"]);
    kb.ok(&["link", "https://www.youtube.com/watch?v=abc"]);
    kb.ok(&["link", "https://example.com/blog"]);
    kb.ok(&["link", "https://example.com/recording", "--kind", "video"]);
    let kinds: Vec<Option<LinkKind>> = kb.talk("ev", "t").links.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            Some(LinkKind::Slides),
            Some(LinkKind::Video),
            None,
            Some(LinkKind::Video)
        ]
    );
    let shown = stdout(&kb.ok(&["show", "ev/t"]));
    assert!(
        shown.contains("slides  スライド  https://speakerdeck.com/someone/talk"),
        "{shown}"
    );
}
