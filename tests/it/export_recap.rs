//! Recaps: `tn export --format md|html`, the filters for year-in-review and topic recaps, and
//! reading a Markdown recap back with `tn import`.
//!
//! The Markdown of the repository's sample notes is compared with tests/golden/*.md. After an
//! intended change to the layout, regenerate them with
//! `UPDATE_GOLDEN=1 cargo test --test tests export_recap` and review the diff.

use std::fs;
use std::path::PathBuf;

use pulldown_cmark::{Event as Md, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::common::{Kb, copy_dir, stderr, stdout};

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A knowledge base holding a copy of the repository's sample notes.
pub(crate) fn samples() -> Kb {
    let kb = Kb::new();
    copy_dir(&repo().join("notes"), &kb.path("notes"));
    kb
}

pub(crate) const PLATFORMS: &[&str] = &["zenn", "qiita", "hatena", "hugo", "jekyll", "plain"];

const SAMPLE_EVENTS: &[&str] = &[
    "cloudnative-days-summer-2024",
    "devops-sre-kube-weekly-2023-11-13",
    "neco-weekly-2022-11-02",
    "neco-weekly-2023-12-22",
];

/// `tn export ARGS`, asserting success and that no note was skipped.
pub(crate) fn export(kb: &Kb, args: &[&str]) -> String {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    let out = kb.ok(&all);
    assert_eq!(stderr(&out), "", "export {args:?} warned");
    stdout(&out)
}

fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}\n  hint: create it with UPDATE_GOLDEN=1 cargo test --test tests export_recap",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || expected.lines().count().min(actual.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "{} differs from the export, first at line {line}:\n  golden: {:?}\n  actual: {:?}\n  hint: if the change is intended, run UPDATE_GOLDEN=1 cargo test --test tests export_recap",
            path.display(),
            expected.lines().nth(line - 1),
            actual.lines().nth(line - 1),
        );
    }
}

#[test]
fn markdown_of_the_sample_notes_matches_the_golden_files() {
    let kb = samples();
    for event in SAMPLE_EVENTS {
        golden(
            &format!("{event}.md"),
            &export(&kb, &[event, "--format", "md"]),
        );
    }
    golden(
        "all-by-track-zenn.md",
        &export(
            &kb,
            &[
                "--format",
                "md",
                "--group-by",
                "track",
                "--for",
                "zenn",
                "--layout",
                "notes",
            ],
        ),
    );
    golden(
        "review-2023-hugo.md",
        &export(
            &kb,
            &[
                "--format",
                "md",
                "--since",
                "2023-01-01",
                "--until",
                "2023-12-31",
                "--for",
                "hugo",
                "--layout",
                "notes",
            ],
        ),
    );
    // Each platform in the layout that suits each kind of event: an attendee's recap of a
    // conference, a team's digest of a newsletter issue.
    for platform in PLATFORMS {
        for (event, layout) in [
            ("cloudnative-days-summer-2024", "attendee"),
            ("neco-weekly-2022-11-02", "digest"),
        ] {
            golden(
                &format!("for-{platform}-{layout}.md"),
                &export(&kb, &[event, "--for", platform]),
            );
        }
    }
    golden(
        "cloudnative-days-summer-2024.html",
        &export(&kb, &["cloudnative-days-summer-2024", "--format", "html"]),
    );
}

/// What a CommonMark reader makes of a document: headings, links, list items, code blocks.
#[derive(Debug, Default)]
struct Outline {
    headings: Vec<(u8, String)>,
    links: Vec<(String, String)>,
    items: usize,
    code_blocks: Vec<String>,
    comments: usize,
    /// HTML other than the talknotes comments and `<br>`.
    raw_html: Vec<String>,
}

