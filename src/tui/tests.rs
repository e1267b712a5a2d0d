//! Unit tests of the TUI state: typing (Japanese included), pasting, facets, capturing and
//! changes on disk, all without a terminal.
//!
//! Long because each behaviour of the state machine is a test of its own; they share the
//! knowledge base and helpers at the top.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tempfile::TempDir;

use super::Session;
use super::action::{Action, Effect};
use super::app::{App, Mode, Overlay};
use super::facets::FacetKind;
use super::form::{self, LineInput};
use super::input::{self, Context};
use crate::capture::{self, NewTalk};
use crate::note::{ClockTime, Event as NoteEvent, Speaker, TalkRef};
use crate::store::{NoteKey, Store};

fn at_1312() -> ClockTime {
    ClockTime::new(13, 12).unwrap_or_else(|| unreachable!())
}

/// A knowledge base with event `ev` and three talks.
fn kb() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path()).unwrap();
    let mut event = NoteEvent::new("ev".parse().unwrap(), "Example Conf");
    event.starts_on = Some("2024-06-01".parse().unwrap());
    store.create_event(&event).unwrap();
    store
        .set_current(&NoteKey::Event("ev".parse().unwrap()))
        .unwrap();
    for (id, title, tag, tool) in [
        ("mesh", "サービスメッシュ入門", "mesh", "Istio"),
        ("ebpf", "eBPF deep dive", "ebpf", "Cilium"),
        (
            "o11y",
            "Kubernetesで始めるオブザーバビリティ入門",
            "o11y",
            "Grafana",
        ),
    ] {
        let talk = capture::new_talk(
            &store,
            NewTalk {
                id: Some(id.parse().unwrap()),
                title: title.into(),
                url: Some(format!("https://example.com/{id}")),
                speakers: vec![Speaker::parse_cli("山田 太郎 (サイボウズ)")],
                tags: vec![tag.into()],
                ..NewTalk::default()
            },
        )
        .unwrap();
        capture::add_tool(&store, &talk, tool, None).unwrap();
    }
    (dir, store)
}

fn app(store: Store) -> Session {
    let mut app = Session::new(store);
    app.set_clock(at_1312);
    app.open_index().unwrap();
    app
}

fn type_text<E: crate::search::SearchEngine + Send + 'static>(app: &mut Session<E>, text: &str) {
    for c in text.chars() {
        app.dispatch(Action::Insert(c));
    }
}

fn titles(app: &App) -> Vec<String> {
    app.hits().iter().map(|h| h.title.clone()).collect()
}

fn talk_ref(id: &str) -> TalkRef {
    id.parse().unwrap()
}

#[test]
fn empty_query_lists_recent_talks_and_typing_japanese_searches() {
    let (_dir, store) = kb();
    let mut app = app(store);
    assert_eq!(app.mode(), Mode::Query);
    assert_eq!(app.hits().len(), 3);
    type_text(&mut app, "メッシュ");
    assert_eq!(titles(&app), ["サービスメッシュ入門"]);
    assert_eq!(app.query().text(), "メッシュ");
    assert_eq!(app.query().cursor_column(), 8);
    let hit = &app.hits()[0];
    assert_eq!(&hit.title[hit.title_highlights[0].clone()], "メッシュ");
    // The preview follows the selection.
    let preview = app.preview().unwrap();
    assert_eq!(preview.id, talk_ref("ev/mesh"));
}

#[test]
fn prefix_of_the_last_word_matches_while_typing() {
    let (_dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "kube");
    assert_eq!(titles(&app), ["Kubernetesで始めるオブザーバビリティ入門"]);
    type_text(&mut app, "rnetes オブザ");
    assert_eq!(app.hits().len(), 1);
}

#[test]
fn backspace_and_cursor_over_wide_characters() {
    let mut input = LineInput::new("日本語");
    assert_eq!(input.cursor_column(), 6);
    input.backspace();
    assert_eq!(input.text(), "日本");
    assert_eq!(input.cursor_column(), 4);
    input.left();
    assert_eq!(input.cursor_column(), 2);
    input.insert('a');
    assert_eq!(input.text(), "日a本");
    assert_eq!(input.cursor_column(), 3);
    input.right();
    input.right();
    input.delete();
    assert_eq!(input.text(), "日a本");
    input.home();
    input.delete();
    assert_eq!(input.text(), "a本");
    input.end();
    input.backspace();
    input.backspace();
    input.backspace();
    assert_eq!(input.text(), "");
    assert_eq!(input.cursor_column(), 0);
}

#[test]
fn a_long_japanese_line_scrolls_by_display_width() {
    let input = LineInput::new(&"日本語".repeat(10));
    for columns in [1, 2, 3, 7, 11, 30, 100] {
        let (text, column) = input.window(columns);
        assert!(column < columns, "{columns}: cursor {column}");
        assert!(
            crate::display::width(text) <= columns + 1,
            "{columns}: {text}"
        );
        assert!(input.text().ends_with(text));
    }
    assert_eq!(input.window(0), ("", 0));
}

#[test]
fn word_and_line_deletion() {
    let mut input = LineInput::new("サービス メッシュ 入門");
    input.delete_word();
    assert_eq!(input.text(), "サービス メッシュ ");
    input.delete_word();
    assert_eq!(input.text(), "サービス ");
    input.home();
    input.right();
    input.delete_to_end();
    assert_eq!(input.text(), "サ");
    input.delete_to_start();
    assert_eq!(input.text(), "");
}

#[test]
fn pastes_arrive_whole_and_control_characters_never_enter() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::Paste("eBPF\ndeep\u{1b}[31m\u{7}".into()));
    assert_eq!(app.query().text(), "eBPF deep[31m");
    let mut input = LineInput::default();
    input.insert('\u{1b}');
    input.insert('\u{202e}');
    input.insert_str("a\tb\r\n");
    assert_eq!(input.text(), "a b");
}

#[test]
fn a_burst_of_keys_costs_one_search() {
    let (_dir, store) = kb();
    let mut app = app(store);
    let before = app.search_count();
    for c in "サービスメッシュ".chars() {
        app.update(Action::Insert(c));
    }
    app.sync();
    assert_eq!(app.search_count(), before + 1);
    assert_eq!(titles(&app), ["サービスメッシュ入門"]);
    // Nothing changed: no search.
    app.dispatch(Action::Down);
    app.dispatch(Action::CursorLeft);
    assert_eq!(app.search_count(), before + 1);
}

