//! Publishing recaps (`tn export --for …`), checked with the platforms' own software: Zenn's
//! renderer (`zenn-markdown-html`, pinned in tests/zenn/package.json) must turn each talk page
//! into its card and each deck and recording into its embed, and real Hugo and Jekyll builds
//! must show every hostile takeaway as text (issue 18 item 6: no template code runs, no secret
//! leaks, no `javascript:` link). The front matter must be the YAML each platform's tools read.
//!
//! Zenn's renderer runs on node: `npm ci --prefix tests/zenn --no-audit --no-fund` installs it
//! (`.ci/run` does). Hugo and Jekyll are Debian packages (`.ci/run` installs them); where one is
//! missing on a developer's machine its test says so and passes, CI always has them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

use crate::common::Kb;
use crate::export_recap::{PLATFORMS, export, repo, samples};

/// Takeaways that are Markdown, HTML, embeds, shortcodes or Liquid, one or several lines.
const HOSTILE: &[&str] = &[
    "{{% param \"x\" %}}",
    "{{< param \"apiKey\" >}}",
    "{{ .Site.Params.secret }}",
    "{% include secret.txt %}",
    "{% raw %}",
    "{% endraw %}",
    "{{ site.secret }}",
    "{{site.secret}}",
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{/* comment */}}",
    "{{</* x */>}}",
    "{%- comment -%}",
    "{{- site.secret -}}",
    "https://example.com/a_b",
    "www.example.com",
    "mailto:a@example.com",
    "javascript:alert(1)",
    "it's \"quoted\" -- and... <<x>>",
    "~~del~~ ^sup^ :smile: *em* __strong__",
    "1. not a list",
    "# not a heading",
    "> not a quote",
    "| a | b |",
    "&amp; &#64; &copy;",
    "back\\slash \\{{ x }}",
    "クラウドネイティブ {{ 日本語 }} 100%",
    "a_b_c snake_case __init__",
    "[^1] footnote?",
    "{: .class}",
    "$x$ $$y$$",
    "- not a list",
    "+ plus",
    "= setext?",
    "Node.js (beta), 100% safe: yes, www.example.com/a_b",
    "@[card](https://evil.example/)",
    "::: message",
    "[https://evil.example/:embed:cite] id:someone",
    "@alice",
    "a\n1. one",
    "a\n1) one",
    "a\n# h",
    "a\n> q",
    "a\n---",
    "a\n- b",
    "x\n@[card](https://evil.example/)",
    "x\n{% include secret.txt %}",
];

const SECRETS: &[&str] = &[
    "HUGO-PARAM-SECRET",
    "HUGO-PARAM-X",
    "HUGO-API-KEY",
    "JEKYLL-SITE-SECRET",
    "INCLUDE-FILE-SECRET",
];

const CODE: &str = "{{% param \"x\" %}} {{< param \"apiKey\" >}} {% include secret.txt %} {{ site.secret }} {% endraw %} {{{< param \"secret\" >}} {{< unbalanced";
const TALK_URL: &str = "https://example.com/talks/1";
const DECK: &str = "https://speakerdeck.com/player/0123456789abcdef0123456789abcdef";
const VIDEO_ID: &str = "jjfa1cVJLwc";

