//! KubeCon (Sched iCalendar) and CloudNative Days (Dreamkast) schedules: imports from files
//! and from URLs (a server on 127.0.0.1 started by the test), re-imports after the event that
//! add slides and recordings, rejected inputs, and what a note's source protects (issue 18,
//! item 2).
//!
//! The fixtures in tests/data/schedules/ are invented: a Sched feed with folding inside
//! Japanese characters, escapes, a TZID with its VTIMEZONE and UTC times, and Dreamkast talks,
//! speakers, events and tracks of a two-day event.

use std::path::PathBuf;

use talknotes::note::{LinkKind, ScheduleKind, TalkKind, TalkStatus};

use crate::common::{Kb, Reply, Server, stderr, stdout};

fn fixture_path(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/schedules")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

const SCHED: &str = "sched-kubecon.ics";
const SCHED_UPDATED: &str = "sched-kubecon-updated.ics";
const EBPF: &str = "ebpf-de-miru-kubernetes-nettowaku-no-uragawa-8e2a7b41c0d9";
const PROMETHEUS: &str = "scaling-prometheus-remote-write-to-50m-series-a91b2c3d4e5f";
const PLATFORM: &str = "purattofuomuenjiniaringu-no-shippaidan-backstage-b5c6d7e8f9a0";
const SUPPLY: &str = "supply-chain-security-for-the-rest-of-us-c7d8e9f0a1b2";
const KEYNOTE: &str = "keynote-welcome-opening-remarks-3c1f6a0e9b2d";

const DK_TALKS: &str = "dreamkast-talks.json";
const DK_UPDATED: &str = "dreamkast-talks-updated.json";
const DK_SPEAKERS: &str = "dreamkast-speakers.json";
const DK_EVENTS: &str = "dreamkast-events.json";
const DK_TRACKS: &str = "dreamkast-tracks.json";
const VPA: &str = "kubernetes-no-risosu-saiteki-ka-wo-jidou-ka-suru-2701";
const OAC: &str = "observability-as-code-grafana-to-opentelemetry-2702";
const SECRET: &str = "zerotorasuto-jidai-no-kubernetes-secret-kanri-2704";

fn talk_files(kb: &Kb, event: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(kb.path(&format!("notes/{event}")))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "event.ron")
        .map(|n| n.trim_end_matches(".ron").to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_sched_feed_becomes_an_event_in_its_own_time_zone() {
    let kb = Kb::new();
    let out = kb.ok(&["import", &fixture_path(SCHED)]);
    assert!(
        stderr(&out).contains("7 created, 0 updated, 0 unchanged, 0 skipped"),
        "{}",
        stderr(&out)
    );
    let event = kb.event("kccncjp2026");
    assert_eq!(event.name, "KubeCon + CloudNativeCon Japan 2026");
    assert_eq!(event.timezone.unwrap().as_str(), "Asia/Tokyo");
    assert_eq!(event.url.as_deref(), Some("https://kccncjp2026.sched.com/"));
    assert_eq!(event.starts_on.unwrap().to_string(), "2026-07-29");
    assert_eq!(event.ends_on.unwrap().to_string(), "2026-07-30");
    assert_eq!(talk_files(&kb, "kccncjp2026").len(), 6);

    // Folded inside Japanese characters, with a TZID.
    let ebpf = kb.talk("kccncjp2026", EBPF);
    assert_eq!(
        ebpf.title,
        "eBPFで見るKubernetesネットワークの裏側: CiliumとNetkitの実測"
    );
    assert_eq!(
        (
            ebpf.start.unwrap().to_string(),
            ebpf.end.unwrap().to_string()
        ),
        ("11:00".into(), "11:30".into())
    );
    assert_eq!(ebpf.language.as_deref(), Some("ja"));
    assert_eq!(ebpf.tags, ["Networking", "Connectivity"]);
    assert_eq!(
        ebpf.track.as_deref(),
        Some("Pacifico Yokohama North, Level 4 | Room 413")
    );
    let speaker = &ebpf.speakers[0];
    assert_eq!(speaker.name, "田中 翔太 (Shota Tanaka)");
    assert_eq!(speaker.affiliation.as_deref(), Some("さくらネット株式会社"));
    assert_eq!(speaker.role.as_deref(), Some("SRE"));
    let summary = ebpf.r#abstract.unwrap();
    assert!(
        summary.contains("対象: CNIの仕組みに興味がある方; 前提知識"),
        "{summary}"
    );
    assert!(!summary.contains("Speakers:"), "{summary}");
    // `\n` is a line break, and no trace of the escapes or the folds is left.
    assert!(summary.contains("紹介します。\n\n対象:"), "{summary:?}");
    assert!(!summary.contains(['\\', '\r']), "{summary:?}");
    let source = ebpf.source.unwrap();
    assert_eq!(source.schedule, ScheduleKind::Sched);
    assert_eq!(source.id, "8e2a7b41c0d94f1aa3b6c7d8e9f01234");
    assert_eq!(
        ebpf.url.as_deref(),
        Some("http://kccncjp2026.sched.com/event/8e2a7b41c0d94f1aa3b6c7d8e9f01234")
    );

    // UTC times are shown in the event's zone (02:30Z is 11:30 in Tokyo).
    let prometheus = kb.talk("kccncjp2026", PROMETHEUS);
    assert_eq!(prometheus.date.unwrap().to_string(), "2026-07-29");
    assert_eq!(prometheus.start.unwrap().to_string(), "11:30");
    assert_eq!(prometheus.end.unwrap().to_string(), "12:00");
    let names: Vec<String> = prometheus
        .speakers
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        names,
        [
            "Priya Raman (Lumen Metrics)",
            "Kenji Arai (Example Cloud KK)"
        ]
    );

    // Escaped `,` and `;` in text and categories.
    let supply = kb.talk("kccncjp2026", SUPPLY);
    assert_eq!(
        supply.title,
        "Supply Chain Security for the Rest of Us: Sigstore, SLSA; and a Policy You Can Read"
    );
    assert_eq!(supply.tags, ["Security + Identity, Policy", "Security"]);
    assert_eq!(supply.speakers[0].name, "Lucía Fernández");
    assert_eq!(supply.speakers[0].role.as_deref(), Some("Maintainer"));
    assert_eq!(kb.talk("kccncjp2026", KEYNOTE).kind, TalkKind::Keynote);
    let lightning = talk_files(&kb, "kccncjp2026")
        .into_iter()
        .find(|id| id.starts_with("lightning-talks"))
        .unwrap();
    let lightning = kb.talk("kccncjp2026", &lightning);
    assert_eq!(lightning.kind, TalkKind::Lightning);
    assert_eq!(lightning.r#abstract, None, "an empty DESCRIPTION");
    kb.ok(&["check"]);

    // Twice: nothing changes.
    let before = kb.snapshot();
    let out = kb.ok(&["import", &fixture_path(SCHED)]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 7 unchanged"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    assert!(kb.snapshot() == before);
}

#[test]
fn the_updated_feed_adds_slides_and_recordings_and_keeps_what_the_user_wrote() {
    let kb = Kb::new();
    kb.ok(&["import", &fixture_path(SCHED)]);
    let target = format!("kccncjp2026/{PROMETHEUS}");
    kb.ok(&[
        "jot",
        "--talk",
        &target,
        "--at",
        "11:40",
        "WAL の再生が重い",
    ]);
    kb.ok(&["tag", "--talk", &target, "prometheus"]);
    kb.ok(&["rate", "4", &target]);
    kb.ok(&[
        "link",
        "--talk",
        &target,
        "https://example.com/blog",
        "感想",
    ]);
    let platform = format!("kccncjp2026/{PLATFORM}");
    kb.ok(&["watch-later", &platform]);
    let mine = kb.talk("kccncjp2026", PROMETHEUS);
    assert_eq!(
        mine.status,
        Some(TalkStatus::Attended),
        "a takeaway attends"
    );

    let out = kb.ok(&["import", "--dry-run", &fixture_path(SCHED_UPDATED)]);
    let plan = stdout(&out);
    for line in [
        format!("would update kccncjp2026/{EBPF} (start 11:00 → 11:30, end 11:30 → 12:00)"),
        format!("would update kccncjp2026/{PROMETHEUS} (links +slides)"),
        format!("would update kccncjp2026/{PLATFORM} (abstract, links +video)"),
        "would create kccncjp2026/opentelemetry-collector-wo-honban-de-1-nen-un-e1f2a3b4c5d6"
            .to_owned(),
    ] {
        assert!(plan.lines().any(|l| l == line), "{line}\nnot in:\n{plan}");
    }

    kb.ok(&["import", &fixture_path(SCHED_UPDATED)]);
    let after = kb.talk("kccncjp2026", PROMETHEUS);
    assert_eq!(after.takeaways, mine.takeaways);
    assert_eq!(after.tags, mine.tags);
    assert_eq!(after.rating, mine.rating);
    assert_eq!(after.status, mine.status);
    assert_eq!(after.links[0], mine.links[0], "the user's link stays first");
    let slides = &after.links[1];
    assert_eq!(slides.kind, Some(LinkKind::Slides));
    assert_eq!(
        slides.url,
        "https://static.sched.com/hosted_files/kccncjp2026/7c/remote-write-50m.pdf"
    );
    let platform = kb.talk("kccncjp2026", PLATFORM);
    assert_eq!(platform.status, Some(TalkStatus::ToWatch));
    assert_eq!(platform.links[0].kind, Some(LinkKind::Video));
    assert_eq!(
        platform.links[0].url,
        "https://www.youtube.com/watch?v=Xk3bT9qLmQ0"
    );
    assert_eq!(
        kb.talk("kccncjp2026", EBPF).start.unwrap().to_string(),
        "11:30"
    );
    // The recording is out: the queue lists it first.
    let out = kb.ok(&["queue"]);
    assert!(
        stdout(&out).starts_with(&format!(
            "kccncjp2026/{PLATFORM}  2026-07-29  プラットフォーム"
        )),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("https://www.youtube.com/watch?v=Xk3bT9qLmQ0"));

    let before = kb.snapshot();
    let out = kb.ok(&["import", &fixture_path(SCHED_UPDATED)]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 8 unchanged"),
        "{}",
        stderr(&out)
    );
    assert!(kb.snapshot() == before);
    kb.ok(&["check"]);
}

/// Imports `bytes` as `name`, expecting one error line naming the file and `place`, and that
/// nothing was written.
fn rejected(kb: &Kb, name: &str, bytes: &[u8], place: &str, message: &str) {
    kb.write(&format!("../{name}"), bytes);
    let file = kb.base.join(name);
    let before = kb.snapshot();
    let out = kb.fails(&["import", file.to_str().unwrap()]);
    let err = stderr(&out);
    let first = err.lines().next().unwrap_or("");
    assert!(
        first.starts_with(&format!("error: {}: {place}: ", file.display())),
        "expected {place:?} in:\n{err}"
    );
    assert!(first.contains(message), "expected {message:?} in:\n{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(kb.snapshot() == before, "a rejected file wrote something");
}

#[test]
fn bad_feeds_are_rejected_with_their_place() {
    let kb = Kb::new();
    rejected(
        &kb,
        "none.ics",
        &fixture("sched-no-events.ics"),
        "line 1",
        "the calendar has no events (no VEVENT)",
    );
    rejected(
        &kb,
        "page.ics",
        b"<!DOCTYPE html><html><body>Sched</body></html>",
        "line 1",
        "not an iCalendar file",
    );
    // A VEVENT closed by the wrong END: the place is the file's own line (after folds).
    let feed = String::from_utf8_lossy(&fixture(SCHED)).into_owned();
    let broken = feed.replacen("END:VEVENT", "END:VTODO", 1);
    let line = broken.split("\r\n").position(|l| l == "END:VTODO").unwrap() + 1;
    kb.write("../broken.ics", broken.as_bytes());
    let out = kb.fails(&["import", kb.base.join("broken.ics").to_str().unwrap()]);
    let err = stderr(&out);
    let said: usize = err
        .split("line ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        said >= line.saturating_sub(12) && said <= line,
        "line {said}, END at {line}:\n{err}"
    );
    // An event without a title.
    let untitled = feed.replacen("SUMMARY:Keynote: Welcome + Opening Remarks\r\n", "", 1);
    rejected(
        &kb,
        "untitled.ics",
        untitled.as_bytes(),
        "line 18 (VEVENT 1).SUMMARY",
        "the event has no title",
    );
    // Not UTF-8 once unfolded.
    let mut latin1 = fixture(SCHED);
    let at = latin1.windows(7).position(|w| w == b"SUMMARY").unwrap() + 8;
    latin1[at] = 0xE9;
    rejected(&kb, "latin1.ics", &latin1, "line 22", "not valid UTF-8");
}

#[test]
fn a_feed_in_utc_without_a_zone_takes_the_zone_given() {
    let kb = Kb::new();
    let feed = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:SRE Day\r\nBEGIN:VEVENT\r\nDTSTART:20260324T160000Z\r\nDTEND:20260324T163000Z\r\nSUMMARY:Welcome\r\nUID:91cce7bfbc34850fb06d3e9f7ebee3c2\r\nURL:http://sreday.sched.com/event/91cce7bfbc34850fb06d3e9f7ebee3c2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    kb.write("../utc.ics", feed);
    let file = kb.base.join("utc.ics");
    // The computer's zone (TZ=UTC here), with a warning that says how to choose.
    let out = kb.ok(&["import", "--dry-run", file.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("the feed names no time zone") && stderr(&out).contains("--timezone"),
        "{}",
        stderr(&out)
    );
    let out = kb.ok(&[
        "import",
        "--timezone",
        "America/Chicago",
        file.to_str().unwrap(),
    ]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let event = kb.event("sreday");
    assert_eq!(event.timezone.unwrap().as_str(), "America/Chicago");
    let id = &talk_files(&kb, "sreday")[0];
    let talk = kb.talk("sreday", id);
    // 16:00Z on 24 March 2026 is 11:00 CDT.
    assert_eq!(talk.start.unwrap().to_string(), "11:00");
    let out = kb.fails_with(&["import", "--timezone", "Mars/Olympus", "x.ics"], 2);
    assert!(
        stderr(&out).contains("not a time zone name"),
        "{}",
        stderr(&out)
    );
}

fn dreamkast_files() -> [String; 4] {
    [DK_TALKS, DK_SPEAKERS, DK_EVENTS, DK_TRACKS].map(fixture_path)
}

/// Regression (new user's trial): the same Dreamkast talks imported again under another
/// `--event` id became a second copy of every session. The import now stops, names the
/// event that has them, and writes nothing.
#[test]
fn a_schedule_already_imported_under_another_event_is_not_copied() {
    let kb = Kb::new();
    let [talks, speakers, events, tracks] = dreamkast_files();
    kb.ok(&["import", &talks, &speakers, &events, &tracks]);
    let before = kb.snapshot();
    let out = kb.fails(&["import", "--event", "mine", &talks, &speakers]);
    let err = stderr(&out);
    assert!(
        err.contains("4 of these sessions are already notes of cnds2026")
            && err.contains("--event cnds2026"),
        "{err}"
    );
    assert_eq!(kb.snapshot(), before, "nothing written");
    assert!(!kb.path("notes/mine").exists());
    // Into the event that has them, the same import updates them as before.
    let out = kb.ok(&["import", "--event", "cnds2026", &talks, &speakers]);
    assert!(stderr(&out).contains("0 created"), "{}", stderr(&out));
}

#[test]
fn dreamkast_talks_speakers_events_and_tracks_import_together() {
    let kb = Kb::new();
    let [talks, speakers, events, tracks] = dreamkast_files();
    let out = kb.ok(&["import", &talks, &speakers, &events, &tracks]);
    assert!(
        stderr(&out).contains("5 created, 0 updated, 0 unchanged"),
        "{}",
        stderr(&out)
    );
    let event = kb.event("cnds2026");
    assert_eq!(event.name, "CloudNative Days Summer 2026");
    assert_eq!(
        (
            event.starts_on.unwrap().to_string(),
            event.ends_on.unwrap().to_string()
        ),
        ("2026-06-11".into(), "2026-06-12".into()),
        "the internal rehearsal day is not the event's"
    );
    assert_eq!(event.timezone.unwrap().as_str(), "Asia/Tokyo");
    assert_eq!(
        event.url.as_deref(),
        Some("https://event.cloudnativedays.jp/cnds2026")
    );
    let ids = talk_files(&kb, "cnds2026");
    assert_eq!(ids.len(), 4, "the intermission is not a talk: {ids:?}");

    let vpa = kb.talk("cnds2026", VPA);
    assert_eq!(
        vpa.title,
        "Kubernetesのリソース最適化を自動化する: VPAとKarpenterの組み合わせ実践"
    );
    assert_eq!(
        vpa.url.as_deref(),
        Some("https://event.cloudnativedays.jp/cnds2026/talks/2701")
    );
    assert_eq!(vpa.date.unwrap().to_string(), "2026-06-11");
    assert_eq!(vpa.start.unwrap().to_string(), "11:00");
    assert_eq!(vpa.end.unwrap().to_string(), "11:40");
    assert_eq!(vpa.track.as_deref(), Some("A"));
    assert_eq!(
        vpa.speakers[0].to_string(),
        "鈴木 海斗 / Kaito Suzuki (株式会社クラウドワークス研究所)",
        "the name in kanji is kept beside the romanised one"
    );
    let found = stdout(&kb.ok(&["search", "--json", "speaker:鈴木"]));
    assert!(
        found.contains(VPA),
        "a Japanese name finds the talk: {found}"
    );
    assert_eq!(vpa.speakers[0].role.as_deref(), Some("SRE"));
    assert_eq!(vpa.tags, ["Platform Engineering", "中級者", "現地登壇"]);
    assert!(
        vpa.r#abstract
            .as_deref()
            .unwrap()
            .contains("紹介します。\n失敗"),
        "CRLF becomes LF"
    );
    assert_eq!(vpa.source.unwrap().schedule, ScheduleKind::Dreamkast);
    assert!(vpa.links.is_empty());
    let secret = kb.talk("cnds2026", SECRET);
    assert_eq!(secret.kind, TalkKind::Sponsor);
    assert_eq!(secret.track.as_deref(), Some("C"));
    assert_eq!(kb.talk("cnds2026", OAC).speakers.len(), 2);
    kb.ok(&["check"]);

    let before = kb.snapshot();
    let out = kb.ok(&["import", &talks, &speakers, &events, &tracks]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 5 unchanged"),
        "{}",
        stderr(&out)
    );
    assert!(kb.snapshot() == before);

    // After the event: slides and recordings, a moved end, a new talk; takeaways stay.
    let target = format!("cnds2026/{VPA}");
    kb.ok(&[
        "jot",
        "--talk",
        &target,
        "--at",
        "11:05",
        "VPA の推奨値は下限に",
    ]);
    kb.ok(&["rate", "5", &target]);
    let mine = kb.talk("cnds2026", VPA);
    let updated = fixture_path(DK_UPDATED);
    let out = kb.ok(&["import", &updated, &speakers, &events, &tracks]);
    let report = stdout(&out);
    for line in [
        format!("updated cnds2026/{VPA} (links +slides +video)"),
        format!("updated cnds2026/{OAC} (links +slides +video)"),
        format!("updated cnds2026/{SECRET} (end 14:00 → 14:10)"),
    ] {
        assert!(
            report.lines().any(|l| l == line),
            "{line}\nnot in:\n{report}"
        );
    }
    assert!(report.contains("created cnds2026/"), "{report}");
    let vpa = kb.talk("cnds2026", VPA);
    assert_eq!(vpa.takeaways, mine.takeaways);
    assert_eq!(vpa.rating, mine.rating);
    assert_eq!(vpa.status, Some(TalkStatus::Attended));
    let links: Vec<(Option<LinkKind>, &str)> =
        vpa.links.iter().map(|l| (l.kind, l.url.as_str())).collect();
    assert_eq!(
        links,
        [
            (
                Some(LinkKind::Slides),
                "https://speakerdeck.com/kaito_suzuki/kubernetes-resource-optimization-vpa-karpenter"
            ),
            (Some(LinkKind::Video), "https://vimeo.com/1089654321"),
        ]
    );
    let oac = kb.talk("cnds2026", OAC);
    assert_eq!(oac.links[1].kind, Some(LinkKind::Video));
    assert!(oac.links[1].url.ends_with("/playlist.m3u8"));
    let out = kb.ok(&["import", &updated, &speakers, &events, &tracks]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 6 unchanged"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_dreamkast_files_name_the_file_and_the_place() {
    let kb = Kb::new();
    let wrong = fixture_path("dreamkast-talks-wrong-shape.json");
    let before = kb.snapshot();
    let out = kb.fails(&["import", &wrong, &fixture_path(DK_SPEAKERS)]);
    let err = stderr(&out);
    // The first wrong field of the first talk (serde reads the object's keys in order).
    assert!(err.starts_with(&format!("error: {wrong}: $[0].")), "{err}");
    assert!(
        err.lines().next().unwrap().contains(": invalid type: "),
        "{err}"
    );
    assert!(err.contains("Dreamkast"), "{err}");
    assert!(kb.snapshot() == before);

    let out = kb.fails(&["import", &fixture_path(DK_SPEAKERS)]);
    assert!(
        stderr(&out).contains("import it together with the talks"),
        "{}",
        stderr(&out)
    );
    // Talks alone name no event: --event, or the events file.
    let out = kb.fails(&["import", &fixture_path(DK_TALKS)]);
    assert!(
        stderr(&out).contains("does not name its event") && stderr(&out).contains("--event"),
        "{}",
        stderr(&out)
    );
    let out = kb.ok(&["import", "--event", "cnds", &fixture_path(DK_TALKS)]);
    assert!(stderr(&out).contains("5 created"), "{}", stderr(&out));
    assert!(kb.snapshot() != before);
}

/// The Sched feed and the Dreamkast API, served on 127.0.0.1.
fn schedule_server() -> Server {
    let events: serde_json::Value = serde_json::from_slice(&fixture(DK_EVENTS)).unwrap();
    let cnds = serde_json::to_vec(&events[1]).unwrap();
    Server::start(vec![
        (
            "/all.ics",
            Reply::ok("text/calendar; charset=utf-8", fixture(SCHED)),
        ),
        ("/old.ics", Reply::redirect("/all.ics")),
        ("/loop.ics", Reply::redirect("/loop.ics")),
        (
            "/api/v1/talks?eventAbbr=cnds2026",
            Reply::ok("application/json", fixture(DK_TALKS)),
        ),
        (
            "/api/v1/speakers?eventAbbr=cnds2026",
            Reply::ok("application/json", fixture(DK_SPEAKERS)),
        ),
        (
            "/api/v1/tracks?eventAbbr=cnds2026",
            Reply::ok("application/json", fixture(DK_TRACKS)),
        ),
        (
            "/api/v1/events/cnds2026",
            Reply::ok("application/json", cnds),
        ),
        (
            "/schedule",
            Reply::ok(
                "text/html; charset=utf-8",
                "<!DOCTYPE html><title>Sched</title>",
            ),
        ),
        (
            "/sneaky.ics",
            Reply::ok("text/calendar", "<html><body>login</body></html>"),
        ),
        (
            "/gone.ics",
            Reply::status(404, "application/json", "{\"message\":\"not found\"}"),
        ),
        (
            "/huge.ics",
            Reply::ok("text/calendar", vec![b'X'; (16 << 20) + 1]),
        ),
    ])
}

#[test]
fn a_url_imports_like_its_file_and_a_dreamkast_url_brings_its_companions() {
    let server = schedule_server();
    let kb = Kb::new();
    let out = kb.ok(&["import", &server.url("/old.ics")]);
    assert!(stderr(&out).contains("7 created"), "{}", stderr(&out));
    assert_eq!(
        kb.talk("kccncjp2026", PROMETHEUS)
            .start
            .unwrap()
            .to_string(),
        "11:30"
    );

    let out = kb.ok(&["import", &server.url("/api/v1/talks?eventAbbr=cnds2026")]);
    assert!(stderr(&out).contains("5 created"), "{}", stderr(&out));
    let requested = server.requests.lock().unwrap().clone();
    for path in [
        "/api/v1/speakers?eventAbbr=cnds2026",
        "/api/v1/tracks?eventAbbr=cnds2026",
        "/api/v1/events/cnds2026",
    ] {
        assert!(requested.iter().any(|r| r == path), "{path}: {requested:?}");
    }
    let vpa = kb.talk("cnds2026", VPA);
    assert_eq!(kb.event("cnds2026").name, "CloudNative Days Summer 2026");
    assert_eq!(vpa.track.as_deref(), Some("A"));
    assert_eq!(vpa.speakers[0].role.as_deref(), Some("SRE"));
    assert_eq!(
        vpa.url.unwrap(),
        server.url("/cnds2026/talks/2701"),
        "pages on the site the schedule came from"
    );
}

#[test]
fn urls_that_answer_errors_or_pages_import_nothing() {
    let server = schedule_server();
    let kb = Kb::new();
    let before = kb.snapshot();
    for (path, says) in [
        ("/gone.ics", "answered 404 Not Found".to_owned()),
        (
            "/schedule",
            "answered an HTML page, not a schedule (content-type text/html; charset=utf-8)"
                .to_owned(),
        ),
        (
            "/sneaky.ics",
            "answered an HTML page, not a schedule".to_owned(),
        ),
        ("/loop.ics", "more than 5 redirects".to_owned()),
        ("/huge.ics", "the answer is larger than 16 MiB".to_owned()),
    ] {
        let url = server.url(path);
        // Together with a good URL: nothing of it is written either.
        let out = kb.fails(&["import", &server.url("/all.ics"), &url]);
        let err = stderr(&out);
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{err}"
        );
        assert!(
            err.contains(&format!("{url} {says}")) || err.contains(&format!("{url}: {says}")),
            "{err}"
        );
        assert!(err.contains("hint:"), "{err}");
    }
    // No network: one line, at once.
    let out = kb.fails(&["import", "https://kccncjp2026.sched.invalid/all.ics"]);
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error: cannot fetch https://kccncjp2026.sched.invalid/all.ics: kccncjp2026.sched.invalid not found (offline?)"
        ),
        "{err}"
    );
    // Nothing listens on a closed port.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let out = kb.fails(&["import", &format!("http://127.0.0.1:{closed}/all.ics")]);
    assert!(
        stderr(&out).contains("refused the connection"),
        "{}",
        stderr(&out)
    );
    assert!(kb.snapshot() == before);
}

#[test]
fn a_url_that_never_finishes_times_out() {
    // A server that accepts and then says nothing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(3));
        drop(stream);
    });
    let kb = Kb::new();
    let out = kb.fails(&[
        "import",
        "--timeout",
        "1",
        &format!("http://127.0.0.1:{port}/all.ics"),
    ]);
    assert!(
        stderr(&out).contains("no complete answer within 1 s"),
        "{}",
        stderr(&out)
    );
    hold.join().unwrap();
}

/// A frab schedule of one session whose id is `id`.
fn frab(id: u32, title: &str) -> String {
    serde_json::json!({
        "schedule": {"conference": {
            "acronym": "conf",
            "title": "Conf",
            "days": [{"date": "2026-05-01", "rooms": {"Room A": [{
                "id": id,
                "title": title,
                "start": "10:00",
                "duration": "00:30",
                "persons": [{"public_name": "Jane Doe"}]
            }]}}]
        }}
    })
    .to_string()
}

#[test]
fn a_first_import_does_not_take_over_a_hand_made_note_whose_id_ends_like_a_session() {
    // Issue 18, item 2: `keynote-2` was updated as frab session 2.
    let kb = Kb::new();
    kb.ok(&["event", "new", "conf", "--name", "Conf"]);
    kb.ok(&["new", "Keynote", "--no-edit"]);
    kb.ok(&["jot", "--at", "09:01", "first keynote"]);
    kb.ok(&["new", "Keynote", "--no-edit"]);
    kb.ok(&["jot", "--at", "09:31", "second keynote"]);
    let mine = kb.talk("conf", "keynote-2");
    kb.write("../frab.json", frab(2, "Opening"));
    let out = kb.ok(&["import", kb.base.join("frab.json").to_str().unwrap()]);
    assert!(!stdout(&out).contains("conf/keynote-2"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("created conf/opening-2"),
        "{}",
        stdout(&out)
    );
    assert_eq!(kb.talk("conf", "keynote-2"), mine);
    assert_eq!(kb.talk("conf", "opening-2").source.unwrap().id, "2");
}

#[test]
fn notes_imported_before_sources_were_recorded_are_still_found() {
    let kb = Kb::new();
    kb.write("../frab.json", frab(7, "Cilium Deep Dive"));
    let file = kb.base.join("frab.json");
    kb.ok(&["import", file.to_str().unwrap()]);
    kb.ok(&[
        "jot",
        "--talk",
        "conf/cilium-deep-dive-7",
        "--at",
        "10:05",
        "eBPF",
    ]);
    // As an older tn wrote it: no source.
    let path = "notes/conf/cilium-deep-dive-7.ron";
    let mut old = kb.talk("conf", "cilium-deep-dive-7");
    old.source = None;
    kb.write(path, talknotes::store::codec::to_ron(&old).unwrap());
    // A hand-made note whose id also ends in -7 is left alone.
    kb.ok(&[
        "new",
        "Lunch 7",
        "--id",
        "lunch-7",
        "--event",
        "conf",
        "--no-edit",
    ]);
    let lunch = kb.talk("conf", "lunch-7");

    // The schedule renamed the session meanwhile.
    kb.write("../frab.json", frab(7, "Cilium Deep Dive (updated)"));
    let out = kb.ok(&["import", file.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("updated conf/cilium-deep-dive-7 (title, source)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(talk_files(&kb, "conf"), ["cilium-deep-dive-7", "lunch-7"]);
    let found = kb.talk("conf", "cilium-deep-dive-7");
    assert_eq!(found.title, "Cilium Deep Dive (updated)");
    assert_eq!(found.takeaways, old.takeaways);
    assert_eq!(found.source.unwrap().id, "7");
    assert_eq!(kb.talk("conf", "lunch-7"), lunch);
}

#[test]
fn pretalx_attachments_and_links_and_sessionize_recordings_arrive_as_typed_links() {
    let kb = Kb::new();
    let mut doc: serde_json::Value =
        serde_json::from_slice(&fixture("pretalx-cnk2025.json")).unwrap();
    kb.write("../pretalx.json", serde_json::to_vec(&doc).unwrap());
    let file = kb.base.join("pretalx.json");
    kb.ok(&["import", file.to_str().unwrap()]);
    let sbom = "5-fun-de-wakaru-sbom-ltk4qs";
    kb.ok(&[
        "jot",
        "--talk",
        &format!("cnk2025/{sbom}"),
        "--at",
        "17:02",
        "SPDX",
    ]);
    let session = doc
        .pointer_mut("/schedule/conference/days/0/rooms/Track B/1")
        .unwrap();
    assert_eq!(session["code"], "LTK4QS");
    session["attachments"] = serde_json::json!([{
        "title": "スライド",
        "url": "https://pretalx.example.org/media/cnk2025/submissions/LTK4QS/resources/sbom.pdf",
        "type": "related"
    }]);
    session["links"] = serde_json::json!([
        {"title": "録画", "url": "https://www.youtube.com/watch?v=abcdEFGhijk", "type": "related"},
        {"title": "ブログ", "url": "https://blog.example.org/sbom", "type": "related"},
        {"title": "bad", "url": "javascript:alert(1)", "type": "related"}
    ]);
    kb.write("../pretalx.json", serde_json::to_vec(&doc).unwrap());
    let out = kb.ok(&["import", file.to_str().unwrap()]);
    assert!(
        stdout(&out).contains(&format!(
            "updated cnk2025/{sbom} (links +slides +video +page)"
        )),
        "{}",
        stdout(&out)
    );
    let talk = kb.talk("cnk2025", sbom);
    let links: Vec<(Option<LinkKind>, Option<&str>)> = talk
        .links
        .iter()
        .map(|l| (l.kind, l.title.as_deref()))
        .collect();
    assert_eq!(
        links,
        [
            (Some(LinkKind::Slides), Some("スライド")),
            (Some(LinkKind::Video), Some("録画")),
            (Some(LinkKind::Page), Some("ブログ")),
        ],
        "a javascript: URL is not a link"
    );
    assert_eq!(talk.takeaways[0].text, "SPDX");

    let mut doc: serde_json::Value =
        serde_json::from_slice(&fixture("sessionize-gokaigi2025.json")).unwrap();
    kb.write("../sz.json", serde_json::to_vec(&doc).unwrap());
    let file = kb.base.join("sz.json");
    kb.ok(&["import", "--event", "gokaigi", file.to_str().unwrap()]);
    doc["sessions"][3]["recordingUrl"] = "https://youtu.be/PGOinProd01".into();
    kb.write("../sz.json", serde_json::to_vec(&doc).unwrap());
    let out = kb.ok(&["import", "--event", "gokaigi", file.to_str().unwrap()]);
    let report = stdout(&out);
    let line = report.lines().find(|l| l.contains("-812347")).unwrap_or("");
    assert!(line.ends_with("(links +video)"), "{report}");
    let id = talk_files(&kb, "gokaigi")
        .into_iter()
        .find(|id| id.ends_with("-812347"))
        .unwrap();
    let links = kb.talk("gokaigi", &id).links;
    assert_eq!(links[0].url, "https://youtu.be/PGOinProd01");
    assert_eq!(links[0].kind, Some(LinkKind::Video));
}

#[test]
fn a_re_import_stops_on_a_note_it_cannot_read_instead_of_making_a_second_one() {
    // Regression (a new user's trial): with one session's note broken by hand, the update
    // created `…-2` for that session, and every later import another one.
    let kb = Kb::new();
    kb.ok(&["import", &fixture_path(SCHED)]);
    let rel = format!("notes/kccncjp2026/{SUPPLY}.ron");
    let broken = kb.read(&rel).replacen("\",\n", "\"\n", 1);
    kb.write(&rel, &broken);
    let before = kb.snapshot();
    let out = kb.fails(&["import", &fixture_path(SCHED_UPDATED)]);
    let err = stderr(&out);
    assert!(err.contains("cannot import into kccncjp2026"), "{err}");
    assert!(err.contains(&format!("{SUPPLY}.ron:")), "{err}");
    assert_eq!(kb.snapshot(), before, "nothing was written");
    // Fixed, the same import updates the session's one note.
    kb.write(&rel, kb.read(&rel).replacen("\"\n", "\",\n", 1));
    kb.ok(&["import", &fixture_path(SCHED_UPDATED)]);
    assert!(
        talk_files(&kb, "kccncjp2026")
            .iter()
            .all(|n| !n.starts_with(&format!("{SUPPLY}-"))),
        "{:?}",
        talk_files(&kb, "kccncjp2026")
    );
}

#[test]
fn two_notes_that_record_one_session_stop_the_import_and_name_both() {
    let kb = Kb::new();
    kb.ok(&["import", &fixture_path(SCHED)]);
    let original = kb.read(&format!("notes/kccncjp2026/{SUPPLY}.ron"));
    let copy = original.replace(&format!("id: \"{SUPPLY}\""), "id: \"supply-copy\"");
    assert_ne!(copy, original);
    kb.write("notes/kccncjp2026/supply-copy.ron", &copy);
    let before = kb.snapshot();
    let out = kb.fails(&["import", &fixture_path(SCHED_UPDATED)]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("kccncjp2026/{SUPPLY}")) && err.contains("kccncjp2026/supply-copy"),
        "{err}"
    );
    assert!(
        err.contains("hint: keep the source on one of them"),
        "{err}"
    );
    assert_eq!(kb.snapshot(), before, "nothing was written");
}

#[test]
fn a_hatena_recap_is_dated_in_the_event_zone_and_categorised_by_its_talks() {
    // Regression (a new user's trial): the Date was in the computer's zone (UTC on a server)
    // and Category was missing when the event itself had no tags.
    let kb = Kb::new();
    kb.ok(&["import", &fixture_path(SCHED)]);
    let out = kb.ok(&["export", "kccncjp2026", "--for", "hatena"]);
    let text = stdout(&out);
    let front = text.split("---").nth(1).unwrap();
    let date = front.lines().find(|l| l.starts_with("Date: ")).unwrap();
    assert!(date.ends_with("+09:00"), "{front}");
    assert!(front.contains("Category:\n- "), "{front}");
    for platform in ["hugo", "jekyll"] {
        let out = kb.ok(&["export", "kccncjp2026", "--for", platform]);
        assert!(
            !stdout(&out).contains("tags: []"),
            "{platform}: {}",
            stdout(&out)
        );
    }
}

/// Regression (new user's trial): a CloudNative Days import tags every talk with its
/// difficulty and how it was given (`初級者`, `現地登壇`), so those were the talks' most used
/// tags and filled Zenn's five topics. They stay tags, for `tag:` searches, but no platform
/// gets them as topics.
#[test]
fn difficulty_and_presentation_tags_are_no_platform_topics() {
    let kb = Kb::new();
    let [talks, speakers, events, tracks] = dreamkast_files();
    kb.ok(&["import", &talks, &speakers, &events, &tracks]);
    let facets = [
        "初級者",
        "中級者",
        "上級者",
        "現地登壇",
        "オンライン登壇",
        "事前収録",
    ];
    let notes: String = std::fs::read_dir(kb.path("notes/cnds2026"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(
        facets
            .iter()
            .filter(|f| notes.contains(&format!("\"{f}\"")))
            .count()
            >= 4,
        "the fixture's talks carry these tags:\n{notes}"
    );
    let search = stdout(&kb.ok(&["search", "--json", "tag:現地登壇"]));
    assert!(
        search.contains("\"id\""),
        "still a tag to search by: {search}"
    );
    for platform in ["zenn", "qiita", "hatena", "hugo"] {
        let md = stdout(&kb.ok(&["export", "cnds2026", "--for", platform]));
        let front = md.split("\n---\n").next().unwrap_or_default();
        assert!(
            !facets.iter().any(|f| front.contains(f)),
            "{platform}:\n{front}"
        );
    }
    let zenn = stdout(&kb.ok(&["export", "cnds2026", "--for", "zenn"]));
    let topics = zenn
        .lines()
        .find(|l| l.starts_with("topics: "))
        .unwrap_or_default();
    assert_ne!(topics, "topics: []", "subjects still make topics:\n{zenn}");
}