#[test]
fn keys_are_text_while_typing_and_commands_in_the_list() {
    let key = |code| Event::Key(KeyEvent::from(code));
    let j = key(KeyCode::Char('j'));
    assert_eq!(
        input::action(Context::Typing, &j),
        Some(Action::Insert('j'))
    );
    assert_eq!(input::action(Context::List, &j), Some(Action::Down));
    assert_eq!(
        input::action(Context::Detail, &key(KeyCode::Char('q'))),
        Some(Action::Back)
    );
    assert_eq!(
        input::action(Context::List, &key(KeyCode::Char('q'))),
        Some(Action::Quit)
    );
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    for context in [
        Context::Typing,
        Context::List,
        Context::Detail,
        Context::Help,
    ] {
        assert_eq!(input::action(context, &ctrl_c), Some(Action::Quit));
    }
    let mut release = KeyEvent::from(KeyCode::Char('x'));
    release.kind = KeyEventKind::Release;
    assert_eq!(input::action(Context::Typing, &Event::Key(release)), None);
    assert_eq!(
        input::action(Context::Typing, &Event::Paste("日本".into())),
        Some(Action::Paste("日本".into()))
    );
}

#[test]
fn escape_goes_back_then_quits() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::Confirm);
    assert_eq!(app.mode(), Mode::Detail);
    app.dispatch(Action::Back);
    assert_eq!(app.mode(), Mode::List);
    app.dispatch(Action::FocusQuery);
    assert_eq!(app.mode(), Mode::Query);
    app.dispatch(Action::Back);
    assert_eq!(app.mode(), Mode::List);
    assert!(!app.should_quit());
    app.dispatch(Action::Help);
    assert!(matches!(app.overlay(), Some(Overlay::Help { .. })));
    // Arrows scroll the help; other keys close it.
    app.dispatch(Action::Down);
    assert!(matches!(app.overlay(), Some(Overlay::Help { .. })));
    app.dispatch(Action::Back);
    assert!(app.overlay().is_none());
    app.dispatch(Action::Back);
    assert!(app.should_quit());
}

#[test]
fn facets_become_query_filters() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.load_facets().unwrap();
    app.dispatch(Action::FocusList);
    app.dispatch(Action::Facets);
    app.dispatch(Action::NextField);
    let Some(Overlay::Facets(picker)) = app.overlay() else {
        panic!("the facet picker is open");
    };
    assert_eq!(picker.kind(), FacetKind::Tag);
    type_text(&mut app, "ＥＢＰＦ");
    app.dispatch(Action::Confirm);
    assert!(app.overlay().is_none());
    assert_eq!(app.composed_query(), "tag:ebpf");
    assert_eq!(titles(&app), ["eBPF deep dive"]);
    // A tool filter with the typed text after it, which still matches as a prefix.
    app.dispatch(Action::ClearFilters);
    app.dispatch(Action::Facets);
    app.dispatch(Action::NextField);
    app.dispatch(Action::NextField);
    type_text(&mut app, "isti");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::FocusQuery);
    type_text(&mut app, "サービ");
    assert_eq!(app.composed_query(), "tool:Istio サービ");
    assert_eq!(titles(&app), ["サービスメッシュ入門"]);
    // Backspace at the start of the query line removes the last filter.
    app.dispatch(Action::CursorHome);
    app.dispatch(Action::Backspace);
    assert!(app.filters().is_empty());
    app.dispatch(Action::DeleteToEnd);
    // The picker opens on the kind picked last; picking an active value removes it.
    app.dispatch(Action::FocusList);
    app.dispatch(Action::Facets);
    app.dispatch(Action::PrevField);
    app.dispatch(Action::Confirm);
    assert_eq!(app.composed_query(), "year:2024");
    assert_eq!(app.hits().len(), 3);
    app.dispatch(Action::Facets);
    app.dispatch(Action::Confirm);
    assert!(app.filters().is_empty());
}

#[test]
fn takeaways_are_saved_line_by_line_and_the_line_stays_open() {
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ebpf");
    app.dispatch(Action::Confirm);
    assert_eq!(app.mode(), Mode::Detail);
    app.dispatch(Action::AddTakeaway);
    for text in ["一つ目の学び", "second: eBPF は速い"] {
        type_text(&mut app, text);
        app.dispatch(Action::Confirm);
        let Some(Overlay::Capture(line)) = app.overlay() else {
            panic!("the takeaway line stays open");
        };
        assert!(line.input.is_empty());
    }
    let on_disk = std::fs::read_to_string(dir.path().join("notes/ev/ebpf.ron")).unwrap();
    assert!(on_disk.contains("一つ目の学び"), "{on_disk}");
    assert!(on_disk.contains("second: eBPF は速い"), "{on_disk}");
    assert_eq!(on_disk.matches("at: \"13:12\"").count(), 2, "{on_disk}");
    // The preview shows them at once.
    let talk = app.preview().unwrap().talk.as_ref().unwrap();
    assert_eq!(talk.takeaways.len(), 2);
    // Enter on an empty line closes it.
    app.dispatch(Action::Confirm);
    assert!(app.overlay().is_none());
}

#[test]
fn tools_and_links_are_parsed_and_saved() {
    let (dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::FocusList);
    let target = app.focused().unwrap();
    app.dispatch(Action::AddTool);
    type_text(&mut app, "Open Policy Agent https://openpolicyagent.org/");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::AddLink);
    type_text(&mut app, "https://example.com/slides スライド");
    app.dispatch(Action::Confirm);
    assert!(app.overlay().is_none());
    let talk = Store::open(dir.path())
        .unwrap()
        .read_talk(&target)
        .unwrap()
        .value;
    let tool = talk.tools.last().unwrap();
    assert_eq!(tool.name, "Open Policy Agent");
    assert_eq!(tool.url.as_deref(), Some("https://openpolicyagent.org/"));
    let link = talk.links.last().unwrap();
    assert_eq!(link.url, "https://example.com/slides");
    assert_eq!(link.title.as_deref(), Some("スライド"));
    assert_eq!(form::parse_tool("Cilium"), ("Cilium".into(), None));
}

#[test]
fn a_new_talk_from_the_form_becomes_the_current_talk() {
    let (dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::NewTalk);
    let Some(Overlay::NewTalk(form)) = app.overlay() else {
        panic!("the form is open");
    };
    assert_eq!(form.inputs[0].text(), "ev", "event prefilled");
    // An empty title is refused inside the form.
    app.dispatch(Action::Confirm);
    let Some(Overlay::NewTalk(form)) = app.overlay() else {
        panic!("the form stays open");
    };
    assert!(form.error.as_deref().unwrap_or("").contains("title"));
    type_text(&mut app, "プラットフォームエンジニアリング");
    app.dispatch(Action::NextField);
    app.dispatch(Action::Paste("https://example.com/pe".into()));
    app.dispatch(Action::NextField);
    type_text(
        &mut app,
        "Jane Doe (Example, Inc.); 山田 花子（サイボウズ）",
    );
    app.dispatch(Action::Confirm);
    assert!(app.overlay().is_none(), "{:?}", app.overlay());
    assert_eq!(app.mode(), Mode::Detail);
    let id = app.detail().cloned().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.current().unwrap(), id);
    let talk = store.read_talk(&id).unwrap().value;
    assert_eq!(talk.title, "プラットフォームエンジニアリング");
    assert_eq!(talk.url.as_deref(), Some("https://example.com/pe"));
    assert_eq!(talk.speakers.len(), 2);
    assert_eq!(
        talk.speakers[0].affiliation.as_deref(),
        Some("Example, Inc.")
    );
    assert_eq!(talk.speakers[1].name, "山田 花子");
    // And jotting goes to it.
    app.dispatch(Action::AddTakeaway);
    type_text(&mut app, "最初のメモ");
    app.dispatch(Action::Confirm);
    assert_eq!(store.read_talk(&id).unwrap().value.takeaways.len(), 1);
}

