//! Free text in recaps: how multi-line fields (memos, abstracts) are cut into lines and
//! fenced code blocks, and trimmed, the same way by both writers and by the recap reader
//! (`crate::import::recap`), so that what is read back splits and trims the same way again.

/// A fence that opens a code block: up to three spaces, then three or more backticks (with an
/// info string without backticks) or tildes. Returns the fence character and its length.
pub(crate) fn fence_open(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.chars().take_while(|x| *x == c).count();
    if len < 3 || (c == '`' && rest[len..].contains('`')) {
        return None;
    }
    Some((c, len))
}

/// Whether `line` closes a block opened by `fence`.
pub(crate) fn fence_close(line: &str, (c, len): (char, usize)) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return false;
    }
    let rest = &line[indent..];
    let run = rest.chars().take_while(|x| *x == c).count();
    run >= len && rest[run * c.len_utf8()..].trim().is_empty()
}

/// A piece of free text (a memo): plain lines, and fenced code blocks kept exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block<'a> {
    Line(&'a str),
    Code {
        open: &'a str,
        body: Vec<&'a str>,
        /// `None` when the text ends inside the block; writers close it.
        close: Option<&'a str>,
    },
}

/// The lines of multi-line text. A line ends at LF or CR LF, and carriage returns just before
/// the line break belong to it, so text read back from a recap splits the same way again.
pub(crate) fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(|line| line.trim_end_matches('\r'))
}

pub(crate) fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut lines = text_lines(text);
    while let Some(line) = lines.next() {
        let Some(fence) = fence_open(line) else {
            out.push(Block::Line(line));
            continue;
        };
        let mut body = Vec::new();
        let mut close = None;
        for inner in lines.by_ref() {
            if fence_close(inner, fence) {
                close = Some(inner);
                break;
            }
            body.push(inner);
        }
        out.push(Block::Code {
            open: line,
            body,
            close,
        });
    }
    out
}

/// The info string's first word (`yaml` in ```` ```yaml title=x ````), for syntax classes.
pub(crate) fn fence_language(open: &str) -> &str {
    open.trim_start()
        .trim_start_matches(['`', '~'])
        .split_whitespace()
        .next()
        .unwrap_or("")
}

/// Text of a one-line field: surrounding white space is not part of it.
pub(crate) fn one_line(text: &str) -> &str {
    text.trim()
}

/// A multi-line field without leading and trailing blank lines (they cannot survive Markdown)
/// and white space at its end. Whole lines only: the first line with text keeps everything it
/// starts with, so what is read back from a recap is trimmed the same way again.
pub(crate) fn trimmed_block(text: &str) -> &str {
    let blank_lines: usize = text
        .split_inclusive('\n')
        .take_while(|line| line.trim().is_empty())
        .map(str::len)
        .sum();
    text[blank_lines..].trim_end()
}

/// A multi-line field as the Markdown writers carry it exactly: the white space before its
/// first line with text (whole lines: that line keeps its indentation), the text, and the white
/// space after it. Markdown drops blank lines and white space at either end, so the writers put
/// those into a line of references of their own.
pub(crate) fn edges(text: &str) -> (&str, &str, &str) {
    let Some(first) = text.find(|c: char| !c.is_whitespace()) else {
        return (text, "", "");
    };
    let start = text[..first].rfind('\n').map_or(0, |i| i + 1);
    let end = text.trim_end_matches(char::is_whitespace).len();
    (&text[..start], &text[start..end], &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_blocks_keep_code_exactly_and_note_unclosed_fences() {
        let memo = "text\n```go\n# not a heading\n````\n```\nafter\n~~~~\nopen";
        let b = blocks(memo);
        assert_eq!(b[0], Block::Line("text"));
        assert_eq!(
            b[1],
            Block::Code {
                open: "```go",
                body: vec!["# not a heading"],
                close: Some("````"),
            }
        );
        assert_eq!(
            b[2],
            Block::Code {
                open: "```",
                body: vec!["after", "~~~~", "open"],
                close: None,
            }
        );
        assert_eq!(fence_language("```yaml title=x"), "yaml");
        assert!(fence_open("    ```").is_none());
        assert!(fence_open("``` a`b").is_none());
        assert!(fence_open("~~~ a`b").is_some());
        assert!(!fence_close("``", ('`', 3)));
        assert!(fence_close("~~~~  ", ('~', 3)));
    }

    #[test]
    fn edges_keep_whole_blank_lines_and_the_first_indentation() {
        assert_eq!(edges(" \n\n  a\nb \n"), (" \n\n", "  a\nb", " \n"));
        assert_eq!(edges("a"), ("", "a", ""));
        assert_eq!(edges(" \n "), (" \n ", "", ""));
        assert_eq!(edges(""), ("", "", ""));
    }
}
