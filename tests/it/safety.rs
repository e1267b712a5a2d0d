//! Data safety: comments are never dropped, writes are atomic and tidy, files stay readable,
//! ids cannot escape the knowledge base, and note text cannot drive the terminal.

use crate::common::{Kb, Tmux, snapshot, stderr, stdout};

fn kb_with_talk() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "The Talk", "--id", "t", "--no-edit"]);
    kb
}

#[test]
fn a_note_with_comments_is_never_rewritten() {
    let kb = kb_with_talk();
    let commented = "Talk(\n    // written by hand: keep this\n    id: \"t\",\n    title: \"The Talk\", /* inline */\n)\n";
    kb.write("notes/ev/t.ron", commented);
    for args in [
        &["jot", "--at", "10:00", "x"][..],
        &["tool", "Cilium"],
        &["link", "https://example.com"],
        &["tag", "a"],
    ] {
        let out = kb.fails(args);
        let err = stderr(&out);
        assert!(err.contains("contains comments"), "{args:?}: {err}");
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        assert!(err.contains("hint:"), "{args:?}: {err}");
        assert_eq!(
            kb.read("notes/ev/t.ron"),
            commented,
            "{args:?} changed the file"
        );
    }
    // It is still a valid note.
    kb.ok(&["check"]);
    assert!(kb.files_named_like(".tn-").is_empty());
}

#[test]
fn comment_markers_inside_strings_are_not_comments() {
    let kb = kb_with_talk();
    let tricky = [
        "see https://example.com//path",
        "he said \"// not a comment\" and left",
        "a backslash \\ and /* stars */",
        "raw-looking r#\"x\"# and ##\"# hashes",
    ];
    for (i, text) in tricky.iter().enumerate() {
        let at = format!("10:0{i}");
        kb.ok(&["jot", "--at", &at, text]);
    }
    // The second pass rewrites a file that holds all of them.
    kb.ok(&["tag", "still-writable"]);
    let talk = kb.talk("ev", "t");
    let texts: Vec<&str> = talk.takeaways.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, tricky);
    assert_eq!(talk.tags, ["still-writable"]);
}

#[test]
fn writes_leave_no_temporary_files() {
    let kb = kb_with_talk();
    kb.ok(&["jot", "--at", "10:00", "one"]);
    kb.ok(&["tool", "Cilium", "https://cilium.io"]);
    kb.ok(&["link", "https://example.com/slides", "Slides"]);
    kb.ok(&["tag", "a", "b"]);
    kb.ok(&["new", "Another", "--no-edit"]);
    kb.ok(&["event", "new", "ev2", "--name", "Two"]);
    kb.ok(&["current", "ev/t"]);
    kb.ok(&["export", "-o", "./export.json"]);
    let editor = kb.script("edit.sh", r#"sed -i 's/"The Talk"/"The Talk!"/' "$1""#);
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/t"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let fresh = Kb::new();
    fresh.ok(&["import", kb.path("export.json").to_str().unwrap()]);

    for kb in [&kb, &fresh] {
        let leftovers = kb.files_named_like(".tn-");
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
    assert_eq!(
        std::fs::read_dir(&kb.tmp).unwrap().count(),
        0,
        "drafts left behind"
    );
    fresh.ok(&["check"]);
}

#[test]
fn files_are_pretty_ron_with_japanese_unescaped() {
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "サービスメッシュ入門",
        "--id",
        "mesh",
        "--speaker",
        "山田 花子（サイボウズ）",
        "--no-edit",
    ]);
    kb.ok(&["jot", "--at", "13:05", "eBPFで可観測性 🎉"]);
    let raw = kb.read_bytes("notes/ev/mesh.ron");
    let text = String::from_utf8(raw).unwrap();
    assert!(
        text.contains("    title: \"サービスメッシュ入門\",\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "            name: \"山田 花子\",\n            affiliation: \"サイボウズ\",\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("            text: \"eBPFで可観測性 🎉\",\n"),
        "{text}"
    );
    assert!(!text.contains("\\u"), "no escapes: {text}");
    assert!(!text.contains("Some("), "{text}");
    assert!(
        text.starts_with("Talk(\n    schema: 1,\n    id: \"mesh\",\n"),
        "{text}"
    );
    assert!(text.ends_with(")\n"), "{text}");
    // 4-space indentation throughout.
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        assert_eq!(indent % 4, 0, "{line:?}");
        assert!(!line.starts_with('\t'), "{line:?}");
    }
}