#[test]
fn changes_made_outside_appear_after_a_refresh() {
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ユニークな文言");
    assert!(app.hits().is_empty());
    // Another `tn jot`, in another process as far as the app can tell.
    let other = Store::open(dir.path()).unwrap();
    capture::jot(
        &other,
        &talk_ref("ev/o11y"),
        "ユニークな文言を見つけた",
        at_1312(),
    )
    .unwrap();
    app.dispatch(Action::Tick);
    assert_eq!(titles(&app), ["Kubernetesで始めるオブザーバビリティ入門"]);
    let talk = app.preview().unwrap().talk.as_ref().unwrap();
    assert_eq!(talk.takeaways.len(), 1);
    // A removed note disappears.
    std::fs::remove_file(dir.path().join("notes/ev/o11y.ron")).unwrap();
    app.dispatch(Action::Tick);
    assert!(app.hits().is_empty());
}

#[test]
fn the_tui_never_overwrites_a_newer_file() {
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ebpf");
    app.dispatch(Action::AddTakeaway);
    // The file changes after the app read it (an editor, git pull).
    let other = Store::open(dir.path()).unwrap();
    capture::jot(&other, &talk_ref("ev/ebpf"), "from elsewhere", at_1312()).unwrap();
    type_text(&mut app, "from the tui");
    app.dispatch(Action::Confirm);
    let talk = other.read_talk(&talk_ref("ev/ebpf")).unwrap().value;
    let texts: Vec<&str> = talk.takeaways.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, ["from elsewhere", "from the tui"]);
}

#[test]
fn urls_are_opened_only_when_they_are_web_pages() {
    let (dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::OpenUrl);
    app.dispatch(Action::CopyUrl);
    let effects = app.take_effects();
    assert!(matches!(&effects[0], Effect::OpenUrl(u) if u.starts_with("https://example.com/")));
    assert!(matches!(&effects[1], Effect::Copy(_)));
    let target = app.focused().unwrap();
    let other = Store::open(dir.path()).unwrap();
    other
        .update_talk(&target, |t| {
            t.url = Some("file:///etc/passwd".into());
            Ok(())
        })
        .unwrap();
    app.dispatch(Action::Reload);
    app.dispatch(Action::OpenUrl);
    assert!(app.take_effects().is_empty());
    assert!(app.status().unwrap().error);
    app.dispatch(Action::Edit);
    assert_eq!(app.take_effects(), [Effect::Edit(NoteKey::Talk(target))]);
}

#[test]
fn capturing_without_a_talk_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path()).unwrap();
    let mut app = app(store);
    assert!(app.hits().is_empty());
    app.dispatch(Action::FocusList);
    app.dispatch(Action::AddTakeaway);
    assert!(app.overlay().is_none());
    assert!(app.status().unwrap().text.contains("press n"));
    // No event: the form says so instead of failing silently.
    app.dispatch(Action::NewTalk);
    type_text(&mut app, "Title");
    app.dispatch(Action::Confirm);
    let Some(Overlay::NewTalk(form)) = app.overlay() else {
        panic!("the form stays open");
    };
    assert!(form.error.is_some());
}

#[test]
fn no_sequence_of_actions_panics() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.load_facets().unwrap();
    let actions = [
        Action::Insert('あ'),
        Action::Insert('k'),
        Action::Insert(' '),
        Action::Insert('\u{1b}'),
        Action::Insert('-'),
        Action::Insert('"'),
        Action::Insert(':'),
        Action::Paste("tag:\"x\" OR -".into()),
        Action::Paste("\u{0}\u{9b}日本\r\n".into()),
        Action::Backspace,
        Action::Delete,
        Action::CursorLeft,
        Action::CursorRight,
        Action::CursorHome,
        Action::CursorEnd,
        Action::DeleteWord,
        Action::DeleteToStart,
        Action::DeleteToEnd,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Confirm,
        Action::Back,
        Action::FocusQuery,
        Action::FocusList,
        Action::NextField,
        Action::PrevField,
        Action::OpenUrl,
        Action::CopyUrl,
        Action::Facets,
        Action::ClearFilters,
        Action::Help,
        Action::Resize(1, 1),
        Action::NewTalk,
        Action::AddTakeaway,
        Action::AddTool,
        Action::AddLink,
        Action::AddTags,
        Action::Messages,
        Action::Paste("一\r\n二\n".into()),
        Action::Reload,
        Action::Tick,
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let action = actions[(seed % actions.len() as u64) as usize].clone();
        app.dispatch(action);
        app.take_effects();
    }
}

#[test]
fn snippets_scroll_to_their_first_match() {
    use super::talk_view::focus;
    let text = format!("{}eBPF で計装する", "前置き".repeat(20));
    let start = text.find("eBPF").unwrap();
    let ebpf = start..start + 4;
    let (shown, ranges) = focus(&text, std::slice::from_ref(&ebpf), 30);
    assert!(shown.starts_with('…'));
    assert_eq!(&shown[ranges[0].clone()], "eBPF");
    assert!(crate::display::width(&shown[..ranges[0].start]) <= 30 / 4 + 1);
    // Already visible: unchanged.
    let ebpf = 0..4;
    let (shown, _) = focus("eBPF で計装", std::slice::from_ref(&ebpf), 30);
    assert_eq!(shown, "eBPF で計装");
}

#[test]
fn an_index_deleted_under_the_tui_is_rebuilt_on_the_next_change() {
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ebpf");
    assert_eq!(titles(&app), ["eBPF deep dive"]);
    std::fs::remove_dir_all(dir.path().join("index/tantivy")).unwrap();
    // Searching goes on from what is open.
    app.dispatch(Action::Backspace);
    app.dispatch(Action::Insert('f'));
    assert_eq!(titles(&app), ["eBPF deep dive"]);
    // A change on disk needs a writer, which finds its directory gone: rebuilt, and said so.
    let other = Store::open(dir.path()).unwrap();
    capture::jot(&other, &talk_ref("ev/ebpf"), "ebpf と XDP", at_1312()).unwrap();
    app.dispatch(Action::Tick);
    let status = app.status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.contains("rebuilt"), "{status}");
    let live = crate::search::index::index_path(&Store::open(dir.path()).unwrap());
    assert!(live.join("meta.json").is_file());
    assert_eq!(titles(&app), ["eBPF deep dive"]);
}

