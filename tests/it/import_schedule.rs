//! Starting an event from its schedule: `tn import` of frab/pretalx and Sessionize exports,
//! re-imports of an updated schedule, rejected files, and `tn now`.
//!
//! The schedules are in tests/data/schedules/: a fictional two-day conference with three rooms
//! (pretalx, and an updated version of it), and a fictional Go conference (Sessionize).

use std::path::PathBuf;

use serde_json::{Value, json};
use talknotes::note::{Rating, TalkKind};

use crate::common::{Kb, is_slug, stderr, stdout};

fn schedule(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/schedules")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

const PRETALX: &str = "pretalx-cnk2025.json";
const PRETALX_UPDATED: &str = "pretalx-cnk2025-updated.json";
const SESSIONIZE: &str = "sessionize-gokaigi2025.json";

const EBPF: &str = "ebpf-de-hajimeru-kubernetes-nettowaku-no-ka-abq2wn";
const SBOM: &str = "5-fun-de-wakaru-sbom-ltk4qs";
const PANEL: &str = "paneru-deisukasshon-sre-chimu-no-tsukurikata-pnl6uv";

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
fn a_pretalx_schedule_creates_the_event_and_a_talk_per_session() {
    let kb = Kb::new();
    let out = kb.ok(&["import", &schedule(PRETALX)]);
    assert!(
        stderr(&out).contains("9 created, 0 updated, 0 unchanged, 0 skipped"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).lines().any(|l| l == "created cnk2025"),
        "{}",
        stdout(&out)
    );
    let event = kb.event("cnk2025");
    assert_eq!(event.name, "Cloud Native Kaigi Tokyo 2025");
    assert_eq!(event.starts_on.unwrap().to_string(), "2025-11-20");
    assert_eq!(event.ends_on.unwrap().to_string(), "2025-11-21");
    assert_eq!(event.url.as_deref(), Some("https://cnk.example.org/2025/"));

    let ids = talk_files(&kb, "cnk2025");
    assert_eq!(ids.len(), 8);
    assert!(ids.iter().all(|id| is_slug(id)), "{ids:?}");
    assert!(ids.contains(&EBPF.to_owned()), "{ids:?}");

    let talk = kb.talk("cnk2025", EBPF);
    assert_eq!(talk.title, "eBPFで始めるKubernetesネットワークの可観測性");
    assert_eq!(talk.kind, TalkKind::Session);
    let names: Vec<&str> = talk.speakers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["鈴木 美咲", "高橋 翔"]);
    assert_eq!(talk.date.unwrap().to_string(), "2025-11-20");
    assert_eq!(talk.start.unwrap().to_string(), "13:00");
    assert_eq!(talk.end.unwrap().to_string(), "13:40");
    assert_eq!(talk.track.as_deref(), Some("Track A"), "the room");
    assert_eq!(talk.tags, ["Observability"], "the topical track");
    assert_eq!(talk.language.as_deref(), Some("ja"));
    assert_eq!(
        talk.url.as_deref(),
        Some("https://pretalx.example.org/cnk2025/talk/ABQ2WN/")
    );
    assert!(talk.r#abstract.unwrap().contains("\n\n後半では"));
    assert!(talk.takeaways.is_empty() && talk.memo.is_none());

    let kinds: Vec<(String, TalkKind)> = ids
        .iter()
        .map(|id| (id.clone(), kb.talk("cnk2025", id).kind))
        .collect();
    let kind_of = |suffix: &str| kinds.iter().find(|(id, _)| id.ends_with(suffix)).unwrap().1;
    assert_eq!(kind_of("-k7qxpa"), TalkKind::Keynote);
    assert_eq!(kind_of("-spn3rz"), TalkKind::Sponsor);
    assert_eq!(kind_of("-ltk4qs"), TalkKind::Lightning);
    assert_eq!(kind_of("-pnl6uv"), TalkKind::Panel);
    assert_eq!(kind_of("-wks7ab"), TalkKind::Workshop);
    // A subtitle leads the abstract; a missing abstract falls back to the description.
    let platform = kb.talk(
        "cnk2025",
        "shanai-purattofuomu-wo-purodakuto-toshite-plt8mv",
    );
    assert!(
        platform
            .r#abstract
            .unwrap()
            .starts_with("Platform Engineering の3年間\n\n")
    );
    assert!(
        kb.talk("cnk2025", SBOM)
            .r#abstract
            .unwrap()
            .starts_with("SBOM とは")
    );
    let panel = kb.talk("cnk2025", PANEL);
    assert_eq!(panel.speakers.len(), 3);
    assert_eq!(panel.end.unwrap().to_string(), "17:00");
    kb.ok(&["check"]);
}

#[test]
fn reimporting_an_updated_schedule_changes_only_schedule_fields() {
    let kb = Kb::new();
    kb.ok(&["import", &schedule(PRETALX)]);
    // What a user adds during the event.
    let target = format!("cnk2025/{EBPF}");
    kb.ok(&[
        "jot",
        "--talk",
        &target,
        "--at",
        "13:05",
        "Hubble で通信が見える",
    ]);
    kb.ok(&["tool", "--talk", &target, "Cilium", "https://cilium.io/"]);
    kb.ok(&[
        "link",
        "--talk",
        &target,
        "https://example.com/slides",
        "スライド",
    ]);
    kb.ok(&["tag", "--talk", &target, "ebpf"]);
    let mut talk = kb.talk("cnk2025", EBPF);
    talk.memo = Some("```sh\nhubble observe\n```".into());
    talk.rating = Rating::new(5);
    talk.speakers[0].affiliation = Some("Example 株式会社".into());
    kb.write(
        &format!("notes/cnk2025/{EBPF}.ron"),
        talknotes::store::codec::to_ron(&talk).unwrap(),
    );
    let mine = kb.talk("cnk2025", EBPF);

    let before = kb.snapshot();
    let out = kb.ok(&["import", "--dry-run", &schedule(PRETALX_UPDATED)]);
    let plan = stdout(&out);
    assert!(
        plan.contains(&format!("would update cnk2025/{EBPF} (title, start)")),
        "{plan}"
    );
    assert!(
        plan.contains(&format!("would update cnk2025/{SBOM} (start, end, track)")),
        "{plan}"
    );
    assert!(
        plan.contains("would create cnk2025/backstage-puragu-in-kaihatsu-no-susume-new9cd"),
        "{plan}"
    );
    assert!(
        stderr(&out)
            .contains("1 created, 2 updated, 6 unchanged, 0 skipped (dry run: nothing written)"),
        "{}",
        stderr(&out)
    );
    assert!(kb.snapshot() == before, "--dry-run wrote");

    kb.ok(&["import", &schedule(PRETALX_UPDATED)]);
    let after = kb.talk("cnk2025", EBPF);
    assert_eq!(
        after.title,
        "eBPFで始めるKubernetesネットワークの可観測性 (改訂版)"
    );
    assert_eq!(after.start.unwrap().to_string(), "13:10");
    assert_eq!(after.end.unwrap().to_string(), "13:40");
    // Everything the user wrote is untouched.
    assert_eq!(after.takeaways, mine.takeaways);
    assert_eq!(after.tools, mine.tools);
    assert_eq!(after.links, mine.links);
    assert_eq!(after.memo, mine.memo);
    assert_eq!(after.rating, mine.rating);
    assert_eq!(after.tags, ["Observability", "ebpf"]);
    assert_eq!(
        after.speakers[0].affiliation.as_deref(),
        Some("Example 株式会社")
    );
    assert_eq!(kb.talk("cnk2025", SBOM).track.as_deref(), Some("Track A"));
    // A session dropped from the schedule keeps its note.
    assert!(kb.path(&format!("notes/cnk2025/{PANEL}.ron")).exists());
    assert_eq!(talk_files(&kb, "cnk2025").len(), 9);
    kb.ok(&["check"]);

    // The same schedule again changes nothing at all.
    let before = kb.snapshot();
    let out = kb.ok(&["import", &schedule(PRETALX_UPDATED)]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 9 unchanged, 0 skipped"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    assert!(kb.snapshot() == before);
}

#[test]
fn a_talk_noted_before_the_import_is_found_by_its_title() {
    let kb = Kb::new();
    kb.ok(&["event", "new", "cnk2025", "--name", "CNK"]);
    kb.ok(&["new", "5分でわかる SBOM", "--id", "sbom", "--no-edit"]);
    kb.ok(&["jot", "--at", "17:01", "SPDX と CycloneDX"]);
    let out = kb.ok(&["import", &schedule(PRETALX)]);
    assert!(
        stdout(&out).contains("updated cnk2025 (name, starts_on, ends_on, url)"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("updated cnk2025/sbom ("),
        "{}",
        stdout(&out)
    );
    let sbom = kb.talk("cnk2025", "sbom");
    assert_eq!(sbom.takeaways[0].text, "SPDX と CycloneDX");
    assert_eq!(sbom.start.unwrap().to_string(), "17:00");
    assert!(!kb.path(&format!("notes/cnk2025/{SBOM}.ron")).exists());
    // And again on the next import.
    let out = kb.ok(&["import", &schedule(PRETALX)]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 9 unchanged"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_sessionize_export_goes_into_the_named_or_current_event() {
    let kb = Kb::new();
    let out = kb.fails(&["import", &schedule(SESSIONIZE)]);
    assert!(
        stderr(&out).contains("a Sessionize export does not name its event"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--event"), "{}", stderr(&out));

    let out = kb.ok(&["import", "--event", "gokaigi2025", &schedule(SESSIONIZE)]);
    assert!(stderr(&out).contains("6 created"), "{}", stderr(&out));
    let event = kb.event("gokaigi2025");
    assert_eq!(event.starts_on.unwrap().to_string(), "2025-09-12");
    assert_eq!(event.ends_on.unwrap().to_string(), "2025-09-13");
    let ids = talk_files(&kb, "gokaigi2025");
    assert_eq!(ids.len(), 5, "the lunch break is not a talk: {ids:?}");
    let pgo = kb.talk(
        "gokaigi2025",
        ids.iter().find(|id| id.ends_with("-812347")).unwrap(),
    );
    assert_eq!(pgo.title, "Profile-Guided Optimization in Production");
    assert_eq!(pgo.track.as_deref(), Some("Hall B"));
    assert_eq!(pgo.tags, ["Performance"]);
    assert_eq!(pgo.language.as_deref(), Some("en"));
    assert_eq!(pgo.kind, TalkKind::Session);
    assert_eq!(pgo.start.unwrap().to_string(), "13:00");
    assert_eq!(pgo.end.unwrap().to_string(), "13:40");
    let speakers: Vec<String> = pgo.speakers.iter().map(ToString::to_string).collect();
    assert_eq!(
        speakers,
        [
            "渡辺 一郎",
            "Priya Sharma (Performance Engineer, Example Pay)"
        ]
    );
    let keynote = kb.talk(
        "gokaigi2025",
        ids.iter().find(|id| id.ends_with("-812346")).unwrap(),
    );
    assert_eq!(keynote.kind, TalkKind::Keynote);
    assert_eq!(
        keynote.speakers[0].to_string(),
        "Robert Miller (Example Cloud Inc.)"
    );
    let lt = ids.iter().find(|id| id.ends_with("-812348")).unwrap();
    assert_eq!(kb.talk("gokaigi2025", lt).kind, TalkKind::Lightning);

    // With the event current (as after `tn event new`), no --event is needed.
    let other = Kb::new();
    other.ok(&["event", "new", "go-conf", "--name", "Go Conference 2025"]);
    other.ok(&["import", &schedule(SESSIONIZE)]);
    assert_eq!(other.event("go-conf").name, "Go Conference 2025");
    assert_eq!(talk_files(&other, "go-conf").len(), 5);
}

/// Writes `document` as a schedule, imports it expecting failure, and checks the message
/// names the file and `place`, and that nothing was written.
fn rejected(kb: &Kb, document: &str, place: &str, message: &str) {
    kb.write("../bad.json", document);
    let file = kb.base.join("bad.json");
    let before = kb.snapshot();
    for extra in [&[][..], &["--event", "ev"][..]] {
        let mut args = vec!["import", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = kb.fails(&args);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{}: {place}: ", file.display())),
            "expected place {place:?} in:\n{err}"
        );
        assert!(err.contains(message), "expected {message:?} in:\n{err}");
        assert!(err.contains("hint:"), "{err}");
        assert!(
            kb.snapshot() == before,
            "a rejected schedule wrote something"
        );
    }
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(schedule(name)).unwrap()).unwrap()
}

#[test]
fn bad_schedules_are_rejected_whole_with_their_json_path() {
    let kb = Kb::with_event();
    let pretalx = fixture(PRETALX);
    let edit = |change: &dyn Fn(&mut Value)| {
        let mut doc = pretalx.clone();
        change(&mut doc);
        serde_json::to_string_pretty(&doc).unwrap()
    };
    let track_b = "/schedule/conference/days/0/rooms/Track B/1";

    let text = serde_json::to_string_pretty(&pretalx).unwrap();
    let broken = text.replacen(
        "\"title\": \"Cloud Native Kaigi Tokyo 2025\",",
        "\"title\": \"x\"",
        1,
    );
    let at = broken
        .lines()
        .position(|l| l.contains("\"title\": \"x\""))
        .unwrap()
        + 1;
    let next = broken.lines().nth(at).unwrap();
    let column = next.len() - next.trim_start().len() + 1;
    rejected(
        &kb,
        &broken,
        &format!("line {} column {column}", at + 1),
        "expected `,` or `}`",
    );
    rejected(
        &kb,
        &edit(&|d| d.pointer_mut(track_b).unwrap()["start"] = json!("25:00")),
        "$.schedule.conference.days[0].rooms[\"Track B\"][1].start",
        "`25:00` is not a valid time",
    );
    rejected(
        &kb,
        &edit(&|d| d.pointer_mut(track_b).unwrap()["duration"] = json!("forty")),
        "$.schedule.conference.days[0].rooms[\"Track B\"][1].duration",
        "`forty` is not a valid duration",
    );
    rejected(
        &kb,
        &edit(&|d| d.pointer_mut(track_b).unwrap()["date"] = json!("2025-11-31T17:00:00+09:00")),
        "$.schedule.conference.days[0].rooms[\"Track B\"][1].date",
        "`2025-11-31` is not a valid date",
    );
    rejected(
        &kb,
        &edit(&|d| d.pointer_mut(track_b).unwrap()["title"] = json!("  ")),
        "$.schedule.conference.days[0].rooms[\"Track B\"][1].title",
        "the session has no title",
    );
    rejected(
        &kb,
        &edit(&|d| d.pointer_mut(track_b).unwrap()["persons"] = json!("中村 大輔")),
        "$.schedule.conference.days[0].rooms[\"Track B\"][1].persons",
        "invalid type: string",
    );
    rejected(
        &kb,
        &edit(&|d| d.pointer_mut(track_b).unwrap()["code"] = json!("K7QXPA")),
        "$.schedule.conference.days[0].rooms[\"Track B\"][1]",
        "the same id as $.schedule.conference.days[0].rooms[\"Track A\"][0]",
    );
    rejected(
        &kb,
        &edit(&|d| {
            d["schedule"]["conference"]
                .as_object_mut()
                .unwrap()
                .remove("title");
        }),
        "$.schedule.conference.title",
        "the conference has no title",
    );

    let sessionize = fixture(SESSIONIZE);
    let edit = |change: &dyn Fn(&mut Value)| {
        let mut doc = sessionize.clone();
        change(&mut doc);
        serde_json::to_string_pretty(&doc).unwrap()
    };
    rejected(
        &kb,
        &edit(&|d| d["sessions"][3]["speakers"][1] = json!("nobody")),
        "$.sessions[3].speakers[1]",
        "speaker `nobody` is not in the export's `speakers`",
    );
    rejected(
        &kb,
        &edit(&|d| d["sessions"][0]["roomId"] = json!(1)),
        "$.sessions[0].roomId",
        "room `1` is not in the export's `rooms`",
    );
    rejected(
        &kb,
        &edit(&|d| d["sessions"][1]["startsAt"] = json!("tomorrow")),
        "$.sessions[1].startsAt",
        "`tomorrow` is not a date and time",
    );
    rejected(
        &kb,
        &edit(&|d| d["sessions"][0]["isServiceSession"] = json!("no")),
        "$.sessions[0].isServiceSession",
        "invalid type",
    );
}

#[test]
fn an_import_that_cannot_update_a_note_writes_nothing() {
    let kb = Kb::new();
    kb.ok(&["import", &schedule(PRETALX)]);
    // A note with comments cannot be rewritten without losing them.
    let path = format!("notes/cnk2025/{SBOM}.ron");
    let text = kb.read(&path).replacen("Talk(", "// mine\nTalk(", 1);
    kb.write(&path, text);
    let before = kb.snapshot();
    let out = kb.fails(&["import", &schedule(PRETALX_UPDATED)]);
    assert!(
        stderr(&out).contains("contains comments"),
        "{}",
        stderr(&out)
    );
    assert!(kb.snapshot() == before, "a failed import wrote some notes");
}

/// The pretalx schedule imported, and `tn now` at `at` with `args`.
fn now(kb: &Kb, at: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["now", "--at", at];
    all.extend_from_slice(args);
    kb.tn().args(&all).output().unwrap()
}

#[test]
fn now_lists_talks_in_progress_and_starting_soon_and_picks_one() {
    let kb = Kb::new();
    kb.ok(&["import", &schedule(PRETALX)]);

    let out = now(&kb, "2025-11-20 12:45", &[]);
    assert!(out.status.success());
    let text = stdout(&out);
    let listed: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            format!("cnk2025/{EBPF}"),
            "cnk2025/shanai-purattofuomu-wo-purodakuto-toshite-plt8mv".to_owned()
        ]
    );
    assert!(
        stdout(&out).contains("in 15 min  13:00–13:40  Track A"),
        "{}",
        stdout(&out)
    );

    let out = now(&kb, "2025-11-20 13:20", &["--room", "track b"]);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("in progress") && text.contains("社内プラットフォーム"),
        "{text}"
    );

    // --pick makes the earliest (in the room, when given) the current talk; jot goes there.
    let out = now(&kb, "2025-11-20 12:45", &["--pick", "--room", "Track A"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("current talk: cnk2025/{EBPF}")),
        "{}",
        stderr(&out)
    );
    kb.ok(&["jot", "--at", "13:02", "はじまった"]);
    assert_eq!(kb.talk("cnk2025", EBPF).takeaways[0].text, "はじまった");
    let out = now(&kb, "2025-11-20 12:45", &["--pick"]);
    assert!(stderr(&out).contains(&format!("current talk: cnk2025/{EBPF}")));

    // Nothing on: a message, and --pick fails without changing the current talk.
    let out = now(&kb, "2025-11-21 08:00", &[]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out)
            .contains("no talks in progress or starting within 30 minutes at 2025-11-21 08:00"),
        "{}",
        stderr(&out)
    );
    let out = now(&kb, "2025-11-21 08:00", &["--pick"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
    assert!(stdout(&kb.ok(&["current"])).starts_with(&format!("cnk2025/{EBPF}")));

    let out = now(&kb, "2025-11-20 25:00", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("YYYY-MM-DD H:MM"), "{}", stderr(&out));
    kb.ok(&["now"]);
}

#[test]
fn a_classic_frab_schedule_with_numeric_ids_and_day_dates() {
    let kb = Kb::new();
    let out = kb.ok(&["import", &schedule("frab-osc-kyoto2025.json")]);
    assert!(stderr(&out).contains("4 created"), "{}", stderr(&out));
    let event = kb.event("osc-kyoto-2025");
    assert_eq!(event.name, "オープンソースカンファレンス 2025 Kyoto");
    let ids = talk_files(&kb, "osc-kyoto-2025");
    let id = |suffix: &str| ids.iter().find(|i| i.ends_with(suffix)).unwrap().clone();
    let kernel = kb.talk("osc-kyoto-2025", &id("-401"));
    assert_eq!(
        kernel.date.unwrap().to_string(),
        "2025-07-18",
        "the day's date"
    );
    assert_eq!(kernel.start.unwrap().to_string(), "09:30");
    assert_eq!(kernel.end.unwrap().to_string(), "10:15");
    assert_eq!(
        kernel.track.as_deref(),
        Some("会議室A"),
        "the room the talk is listed under"
    );
    assert_eq!(kernel.tags, ["カーネル"]);
    assert_eq!(kernel.speakers[1].name, "Anna Müller");
    let night = kb.talk("osc-kyoto-2025", &id("-402"));
    assert_eq!(night.start.unwrap().to_string(), "23:30");
    assert_eq!(
        night.end, None,
        "a session past midnight has no end on its day"
    );
    assert_eq!(night.r#abstract, None);
    let lt = kb.talk("osc-kyoto-2025", &id("-501"));
    assert_eq!(lt.kind, TalkKind::Lightning);
    assert_eq!(lt.date.unwrap().to_string(), "2025-07-19");
    // --event puts the same schedule elsewhere.
    let other = Kb::new();
    other.ok(&[
        "import",
        "--event",
        "osc",
        &schedule("frab-osc-kyoto2025.json"),
    ]);
    assert_eq!(talk_files(&other, "osc").len(), 3);
}

#[test]
fn a_talk_a_schedule_gives_no_language_gets_the_one_its_title_is_in() {
    // Regression: nothing set a talk's language, so `lang:ja` matched nothing.
    let kb = Kb::new();
    kb.ok(&["import", &schedule("frab-osc-kyoto2025.json")]);
    let ids = talk_files(&kb, "osc-kyoto-2025");
    let id = |suffix: &str| ids.iter().find(|i| i.ends_with(suffix)).unwrap().clone();
    // The schedule gives none for the lightning talk: its Japanese title decides.
    let lt = kb.talk("osc-kyoto-2025", &id("-501"));
    assert_eq!(lt.language.as_deref(), Some("ja"));
    let out = kb.ok(&["search", "--json", "lang:ja", "自宅サーバー"]);
    assert!(stdout(&out).contains(&id("-501")), "{}", stdout(&out));
    // One the schedule gives is kept as it is.
    let mut document: Value = serde_json::from_str(
        &std::fs::read_to_string(schedule("frab-osc-kyoto2025.json")).unwrap(),
    )
    .unwrap();
    let talk = &mut document["schedule"]["conference"]["days"][1]["rooms"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap()[0];
    assert_eq!(talk["id"], json!(501), "{talk}");
    talk["language"] = json!("de");
    let other = Kb::new();
    let path = other.base.join("frab.json");
    std::fs::write(&path, document.to_string()).unwrap();
    other.ok(&["import", path.to_str().unwrap()]);
    let ids = talk_files(&other, "osc-kyoto-2025");
    let lt = ids.iter().find(|i| i.ends_with("-501")).unwrap();
    assert_eq!(
        other.talk("osc-kyoto-2025", lt).language.as_deref(),
        Some("de")
    );
}