fn outline(markdown: &str) -> Outline {
    let mut outline = Outline::default();
    let mut heading: Option<(u8, String)> = None;
    let mut link: Option<(String, String)> = None;
    let mut code: Option<String> = None;
    let level = |l: HeadingLevel| l as u8;
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Md::Start(Tag::Heading { level: l, .. }) => heading = Some((level(l), String::new())),
            Md::End(TagEnd::Heading(_)) => outline.headings.extend(heading.take()),
            Md::Start(Tag::Link { dest_url, .. }) => {
                link = Some((String::new(), dest_url.to_string()))
            }
            Md::End(TagEnd::Link) => outline.links.extend(link.take()),
            Md::Start(Tag::Item) => outline.items += 1,
            Md::Start(Tag::CodeBlock(_)) => code = Some(String::new()),
            Md::End(TagEnd::CodeBlock) => outline.code_blocks.extend(code.take()),
            Md::Html(html) if html.starts_with("<!-- talknotes:") => outline.comments += 1,
            Md::Html(html) | Md::InlineHtml(html) if html.as_ref() != "<br>" => {
                outline.raw_html.push(html.to_string())
            }
            Md::Text(text) | Md::Code(text) => {
                if let Some(c) = code.as_mut() {
                    c.push_str(&text);
                }
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&text);
                }
                if let Some((l, _)) = link.as_mut() {
                    l.push_str(&text);
                }
            }
            _ => {}
        }
    }
    outline
}