#[test]
fn fitting_measures_emoji_sequences_whole() {
    // `❤` is one column, but `❤` with VS16 is a two-column emoji: counting characters one by
    // one let a cut line run past its columns.
    use super::talk_view::fit;
    use ratatui::text::Span;
    let spans = vec![Span::raw("ab"), Span::raw("❤\u{fe0f}".repeat(10))];
    for columns in 1..14 {
        let cut = fit(spans.clone(), columns);
        let width: usize = cut.iter().map(|s| crate::display::width(&s.content)).sum();
        assert!(width <= columns, "{cut:?} is wider than {columns}");
    }
}

/// Damages every file of the index in place, as a stray `truncate` or a bad copy would.
fn damage_index(dir: &std::path::Path, how: &str) {
    let live = crate::search::index::index_path(&Store::open(dir).unwrap());
    for entry in std::fs::read_dir(live).unwrap() {
        let path = entry.unwrap().path();
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        let damaged: Vec<u8> = match how {
            "truncated" => std::fs::read(&path).unwrap()[..len / 2].to_vec(),
            _ => (0..len).map(|i| (i * 31 % 253) as u8).collect(),
        };
        // In place (same inode), so the TUI's open index sees it.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut file, &damaged).unwrap();
    }
}

#[test]
fn an_index_garbled_under_the_tui_is_rebuilt_on_the_next_change() {
    for how in ["truncated", "garbage"] {
        let (dir, store) = kb();
        let mut app = app(store);
        type_text(&mut app, "ebpf");
        assert_eq!(titles(&app), ["eBPF deep dive"], "{how}");
        damage_index(dir.path(), how);
        // Searching the damaged index at once: results or an error, never a crash.
        type_text(&mut app, " ");
        app.dispatch(Action::Backspace);
        let other = Store::open(dir.path()).unwrap();
        capture::jot(&other, &talk_ref("ev/ebpf"), "ebpf と XDP", at_1312()).unwrap();
        app.dispatch(Action::Tick);
        let status = app.status().map(|s| s.text.clone()).unwrap_or_default();
        assert!(status.contains("rebuilt"), "{how}: {status}");
        app.dispatch(Action::Backspace);
        app.dispatch(Action::Insert('f'));
        assert_eq!(titles(&app), ["eBPF deep dive"], "{how}");
    }
}

#[test]
fn an_index_that_opens_but_cannot_search_is_rebuilt_not_reused() {
    // Regression: recovery reopened the same damaged index (it opened fine and nothing had
    // changed), so every search failed again. Here only the positions are garbled, footers
    // intact: opening the index does not read them, a phrase search does.
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "オブザーバビリティ");
    assert_eq!(titles(&app), ["Kubernetesで始めるオブザーバビリティ入門"]);
    let live = crate::search::index::index_path(&Store::open(dir.path()).unwrap());
    for entry in std::fs::read_dir(live).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pos") {
            // The first half garbled: the footer (checked when tantivy opens a file) and the
            // table of fields at the end of the data stay whole.
            let mut bytes = std::fs::read(&path).unwrap();
            let n = bytes.len();
            let footer = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap()) as usize;
            let body = (n - 8 - footer) / 2;
            for (i, b) in bytes[..body].iter_mut().enumerate() {
                *b = (i * 31 % 253) as u8;
            }
            std::fs::write(&path, bytes).unwrap();
        }
    }
    // A new search reads the damage, reports it, and asks for a rebuild.
    app.dispatch(Action::Backspace);
    app.dispatch(Action::Tick);
    let status = app.status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.contains("rebuilt (damaged"), "{status}");
    type_text(&mut app, "ィ");
    assert_eq!(titles(&app), ["Kubernetesで始めるオブザーバビリティ入門"]);
}

#[cfg(unix)]
#[test]
fn a_named_pipe_at_the_writer_lock_is_an_error_not_a_frozen_screen() {
    // Regression: Enter on the takeaway line opened index/.write.lock, a FIFO, and blocked
    // for good (Ctrl-C is a key in raw mode, so nothing got the TUI back).
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (dir, store) = kb();
        let lock = dir.path().join("index/.write.lock");
        let _ = std::fs::remove_file(&lock);
        let made = std::process::Command::new("mkfifo").arg(&lock).status();
        assert!(made.unwrap().success());
        let mut app = app(store);
        type_text(&mut app, "ebpf");
        app.dispatch(Action::Confirm);
        app.dispatch(Action::AddTakeaway);
        type_text(&mut app, "パイプの向こう");
        app.dispatch(Action::Confirm);
        let status = app.status().map(|s| (s.text.clone(), s.error));
        let kept = match app.overlay() {
            Some(Overlay::Capture(line)) => line.input.text().to_owned(),
            _ => String::new(),
        };
        let _ = done.send((status, kept));
    });
    let (status, kept) = finished
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("Enter on the takeaway line hung on a named pipe");
    let (text, error) = status.expect("a status line");
    assert!(error, "{text}");
    assert!(text.contains(".write.lock"), "{text}");
    assert!(text.contains("named pipe"), "{text}");
    assert_eq!(kept, "パイプの向こう", "the line is kept to save again");
}