/// One talk holding every hostile takeaway, a deck, a recording, a page and a `javascript:`
/// link and tool, and template code in its memo.
fn hostile() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "{{% param \"x\" %}} <b>title</b>",
        "--id",
        "hostile",
        "--url",
        TALK_URL,
        "--date",
        "2024-06-01",
        "--no-edit",
    ]);
    let mut talk = kb.talk("ev", "hostile");
    talk.tags = vec!["security".into()];
    talk.takeaways = HOSTILE
        .iter()
        .map(|text| talknotes::note::Takeaway {
            text: (*text).to_owned(),
            at: None,
            by: None,
        })
        .collect();
    let link = |url: &str, title: Option<&str>| talknotes::note::Link {
        url: url.to_owned(),
        kind: None,
        title: title.map(str::to_owned),
        by: None,
    };
    talk.links = vec![
        link(
            "https://example.com/article",
            Some("Article {{ site.secret }}"),
        ),
        link(DECK, Some("スライド")),
        link(&format!("https://www.youtube.com/watch?v={VIDEO_ID}"), None),
        link("javascript:alert(1)", Some("click")),
        link("data:text/html,<script>alert(1)</script>", None),
    ];
    talk.tools = vec![talknotes::note::Tool {
        name: "Evil".into(),
        url: Some("javascript:alert(2)".into()),
        by: None,
    }];
    talk.memo = Some(format!("Code:\n\n```\n{CODE}\n```"));
    kb.write(
        "notes/ev/hostile.ron",
        talknotes::store::codec::to_ron(&talk).unwrap(),
    );
    kb.ok(&["check"]);
    kb
}

/// `node tests/zenn/inspect.mjs`: what the page (HTML, or Markdown rendered by Zenn) holds.
fn inspect(input: &str, zenn: bool) -> Value {
    let dir = repo().join("tests/zenn");
    assert!(
        dir.join("node_modules/zenn-markdown-html").is_dir(),
        "Zenn's renderer is not installed: run `npm ci --prefix tests/zenn --no-audit --no-fund`"
    );
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("inspect.mjs"));
    if zenn {
        cmd.arg("--zenn");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("node could not run ({e}): install node and run `npm ci --prefix tests/zenn --no-audit --no-fund`"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "inspect.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strs(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Every hostile takeaway is a list item showing exactly its text, with no element in it but
/// line breaks (and the link of a URL it holds, to that URL).
fn assert_takeaways_are_text(page: &Value, strip: &str, what: &str) {
    let items: Vec<(String, Vec<String>)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let text = i["text"].as_str().unwrap().replace(strip, "");
            (text.trim().to_owned(), strs(&i["tags"]))
        })
        .collect();
    for text in HOSTILE {
        let Some((_, tags)) = items.iter().find(|(t, _)| t == text) else {
            panic!("{what}: no list item shows {text:?}; items: {items:#?}");
        };
        let allowed: &[&str] = if text.contains("https://") {
            &["br", "a"]
        } else {
            &["br"]
        };
        assert!(
            tags.iter().all(|t| allowed.contains(&t.as_str())),
            "{what}: {text:?} became {tags:?}"
        );
    }
    let links = strs(&page["links"]);
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("https://") || l.starts_with('#') || l.starts_with("mailto:")),
        "{what}: links {links:?}"
    );
    let elements = strs(&page["elements"]);
    for bad in ["script", "img", "aside", "details", "embed-katex", "b"] {
        assert!(
            !elements.iter().any(|e| e == bad),
            "{what}: a <{bad}> element"
        );
    }
}