#[test]
fn multi_line_text_stays_multi_line_in_the_file() {
    let kb = kb_with_talk();
    kb.ok(&["jot", "--at", "10:00", "seed"]);
    // A memo written through the interchange format.
    let mut json: serde_json::Value = serde_json::from_str(&stdout(&kb.ok(&["export"]))).unwrap();
    json["events"][0]["talks"][0]["memo"] = "line one\n```yaml\nkey: \"value\"\n```".into();
    kb.write("in.json", json.to_string());
    kb.ok(&["import", "--update", "in.json"]);
    let text = kb.read("notes/ev/t.ron");
    assert!(
        text.contains("memo: r#\"line one\n```yaml\nkey: \"value\"\n```\"#,\n"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn rewrites_keep_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let kb = kb_with_talk();
    let path = kb.path("notes/ev/t.ron");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644,
        "new notes are ordinary documents"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    kb.ok(&["jot", "--at", "10:00", "x"]);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn ids_cannot_escape_the_knowledge_base() {
    let kb = kb_with_talk();
    // Bait outside the knowledge base that a traversal would hit.
    kb.write(
        "../x.ron",
        "Talk(\n    id: \"x\",\n    title: \"outside\",\n)\n",
    );
    kb.write(
        "../ev/x.ron",
        "Talk(\n    id: \"x\",\n    title: \"outside\",\n)\n",
    );
    kb.write(
        "../event.ron",
        "Event(\n    id: \"x\",\n    name: \"outside\",\n)\n",
    );
    let before = snapshot(&kb.base);

    for args in [
        &["jot", "--talk", "../x", "pwned"][..],
        &["jot", "--talk", "ev/../x", "pwned"],
        &["jot", "--talk", "ev/../../x", "pwned"],
        &["jot", "--talk", "/etc/passwd", "pwned"],
        &["tool", "x", "--talk", "../ev/x"],
        &["link", "https://x", "--talk", "ev/.."],
        &["tag", "x", "--talk", "ev/event"],
        &["show", "../../etc/passwd"],
        &["show", "ev/../../x"],
        &["show", "../x"],
        &["current", "../x"],
        &["current", "ev/../x"],
        &["edit", "../x"],
        &["edit", "ev/../../x"],
    ] {
        let out = kb.tn().env("EDITOR", "true").args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} did not fail: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert!(
            err.contains("is not a valid id")
                || err.contains("an id cannot be empty")
                || err.contains("not a full talk id")
                || err.contains("reserved"),
            "{args:?}: {err}"
        );
        assert!(!stdout(&out).contains("outside"), "{args:?}");
        assert!(!stdout(&out).contains("root:"), "{args:?}");
    }
    for args in [
        &["export", "../x"][..],
        &["list", "--event", "../x"],
        &["new", "T", "--event", "..", "--no-edit"],
        &["new", "T", "--id", "../../x", "--no-edit"],
        &["event", "new", "..", "--name", "x"],
    ] {
        let out = kb.fails_with(args, 2);
        assert!(
            stderr(&out).contains("is not a valid id"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(
        snapshot(&kb.base) == before,
        "something outside or inside the knowledge base changed"
    );
}

const HOSTILE_TITLE: &str =
    "Evil \u{1b}[31mred\u{1b}[0m \u{1b}]52;c;ZXZpbA==\u{7} \u{202e}rtl\u{9b}2J end";

/// Characters a terminal acts on: C0 controls but line feed and tab (ESC starts colour,
/// cursor, OSC 52 clipboard and title sequences; CR and BS overwrite what was shown), DEL, C1
/// controls (U+009B is an 8-bit CSI, U+0085 a line break) and bidirectional overrides and
/// isolates, which reorder what a reader sees.
fn is_terminal_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_no_raw_controls(what: &str, bytes: &[u8]) {
    // Invalid UTF-8 could hide a raw 8-bit C1 byte (0x9b) from the check below.
    let text = std::str::from_utf8(bytes)
        .unwrap_or_else(|e| panic!("{what}: output is not UTF-8 ({e}): {bytes:?}"));
    let raw: Vec<char> = text.chars().filter(|c| is_terminal_control(*c)).collect();
    assert!(
        raw.is_empty(),
        "{what}: raw control characters {raw:?} in:\n{}",
        text.escape_debug()
    );
}

#[test]
fn control_characters_are_shown_escaped() {
    let kb = Kb::with_event();
    kb.ok(&["new", HOSTILE_TITLE, "--id", "evil", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:00", "takeaway \u{1b}[2J cleared"]);
    kb.ok(&["tool", "tool\u{1b}]0;title\u{7}", "https://x\u{1b}[5m"]);
    kb.ok(&["link", "https://example.com", "link \u{1b}[8m hidden"]);
    // Stored as written: the note is the user's data.
    assert_eq!(kb.talk("ev", "evil").title, HOSTILE_TITLE);

    let out = kb.ok(&["list"]);
    assert_no_raw_controls("list", &out.stdout);
    assert!(
        stdout(&out).contains("Evil \\u{1b}[31mred\\u{1b}[0m \\u{1b}]52;c;ZXZpbA==\\u{7}"),
        "{}",
        stdout(&out)
    );

    let out = kb.ok(&["show", "ev/evil"]);
    assert_no_raw_controls("show", &out.stdout);
    let text = stdout(&out);
    assert!(text.starts_with("Evil \\u{1b}[31mred"), "{text}");
    assert!(text.contains("10:00 takeaway \\u{1b}[2J cleared"), "{text}");
    assert!(text.contains("tool\\u{1b}]0;title\\u{7}"), "{text}");
    assert!(text.contains("link \\u{1b}[8m hidden"), "{text}");

    let out = kb.ok(&["show", "ev"]);
    assert_no_raw_controls("show event", &out.stdout);
    let out = kb.ok(&["current"]);
    assert_no_raw_controls("current", &out.stdout);
    assert!(stdout(&out).contains("\\u{1b}]52"), "{}", stdout(&out));

    let out = kb.ok(&["tag", "x\u{1b}[2Jy"]);
    assert_no_raw_controls("tag (stderr)", &out.stderr);
    let out = kb.ok(&["tool", "\u{1b}]52;c;AAAA\u{7}"]);
    assert_no_raw_controls("tool (stderr)", &out.stderr);

    // JSON output escapes C0 controls (ESC, BEL) as JSON does, and keeps the exact text.
    let out = kb.ok(&["show", "ev/evil", "--json"]);
    assert!(
        !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("\\u001b[31m"), "{}", stdout(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["title"], HOSTILE_TITLE);
    let out = kb.ok(&["list", "--json"]);
    assert!(
        !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
        "{}",
        stdout(&out)
    );
}

#[test]
fn control_characters_in_problems_are_escaped() {
    let kb = Kb::with_event();
    kb.write(
        "notes/ev/bad.ron",
        "Talk(\n    id: \"bad\",\n    title: \"x\",\n    \u{1b}]52;c;AAAA\u{7}: 1,\n)\n",
    );
    let out = kb.fails(&["check"]);
    assert_no_raw_controls("check", &out.stdout);
    assert!(
        stdout(&out).contains("notes/ev/bad.ron:4:"),
        "{}",
        stdout(&out)
    );
    let out = kb.ok(&["list"]);
    assert_no_raw_controls("list warnings", &out.stderr);
    let out = kb.fails(&["show", "ev/bad"]);
    assert_no_raw_controls("show error", &out.stderr);
}

#[test]
fn command_line_errors_never_echo_raw_controls() {
    // Regression: clap quoted a bad argument back raw, escape sequences included.
    let kb = Kb::with_event();
    for args in [
        vec![format!("--{}", evil("flag"))],
        vec!["list".into(), "--kind".into(), evil("kind")],
        vec!["search".into(), "x".into(), "--limit".into(), evil("n")],
        vec![evil("subcommand")],
    ] {
        let out = kb.tn().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_no_raw_controls(&format!("{args:?}"), &out.stderr);
        assert!(stderr(&out).contains("error:"), "{}", stderr(&out));
    }
}

#[test]
fn a_rated_talk_stays_readable_after_tn_rewrites_it() {
    // Rate a talk by hand (as the template shows: `rating: 4,`), then keep jotting.
    let kb = kb_with_talk();
    let editor = kb.script(
        "rate.sh",
        r#"sed -i 's/^    title: "The Talk",$/    title: "The Talk",\n    rating: 4,/' "$1""#,
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/t"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(kb.talk("ev", "t").rating.unwrap().get(), 4);

    kb.ok(&["jot", "--at", "10:00", "first"]);
    let text = kb.read("notes/ev/t.ron");
    assert!(
        text.contains("    rating: 4,\n"),
        "the rating is written as the template writes it:\n{text}"
    );
    kb.ok(&["jot", "--at", "10:01", "second"]);
    kb.ok(&["check"]);
    let talk = kb.talk("ev", "t");
    assert_eq!(talk.rating.unwrap().get(), 4);
    assert_eq!(talk.takeaways.len(), 2);
}

/// Every kind of sequence a hostile note or import could carry to the terminal (NUL, which
/// arguments cannot hold, is added to some fields separately).
const EVIL: &str = "\u{1b}[31mred\u{1b}[0m \u{1b}]52;c;ZXZpbA==\u{7} \u{1b}]0;pwned\u{1b}\\ \u{1b}[2J\u{1b}[1;1H \u{9b}31m \u{85}\u{90}x\u{9c} \u{202e}rtl\u{2066}iso\u{2069} cr\rbs\u{8}del\u{7f}";

fn evil(label: &str) -> String {
    format!("{label} {EVIL}")
}

/// A knowledge base where every field of an event and a talk is hostile, with a plain talk
/// beside it, invalid notes whose problems quote hostile text, and hostile file names.
fn hostile_kb() -> Kb {
    use talknotes::note::{
        ClockTime, Event, Link, Rating, Speaker, Takeaway, Talk, TalkKind, Tool,
    };
    use talknotes::store::codec;
    let kb = Kb::with_event();
    let time = |t: &str| t.parse::<ClockTime>().unwrap();
    let mut event = Event::new("ev".parse().unwrap(), evil("Event"));
    event.starts_on = Some("2024-06-01".parse().unwrap());
    event.ends_on = Some("2024-06-02".parse().unwrap());
    event.location = Some(evil("Place"));
    event.url = Some(evil("https://event/"));
    event.hashtag = Some(evil("#tag"));
    event.tags = vec![evil("eventtag")];
    event.memo = Some(format!("{}\n```\n{}\n```", evil("memo"), evil("code")));
    kb.write("notes/ev/event.ron", codec::to_ron(&event).unwrap());

    let mut talk = Talk::new("evil".parse().unwrap(), evil("Evil talk"));
    talk.kind = TalkKind::Keynote;
    talk.url = Some(evil("https://talk/"));
    talk.speakers = vec![Speaker {
        name: evil("Mallory"),
        affiliation: Some(evil("Corp")),
        role: Some(evil("role")),
    }];
    talk.date = Some("2024-06-01".parse().unwrap());
    talk.start = Some(time("10:00"));
    talk.end = Some(time("10:40"));
    talk.track = Some(evil("Room"));
    talk.language = Some(evil("ja"));
    talk.tags = vec![evil("tag"), "plain".into()];
    talk.r#abstract = Some(format!("{}\n\n  {}\0", evil("abstract"), evil("indented")));
    talk.takeaways = vec![
        Takeaway {
            text: evil("takeaway"),
            at: Some(time("10:05")),
            by: None,
        },
        Takeaway {
            text: evil("second \0 nul"),
            at: None,
            by: None,
        },
    ];
    talk.tools = vec![Tool {
        name: evil("Tool"),
        url: Some(evil("https://tool/")),
        by: None,
    }];
    talk.links = vec![
        Link {
            url: evil("https://link/"),
            title: Some(evil("Slides")),
            by: None,
        },
        Link {
            url: "https://example.com/\u{202e}\u{9b}".into(),
            title: None,
            by: None,
        },
    ];
    talk.memo = Some(format!(
        "{}\0\n```sh\n{}\0\n```\n",
        evil("memo"),
        evil("code")
    ));
    talk.rating = Rating::new(4);
    kb.write("notes/ev/evil.ron", codec::to_ron(&talk).unwrap());

    let mut plain = Talk::new("plain".parse().unwrap(), "Evil twin, red and plain");
    plain.date = Some("2024-06-01".parse().unwrap());
    plain.start = Some(time("10:20"));
    plain.tags = vec!["plain".into()];
    plain.tools = vec![Tool {
        name: evil("Tool"),
        url: None,
        by: None,
    }];
    kb.write("notes/ev/plain.ron", codec::to_ron(&plain).unwrap());

    // Problems whose messages quote hostile text, and hostile file and directory names. (A
    // backslash would start a RON escape.)
    let raw = EVIL.replace('\\', "");
    kb.write(
        "notes/ev/bad-field.ron",
        format!("Talk(\n    id: \"bad-field\",\n    title: \"x\",\n    {raw}: 1,\n)\n"),
    );
    kb.write(
        "notes/ev/bad-date.ron",
        format!("Talk(\n    id: \"bad-date\",\n    title: \"x\",\n    date: \"{raw}\",\n)\n"),
    );
    kb.write(
        "notes/ev/bad-id.ron",
        format!("Talk(\n    id: \"{raw}\",\n    title: \"x\",\n)\n"),
    );
    kb.write(
        "notes/ev/x\u{1b}]0;file\u{7}\u{9b}.ron",
        "Talk(id: \"x\", title: \"x\")\n",
    );
    kb.write(
        "notes/d\u{1b}[31m\u{202e}/event.ron",
        "Event(id: \"d\", name: \"x\")\n",
    );
    kb
}

/// Files to import, each hostile, some valid and some not; written next to the knowledge base.
fn hostile_imports(kb: &Kb) -> Vec<(String, std::path::PathBuf)> {
    use serde_json::json;
    let mut files = Vec::new();
    let mut put = |name: &str, text: String| {
        let path = kb.base.join(name);
        std::fs::write(&path, text).unwrap();
        files.push((name.to_owned(), path));
    };
    // The knowledge base's own notes as interchange JSON and as a recap, under other ids.
    let json = String::from_utf8(kb.ok(&["export", "ev", "--skip-invalid"]).stdout)
        .unwrap()
        .replace("\"id\": \"ev\"", "\"id\": \"imported\"");
    put("notes.json", json);
    let md = String::from_utf8(
        kb.ok(&["export", "ev", "--format", "md", "--skip-invalid"])
            .stdout,
    )
    .unwrap()
    .replace("{\"id\":\"ev\"", "{\"id\":\"imported\"");
    put("recap.md", md.clone());
    put(
        "broken-recap.md",
        md.replace("- 日時:", &format!("- {EVIL}:")),
    );
    put(
        "unknown-field.json",
        json!({"talknotes": 1, "events": [{"id": "x", "name": "n", EVIL: 1}]}).to_string(),
    );
    put(
        "bad-version.json",
        json!({"talknotes": EVIL, "events": []}).to_string(),
    );
    let session = json!({"code": "AB12", "title": evil("Session"), "start": "10:00",
        "duration": "00:40", "room": evil("Room"), "track": evil("Track"), "type": evil("Keynote"),
        "abstract": evil("abstract"), "persons": [{"public_name": evil("Speaker")}]});
    put(
        "frab.json",
        json!({"schedule": {"conference": {"acronym": "conf", "title": evil("Conf"),
            "days": [{"date": "2024-06-01", "rooms": {evil("Room"): [session]}}]}}})
        .to_string(),
    );
    put(
        "frab-broken.json",
        json!({"schedule": {"conference": {"title": "C", "days": [{"date": "2024-06-01",
            "rooms": {evil("Room"): [{"code": "x", "title": "T", "start": EVIL}]}}]}}})
        .to_string(),
    );
    put(
        "sessionize.json",
        json!({"sessions": [{"id": "1", "title": evil("Session"),
            "startsAt": "2024-06-01T10:00:00", "endsAt": "2024-06-01T10:40:00",
            "speakers": [EVIL], "categoryItems": [], "roomId": null}],
            "speakers": [], "rooms": []})
        .to_string(),
    );
    files
}

/// What a command shows when it shows note text: the escaped form of the hostile text.
fn shows_escaped(text: &str) -> bool {
    text.contains("\\u{1b}") || text.contains("\\u001b") || text.contains("&#x1b;")
}

#[test]
fn no_command_writes_raw_control_characters() {
    let kb = hostile_kb();
    kb.ok(&["current", "ev/evil"]);
    let imports = hostile_imports(&kb);
    let import_args: Vec<Vec<String>> = imports
        .iter()
        .flat_map(|(name, path)| {
            let path = path.to_str().unwrap().to_owned();
            let mut runs = vec![vec!["import".into(), "--dry-run".into(), path.clone()]];
            if name.starts_with("sessionize") {
                runs.push(vec![
                    "import".into(),
                    "--dry-run".into(),
                    "--event".into(),
                    "ev".into(),
                    path.clone(),
                ]);
            }
            runs
        })
        .collect();

    let evil_tool = evil("Tool");
    let evil_speaker = evil("Mallory");
    let evil_tag = evil("tag");
    let evil_room = evil("Room");
    let evil_query = format!("red year:{EVIL} date:{EVIL} tag:{EVIL}");
    let hostile = EVIL;
    // (arguments, whether the output must show hostile note text escaped)
    let mut runs: Vec<(Vec<&str>, bool)> = vec![
        (vec!["list"], true),
        (vec!["list", "--events"], true),
        (vec!["list", "--json"], true),
        (vec!["list", "--events", "--json"], true),
        (vec!["list", "--event", "ev", "--tag", &evil_tag], true),
        (vec!["show", "ev/evil"], true),
        (vec!["show", "ev/evil", "--json"], true),
        (vec!["show", "ev"], true),
        (vec!["show", "ev", "--json"], true),
        (vec!["show", "ev/bad-date"], true),
        (vec!["show", "ev/plain"], true),
        (vec!["current"], true),
        (vec!["search", "evil"], true),
        (vec!["search", "--json", "evil"], true),
        (vec!["search", "--prefix", "evi"], true),
        (vec!["search", &evil_query], true),
        (vec!["search", "--", hostile], false),
        (vec!["tools"], true),
        (vec!["tools", "--json"], true),
        (vec!["tools", &evil_tool], true),
        (vec!["speakers"], true),
        (vec!["speakers", "--json"], true),
        (vec!["speakers", &evil_speaker], true),
        (vec!["related", "ev/plain"], true),
        (vec!["related", "ev/plain", "--json"], true),
        (vec!["now", "--at", "2024-06-01 10:05"], true),
        (
            vec!["now", "--at", "2024-06-01 10:05", "--room", &evil_room],
            true,
        ),
        (
            vec!["now", "--at", "2024-06-01 23:00", "--room", hostile],
            true,
        ),
        (vec!["check"], true),
        (vec!["export"], true),
        (vec!["export", "ev"], true),
        (vec!["export", "--format", "md"], true),
        (
            vec!["export", "--format", "md", "--group-by", "track"],
            true,
        ),
        (vec!["export", "--for", "zenn"], true),
        (vec!["export", "--for", "qiita"], true),
        (vec!["export", "--for", "hatena"], true),
        (vec!["export", "--for", "hugo", "--layout", "digest"], true),
        (vec!["export", "--for", "jekyll", "--layout", "notes"], true),
        (vec!["export", "--for", "plain"], true),
        (vec!["export", "--preview"], true),
        (vec!["export", "--for", "zenn", "--preview"], true),
        (vec!["export", "--format", "md", "--title", hostile], true),
        (vec!["export", "--format", "md", "--tag", &evil_tag], true),
        (
            vec!["export", "--format", "md", "--query", &evil_query],
            false,
        ),
        (vec!["export", "--format", "html"], true),
        (
            vec!["export", "--format", "json", "--tool", &evil_tool],
            true,
        ),
        (vec!["jot", "--at", "11:00", hostile], false),
        (vec!["tag", hostile], true),
        (vec!["tool", hostile, hostile], true),
        (vec!["link", hostile, hostile], false),
        (vec!["new", hostile, "--no-edit"], false),
        (
            vec![
                "new",
                hostile,
                "--id",
                "x2",
                "--speaker",
                hostile,
                "--no-edit",
            ],
            false,
        ),
        (
            vec![
                "event",
                "new",
                "ev2",
                "--name",
                hostile,
                "--location",
                hostile,
            ],
            false,
        ),
        (vec!["current", "ev/evil"], false),
        (vec!["reindex"], false),
    ];
    // The knowledge base holds invalid notes: exports leave them out on purpose, so what
    // they write is checked too; without that, the error naming them is.
    for (args, _) in runs.iter_mut().filter(|(args, _)| args[0] == "export") {
        args.push("--skip-invalid");
    }
    runs.push((vec!["export", "ev"], true));
    runs.push((vec!["export", "--format", "md"], true));
    for args in &import_args {
        runs.push((args.iter().map(String::as_str).collect(), false));
    }
    for (args, shows) in &runs {
        let what = format!("tn {}", args.join(" ").escape_debug());
        // Without a terminal and with NO_COLOR, as scripts run it.
        let out = kb.tn().args(args).output().unwrap();
        assert_ne!(
            out.status.code(),
            Some(101),
            "{what} panicked: {}",
            stderr(&out)
        );
        assert_no_raw_controls(&format!("{what} (stdout)"), &out.stdout);
        assert_no_raw_controls(&format!("{what} (stderr)"), &out.stderr);
        if *shows {
            let all = format!("{}{}", stdout(&out), stderr(&out));
            assert!(shows_escaped(&all), "{what} showed no note text:\n{all}");
        }
        // As on a colour terminal: then the output stream passes escape sequences through
        // instead of stripping them (as it does for a pipe or NO_COLOR), so this is what a
        // terminal would receive. Only the program's own colours may be there.
        let out = kb
            .tn()
            .env_remove("NO_COLOR")
            .env("CLICOLOR_FORCE", "1")
            .args(args)
            .output()
            .unwrap();
        assert_no_raw_controls(
            &format!("{what} (colour, stdout)"),
            &without_sgr(&out.stdout),
        );
        assert_no_raw_controls(
            &format!("{what} (colour, stderr)"),
            &without_sgr(&out.stderr),
        );
    }
}

/// `bytes` without SGR sequences (`ESC [ digits and ; m`), the colours `tn` itself writes. Every
/// hostile field also holds sequences that are not SGR, so a leak is still seen.
fn without_sgr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0x1b && bytes.get(i + 1) == Some(&b'[') {
            let params = bytes[i + 2..]
                .iter()
                .take_while(|b| b.is_ascii_digit() || **b == b';')
                .count();
            if bytes.get(i + 2 + params) == Some(&b'm') {
                i += 3 + params;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Whether any cell of the screen holds a character a terminal would act on.
fn raw_cells(terminal: &ratatui::Terminal<ratatui::backend::TestBackend>) -> Vec<String> {
    terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|cell| cell.symbol())
        .filter(|symbol| symbol.chars().any(is_terminal_control))
        .map(|symbol| symbol.escape_debug().to_string())
        .collect()
}

#[test]
fn the_tui_never_draws_raw_control_characters() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use talknotes::store::Store;
    use talknotes::tui::{self, Session, action::Action, view::Theme};

    let kb = hostile_kb();
    let mut app = Session::new(Store::open(&kb.root).unwrap());
    app.set_clock(|| "10:05".parse().unwrap());
    app.open_index().unwrap();
    app.load_facets().unwrap();
    let mut screens = 0;
    let mut check = |app: &mut Session, what: &str| {
        for (width, height) in [(140, 50), (60, 20)] {
            for theme in [Theme::plain(), Theme { color: true }] {
                let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
                tui::draw(&mut terminal, app, &theme).unwrap();
                let raw = raw_cells(&terminal);
                assert!(raw.is_empty(), "{what} at {width}x{height}: raw {raw:?}");
                screens += 1;
            }
        }
    };
    check(&mut app, "recent talks");
    for c in "evil".chars() {
        app.update(Action::Insert(c));
    }
    app.dispatch(Action::Tick);
    check(&mut app, "results");
    assert!(app.hits().len() >= 2, "the hostile talks are found");
    // Every result: preview, then the detail screen, scrolled through.
    for i in 0..app.hits().len() {
        check(&mut app, &format!("preview {i}"));
        app.dispatch(Action::Confirm);
        for _ in 0..4 {
            check(&mut app, &format!("detail {i}"));
            app.dispatch(Action::PageDown);
        }
        app.dispatch(Action::Back);
        app.dispatch(Action::Down);
    }
    // Every facet list (events, tags, tools, ...), and a hostile pick as a chip.
    app.dispatch(Action::FocusList);
    app.dispatch(Action::Facets);
    for kind in 0..6 {
        check(&mut app, &format!("facets {kind}"));
        app.dispatch(Action::NextField);
    }
    app.dispatch(Action::Down);
    app.dispatch(Action::Confirm);
    check(&mut app, "filter chip");
    // Capture: what is typed or pasted, and the status lines that quote it.
    app.dispatch(Action::FocusList);
    app.dispatch(Action::AddTool);
    app.dispatch(Action::Paste(evil("Tool")));
    check(&mut app, "tool line");
    app.dispatch(Action::Confirm);
    check(&mut app, "tool status");
    app.dispatch(Action::NewTalk);
    app.dispatch(Action::Paste(evil("Title")));
    check(&mut app, "new talk form");
    app.dispatch(Action::Back);
    app.dispatch(Action::Help);
    check(&mut app, "help");
    assert!(screens > 40);
}

/// The real binary in a real terminal (tmux): hostile text shows as escapes, and none of its
/// sequences acts: no colour, no title change, nothing on the clipboard.
#[test]
fn the_tui_in_tmux_is_not_driven_by_note_text() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED the_tui_in_tmux_is_not_driven_by_note_text: tmux is not installed");
        return;
    }
    let kb = hostile_kb();
    let tmux = Tmux::new("safety");
    tmux.start_tn(&kb, 150, 45);
    // Let the sequences act if they reach tmux: OSC 52 fills a paste buffer, OSC 0 the title.
    tmux.run(&["set-option", "-g", "set-clipboard", "on"]);
    let patience = std::time::Duration::from_secs(60);
    tmux.wait_for("Recent talks", patience);
    tmux.literal("evil");
    tmux.wait_for("Results", patience);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("takeaways", patience);
    assert!(screen.contains("\\u{1b}]52;c;ZXZpbA=="), "{screen}");
    let styled = tmux.run(&["capture-pane", "-p", "-e", "-t", "tn"]);
    assert!(
        !styled.contains("\u{1b}[31m") && !styled.contains("\u{1b}[2J"),
        "note text changed the colours: {styled:?}"
    );
    let title = tmux.run(&["display-message", "-p", "-t", "tn", "#{pane_title}"]);
    assert!(!title.contains("pwned"), "the title changed to {title:?}");
    let buffers = tmux.run(&["list-buffers"]);
    assert!(
        buffers.trim().is_empty(),
        "the clipboard was written: {buffers}"
    );
    tmux.keys(&["C-c"]);
}