/// A search engine that answers from a fixed list of talks and records what it was asked:
/// the TUI driven without an index.
struct FakeEngine {
    talks: Vec<crate::search::Hit>,
    asked: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl crate::search::SearchEngine for FakeEngine {
    fn search(
        &mut self,
        request: &crate::search::SearchRequest,
    ) -> crate::error::Result<crate::search::SearchResults> {
        self.asked.lock().unwrap().push(request.query.clone());
        if request.query.contains("broken") {
            return Err(crate::error::Error::Index {
                path: "index".into(),
                message: "garbled".into(),
            });
        }
        let word = request.query.to_lowercase();
        let hits = self
            .talks
            .iter()
            .filter(|h| h.title.to_lowercase().contains(&word))
            .take(request.limit)
            .cloned()
            .collect();
        Ok(crate::search::SearchResults {
            hits,
            ..Default::default()
        })
    }

    fn refresh(&mut self) -> crate::error::Result<crate::search::RefreshReport> {
        self.asked.lock().unwrap().push("(refresh)".into());
        Ok(crate::search::RefreshReport {
            indexed: 1,
            ..Default::default()
        })
    }
}

fn fake_hit(id: &str, title: &str) -> crate::search::Hit {
    crate::search::Hit {
        id: talk_ref(id),
        event_name: Some("Example Conf".into()),
        title: title.into(),
        url: None,
        kind: crate::note::TalkKind::Session,
        date: None,
        speakers: Vec::new(),
        status: None,
        rating: None,
        score: 1.0,
        snippet: Default::default(),
        title_highlights: Vec::new(),
        matched: Vec::new(),
    }
}

#[test]
fn a_fake_engine_drives_the_app_without_an_index() {
    let (_dir, store) = kb();
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let engine = FakeEngine {
        talks: vec![
            fake_hit("ev/mesh", "サービスメッシュ入門"),
            fake_hit("ev/ebpf", "eBPF deep dive"),
        ],
        asked: asked.clone(),
    };
    let mut app = Session::with_engine(store, engine);
    // The empty query lists everything the engine has; the preview reads the note itself.
    assert_eq!(titles(&app), ["サービスメッシュ入門", "eBPF deep dive"]);
    assert_eq!(app.preview().unwrap().id, talk_ref("ev/mesh"));
    // A burst of keys is one question to the engine, with the text as typed.
    for c in "ebpf".chars() {
        app.update(Action::Insert(c));
    }
    app.sync();
    assert_eq!(*asked.lock().unwrap(), ["", "ebpf"]);
    assert_eq!(titles(&app), ["eBPF deep dive"]);
    assert_eq!(app.preview().unwrap().id, talk_ref("ev/ebpf"));
    // A change on disk: the engine refreshes first, then the same query runs again.
    app.dispatch(Action::Tick);
    assert_eq!(asked.lock().unwrap()[2..], ["(refresh)", "ebpf"]);
    assert_eq!(titles(&app), ["eBPF deep dive"]);
    // An engine that fails: no results, and the message with its hint on the status line.
    app.dispatch(Action::DeleteToStart);
    type_text(&mut app, "broken");
    assert!(app.hits().is_empty());
    let status = app.status().unwrap();
    assert!(status.error);
    assert!(
        status.text.contains("garbled — hint: run `tn reindex`"),
        "{}",
        status.text
    );
    // The whole loop runs on it too.
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 20)).unwrap();
    let mut events = super::Scripted::new();
    events
        .key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL))
        .typed("サービス")
        .pause();
    let mut host = super::RecordingHost::default();
    super::run_loop(
        &mut terminal,
        &mut app,
        &mut events,
        &mut host,
        &super::Options::scripted(),
    )
    .unwrap();
    assert_eq!(titles(&app), ["サービスメッシュ入門"]);
    // What a terminal shows: a wide character covers the cell after it.
    let mut screen = String::new();
    let mut hidden = 0;
    for cell in terminal.backend().buffer().content() {
        if hidden == 0 {
            screen.push_str(cell.symbol());
            hidden = crate::display::width(cell.symbol()).saturating_sub(1);
        } else {
            hidden -= 1;
        }
    }
    assert!(screen.contains("サービスメッシュ入門"), "{screen}");
}

// ---------------------------------------------------------------------------------------------
// A talk's status and rating, and "now and next" (see `super::standing`).

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn june_1st_at_1320() -> crate::now::Moment {
    "2024-06-01 13:20"
        .parse()
        .unwrap_or_else(|_| unreachable!())
}

/// What a TestBackend shows, a wide character covering the cell after it.
fn screen(app: &mut App, columns: u16, rows: u16) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(columns, rows)).unwrap();
    super::draw(&mut terminal, app, &super::view::Theme::plain()).unwrap();
    let mut text = String::new();
    let mut hidden = 0;
    for (i, cell) in terminal.backend().buffer().content().iter().enumerate() {
        if i > 0 && i % usize::from(columns) == 0 {
            text.push('\n');
        }
        if hidden == 0 {
            text.push_str(cell.symbol());
            hidden = crate::display::width(cell.symbol()).saturating_sub(1);
        } else {
            hidden -= 1;
        }
    }
    text
}

#[test]
fn status_keys_map_in_the_list_and_the_detail_view_and_rating_keys_in_the_detail_view_only() {
    for context in [Context::List, Context::Detail] {
        let act = |code| input::action(context, &key(code));
        assert_eq!(act(KeyCode::Char('s')), Some(Action::ToggleStar));
        assert_eq!(act(KeyCode::Char('w')), Some(Action::ToggleWatchLater));
        assert_eq!(act(KeyCode::Char('W')), Some(Action::ToggleWatched));
        assert_eq!(act(KeyCode::Char('c')), Some(Action::NowNext));
    }
    // Digits rate the talk shown; in the list they start a search (a year), so typing
    // `2024` there rates nothing.
    let detail = |code| input::action(Context::Detail, &key(code));
    assert_eq!(detail(KeyCode::Char('4')), Some(Action::Rate(4)));
    assert_eq!(detail(KeyCode::Char('0')), Some(Action::Rate(0)));
    let list = |code| input::action(Context::List, &key(code));
    assert_eq!(list(KeyCode::Char('2')), Some(Action::Insert('2')));
    assert_eq!(list(KeyCode::Char('0')), Some(Action::Insert('0')));
    // While typing they are text.
    assert_eq!(
        input::action(Context::Typing, &key(KeyCode::Char('s'))),
        Some(Action::Insert('s'))
    );
    let now = |code| input::action(Context::NowNext, &key(code));
    assert_eq!(now(KeyCode::Char('j')), Some(Action::Down));
    assert_eq!(now(KeyCode::Enter), Some(Action::Confirm));
    assert_eq!(now(KeyCode::Char('s')), Some(Action::ToggleStar));
    assert_eq!(now(KeyCode::Esc), Some(Action::Back));
    assert_eq!(now(KeyCode::Char('a')), None);
}

#[test]
fn starring_and_rating_from_the_list_and_the_detail_view() {
    let (_dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "eBPF");
    app.dispatch(Action::FocusList);
    app.dispatch(Action::ToggleStar);
    let stored = |app: &Session| app.store().read_talk(&talk_ref("ev/ebpf")).unwrap().value;
    assert_eq!(stored(&app).status, Some(crate::note::TalkStatus::Planned));
    assert!(
        app.status().unwrap().text.contains("planned"),
        "{:?}",
        app.status()
    );
    // The list catches up through the index and marks the talk.
    assert_eq!(app.hits()[0].status, Some(crate::note::TalkStatus::Planned));
    let shown = screen(&mut app, 120, 20);
    assert!(shown.contains("★ eBPF deep dive"), "{shown}");
    assert!(shown.contains("· planned"), "{shown}");
    app.dispatch(Action::Rate(4));
    assert_eq!(stored(&app).rating, crate::note::Rating::new(4));
    // In the detail view too; the same key takes the star away.
    app.dispatch(Action::Confirm);
    assert_eq!(app.mode(), Mode::Detail);
    app.dispatch(Action::ToggleStar);
    app.dispatch(Action::Rate(0));
    let talk = stored(&app);
    assert_eq!((talk.status, talk.rating), (None, None));
    app.dispatch(Action::ToggleWatchLater);
    assert_eq!(stored(&app).status, Some(crate::note::TalkStatus::ToWatch));
    app.dispatch(Action::ToggleWatched);
    assert_eq!(stored(&app).status, Some(crate::note::TalkStatus::Watched));
    app.dispatch(Action::Rate(5));
    let shown = screen(&mut app, 100, 24);
    assert!(shown.contains("status    watched"), "{shown}");
    assert!(shown.contains("rating    ★★★★★"), "{shown}");
}

