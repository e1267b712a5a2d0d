//! Escaping for Markdown: user text shows as typed on every platform a recap is published on,
//! and every escape is reversible ([`unescape`]), which is what lets `tn import` read a recap
//! back exactly.
//!
//! One set of rules serves CommonMark renderers that know nothing of each other: Zenn's
//! markdown-it, Qiita's cmark-gfm, Hugo's goldmark (typographer and linkify on) and Jekyll's
//! kramdown, verified by rendering with each (`tests/it/publish.rs`):
//!
//! - every character that can start Markdown, an embed or a template is backslash-escaped
//!   (`` \ ` * _ [ ] < > # | ~ $ { } " ' : ``): with each `{` escaped and `%` written `&#37;`,
//!   no `{{`, `{%`, `{{<` or `{{%` can form for Liquid (Jekyll) or Hugo's shortcodes, which
//!   run on the raw file before Markdown; `:` stops linkify and Zenn's `:::`, `[` Zenn's `@[`;
//! - `&` that would start an entity is `&amp;` (kramdown shows `\&` as typed);
//! - what only means something at the start of a line (`-`, `+`, `=`, `1.`, `1)`) is escaped
//!   there, pairs that typographers join (`--`, `..`) and `www.` (linkify) everywhere;
//! - white space at the start of a line or at either end of a field, which Markdown drops, and
//!   characters a terminal would act on are numeric character references;
//! - `http(s)://` URLs in text stay clickable as `<autolinks>` (the `:` escape would stop a
//!   platform from linking them).
//!
//! Hatena Blog finds its own notations (`[https://…:embed]`, `id:name`) in the source before
//! any Markdown, and may not honour every backslash escape, so for it the same characters are
//! written as numeric references. Qiita turns `@name` into a mention, so an invisible U+2060
//! WORD JOINER goes after `@` there (and a typed U+2060 is always a reference, so the reader
//! knows which to drop).

use std::fmt::Write as _;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::export::Platform;

/// Characters escaped wherever they are.
const ALWAYS: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '$', '{', '}', '"', '\'', ':',
];
/// Added by Qiita after `@` (and by Hugo's code blocks inside `{{<`); never written raw for
/// any other reason.
const WORD_JOINER: char = '\u{2060}';

/// Characters that must not reach a terminal or a page raw.
pub(crate) fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How a line break inside a field is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Break<'a> {
    /// As a reference: the field stays on one source line (headings, `- label:` values,
    /// table cells, link text).
    Reference,
    /// As a hard break, the next line indented by this much (list items).
    Hard(&'a str),
}

/// Escapes a one-line field (a title, a name, a label's value) so Markdown shows it as typed,
/// wherever it is placed on a line. Line breaks in it are references (shown as a space).
/// URLs in it are not made links: the field may itself be a link's text.
pub fn inline(text: &str, platform: Platform) -> String {
    escape(text, platform, Break::Reference)
}

/// Escapes a list item's text (a takeaway): line breaks in it are hard breaks, the lines after
/// the first indented by `indent` to stay in the item.
pub(crate) fn item(text: &str, platform: Platform, indent: &str) -> String {
    escape(text, platform, Break::Hard(indent))
}

/// One line of multi-line text (a memo, an abstract). Leading white space would make an
/// indented code block, so it is written as `&nbsp;` (shown as indentation) and `&#9;`.
pub(crate) fn line_text(line: &str, platform: Platform) -> String {
    let rest = line.trim_start_matches([' ', '\t']);
    let mut out = String::new();
    for c in line[..line.len() - rest.len()].chars() {
        out.push_str(if c == ' ' { "&nbsp;" } else { "&#9;" });
    }
    let mut escaper = Escaper::new(platform, true);
    escaper.line(&mut out, rest, true);
    out
}

/// White space only, as references: the blank lines before a multi-line text or the white
/// space after it, which Markdown cannot carry otherwise (see [`is_edge_line`]).
pub(crate) fn edge_line(text: &str) -> String {
    text.chars().map(reference).collect()
}