#[test]
fn markdown_parses_into_the_expected_headings_links_and_lists() {
    let kb = samples();
    let md = export(&kb, &["cloudnative-days-summer-2024", "--format", "md"]);
    let o = outline(&md);
    let event = kb.event("cloudnative-days-summer-2024");
    let talks: Vec<talknotes::note::Talk> =
        fs::read_dir(kb.path("notes/cloudnative-days-summer-2024"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n != "event.ron")
            .map(|n| kb.talk("cloudnative-days-summer-2024", n.trim_end_matches(".ron")))
            .collect();

    // One top heading (the event), kind groups at level 2, one level-3 heading per talk.
    assert_eq!(o.headings[0], (1, event.name.clone()));
    let groups: Vec<&str> = o
        .headings
        .iter()
        .filter(|(l, _)| *l == 2)
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(
        groups,
        [
            "キーノート",
            "スポンサーセッション",
            "セッション",
            "その他",
            "登場したツール一覧"
        ]
    );
    let mut titles: Vec<&str> = o
        .headings
        .iter()
        .filter(|(l, _)| *l == 3)
        .map(|(_, t)| t.as_str())
        .collect();
    titles.sort();
    let mut expected: Vec<&str> = talks.iter().map(|t| t.title.as_str()).collect();
    expected.sort();
    assert_eq!(titles, expected);
    // Every talk title links to its URL; every tool to its URL.
    for talk in &talks {
        let Some(url) = talk.url.as_deref() else {
            continue;
        };
        assert!(
            o.links
                .iter()
                .any(|(text, dest)| text == &talk.title && dest == url),
            "no link for {}",
            talk.title
        );
        for tool in &talk.tools {
            if let Some(url) = &tool.url {
                assert!(
                    o.links.iter().any(|(t, d)| t == &tool.name && d == url),
                    "no link for tool {}",
                    tool.name
                );
            }
        }
    }
    // List items: event facts, each talk's facts, takeaways, tools and links.
    let facts = |t: &talknotes::note::Talk| {
        usize::from(!t.speakers.is_empty())
            + usize::from(t.date.is_some() || t.start.is_some())
            + usize::from(t.track.is_some())
    };
    let expected_items: usize = 3 + talks
        .iter()
        .map(|t| facts(t) + t.takeaways.len() + t.tools.len() + t.links.len())
        .sum::<usize>();
    assert_eq!(o.items, expected_items);
    // Memo code blocks come through intact.
    let memo_code: Vec<&talknotes::note::Talk> = talks
        .iter()
        .filter(|t| t.memo.as_deref().is_some_and(|m| m.contains("```")))
        .collect();
    assert_eq!(o.code_blocks.len(), memo_code.len());
    for block in &o.code_blocks {
        assert!(
            memo_code
                .iter()
                .any(|t| t.memo.as_deref().unwrap().contains(block.trim_end())),
            "code block not in any memo:\n{block}"
        );
    }
    assert_eq!(
        o.comments,
        talks.len() + 2,
        "recap, event and talk comments"
    );
}

#[test]
fn export_import_export_gives_the_same_markdown() {
    let kb = samples();
    for options in [
        vec!["--format", "md"],
        vec![
            "--format",
            "md",
            "--group-by",
            "day",
            "--for",
            "jekyll",
            "--layout",
            "notes",
        ],
        vec!["--for", "qiita"],
        vec!["--for", "hatena", "--group-by", "track"],
        vec!["--for", "zenn", "--layout", "digest"],
        vec!["cloudnative-days-summer-2024", "--for", "plain"],
        vec![
            "--format",
            "md",
            "--group-by",
            "track",
            "--title",
            "2022〜2024 のまとめ",
        ],
        vec!["neco-weekly-2022-11-02", "--for", "zenn"],
    ] {
        let first = export(&kb, &options);
        kb.write("../recap.md", &first);
        let fresh = Kb::new();
        let out = fresh.ok(&["import", kb.base.join("recap.md").to_str().unwrap()]);
        assert!(
            stderr(&out).contains(" created, 0 updated"),
            "{}",
            stderr(&out)
        );
        fresh.ok(&["check"]);
        let second = export(&fresh, &options);
        assert!(
            first == second,
            "round trip changed the recap for {options:?}"
        );
        // The notes themselves come back too, except ratings, which recaps leave out.
        let strip = |kb: &Kb, events: &[&str]| -> Value {
            let mut args = vec!["export", "--format", "json"];
            args.extend_from_slice(events);
            let mut json: Value = serde_json::from_str(&stdout(&kb.ok(&args))).unwrap();
            for event in json["events"].as_array_mut().unwrap() {
                for talk in event["talks"].as_array_mut().unwrap() {
                    talk.as_object_mut().unwrap().remove("rating");
                }
            }
            json
        };
        let events: Vec<&str> = options
            .iter()
            .copied()
            .filter(|o| SAMPLE_EVENTS.contains(o))
            .collect();
        assert_eq!(strip(&kb, &events), strip(&fresh, &events), "{options:?}");
    }
}

#[test]
fn importing_a_recap_again_keeps_ratings_and_needs_update_to_overwrite() {
    let kb = samples();
    let md = export(&kb, &["neco-weekly-2023-12-22", "--format", "md"]);
    let edited = md.replace(
        "- 新機能を使えばこうした細工はいらなくなる。Job の挙動の詳細は記事を参照\n",
        "- 新機能を使えばこうした細工はいらなくなる。Job の挙動の詳細は記事を参照（追記）\n",
    );
    assert_ne!(md, edited, "the takeaway to edit is in the recap");
    kb.write("../recap.md", &edited);
    let file = kb.base.join("recap.md");
    let before = kb.snapshot();
    let out = kb.ok(&["import", file.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("skipped neco-weekly-2023-12-22/sidecar-containers-job (exists and differs; use --update to overwrite)"),
        "{}",
        stdout(&out)
    );
    assert!(kb.snapshot() == before, "import without --update wrote");
    let out = kb.ok(&["import", "--update", "--dry-run", file.to_str().unwrap()]);
    assert!(
        stdout(&out)
            .contains("would update neco-weekly-2023-12-22/sidecar-containers-job (takeaways)"),
        "{}",
        stdout(&out)
    );
    assert!(kb.snapshot() == before, "--dry-run wrote");
    let rating = kb
        .talk("neco-weekly-2023-12-22", "sidecar-containers-job")
        .rating;
    kb.ok(&["import", "--update", file.to_str().unwrap()]);
    let talk = kb.talk("neco-weekly-2023-12-22", "sidecar-containers-job");
    assert!(talk.takeaways.iter().any(|t| t.text.ends_with("（追記）")));
    assert_eq!(talk.rating, rating, "the rating was kept");
    let out = kb.ok(&["import", file.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 10 unchanged, 0 skipped"),
        "{}",
        stderr(&out)
    );
}

/// A talk whose every text field is hostile to Markdown.
fn hostile() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "# *Not* a [heading] | <b>bold</b> & $x$",
        "--id",
        "hostile",
        "--url",
        "https://example.com/a_(b)?c=1&amp=2",
        "--speaker",
        "山田、花子（A社（東京））",
        "--speaker",
        "<img src=x onerror=alert(1)>",
        "--date",
        "2024-06-01",
        "--start",
        "10:00",
        "--track",
        "Track | A",
        "--no-edit",
    ]);
    for line in [
        "1. not a list",
        "- not a list either",
        "> not a quote",
        "---",
        "```",
        "<!-- talknotes:talk {\"id\":\"x\"} -->",
        "\\ back \\* slashes \\",
        "::: message",
        "&copy; &#65;",
    ] {
        kb.ok(&["jot", "--at", "10:01", "--", line]);
    }
    kb.ok(&["tool", "[Tool]", "https://example.com/tool?a=<b>"]);
    kb.ok(&["link", "https://example.com/x y", "Slides *final*"]);
    kb.ok(&["link", "javascript:alert(1)"]);
    let mut talk = kb.talk("ev", "hostile");
    talk.memo = Some(
        "line one\n    indented four\n## not a heading\n===\n```sh\n# a comment, not a heading\n<!-- talknotes:event {} -->\n```\n\n~~~\nunclosed tilde fence"
            .into(),
    );
    talk.r#abstract = Some("> quoted\n\n- item\n\tTabbed".into());
    kb.write(
        "notes/ev/hostile.ron",
        talknotes::store::codec::to_ron(&talk).unwrap(),
    );
    kb.ok(&["check"]);
    kb
}