/// The three talks on June 1st: `mesh` 13:00–13:40 in A, `ebpf` 13:10–13:50 in B (starred),
/// `o11y` 15:00–15:40 in A.
fn scheduled(store: &Store) {
    for (id, start, end, track) in [
        ("mesh", "13:00", "13:40", "A"),
        ("ebpf", "13:10", "13:50", "B"),
        ("o11y", "15:00", "15:40", "A"),
    ] {
        store
            .update_talk(&talk_ref(&format!("ev/{id}")), |talk| {
                talk.date = Some("2024-06-01".parse().unwrap());
                talk.start = Some(start.parse().unwrap());
                talk.end = Some(end.parse().unwrap());
                talk.track = Some(track.into());
                Ok(())
            })
            .unwrap();
    }
    capture::set_status(
        store,
        &talk_ref("ev/ebpf"),
        Some(crate::note::TalkStatus::Planned),
    )
    .unwrap();
}

#[test]
fn now_and_next_makes_the_picked_talk_current_for_capture() {
    let (_dir, store) = kb();
    scheduled(&store);
    let mut app = app(store);
    app.set_moment(june_1st_at_1320);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::NowNext);
    let Some(Overlay::NowNext(view)) = app.overlay() else {
        panic!("not open: {:?}", app.status());
    };
    let ids: Vec<String> = view.rows.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(
        ids,
        ["ev/ebpf", "ev/mesh", "ev/o11y"],
        "starred first, then next"
    );
    assert_eq!(view.rows[2].when, "in 100 min");
    assert_eq!(app.context(), Context::NowNext);
    let shown = screen(&mut app, 100, 24);
    assert!(
        shown.contains("Now and next · Example Conf · 2024-06-01 13:20"),
        "{shown}"
    );
    assert!(shown.contains("★ eBPF deep dive"), "{shown}");
    assert!(shown.contains("in progress · 13:10–13:50 · B"), "{shown}");

    // Star the second one there, then pick it.
    app.dispatch(Action::Down);
    app.dispatch(Action::ToggleStar);
    let Some(Overlay::NowNext(view)) = app.overlay() else {
        panic!("closed");
    };
    assert!(view.rows[1].starred);
    app.dispatch(Action::Confirm);
    assert!(app.overlay().is_none());
    assert_eq!(app.mode(), Mode::Detail);
    assert_eq!(app.detail(), Some(&talk_ref("ev/mesh")));
    assert_eq!(app.store().current().unwrap(), talk_ref("ev/mesh"));
    assert!(app.status().unwrap().text.contains("current talk"));
    // Capture goes to it at once, and marks it attended.
    app.dispatch(Action::AddTakeaway);
    type_text(&mut app, "Istio の ambient");
    app.dispatch(Action::Confirm);
    let talk = app.store().read_talk(&talk_ref("ev/mesh")).unwrap().value;
    assert_eq!(talk.takeaways[0].text, "Istio の ambient");
    assert_eq!(talk.status, Some(crate::note::TalkStatus::Attended));
}

#[test]
fn now_and_next_says_when_nothing_is_on_or_there_is_no_current_event() {
    let (dir, store) = kb();
    let mut app = app(store);
    app.set_moment(june_1st_at_1320);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::NowNext);
    let shown = screen(&mut app, 100, 24);
    assert!(
        shown.contains("nothing in progress or coming up today"),
        "{shown}"
    );
    app.dispatch(Action::Back);
    assert!(app.overlay().is_none());
    // Without a current event: a message, and no overlay.
    std::fs::remove_file(dir.path().join("index").join("current")).unwrap();
    app.dispatch(Action::NowNext);
    assert!(app.overlay().is_none());
    let status = app.status().unwrap();
    assert!(
        status.error && status.text.contains("no current event"),
        "{status:?}"
    );
}

/// What the capture line holds, if it is open.
fn capture_text<E>(app: &Session<E>) -> Option<String> {
    match app.overlay() {
        Some(Overlay::Capture(line)) => Some(line.input.text().to_owned()),
        _ => None,
    }
}

fn takeaways(dir: &std::path::Path, id: &str) -> Vec<String> {
    let talk = Store::open(dir).unwrap().read_talk(&talk_ref(id)).unwrap();
    talk.value.takeaways.into_iter().map(|t| t.text).collect()
}

/// Comments make a note one tn refuses to rewrite: every capture on it fails.
fn refuse_captures(dir: &std::path::Path, id: &str) {
    let path = Store::open(dir).unwrap().talk_path(&talk_ref(id));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("// kept by hand\n{text}")).unwrap();
}

#[test]
fn escape_saves_the_takeaway_line_instead_of_dropping_it() {
    // Regression (issue 17 item 1): `a`, a long line, Esc: the line was gone, from the file
    // and from the line.
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ebpf");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::AddTakeaway);
    let long =
        "eBPF のプログラムはカーネル内の検証器を通るので安全に動くが、ループや命令数に制限がある";
    type_text(&mut app, long);
    app.dispatch(Action::Back);
    assert!(app.overlay().is_none());
    assert_eq!(takeaways(dir.path(), "ev/ebpf"), [long]);
    assert!(app.status().unwrap().text.contains("saved takeaway"));
    // Nothing is left over: the line opens empty, and no draft is kept.
    app.dispatch(Action::AddTakeaway);
    assert_eq!(capture_text(&app).as_deref(), Some(""));
    assert!(app.drafts().is_empty());
    // Ctrl-u then Esc is how a line is dropped on purpose.
    type_text(&mut app, "やっぱり要らない");
    app.dispatch(Action::DeleteToStart);
    app.dispatch(Action::Back);
    assert_eq!(takeaways(dir.path(), "ev/ebpf"), [long]);
    assert!(app.drafts().is_empty());
}