/// Whether a line of a recap is an [`edge_line`] (user text never is: its white space at the
/// edges of a line is `&nbsp;`, its `&` before an entity `&amp;`).
pub(crate) fn is_edge_line(line: &str) -> bool {
    let mut rest = line;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        match numeric_reference(rest) {
            Some((c, after)) if c.is_whitespace() && rest.starts_with("&#x") => rest = after,
            _ => return false,
        }
    }
    true
}

fn reference(c: char) -> String {
    format!("&#x{:x};", c as u32)
}

fn escape(text: &str, platform: Platform, line_break: Break<'_>) -> String {
    // White space at either end of the field would be dropped by Markdown (or by the
    // reader's trimming): written as references so the field reads back exactly.
    let core = text.trim_start_matches(char::is_whitespace);
    let lead = &text[..text.len() - core.len()];
    let body = core.trim_end_matches(char::is_whitespace);
    let trail = &core[body.len()..];
    let mut out = String::with_capacity(text.len() + 8);
    for c in lead.chars() {
        match c {
            ' ' => out.push_str("&nbsp;"),
            '\t' => out.push_str("&#9;"),
            c => out.push_str(&reference(c)),
        }
    }
    let mut escaper = Escaper::new(platform, matches!(line_break, Break::Hard(_)));
    let mut lines = body.split('\n').peekable();
    let mut first = true;
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        let (line, start) = if first {
            (line, lead.is_empty() || lead.ends_with('\n'))
        } else {
            // A new source line: its own indentation is not the item's.
            let rest = line.trim_start_matches([' ', '\t']);
            for c in line[..line.len() - rest.len()].chars() {
                out.push_str(if c == ' ' { "&nbsp;" } else { "&#9;" });
            }
            (rest, line.len() == rest.len())
        };
        let start = start && matches!(line_break, Break::Hard(_));
        escaper.line(&mut out, line, start || first);
        if !last {
            match (line_break, platform) {
                // Hatena's Markdown may not know backslash breaks; HTML it keeps.
                (Break::Hard(_), Platform::Hatena) => out.push_str("<br>"),
                (Break::Hard(indent), _) => {
                    out.push_str("\\\n");
                    out.push_str(indent);
                }
                (Break::Reference, _) => out.push_str("&#xa;"),
            }
        }
        first = false;
    }
    for c in trail.chars() {
        out.push_str(&reference(c));
    }
    out
}

struct Escaper {
    platform: Platform,
    /// Whether `http(s)://` URLs become autolinks (not in text that is itself a link's).
    autolinks: bool,
}

impl Escaper {
    fn new(platform: Platform, autolinks: bool) -> Self {
        Escaper {
            platform,
            autolinks,
        }
    }

    fn punct(&self, out: &mut String, c: char) {
        if self.platform == Platform::Hatena {
            let _ = write!(out, "&#{};", c as u32);
        } else {
            out.push('\\');
            out.push(c);
        }
    }

    /// Escapes one source line of text. `line_start`: the line begins a source line (so list
    /// markers would count).
    fn line(&mut self, out: &mut String, line: &str, line_start: bool) {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            if let Some(len) = url_at(&chars, i).filter(|_| self.autolinks) {
                let url: String = chars[i..i + len].iter().collect();
                out.push('<');
                out.push_str(&url);
                out.push('>');
                i += len;
                continue;
            }
            match c {
                c if ALWAYS.contains(&c) => self.punct(out, c),
                '%' => out.push_str("&#37;"),
                '&' if entity_like(&chars[i..]) => out.push_str("&amp;"),
                WORD_JOINER => out.push_str(&reference(c)),
                c if is_unsafe(c) => out.push_str(&reference(c)),
                '-' | '.' if next == Some(c) => self.punct(out, c),
                '.' if i >= 3
                    && chars[i - 3..i]
                        .iter()
                        .collect::<String>()
                        .eq_ignore_ascii_case("www") =>
                {
                    self.punct(out, c)
                }
                '-' | '+' | '=' if i == 0 && line_start => self.punct(out, c),
                '.' | ')'
                    if line_start
                        && (1..=9).contains(&i)
                        && chars[..i].iter().all(char::is_ascii_digit) =>
                {
                    self.punct(out, c)
                }
                // Hatena's footnote notation `((…))`.
                '(' if self.platform == Platform::Hatena && prev == Some('(') => self.punct(out, c),
                '@' if self.platform == Platform::Qiita
                    && next.is_some_and(|n| n.is_alphanumeric() || n == '_') =>
                {
                    out.push('@');
                    out.push(WORD_JOINER);
                }
                c => out.push(c),
            }
            i += 1;
        }
    }
}

