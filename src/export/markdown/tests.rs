use super::*;
use crate::note::{Link, Speaker, Takeaway, Talk, Tool};

fn writer(platform: Platform, layout: Layout) -> Writer {
    Writer {
        out: Out::default(),
        platform,
        layout,
        contributors: false,
    }
}

#[test]
fn markers_cannot_end_the_comment_or_hold_template_code() {
    let mut marker = notes::base_marker(&Talk::new("t".parse().unwrap(), "T"));
    marker.lang = Some("--> <!-- {{% x %}} {% raw %} [u:embed]".into());
    let line = marker_line(TALK_MARKER, "", &marker);
    assert_eq!(line.matches("-->").count(), 1, "{line}");
    assert!(line.ends_with(" -->"));
    for bad in ["{{", "{%", "%}", "[u"] {
        assert!(!line.contains(bad), "{bad} in {line}");
    }
    let json = &line[TALK_MARKER.len()..line.len() - MARKER_END.len()];
    let back: TalkMarker = serde_json::from_str(json).unwrap();
    assert_eq!(back, marker);
}

#[test]
fn unclosed_code_blocks_are_closed() {
    let w = writer(Platform::Plain, Layout::Notes);
    let lines = w.block_lines("text\n````sh\n# comment\n```", true);
    assert_eq!(lines, ["text", "````sh", "# comment", "```", "````"]);
}

#[test]
fn white_space_around_a_memo_is_a_line_of_references() {
    let w = writer(Platform::Plain, Layout::Notes);
    let lines = w.block_lines("\n \n  text\n\n", true);
    assert_eq!(
        lines,
        ["&#xa;&#x20;&#xa;", "&nbsp;&nbsp;text", "&#xa;&#xa;"]
    );
}

fn sample_talk() -> Talk {
    let mut talk = Talk::new("t".parse().unwrap(), "Intro to *eBPF*");
    talk.url = Some("https://example.com/t".into());
    talk.speakers = vec![
        Speaker::parse_cli("山田 花子（Example、Inc.）"),
        Speaker::parse_cli("Jane"),
    ];
    talk.date = Some("2024-06-15".parse().unwrap());
    talk.start = Some("13:00".parse().unwrap());
    talk.end = Some("13:40".parse().unwrap());
    talk.takeaways = vec![Takeaway {
        text: "1. first\nsecond".into(),
        at: Some("13:05".parse().unwrap()),
        by: None,
    }];
    talk.tools = vec![
        Tool {
            name: "Cilium".into(),
            url: Some("https://cilium.io/".into()),
            by: None,
        },
        Tool {
            name: "Evil".into(),
            url: Some("javascript:alert(1)".into()),
            by: None,
        },
    ];
    talk.links = vec![
        Link {
            url: "https://example.com/page".into(),
            title: None,
            by: None,
        },
        Link {
            url: "https://www.youtube.com/watch?v=jjfa1cVJLwc".into(),
            title: Some("録画".into()),
            by: None,
        },
    ];
    talk.memo = Some("```sh\nls\n```".into());
    talk
}

#[test]
fn a_talk_renders_every_part_in_the_notes_layout() {
    let mut w = writer(Platform::Plain, Layout::Notes);
    w.notes_talk(&sample_talk(), 3);
    let expected = "### [Intro to \\*eBPF\\*](https://example.com/t)\n\
<!-- talknotes:talk {\"id\":\"t\",\"kind\":\"session\",\"at\":[\"13:05\"]} -->\n\
\n\
- 登壇者: 山田 花子（Example&#x3001;Inc.）、Jane\n\
- 日時: 2024-06-15 13:00〜13:40\n\
\n\
#### 学んだこと\n\
\n\
- 1\\. first\\\n  second\n\
\n\
#### 紹介されたツール\n\
\n\
- [Cilium](https://cilium.io/)\n\
- Evil: javascript\\:alert(1)\n\
\n\
#### 関連リンク\n\
\n\
- <https://example.com/page>\n\
- [録画](https://www.youtube.com/watch?v=jjfa1cVJLwc)\n\
\n\
#### メモ\n\
\n\
```sh\n\
ls\n\
```\n";
    assert_eq!(w.out.finish(), expected);
}

#[test]
fn a_talk_in_the_attendee_layout_for_zenn_has_its_card_and_embeds() {
    let mut w = writer(Platform::Zenn, Layout::Attendee);
    w.compact_talk(&sample_talk(), 3);
    let text = w.out.finish();
    let expected = "### Intro to \\*eBPF\\*\n\
<!-- talknotes:talk {\"id\":\"t\",\"kind\":\"session\",\"at\":[\"13:05\"],\"date\":\"2024-06-15\",\"start\":\"13:00\",\"end\":\"13:40\",\"media\":[1]} -->\n\
\n\
@[card](https://example.com/t)\n\
\n\
登壇者: 山田 花子（Example&#x3001;Inc.）、Jane\n\
\n\
動画: 録画\n\
\n\
@[youtube](jjfa1cVJLwc)\n\
\n\
- 1\\. first\\\n  second\n\
\n\
**紹介されたツール**\n\
\n\
- [Cilium](https://cilium.io/)\n\
- Evil: javascript\\:alert(1)\n\
\n\
**関連リンク**\n\
\n\
- <https://example.com/page>\n\
\n\
**メモ**\n\
\n\
```sh\n\
ls\n\
```\n";
    assert_eq!(text, expected);
}

#[test]
fn front_matter_never_carries_raw_terminal_controls() {
    // JSON quoting leaves C1 controls, DEL and bidirectional overrides raw, and the front
    // matter is the first thing `tn export --format md` prints.
    let name = "Ev \u{1b}]0;x\u{7} \u{9b}2J \u{85}\u{7f} \u{202e}rtl";
    let mut event = Event::new("ev".parse().unwrap(), name);
    event.tags = vec![name.into()];
    let bundles = [crate::interchange::EventBundle {
        event,
        talks: Vec::new(),
    }];
    for platform in [
        Platform::Zenn,
        Platform::Qiita,
        Platform::Hatena,
        Platform::Hugo,
        Platform::Jekyll,
    ] {
        let options = RecapOptions {
            platform,
            ..RecapOptions::default()
        };
        let text = markdown(&bundles, &options);
        assert!(
            !text.chars().any(|c| is_unsafe(c) || c == '\u{7f}'),
            "{platform:?}: {text:?}"
        );
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix("title: ").or(l.strip_prefix("Title: ")))
            .unwrap();
        let title: String = serde_json::from_str(title).unwrap();
        assert_eq!(title, name, "the title reads back as it was");
    }
}