#[test]
fn a_line_that_cannot_be_saved_is_kept_as_a_draft_and_comes_back() {
    let (dir, store) = kb();
    refuse_captures(dir.path(), "ev/ebpf");
    let mut app = app(store);
    type_text(&mut app, "ebpf");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::AddTakeaway);
    type_text(&mut app, "保存できない学び");
    app.dispatch(Action::Back);
    // The save failed: the line stays open with the text and says what Esc does now.
    assert_eq!(capture_text(&app).as_deref(), Some("保存できない学び"));
    let status = app.status().unwrap();
    assert!(status.error, "{}", status.text);
    assert!(
        status.text.contains("Esc keeps it as a draft"),
        "{}",
        status.text
    );
    app.dispatch(Action::Back);
    assert!(app.overlay().is_none());
    assert!(app.status().unwrap().text.contains("kept as a draft"));
    // On disk, so it outlives the TUI.
    let key = (talk_ref("ev/ebpf"), super::app::CaptureKind::Takeaway);
    let path = super::drafts::path(app.store(), &key);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "保存できない学び");
    // The preview shows it, and `a` brings it back.
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    super::draw(&mut terminal, app.app_mut(), &super::view::Theme::plain()).unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("not saved yet (drafts)"), "{screen}");
    app.dispatch(Action::AddTakeaway);
    assert_eq!(capture_text(&app).as_deref(), Some("保存できない学び"));
    assert!(
        app.status()
            .unwrap()
            .text
            .contains("is back from its draft")
    );
}

#[test]
fn quitting_keeps_the_line_as_a_draft_that_the_next_run_offers() {
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "mesh");
    app.dispatch(Action::FocusList);
    app.dispatch(Action::AddTakeaway);
    type_text(&mut app, "途中まで書いた");
    app.dispatch(Action::Quit);
    assert!(app.should_quit());
    assert!(app.drafts_note().unwrap().contains("takeaway for ev/mesh"));
    drop(app);
    // The next run, in a new process as far as it can tell.
    let mut app = self::app(Store::open(dir.path()).unwrap());
    let status = app.status().unwrap().text.clone();
    assert!(status.contains("途中まで書いた"), "{status}");
    assert!(status.contains("ev/mesh"), "{status}");
    type_text(&mut app, "mesh");
    app.dispatch(Action::FocusList);
    app.dispatch(Action::AddTakeaway);
    assert_eq!(capture_text(&app).as_deref(), Some("途中まで書いた"));
    type_text(&mut app, "、最後まで");
    app.dispatch(Action::Confirm);
    assert_eq!(
        takeaways(dir.path(), "ev/mesh"),
        ["途中まで書いた、最後まで"]
    );
    // Saved: the draft is gone.
    assert!(app.drafts().is_empty());
    assert!(super::drafts::load(app.store()).0.is_empty());
}

#[test]
fn a_pasted_block_is_one_takeaway_per_line_like_jot_from_stdin() {
    // Regression (issue 17 item 16): several pasted lines made one takeaway.
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ebpf");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::AddTakeaway);
    type_text(&mut app, "前置き: ");
    app.dispatch(Action::Paste(
        "一行目\r\n\r\n二行目 \u{1b}[31m\n  三行目  \n".into(),
    ));
    assert_eq!(
        takeaways(dir.path(), "ev/ebpf"),
        ["前置き: 一行目", "二行目 [31m", "三行目"]
    );
    // Each saved as it is, stamped, and the line stays open and empty for more.
    assert_eq!(capture_text(&app).as_deref(), Some(""));
    assert!(app.status().unwrap().text.contains("saved 3 takeaways"));
    // A one-line paste is text to edit, as before.
    app.dispatch(Action::Paste("まだ途中".into()));
    assert_eq!(capture_text(&app).as_deref(), Some("まだ途中"));
    assert_eq!(takeaways(dir.path(), "ev/ebpf").len(), 3);
}

#[test]
fn a_paste_that_fails_half_way_keeps_the_rest_to_save_again() {
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ebpf");
    app.dispatch(Action::Confirm);
    app.dispatch(Action::AddTakeaway);
    refuse_captures(dir.path(), "ev/ebpf");
    app.dispatch(Action::Paste("一\n二\n三".into()));
    let Some(Overlay::Capture(line)) = app.overlay() else {
        panic!("the line stays open");
    };
    assert_eq!(line.input.text(), "一");
    assert_eq!(line.pending, ["二", "三"]);
    // Fixed (the comment removed): Enter saves all three, in order.
    let path = app.store().talk_path(&talk_ref("ev/ebpf"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("// kept by hand\n", "")).unwrap();
    app.dispatch(Action::Confirm);
    assert_eq!(takeaways(dir.path(), "ev/ebpf"), ["一", "二", "三"]);
}

#[test]
fn text_typed_in_the_list_goes_to_the_query_after_a_filter_is_picked() {
    // Regression (issue 17 item 14): after `f` and a pick the keys stayed on the list and
    // Japanese typed next was dropped.
    let (_dir, store) = kb();
    let mut app = app(store);
    app.load_facets().unwrap();
    app.dispatch(Action::FocusList);
    app.dispatch(Action::Facets);
    app.dispatch(Action::NextField);
    type_text(&mut app, "mesh");
    app.dispatch(Action::Confirm);
    assert_eq!(app.mode(), Mode::Query);
    type_text(&mut app, "サービス");
    assert_eq!(app.composed_query(), "tag:mesh サービス");
    assert_eq!(titles(&app), ["サービスメッシュ入門"]);
    // In the list and on the detail screen too: text that is no command, and pastes.
    let key = |c| Event::Key(KeyEvent::from(KeyCode::Char(c)));
    for context in [Context::List, Context::Detail] {
        assert_eq!(
            input::action(context, &key('メ')),
            Some(Action::Insert('メ'))
        );
        assert_eq!(input::action(context, &key('j')), Some(Action::Down));
    }
    app.dispatch(Action::DeleteToStart);
    app.dispatch(Action::ClearFilters);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::Paste("オブザ".into()));
    assert_eq!(app.mode(), Mode::Query);
    assert_eq!(titles(&app), ["Kubernetesで始めるオブザーバビリティ入門"]);
    app.dispatch(Action::Confirm);
    assert_eq!(app.mode(), Mode::Detail);
    app.dispatch(Action::Insert('ー'));
    assert_eq!(app.mode(), Mode::Query);
    assert_eq!(app.query().text(), "オブザー");
}

#[test]
fn ctrl_keys_mean_the_same_in_every_mode() {
    // Regression (issue 17 item 15): Ctrl-u cleared the query in one mode and paged up in
    // another.
    let chord = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    for (c, expected) in [
        ('u', Action::DeleteToStart),
        ('w', Action::DeleteWord),
        ('k', Action::DeleteToEnd),
        ('a', Action::CursorHome),
        ('e', Action::CursorEnd),
        ('b', Action::CursorLeft),
        ('f', Action::CursorRight),
        ('d', Action::Delete),
        ('h', Action::Backspace),
        ('n', Action::Down),
        ('p', Action::Up),
    ] {
        for context in [Context::Typing, Context::List, Context::Detail] {
            assert_eq!(
                input::action(context, &chord(c)),
                Some(expected.clone()),
                "Ctrl-{c} in {context:?}"
            );
        }
    }
    // In the list, Ctrl-u clears the query line and puts the keys there.
    let (_dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ebpf deep");
    app.dispatch(Action::FocusList);
    app.dispatch(Action::DeleteWord);
    assert_eq!(app.query().text(), "ebpf ");
    assert_eq!(app.mode(), Mode::Query);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::DeleteToStart);
    assert_eq!(app.query().text(), "");
    assert_eq!(app.hits().len(), 3);
}