/// The length of an `http(s)://` URL starting at `i` that can be written as an autolink, in
/// characters. It ends at white space, at a character no autolink may hold or a template
/// could use, or at any non-ASCII character (Japanese text usually follows a URL without a
/// space); trailing punctuation is left out, as GitHub does.
fn url_at(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '/') {
        return None;
    }
    let starts = |prefix: &str| {
        let p: Vec<char> = prefix.chars().collect();
        chars.len() >= i + p.len() && chars[i..i + p.len()] == p[..]
    };
    let scheme = if starts("https://") {
        8
    } else if starts("http://") {
        7
    } else {
        return None;
    };
    let mut end = i + scheme;
    while end < chars.len() && url_char(chars[end]) {
        end += 1;
    }
    // Trailing punctuation, and a closing parenthesis without its opening one.
    loop {
        let last = chars[end - 1];
        let opens = chars[i..end].iter().filter(|c| **c == '(').count();
        let closes = chars[i..end].iter().filter(|c| **c == ')').count();
        if matches!(last, '.' | ',' | ':' | ';' | '!' | '?' | '*' | '_' | '~')
            || (last == ')' && closes > opens)
        {
            end -= 1;
        } else {
            break;
        }
    }
    (end > i + scheme).then_some(end - i)
}

fn url_char(c: char) -> bool {
    c.is_ascii_graphic()
        && !matches!(
            c,
            '<' | '>' | '"' | '\'' | '`' | '\\' | '{' | '}' | '[' | ']' | '|' | '^'
        )
}

/// Whether `&…` would be read as an entity or numeric character reference.
fn entity_like(chars: &[char]) -> bool {
    let body: String = chars
        .iter()
        .skip(1)
        .take(40)
        .take_while(|c| **c != ';')
        .collect();
    let terminated =
        chars.len() > body.chars().count() + 1 && chars[body.chars().count() + 1] == ';';
    terminated
        && !body.is_empty()
        && (body.chars().all(|c| c.is_ascii_alphanumeric())
            || body
                .strip_prefix('#')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric())))
}

/// A link destination: bare with `\`, parentheses and angle brackets escaped, or `<…>` when
/// the URL has spaces. Control characters, bidirectional overrides and the characters of
/// templates and Hatena's notations (`{ } [ ]`) are numeric character references, which
/// CommonMark decodes in destinations (a page links to the same URL) and [`unescape`]
/// reverses.
pub(crate) fn destination(url: &str) -> String {
    let chars: Vec<char> = url.chars().collect();
    let angled = chars.contains(&' ');
    let mut out = String::new();
    if angled {
        out.push('<');
    }
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '(' | ')' if !angled => {
                out.push('\\');
                out.push(c);
            }
            '&' if entity_like(&chars[i..]) => out.push_str("\\&"),
            '{' | '}' | '[' | ']' | WORD_JOINER => out.push_str(&reference(c)),
            c if c.is_control() || is_unsafe(c) => out.push_str(&reference(c)),
            c => out.push(c),
        }
    }
    if angled {
        out.push('>');
    }
    out
}

/// Whether `<url>` is a CommonMark autolink that shows exactly `url` and that no template or
/// Hatena notation can use.
pub(crate) fn autolink_safe(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        && !rest.is_empty()
        && !rest.chars().any(|c| {
            c.is_whitespace()
                || is_unsafe(c)
                || matches!(c, '<' | '>' | '\\' | '{' | '}' | '[' | ']' | WORD_JOINER)
        })
}