#[test]
fn zenn_renders_cards_embeds_and_hostile_text_as_text() {
    let kb = hostile();
    for layout in ["attendee", "digest"] {
        let md = export(&kb, &["--for", "zenn", "--layout", layout]);
        let page = inspect(&md, true);
        assert_takeaways_are_text(&page, "", &format!("zenn {layout}"));
        assert_eq!(strs(&page["cards"]), [TALK_URL], "{md}");
        let embeds: Vec<(String, String)> = page["embeds"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["class"].as_str().unwrap().contains("zenn-embedded-card"))
            .map(|e| {
                (
                    e["class"].as_str().unwrap().to_owned(),
                    e["src"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            embeds,
            [
                ("embed-block embed-speakerdeck".to_owned(), DECK.to_owned()),
                (
                    "embed-block embed-youtube".to_owned(),
                    format!("https://www.youtube-nocookie.com/embed/{VIDEO_ID}")
                ),
            ],
            "{md}"
        );
        assert!(strs(&page["codes"]).iter().any(|c| c.trim_end() == CODE));
    }
    // The sample digest: every talk page a card, every YouTube recording a player.
    let kb = samples();
    let md = export(&kb, &["neco-weekly-2022-11-02", "--for", "zenn"]);
    let page = inspect(&md, true);
    let mut urls = Vec::new();
    let mut videos = 0;
    for file in fs::read_dir(kb.path("notes/neco-weekly-2022-11-02")).unwrap() {
        let name = file.unwrap().file_name().into_string().unwrap();
        if let Some(id) = name.strip_suffix(".ron").filter(|n| *n != "event") {
            let talk = kb.talk("neco-weekly-2022-11-02", id);
            urls.extend(talk.url.clone());
            // Slides Zenn cannot embed (a PDF) are shown as a card.
            urls.extend(
                talk.links
                    .iter()
                    .filter(|l| l.title.as_deref().is_some_and(|t| t.contains("スライド")))
                    .map(|l| l.url.clone()),
            );
            videos += talk
                .links
                .iter()
                .filter(|l| l.url.contains("youtube.com/watch"))
                .count();
        }
    }
    let mut cards = strs(&page["cards"]);
    cards.sort();
    urls.sort();
    assert_eq!(cards, urls);
    let players = page["embeds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["class"].as_str().unwrap().contains("embed-youtube"))
        .count();
    assert_eq!(players, videos);
    assert!(videos > 0);
}

/// The path of a Debian-packaged generator, or `None` (with a message) when it is missing.
fn generator(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is missing in CI: .ci/run installs it"
        );
        eprintln!(
            "SKIPPED: {name} is not installed (apt-get install --no-install-recommends {name}); CI runs this test"
        );
    }
    found
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The one page a build wrote that holds an `<article>`.
fn built_page(root: &Path) -> String {
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                let text = fs::read_to_string(&path).unwrap();
                if text.contains("<article>") {
                    return text;
                }
            }
        }
    }
    panic!("the build wrote no page under {}", root.display());
}

fn assert_site(page: &str, strip: &str, what: &str) {
    for secret in SECRETS {
        assert!(!page.contains(secret), "{what}: {secret} leaked");
    }
    let inspected = inspect(page, false);
    assert_takeaways_are_text(&inspected, strip, what);
    let codes: Vec<String> = strs(&inspected["codes"])
        .iter()
        .map(|c| c.replace(strip, ""))
        .collect();
    assert!(
        codes.iter().any(|c| c.trim_end() == CODE),
        "{what}: the memo's code is not shown as written: {codes:?}"
    );
}

#[test]
fn hugo_builds_the_recap_with_template_code_as_text() {
    let Some(hugo) = generator("hugo") else {
        return;
    };
    let kb = hostile();
    for layout in ["notes", "attendee"] {
        let site = kb.base.join(format!("hugo-{layout}"));
        write(
            &site.join("config.toml"),
            "baseURL = \"http://example.org/\"\ntitle = \"recap\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\", \"home\", \"section\"]\n[params]\nsecret = \"HUGO-PARAM-SECRET\"\nx = \"HUGO-PARAM-X\"\napiKey = \"HUGO-API-KEY\"\n",
        );
        write(
            &site.join("layouts/_default/single.html"),
            "<article>{{ .Content }}</article>\n",
        );
        let md = export(&kb, &["--for", "hugo", "--layout", layout]);
        write(&site.join("content/posts/recap.md"), &md);
        let out = site.join("public");
        run(
            Command::new(&hugo)
                .args(["--quiet", "-D", "-F", "-s"])
                .arg(&site)
                .arg("-d")
                .arg(&out),
            "hugo",
        );
        // Hugo's code blocks carry a U+2060 WORD JOINER inside `{{<` and `{{%`.
        assert_site(&built_page(&out), "\u{2060}", &format!("hugo {layout}"));
    }
}