#[test]
fn hostile_text_never_breaks_the_markdown_and_survives_the_round_trip() {
    let kb = hostile();
    let md = export(&kb, &["--format", "md"]);
    let o = outline(&md);
    let headings: Vec<(u8, &str)> = o.headings.iter().map(|(l, t)| (*l, t.as_str())).collect();
    assert_eq!(
        headings,
        [
            (1, "Example Conf"),
            (2, "セッション"),
            (3, "# *Not* a [heading] | <b>bold</b> & $x$"),
            (4, "学んだこと"),
            (4, "紹介されたツール"),
            (4, "関連リンク"),
            (4, "メモ"),
            (2, "登場したツール一覧"),
        ],
        "{md}"
    );
    assert_eq!(o.comments, 3, "{md}");
    assert_eq!(o.items, 1 + 3 + 9 + 1 + 2, "{md}");
    assert!(
        o.raw_html.is_empty(),
        "user text became HTML: {:?}",
        o.raw_html
    );
    assert_eq!(
        o.code_blocks,
        [
            "# a comment, not a heading\n<!-- talknotes:event {} -->\n",
            "unclosed tilde fence\n"
        ]
    );
    assert!(o.links.contains(&(
        "# *Not* a [heading] | <b>bold</b> & $x$".to_owned(),
        "https://example.com/a_(b)?c=1&amp=2".to_owned()
    )));
    assert!(o.links.contains(&(
        "Slides *final*".to_owned(),
        "https://example.com/x y".to_owned()
    )));

    kb.write("../recap.md", &md);
    let fresh = Kb::new();
    fresh.ok(&["import", kb.base.join("recap.md").to_str().unwrap()]);
    let original = kb.talk("ev", "hostile");
    let back = fresh.talk("ev", "hostile");
    assert_eq!(back.title, original.title);
    assert_eq!(back.url, original.url);
    assert_eq!(back.speakers, original.speakers);
    assert_eq!(back.takeaways, original.takeaways);
    assert_eq!(back.tools, original.tools);
    assert_eq!(back.links, original.links);
    assert_eq!(back.track, original.track);
    assert_eq!(back.r#abstract, original.r#abstract);
    // The unclosed fence was closed on export; everything else is as written.
    assert_eq!(
        back.memo.unwrap(),
        format!("{}\n~~~", original.memo.unwrap())
    );
    assert_eq!(export(&fresh, &["--format", "md"]), md);
}

#[test]
fn html_is_one_escaped_self_contained_page() {
    let kb = hostile();
    let html = export(&kb, &["--format", "html"]);
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"),
        "{html}"
    );
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(
        !html.contains("<script") && !html.contains("<img") && !html.contains("<b>"),
        "{html}"
    );
    assert!(!html.contains("href=\"javascript:"), "{html}");
    assert!(
        !html.contains(" src=\"") && !html.contains("<link"),
        "no external resources"
    );
    assert!(html.contains("<h3><a href=\"https://example.com/a_(b)?c=1&amp;amp=2\"># *Not* a [heading] | &lt;b&gt;bold&lt;/b&gt; &amp; $x$</a></h3>"), "{html}");
    assert!(html.contains("<pre><code class=\"language-sh\"># a comment, not a heading\n&lt;!-- talknotes:event {} --&gt;\n</code></pre>"), "{html}");
    assert!(html.contains("<li>1. not a list</li>"), "{html}");
}