/// Whether a URL may be the target of a link a recap writes: the web and mail. Anything else
/// (`javascript:`, `data:`) is shown as text, as the HTML export does.
pub(crate) fn linkable(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Reverses [`inline`], [`item`] (once its lines are joined), [`line_text`],
/// [`edge_line`] and [`destination`]: backslash escapes of ASCII punctuation, `<br>`,
/// autolinks, `&nbsp;`, `&amp;`, numeric character references and Qiita's word joiners.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\\'
            && let Some(next) = rest[1..].chars().next()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            rest = &rest[1 + next.len_utf8()..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("<br>") {
            out.push('\n');
            rest = after;
            continue;
        }
        if c == '<'
            && let Some(end) = rest.find('>')
            && autolink_safe(&rest[1..end])
        {
            out.push_str(&rest[1..end]);
            rest = &rest[end + 1..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("&nbsp;") {
            out.push(' ');
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix("&amp;") {
            out.push('&');
            rest = after;
            continue;
        }
        if let Some((decoded, after)) = numeric_reference(rest) {
            out.push(decoded);
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix(&format!("@{WORD_JOINER}")) {
            out.push('@');
            rest = after;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn numeric_reference(text: &str) -> Option<(char, &str)> {
    let body = text.strip_prefix("&#")?;
    let end = body.find(';')?;
    let digits = &body[..end];
    let value = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    Some((char::from_u32(value)?, &body[end + 1..]))
}

/// A line inside a fenced code block, where no escape works: Jekyll's `{{` and `{%` are
/// written as Liquid printing them (`{{ '{{' }}`), Hugo gets a U+2060 WORD JOINER between
/// `{{` and `<` or `%` (invisible; one more where the code already had some, so that
/// [`unescape_code`] is exact). Characters a terminal acts on become U+FFFD everywhere.
pub(crate) fn code_line(line: &str, platform: Platform) -> String {
    let line: String = line
        .chars()
        .map(|c| if is_unsafe(c) { '\u{fffd}' } else { c })
        .collect();
    match platform {
        Platform::Jekyll => jekyll_code()
            .0
            .replace_all(&line, &[JEKYLL_OPEN_OUTPUT, JEKYLL_OPEN_TAG]),
        Platform::Hugo => hugo_openers(&line, Joiner::Add),
        _ => line,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Joiner {
    Add,
    Remove,
}

/// Adds (or takes back) one WORD JOINER between each `{{` and the `<` or `%` after it (after
/// any joiners already there): Hugo's shortcode openers in a code line. Every `{{` is
/// looked at, overlapping ones too: in `{{{<` the opener starts at the second brace.
fn hugo_openers(line: &str, joiner: Joiner) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("{{") {
            let joiners = after.chars().take_while(|c| *c == WORD_JOINER).count();
            let tail = &after[joiners * WORD_JOINER.len_utf8()..];
            if tail.starts_with(['<', '%']) && (joiner == Joiner::Add || joiners > 0) {
                out.push_str("{{");
                match joiner {
                    Joiner::Add => {
                        out.push(WORD_JOINER);
                        rest = after;
                    }
                    Joiner::Remove => rest = &after[WORD_JOINER.len_utf8()..],
                }
                continue;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

const JEKYLL_OPEN_OUTPUT: &str = "{{ '{{' }}";
const JEKYLL_OPEN_TAG: &str = "{{ '{%' }}";

/// Finders of Liquid's openers (`{{`, `{%`) and of their escapes, leftmost first: one scan
/// of a code line each way ([`code_line`], [`unescape_code`]).
fn jekyll_code() -> &'static (AhoCorasick, AhoCorasick) {
    static FINDERS: LazyLock<(AhoCorasick, AhoCorasick)> = LazyLock::new(|| {
        let finder = |patterns: &[&str]| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(patterns)
                .expect("two short literal patterns")
        };
        (
            finder(&["{{", "{%"]),
            finder(&[JEKYLL_OPEN_OUTPUT, JEKYLL_OPEN_TAG]),
        )
    });
    &FINDERS
}

/// Reverses [`code_line`] for the platform the recap was written for.
pub(crate) fn unescape_code(line: &str, platform: Platform) -> String {
    match platform {
        Platform::Jekyll => jekyll_code().1.replace_all(line, &["{{", "{%"]),
        Platform::Hugo => hugo_openers(line, Joiner::Remove),
        _ => line.to_owned(),
    }
}

#[cfg(test)]
mod tests;