#[test]
fn jekyll_builds_the_recap_with_liquid_as_text() {
    let Some(jekyll) = generator("jekyll") else {
        return;
    };
    let kb = hostile();
    for layout in ["notes", "attendee"] {
        let site = kb.base.join(format!("jekyll-{layout}"));
        write(
            &site.join("_config.yml"),
            "title: recap\nsecret: JEKYLL-SITE-SECRET\nmarkdown: kramdown\n",
        );
        write(&site.join("_includes/secret.txt"), "INCLUDE-FILE-SECRET\n");
        write(
            &site.join("_layouts/post.html"),
            "<article>{{ content }}</article>\n",
        );
        let md = export(&kb, &["--for", "jekyll", "--layout", layout]);
        write(&site.join("_posts/2024-06-01-recap.md"), &md);
        let out = site.join("_site");
        run(
            Command::new(&jekyll)
                .args(["build", "--quiet", "--future", "-s"])
                .arg(&site)
                .arg("-d")
                .arg(&out)
                .env("JEKYLL_ENV", "production"),
            "jekyll",
        );
        assert_site(&built_page(&out), "", &format!("jekyll {layout}"));
    }
}

/// The front matter of a recap as YAML.
fn front_matter(md: &str) -> serde_yaml_ng::Mapping {
    let rest = md
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("no front matter:\n{md}"));
    let end = rest.find("\n---\n").unwrap();
    match serde_yaml_ng::from_str::<Yaml>(&rest[..end]).unwrap() {
        Yaml::Mapping(map) => map,
        other => panic!("front matter is {other:?}"),
    }
}

fn keys(map: &serde_yaml_ng::Mapping) -> Vec<String> {
    map.keys().map(|k| k.as_str().unwrap().to_owned()).collect()
}