#[test]
fn filters_make_year_in_review_and_topic_recaps_in_date_order() {
    let kb = samples();
    let titles = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--format", "md"];
        all.extend_from_slice(args);
        outline(&export(&kb, &all))
            .headings
            .into_iter()
            .filter(|(l, _)| *l == 2)
            .map(|(_, t)| t)
            .collect()
    };
    // Events come in date order, whatever order they are named in.
    assert_eq!(
        titles(&["neco-weekly-2023-12-22", "neco-weekly-2022-11-02"]),
        [
            "Neco Weekly (2022-11-02号)",
            "Neco Weekly (2023-12-22号)",
            "登場したツール一覧"
        ]
    );
    assert_eq!(
        titles(&["--since", "2023-01-01"]),
        [
            "DevOps/SRE/Kube Weekly Update (2023/11/13-19)",
            "Neco Weekly (2023-12-22号)",
            "CloudNative Days Summer 2024",
            "登場したツール一覧"
        ]
    );
    let md = export(
        &kb,
        &[
            "--format",
            "md",
            "--until",
            "2023-12-31",
            "--since",
            "2023-01-01",
        ],
    );
    assert!(md.contains("\n# 2023年のトークまとめ\n"), "{md}");
    let md = export(&kb, &["--format", "md", "--tag", "ebpf"]);
    assert!(
        md.contains("\n# 2022〜2023年のトークまとめ（タグ\\: ebpf）\n"),
        "{md}"
    );
    for id in [
        "in-place-pod-resize-ebpf-triggers",
        "nyumon-ebpf",
        "bpf-programmable-netdevice",
    ] {
        assert!(
            md.contains(&format!("{{\"id\":\"{id}\"")),
            "{id} missing:\n{md}"
        );
    }
    assert!(!md.contains("cloudnative-days-summer-2024"), "{md}");
    let md = export(&kb, &["--format", "md", "--tool", "cilium"]);
    assert_eq!(md.matches("<!-- talknotes:talk ").count(), 3, "{md}");
    // (The first search builds the index and says so.)
    let md = stdout(&kb.ok(&["export", "--format", "md", "--query", "Wasm"]));
    assert!(md.contains("\"id\":\"wasm-now-and-future\""), "{md}");
    assert!(!md.contains("\"id\":\"gobra\""), "{md}");
    // Filters narrow the interchange JSON too; without them it is the same as always.
    let json: Value =
        serde_json::from_str(&export(&kb, &["--format", "json", "--tool", "cilium"])).unwrap();
    let talks: usize = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["talks"].as_array().unwrap().len())
        .sum();
    assert_eq!(talks, 3);
    let out = kb.fails(&["export", "--format", "md", "--tag", "no-such-tag"]);
    assert!(
        stderr(&out).contains("nothing to export: no talks match"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn export_options_that_do_not_apply_are_rejected() {
    let kb = samples();
    let out = kb.fails(&["export", "--format", "json", "--for", "zenn"]);
    assert!(
        stderr(&out).contains("apply to --format md or html"),
        "{}",
        stderr(&out)
    );
    let out = kb.fails(&["export", "--format", "html", "--for", "hugo"]);
    assert!(
        stderr(&out).contains("--for, --layout and --preview apply to --format md"),
        "{}",
        stderr(&out)
    );
    kb.fails_with(&["export", "--for", "zenn", "--front-matter", "zenn"], 2);
    kb.fails_with(&["export", "--for", "medium"], 2);
    kb.fails_with(&["export", "--format", "pdf"], 2);
    kb.fails_with(&["export", "--format", "md", "--since", "2024-13-01"], 2);
}

#[test]
fn recap_written_to_a_file_atomically() {
    let kb = samples();
    let out = kb.ok(&[
        "export",
        "--format",
        "markdown",
        "-o",
        "recap.md",
        "neco-weekly-2022-11-02",
    ]);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("wrote recap.md"), "{}", stderr(&out));
    assert_eq!(
        kb.read("recap.md"),
        export(&kb, &["neco-weekly-2022-11-02", "--format", "md"])
    );
    assert!(kb.files_named_like(".tn-").is_empty());
}

/// Runs `tn import` of a recap expected to fail; the error names the file and the line.
fn rejected(text: &str, line: usize, message: &str) {
    let kb = Kb::with_event();
    kb.write("../bad.md", text);
    let before = kb.snapshot();
    let file = kb.base.join("bad.md");
    let out = kb.fails(&["import", file.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}: line {line}: ", file.display())),
        "expected line {line} in:\n{err}"
    );
    assert!(err.contains(message), "expected {message:?} in:\n{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(kb.snapshot() == before, "a rejected import wrote:\n{text}");
}

#[test]
fn bad_recaps_are_rejected_whole_with_their_line() {
    let kb = samples();
    let good = export(&kb, &["neco-weekly-2022-11-02", "--format", "md"]);
    let line_of = |needle: &str| good.lines().position(|l| l.contains(needle)).unwrap() + 1;

    rejected(
        "# Just a post\n\nHello\n",
        1,
        "not a recap written by `tn export --format md`",
    );
    rejected(
        "---\ntitle: x\n",
        1,
        "front matter that starts here is never closed",
    );
    let bad = good.replacen("- 日付: 2022-11-02", "- 日付: 2022-11-31", 1);
    rejected(
        &bad,
        line_of("- 日付: 2022-11-02"),
        "`2022-11-31` is not a valid date",
    );
    let bad = good.replacen("\"kind\":\"release\"", "\"kind\":\"song\"", 1);
    rejected(
        &bad,
        line_of("\"kind\":\"release\""),
        "this talknotes comment is damaged",
    );
    let bad = good.replacen("#### 学んだこと", "#### 感想", 1);
    rejected(&bad, line_of("#### 学んだこと"), "unknown section `感想`");
    let at = line_of("#### 学んだこと") + 2;
    let bad = good
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == at {
                format!("* {}", &l[2..])
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    rejected(&bad, at, "expected a list item");
    // The last talk's heading, cut from its comment.
    let heading = line_of("<!-- talknotes:talk ") - 1;
    let bad = good
        .lines()
        .enumerate()
        .filter(|(i, _)| *i + 1 != heading)
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n");
    rejected(&bad, heading, "must come right after the heading");
    // A talk twice in one event: the second copy's comment is named.
    let start = good.find("\n### ").unwrap();
    let talk = &good[start..start + 1 + good[start + 1..].find("\n### ").unwrap()];
    let bad = good.replacen(talk, &format!("{talk}{talk}"), 1);
    let marker = talk
        .lines()
        .find(|l| l.starts_with("<!-- talknotes:talk "))
        .unwrap();
    let second = bad
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == marker)
        .nth(1)
        .unwrap()
        .0;
    rejected(&bad, second + 1, "appears twice");
}

/// Event `ev` with a good talk and a talk broken by hand (a missing comma on line 4).
fn kb_with_a_broken_talk() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "Good talk", "--id", "good", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:00", "kept"]);
    kb.ok(&["new", "Broken talk", "--id", "broken", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:05", "lost"]);
    let text = kb.read("notes/ev/broken.ron");
    kb.write(
        "notes/ev/broken.ron",
        text.replacen("    kind: session,", "    kind: session", 1),
    );
    kb
}

#[test]
fn an_unreadable_note_stops_the_export_naming_its_place_and_writes_nothing() {
    // Regression: the recap was written without the broken talk, exit 0, one warning.
    let kb = kb_with_a_broken_talk();
    // Other events' broken notes do not concern an export of `fine` alone.
    kb.ok(&["event", "new", "other", "--name", "Other"]);
    kb.write("notes/other/bad.ron", "Talk(");
    kb.ok(&["event", "new", "fine", "--name", "Fine"]);
    kb.ok(&["new", "Fine talk", "--event", "fine", "--no-edit"]);
    let out = kb.ok(&["export", "fine", "--format", "md"]);
    assert_eq!(stderr(&out), "");
    for format in ["md", "html", "json"] {
        let before = kb.snapshot();
        let out = kb.fails(&["export", "--format", format, "-o", "x.out", "ev"]);
        let err = stderr(&out);
        assert_eq!(stdout(&out), "", "{format}");
        assert!(
            err.starts_with("error: cannot export ev: 1 note cannot be read; nothing was written\n  hint: fix it (`tn check` lists every problem), or pass --skip-invalid"),
            "{format}: {err}"
        );
        assert!(
            err.contains("\nnotes/ev/broken.ron:5:5: Expected comma\n  hint: "),
            "{format}: {err}"
        );
        assert_eq!(kb.snapshot(), before, "{format}: something was written");
        assert!(!kb.path("x.out").exists());
        // To standard output: nothing either.
        let out = kb.fails(&["export", "--format", format, "ev"]);
        assert_eq!(stdout(&out), "", "{format}");
    }
    // All events: both broken notes are named.
    let out = kb.fails(&["export", "--format", "md"]);
    let err = stderr(&out);
    assert!(
        err.contains("error: cannot export: 2 notes cannot be read"),
        "{err}"
    );
    assert!(err.contains("notes/other/bad.ron"), "{err}");

    // A broken event file is named too, not taken for an unknown event.
    let event = kb.read("notes/fine/event.ron");
    kb.write(
        "notes/fine/event.ron",
        event.replacen("Event(", "Event((", 1),
    );
    let err = stderr(&kb.fails(&["export", "fine"]));
    assert!(
        err.starts_with("error: cannot export fine: 1 note cannot be read")
            && err.contains("\nnotes/fine/event.ron:1:"),
        "{err}"
    );
    kb.write("notes/fine/event.ron", event);

    // On purpose: the rest is exported, with the warning.
    let out = kb.ok(&[
        "export",
        "ev",
        "--format",
        "md",
        "--skip-invalid",
        "-o",
        "x.md",
    ]);
    let err = stderr(&out);
    assert!(
        err.contains("warning: skipped: notes/ev/broken.ron:5:5: Expected comma"),
        "{err}"
    );
    let md = kb.read("x.md");
    assert!(
        md.contains("Good talk") && !md.contains("Broken talk"),
        "{md}"
    );
    let out = kb.ok(&["export", "--skip-invalid"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["events"][0]["talks"].as_array().unwrap().len(), 1);
}