fn in_june() -> crate::note::Date {
    "2024-06-02".parse().unwrap()
}

#[test]
fn the_new_talk_form_has_kind_date_and_tags() {
    // Regression (issue 17 item 17): the form had no kind, date or tags, so its talks had no
    // date.
    let (dir, store) = kb();
    let event_path = store.event_path(&"ev".parse().unwrap());
    let text = std::fs::read_to_string(&event_path).unwrap();
    std::fs::write(
        &event_path,
        text.replace(
            "starts_on: \"2024-06-01\",",
            "starts_on: \"2024-06-01\",\n    ends_on: \"2024-06-03\",",
        ),
    )
    .unwrap();
    let mut app = app(store);
    app.set_today(in_june);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::NewTalk);
    let Some(Overlay::NewTalk(form)) = app.overlay() else {
        panic!("the form is open");
    };
    assert_eq!(
        form.default_date(),
        Some(in_june()),
        "today, within the event"
    );
    type_text(&mut app, "基調講演");
    for _ in 0..3 {
        app.dispatch(Action::NextField);
    }
    // The kind is a choice: a letter picks it, arrows step through.
    app.dispatch(Action::Insert('l'));
    app.dispatch(Action::CursorRight);
    app.dispatch(Action::Insert('k'));
    app.dispatch(Action::NextField);
    app.dispatch(Action::NextField);
    type_text(&mut app, "service mesh, ebpf");
    app.dispatch(Action::Confirm);
    assert!(app.overlay().is_none(), "{:?}", app.overlay());
    let id = app.detail().cloned().unwrap();
    let talk = Store::open(dir.path())
        .unwrap()
        .read_talk(&id)
        .unwrap()
        .value;
    assert_eq!(talk.kind, crate::note::TalkKind::Keynote);
    assert_eq!(talk.date, Some(in_june()));
    assert_eq!(talk.tags, ["service mesh", "ebpf"]);
    // A typed date wins; a bad one is refused inside the form.
    app.dispatch(Action::NewTalk);
    type_text(&mut app, "二つ目");
    for _ in 0..4 {
        app.dispatch(Action::NextField);
    }
    type_text(&mut app, "2024-02-30");
    app.dispatch(Action::Confirm);
    let Some(Overlay::NewTalk(form)) = app.overlay() else {
        panic!("the form stays open");
    };
    assert!(form.error.as_deref().unwrap_or("").contains("2024-02-30"));
    // Esc keeps what was typed for the next `n`.
    app.dispatch(Action::Back);
    app.dispatch(Action::NewTalk);
    let Some(Overlay::NewTalk(form)) = app.overlay() else {
        panic!("the form is open");
    };
    assert_eq!(form.value(form::Field::Title), "二つ目");
}

#[test]
fn the_default_date_is_today_within_the_event_else_its_only_day_else_none() {
    use form::EventDays;
    let date = |s: &str| s.parse::<crate::note::Date>().unwrap();
    let event = |starts: Option<&str>, ends: Option<&str>| EventDays {
        id: "ev".parse().unwrap(),
        starts_on: starts.map(date),
        ends_on: ends.map(date),
    };
    let three_days = event(Some("2024-06-01"), Some("2024-06-03"));
    assert_eq!(
        three_days.default_date(date("2024-06-02")),
        Some(date("2024-06-02"))
    );
    assert_eq!(
        three_days.default_date(date("2024-06-03")),
        Some(date("2024-06-03"))
    );
    assert_eq!(three_days.default_date(date("2024-07-01")), None);
    assert_eq!(three_days.default_date(date("2024-05-31")), None);
    let one_day = event(Some("2024-06-01"), None);
    assert_eq!(
        one_day.default_date(date("2025-01-01")),
        Some(date("2024-06-01"))
    );
    assert_eq!(event(None, None).default_date(date("2024-06-01")), None);
}

#[test]
fn tags_are_added_with_a_key_like_tn_tag() {
    let (dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "mesh");
    app.dispatch(Action::Confirm);
    let key = |c| Event::Key(KeyEvent::from(KeyCode::Char(c)));
    assert_eq!(
        input::action(Context::Detail, &key('#')),
        Some(Action::AddTags)
    );
    app.dispatch(Action::AddTags);
    type_text(&mut app, "istio  ambient");
    app.dispatch(Action::Confirm);
    assert!(app.overlay().is_none());
    let talk = Store::open(dir.path())
        .unwrap()
        .read_talk(&talk_ref("ev/mesh"))
        .unwrap()
        .value;
    assert_eq!(talk.tags, ["mesh", "istio", "ambient"]);
    assert_eq!(form::parse_tags("a b、c d，e"), ["a b", "c d", "e"]);
}

#[test]
fn help_scrolls_and_closes_on_other_keys() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::Help);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(60, 15)).unwrap();
    let theme = super::view::Theme::plain();
    super::draw(&mut terminal, app.app_mut(), &theme).unwrap();
    for _ in 0..3 {
        app.dispatch(Action::PageDown);
    }
    let Some(Overlay::Help { scroll }) = app.overlay() else {
        panic!("help is open");
    };
    assert!(*scroll > 0);
    // Never beyond its end.
    app.dispatch(Action::Bottom);
    super::draw(&mut terminal, app.app_mut(), &theme).unwrap();
    let Some(&Overlay::Help { scroll: bottom }) = app.overlay() else {
        panic!("help is open");
    };
    app.dispatch(Action::Down);
    assert_eq!(app.overlay(), Some(&Overlay::Help { scroll: bottom }));
    let key = |c| Event::Key(KeyEvent::from(c));
    assert_eq!(
        input::action(Context::Help, &key(KeyCode::Char('j'))),
        Some(Action::Down)
    );
    assert_eq!(
        input::action(Context::Help, &key(KeyCode::Char('x'))),
        Some(Action::Back)
    );
    app.dispatch(Action::Back);
    assert!(app.overlay().is_none());
}

#[test]
fn errors_stay_on_the_status_line_until_a_key_and_all_messages_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path()).unwrap();
    let mut app = app(store);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::AddTakeaway);
    for _ in 0..20 {
        app.expire_status();
    }
    assert!(app.status().unwrap().text.contains("no talk selected"));
    app.dispatch(Action::Down);
    for _ in 0..20 {
        app.expire_status();
    }
    assert!(app.status().is_none());
    assert!(
        app.messages()
            .any(|m| m.error && m.text.contains("no talk selected"))
    );
    app.dispatch(Action::Messages);
    assert!(matches!(app.overlay(), Some(Overlay::Messages { .. })));
}