fn strings(value: &Yaml) -> Vec<String> {
    value
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn front_matter_is_the_yaml_each_platform_reads() {
    let kb = samples();
    for event in ["cloudnative-days-summer-2024", "neco-weekly-2022-11-02"] {
        let name = kb.event(event).name;
        let fm = |platform: &str| front_matter(&export(&kb, &[event, "--for", platform]));

        // Qiita CLI: the keys `qiita new` writes, 1 to 5 tags.
        let qiita = fm("qiita");
        assert_eq!(
            keys(&qiita),
            [
                "title",
                "tags",
                "private",
                "updated_at",
                "id",
                "organization_url_name",
                "slide",
                "ignorePublish"
            ]
        );
        assert!(qiita["title"].as_str().unwrap().starts_with(&name));
        let tags = strings(&qiita["tags"]);
        assert!((1..=5).contains(&tags.len()), "{tags:?}");
        assert!(tags.iter().all(|t| !t.is_empty() && !t.contains(' ')));
        assert_eq!(qiita["private"], Yaml::Bool(false));
        assert_eq!(qiita["updated_at"].as_str(), Some(""));
        assert!(qiita["id"].is_null() && qiita["organization_url_name"].is_null());
        assert_eq!(qiita["slide"], Yaml::Bool(false));
        // A draft for `qiita publish --all`; `qiita publish NAME` still posts it.
        assert_eq!(qiita["ignorePublish"], Yaml::Bool(true));

        // blogsync: Title, Category, Date (RFC 3339), EditURL, Draft; the file starts `---\n`.
        let hatena = fm("hatena");
        assert_eq!(
            keys(&hatena),
            ["Title", "Category", "Date", "EditURL", "Draft"]
        );
        // The event's tags first, then the talks' most used, five in all.
        let categories = strings(&hatena["Category"]);
        let event_tags = kb.event(event).tags;
        assert!(categories.len() <= 5, "{categories:?}");
        assert_eq!(
            categories[..event_tags.len().min(5)],
            event_tags[..event_tags.len().min(5)],
            "the event's tags first"
        );
        let date = hatena["Date"].as_str().unwrap();
        date.parse::<jiff::Timestamp>()
            .unwrap_or_else(|e| panic!("Date {date}: {e}"));
        assert_eq!(hatena["Draft"], Yaml::Bool(true));

        // Zenn: title of at most 70, one emoji, tech, at most 5 topics of letters and digits
        // (this sample's tags are ASCII), a draft.
        let zenn = fm("zenn");
        assert_eq!(
            keys(&zenn),
            ["title", "emoji", "type", "topics", "published"]
        );
        assert!(zenn["title"].as_str().unwrap().encode_utf16().count() <= 70);
        assert_eq!(zenn["emoji"].as_str().unwrap().chars().count(), 1);
        assert_eq!(zenn["type"].as_str(), Some("tech"));
        let topics = strings(&zenn["topics"]);
        assert!((1..=5).contains(&topics.len()), "{topics:?}");
        assert!(topics.iter().all(|t| {
            t.len() <= 18
                && t.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        }));
        assert_eq!(zenn["published"], Yaml::Bool(false));

        for (platform, expected) in [
            ("hugo", &["title", "date", "tags", "draft"][..]),
            ("jekyll", &["layout", "title", "date", "tags"][..]),
        ] {
            assert_eq!(keys(&fm(platform)), expected, "{platform}");
        }
    }
    // Hostile titles stay one YAML string.
    let title = "x\"\n---\nevil: true # {{% param \"x\" %}}";
    for platform in PLATFORMS.iter().filter(|p| **p != "plain") {
        let fm = front_matter(&export(
            &kb,
            &[
                "neco-weekly-2022-11-02",
                "--for",
                platform,
                "--title",
                title,
            ],
        ));
        let key = if *platform == "hatena" {
            "Title"
        } else {
            "title"
        };
        assert_eq!(fm[key].as_str(), Some(title), "{platform}");
        assert!(!fm.contains_key("evil"));
    }
}

#[test]
fn qiita_and_hatena_recaps_import_back_into_the_same_notes() {
    let kb = samples();
    for platform in ["qiita", "hatena"] {
        for layout in ["notes", "attendee", "digest"] {
            let args = ["--for", platform, "--layout", layout];
            let md = export(&kb, &args);
            kb.write("../recap.md", &md);
            let fresh = Kb::new();
            fresh.ok(&["import", kb.base.join("recap.md").to_str().unwrap()]);
            fresh.ok(&["check"]);
            assert_eq!(export(&fresh, &args), md, "{platform} {layout}");
            let json = |kb: &Kb| -> Value {
                let mut json: Value =
                    serde_json::from_str(&export(kb, &["--format", "json"])).unwrap();
                for event in json["events"].as_array_mut().unwrap() {
                    for talk in event["talks"].as_array_mut().unwrap() {
                        talk.as_object_mut().unwrap().remove("rating");
                    }
                }
                json
            };
            assert_eq!(json(&kb), json(&fresh), "{platform} {layout}");
        }
    }
}

#[test]
fn preview_renders_the_recap_for_the_terminal() {
    let kb = samples();
    let out = kb.ok(&[
        "export",
        "neco-weekly-2022-11-02",
        "--for",
        "zenn",
        "--preview",
    ]);
    let text = crate::common::stdout(&out);
    assert!(
        text.starts_with("title: \"Neco Weekly (2022-11-02号)\"\n"),
        "{text}"
    );
    assert!(text.contains("\n## トーク\n"), "{text}");
    assert!(
        text.contains("\n▶ YouTube https://www.youtube.com/watch?v=Uv0ivz5xej4\n"),
        "{text}"
    );
    assert!(!text.contains("<!--") && !text.contains("@["), "{text}");
    // Without a terminal (and with NO_COLOR), no styles.
    assert!(!text.contains('\u{1b}'));
    kb.fails_with(&["export", "--preview", "-o", "x.md"], 2);
}

#[test]
fn the_old_front_matter_flag_still_works_and_says_what_replaces_it() {
    let kb = samples();
    let out = kb.ok(&["export", "--format", "md", "--front-matter", "hugo"]);
    assert!(
        crate::common::stderr(&out).contains("use --for hugo"),
        "{}",
        crate::common::stderr(&out)
    );
    assert_eq!(
        crate::common::stdout(&out),
        export(&kb, &["--for", "hugo", "--layout", "notes"])
    );
}
