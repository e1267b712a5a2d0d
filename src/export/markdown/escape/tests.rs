use super::*;
use pulldown_cmark::{Event as Md, Parser, Tag};

/// The text a CommonMark reader shows for `markdown` (one paragraph), and the elements it made.
fn rendered_text(markdown: &str) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut starts = Vec::new();
    // Every extension a platform might enable, except typographic quotes and dashes, which
    // change how text looks but never its structure.
    let options =
        pulldown_cmark::Options::all() - pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Md::Text(t) | Md::Code(t) => text.push_str(&t),
            Md::SoftBreak | Md::HardBreak => text.push('\n'),
            Md::Html(t) | Md::InlineHtml(t) => text.push_str(&t),
            Md::Start(tag) => {
                let name = format!("{tag:?}");
                starts.push(name.split(['(', ' ', '{']).next().unwrap_or("").to_owned());
            }
            _ => {}
        }
    }
    (text, starts)
}

const HOSTILE: &[&str] = &[
    "# not a heading",
    "1. not a list",
    "- not a list",
    "+ not a list",
    "> not a quote",
    "---",
    "===",
    "**bold** _em_ ~~strike~~ `code`",
    "[link](http://x) ![img](y)",
    "<script>alert(1)</script>",
    "a | b | c",
    "$x^2$ and $$y$$",
    "::: message",
    "&amp; &#x41; &copy; & ;",
    "back\\slash \\* \\",
    "2024. year",
    "C# and F#",
    "12) twelve",
    "tab\there",
    "{{% param \"x\" %}} {{< y >}} {% include secret.txt %} {{ site.secret }}",
    "@[card](https://evil.example/)",
    "[https://evil.example/:embed] id:someone",
    "www.example.com -- and... 100%",
    "  edges\u{3000} ",
];

#[test]
fn escaped_text_renders_as_typed_and_unescapes_exactly() {
    for platform in [
        Platform::Plain,
        Platform::Zenn,
        Platform::Qiita,
        Platform::Hugo,
    ] {
        for text in HOSTILE {
            let escaped = inline(text, platform);
            assert_eq!(unescape(&escaped), *text, "round trip of {text:?}");
            let (shown, starts) = rendered_text(&escaped);
            // Leading white space is `&nbsp;`, which a page shows as such.
            let shown = shown.replace('\u{a0}', " ");
            assert_eq!(shown, *text, "rendering of {escaped:?}");
            assert_eq!(starts, ["Paragraph"], "{escaped:?} made {starts:?}");
            let (shown, _) = rendered_text(&format!("- {escaped}"));
            assert_eq!(shown.replace('\u{a0}', " "), *text, "list item {escaped:?}");
            let (shown, _) = rendered_text(&format!("### {escaped}"));
            assert_eq!(shown.replace('\u{a0}', " "), *text, "heading {escaped:?}");
            for bad in ["{{", "{%", "@[", "```"] {
                assert!(!escaped.contains(bad), "{bad} in {escaped:?}");
            }
        }
    }
}

#[test]
fn hatena_sees_no_bracket_notation_and_qiita_no_mention() {
    let text = "[https://evil.example/:embed] id:someone ((note)) @alice";
    let hatena = inline(text, Platform::Hatena);
    assert!(
        !hatena.contains('[') && !hatena.contains("id:") && !hatena.contains("(("),
        "{hatena}"
    );
    assert_eq!(unescape(&hatena), text);
    let qiita = inline(text, Platform::Qiita);
    assert!(qiita.contains("@\u{2060}alice"), "{qiita}");
    assert_eq!(unescape(&qiita), text);
    // A word joiner the user typed is a reference, so only Qiita's are dropped.
    let typed = "@\u{2060}bob";
    assert_eq!(unescape(&inline(typed, Platform::Qiita)), typed);
}

#[test]
fn line_breaks_in_list_items_are_hard_breaks_and_urls_autolinks() {
    let text = "see https://example.com/a_b.\n1. next\n  indented";
    let escaped = item(text, Platform::Zenn, "  ");
    assert_eq!(
        escaped,
        "see <https://example.com/a_b>.\\\n  1\\. next\\\n  &nbsp;&nbsp;indented"
    );
    let (shown, starts) = rendered_text(&format!("- {escaped}"));
    assert_eq!(shown.replace('\u{a0}', " "), text);
    assert!(starts.contains(&"Link".to_owned()), "{starts:?}");
    assert_eq!(
        item(text, Platform::Hatena, "  ").matches("<br>").count(),
        2
    );
}

#[test]
fn control_characters_and_edges_are_references() {
    let text = "a\u{1b}[31mb\u{202e}c\nd";
    let escaped = inline(text, Platform::Plain);
    assert!(!escaped.chars().any(is_unsafe), "{escaped}");
    assert_eq!(escaped, "a&#x1b;\\[31mb&#x202e;c&#xa;d");
    assert_eq!(unescape(&escaped), text);
    assert_eq!(
        unescape(&line_text("    indented", Platform::Plain)),
        "    indented"
    );
    assert_eq!(line_text("  - x", Platform::Plain), "&nbsp;&nbsp;\\- x");
    assert_eq!(inline(" x\t", Platform::Plain), "&nbsp;x&#x9;");
    assert!(is_edge_line(&edge_line("\n \t")));
    assert!(!is_edge_line(&line_text(" x", Platform::Plain)));
}

#[test]
fn code_lines_keep_template_code_from_hugo_and_jekyll_and_read_back() {
    // `{{{<`: Hugo finds the opener at the second brace.
    let code = "{{% param \"x\" %}} {{< y >}} {% raw %} {{ site.secret }} {{\u{2060}< {{{< z >}}";
    let jekyll = code_line(code, Platform::Jekyll);
    assert_eq!(
        jekyll,
        "{{ '{{' }}% param \"x\" %}} {{ '{{' }}< y >}} {{ '{%' }} raw %} {{ '{{' }} site.secret }} {{ '{{' }}\u{2060}< {{ '{{' }}{< z >}}"
    );
    let hugo = code_line(code, Platform::Hugo);
    assert!(!hugo.contains("{{<") && !hugo.contains("{{%"), "{hugo}");
    for platform in [Platform::Jekyll, Platform::Hugo, Platform::Zenn] {
        assert_eq!(unescape_code(&code_line(code, platform), platform), code);
    }
}

#[test]
fn destinations_survive_parentheses_spaces_entities_and_braces() {
    for url in [
        "https://ja.wikipedia.org/wiki/Rust_(プログラミング言語)",
        "https://example.com/a b",
        "https://example.com/?a=1&copy=2",
        "https://example.com/back\\slash",
        "https://example.com/{{x}}/[y]",
    ] {
        let dest = destination(url);
        assert!(!dest.contains("{{") && !dest.contains('['), "{dest}");
        let md = format!("[x]({dest})");
        let mut found = None;
        for event in Parser::new(&md) {
            if let Md::Start(Tag::Link { dest_url, .. }) = event {
                found = Some(dest_url.to_string());
            }
        }
        assert_eq!(found.as_deref(), Some(url), "{md}");
        assert_eq!(
            unescape(dest.trim_start_matches('<').trim_end_matches('>')),
            url
        );
    }
    assert!(autolink_safe("https://example.com/x_y"));
    assert!(!autolink_safe("https://example.com/a b"));
    assert!(!autolink_safe("https://example.com/{{x}}"));
    assert!(!autolink_safe("not a url"));
    assert!(linkable("https://x") && linkable("mailto:a@b") && !linkable("javascript:x"));
}
