//! The TUI: screens rendered into ratatui's `TestBackend` (snapshots in `snapshots/`), the
//! whole event loop driven by scripted events, and one end-to-end run of the real binary in
//! tmux.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use talknotes::capture::{self, NewTalk};
use talknotes::display;
use talknotes::note::{ClockTime, Date, Event, Speaker, TalkKind, TalkRef};
use talknotes::store::{NoteKey, Store};
use talknotes::tui::action::Action;
use talknotes::tui::view::Theme;
use talknotes::tui::{self, Next, Options, RecordingHost, Scripted, Session};

use crate::common::{Kb, Tmux, copy_dir};

fn time(text: &str) -> ClockTime {
    text.parse().unwrap()
}

fn fixed_clock() -> ClockTime {
    time("13:12")
}

const LONG_TITLE: &str = "とても長い日本語のタイトルは端末の幅に合わせて表示幅で切り詰められ決して文字の途中では切れない";

/// A small knowledge base with distinct dates (so the order of recent talks is fixed).
fn kb() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path()).unwrap();
    let mut event = Event::new("cnds-2024".parse().unwrap(), "CloudNative Days Summer 2024");
    event.starts_on = Some("2024-06-13".parse().unwrap());
    store.create_event(&event).unwrap();
    let talks: [(&str, &str, &str, TalkKind, &str); 4] = [
        (
            "mesh",
            "サービスメッシュ入門: Istio と Linkerd",
            "2024-06-15",
            TalkKind::Session,
            "山田 太郎 (サイボウズ)",
        ),
        (
            "ebpf",
            "eBPFで作るオブザーバビリティ基盤",
            "2024-06-14",
            TalkKind::Keynote,
            "Jane Doe (Isovalent)",
        ),
        (
            "long",
            LONG_TITLE,
            "2024-06-13",
            TalkKind::Lightning,
            "佐藤 花子",
        ),
        (
            "hostile",
            "Escape \u{1b}[31mred\u{1b}[0m title",
            "2024-06-12",
            TalkKind::Other,
            "Mallory",
        ),
    ];
    for (id, title, date, kind, speaker) in talks {
        let talk = capture::new_talk(
            &store,
            NewTalk {
                event: Some("cnds-2024".parse().unwrap()),
                id: Some(id.parse().unwrap()),
                title: title.into(),
                url: Some(format!("https://example.com/{id}")),
                speakers: vec![Speaker::parse_cli(speaker)],
                kind: Some(kind),
                date: Some(date.parse::<Date>().unwrap()),
                tags: vec![id.into()],
                ..NewTalk::default()
            },
        )
        .unwrap();
        capture::add_tool(&store, &talk, "Cilium", Some("https://cilium.io/".into())).unwrap();
    }
    let mesh: TalkRef = "cnds-2024/mesh".parse().unwrap();
    for (text, at) in [
        ("サイドカーなしのメッシュが増えている", "10:05"),
        ("Ambient mode は L4 と L7 を分ける", "10:12"),
    ] {
        capture::jot(&store, &mesh, text, time(at)).unwrap();
    }
    capture::add_link(
        &store,
        &mesh,
        "https://example.com/slides",
        Some("スライド".into()),
    )
    .unwrap();
    let hostile: TalkRef = "cnds-2024/hostile".parse().unwrap();
    capture::jot(
        &store,
        &hostile,
        "clear \u{9b}2J screen \u{7} bell",
        time("09:00"),
    )
    .unwrap();
    // Recent talks are the ones changed last: a fixed order, not the file system's clock.
    for (i, id) in ["hostile", "long", "ebpf", "mesh"].into_iter().enumerate() {
        changed_at(
            &store.talk_path(&format!("cnds-2024/{id}").parse().unwrap()),
            i as u64,
        );
    }
    (dir, store)
}

/// Sets a file's modification time to `minutes` past a fixed moment.
fn changed_at(path: &Path, minutes: u64) {
    let at = std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + minutes * 60);
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_modified(at).unwrap();
}

fn app(store: Store) -> Session {
    let mut app = Session::new(store);
    app.set_clock(fixed_clock);
    app.open_index().unwrap();
    app
}

fn terminal(width: u16, height: u16) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(width, height)).unwrap()
}

fn render(app: &mut Session, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = terminal(width, height);
    tui::draw(&mut terminal, app, &Theme::plain()).unwrap();
    terminal
}

/// The screen as text, one line per row; the cell hidden behind a wide character is skipped.
fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut hidden = 0;
        for x in 0..buffer.area.width {
            // What a terminal shows: a wide character covers the next cell, whatever the
            // backend still holds there.
            let symbol = buffer[(x, y)].symbol();
            if hidden == 0 {
                out.push_str(symbol);
                hidden = display::width(symbol).saturating_sub(1);
            } else {
                hidden -= 1;
            }
        }
        out.push('\n');
    }
    out
}

fn type_text(app: &mut Session, text: &str) {
    for c in text.chars() {
        app.update(Action::Insert(c));
    }
    app.sync();
}

#[test]
fn recent_talks_with_preview() {
    let (_dir, store) = kb();
    let mut app = app(store);
    let terminal = render(&mut app, 110, 26);
    insta::assert_snapshot!(screen(&terminal));
}

#[test]
fn search_results_while_typing_japanese() {
    let (_dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "メッシュ");
    let terminal = render(&mut app, 110, 22);
    insta::assert_snapshot!(screen(&terminal));
    // The cursor sits after the two-column characters: "Search › " is 9 columns.
    let mut terminal = terminal;
    terminal.backend_mut().assert_cursor_position((9 + 8, 0));
}

#[test]
fn the_status_row_says_what_else_a_word_matched() {
    let (_dir, store) = kb();
    // The index built first, so the status row holds no "rebuilt" notice.
    drop(app(store.clone()));
    let mut app = app(store);
    // Concept search: the English word finds the talk that writes it in katakana, and the
    // status row says so.
    type_text(&mut app, "observability");
    let titles: Vec<&str> = app.hits().iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["eBPFで作るオブザーバビリティ基盤"]);
    let text = screen(&render(&mut app, 110, 22));
    let status = text.lines().nth(20).unwrap_or_default();
    assert!(
        status.starts_with("also: ")
            && status.contains("オブザーバビリティ")
            && status.contains("o11y"),
        "{text}"
    );
    // `=` keeps a word to its spelling, in the TUI as in `tn search`.
    app.update(Action::DeleteToStart);
    type_text(&mut app, "=observability");
    assert!(app.hits().is_empty());
    let text = screen(&render(&mut app, 110, 22));
    assert!(!text.contains("also:"), "{text}");
}

#[test]
fn narrow_terminal_truncates_by_display_width() {
    let (_dir, store) = kb();
    let mut app = app(store);
    let terminal = render(&mut app, 50, 16);
    insta::assert_snapshot!(screen(&terminal));
    let text = screen(&terminal);
    assert!(text.contains("とても長い日本語の"), "{text}");
    assert!(text.contains('…'), "{text}");
}

#[test]
fn detail_screen_shows_every_field() {
    let (_dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "Ambient");
    app.dispatch(Action::Confirm);
    let terminal = render(&mut app, 80, 24);
    insta::assert_snapshot!(screen(&terminal));
}

#[test]
fn overlays() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::AddTakeaway);
    type_text(&mut app, "書きかけのメモ");
    insta::assert_snapshot!("capture_line", screen(&render(&mut app, 90, 14)));
    app.dispatch(Action::Back);
    app.dispatch(Action::NewTalk);
    insta::assert_snapshot!("new_talk_form", screen(&render(&mut app, 90, 14)));
    app.dispatch(Action::Back);
    app.load_facets().unwrap();
    app.dispatch(Action::Facets);
    insta::assert_snapshot!("facet_picker", screen(&render(&mut app, 90, 14)));
    app.dispatch(Action::Back);
    app.dispatch(Action::Help);
    insta::assert_snapshot!("help", screen(&render(&mut app, 90, 44)));
}

/// Regression (issue 17 item 13): the help was cut at 120x35 ("the last word matches as a
/// pre…", the facet section missing) and at 60x15 the capture keys never showed.
#[test]
fn help_fits_or_scrolls_at_any_size() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::Help);
    let wide = screen(&render(&mut app, 120, 35));
    insta::assert_snapshot!("help_120x35", wide);
    // Wrapped, but whole: the screen's columns read one after the other.
    let columns: Vec<String> = (0..2)
        .map(|column| {
            wide.lines()
                .filter_map(|row| row.split('│').nth(2))
                .map(|row| {
                    let half: String = row.chars().collect();
                    let cut = half.char_indices().nth(57).map_or(half.len(), |(i, _)| i);
                    if column == 0 {
                        half[..cut].to_owned()
                    } else {
                        half[cut..].to_owned()
                    }
                })
                .collect::<String>()
                .split_whitespace()
                .collect()
        })
        .collect();
    for text in [
        "search as you type; the last word is a prefix",
        "Facet picker",
        "add or remove it",
        "back (detail) or quit (list)",
    ] {
        let text: String = text.split_whitespace().collect();
        assert!(
            columns.iter().any(|c| c.contains(&text)),
            "`{text}` not in\n{wide}"
        );
    }
    assert!(wide.contains("Esc closes"), "{wide}");
    assert!(
        !columns.iter().any(|c| c.contains('…')),
        "nothing is cut:\n{wide}"
    );
    // Small: it scrolls, and everything can be reached.
    let mut seen = String::new();
    let mut previous = String::new();
    for page in 0..30 {
        let shown = screen(&render(&mut app, 60, 15));
        if page == 0 {
            insta::assert_snapshot!("help_60x15", shown);
        }
        if shown == previous {
            break;
        }
        seen.push_str(&shown);
        previous = shown;
        app.dispatch(Action::PageDown);
    }
    for (_, keys) in talknotes::tui::input::HELP {
        for (key, _) in *keys {
            assert!(seen.contains(key), "`{key}` never shown at 60x15");
        }
    }
    insta::assert_snapshot!("help_60x15_end", previous);
    assert!(previous.contains("add or remove it"), "{previous}");
}

/// The cell a terminal shows at (x, y): `None` when the wide character to its left covers it.
fn visible(terminal: &Terminal<TestBackend>, x: u16, y: u16) -> Option<String> {
    let buffer = terminal.backend().buffer();
    let mut hidden = 0;
    for column in 0..=x {
        let symbol = buffer[(column, y)].symbol();
        if hidden > 0 {
            hidden -= 1;
            if column == x {
                return None;
            }
            continue;
        }
        if column == x {
            return Some(symbol.to_owned());
        }
        hidden = display::width(symbol).saturating_sub(1);
    }
    None
}

/// Regression (issue 17 item 12): where a wide character of the list crossed a pop-up's left
/// border column, that row showed the character instead of the border (`│▌ CNCFコミュニティへの`).
#[test]
fn popups_keep_their_left_border_over_wide_characters() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.load_facets().unwrap();
    app.dispatch(Action::FocusList);
    type Open = fn(&mut Session);
    let popups: [(&str, Open); 3] = [
        ("Filter", |app| app.dispatch(Action::Facets)),
        ("New talk", |app| app.dispatch(Action::NewTalk)),
        ("Keys", |app| app.dispatch(Action::Help)),
    ];
    for (title, open) in popups {
        for width in 84..96 {
            open(&mut app);
            let terminal = render(&mut app, width, 20);
            let text = screen(&terminal);
            let (top, line) = text
                .lines()
                .enumerate()
                .find(|(_, l)| l.contains(&format!("┌ {title}")))
                .unwrap_or_else(|| panic!("no {title} at {width}:\n{text}"));
            let left = display::width(&line[..line.find(&format!("┌ {title}")).unwrap()]) as u16;
            let mut y = top as u16 + 1;
            loop {
                let cell = visible(&terminal, left, y);
                assert!(
                    matches!(cell.as_deref(), Some("│" | "└")),
                    "{title} at {width}: row {y} shows {cell:?} where its border is:\n{text}"
                );
                if cell.as_deref() == Some("└") {
                    break;
                }
                y += 1;
            }
            app.dispatch(Action::Back);
            if app.mode() != talknotes::tui::app::Mode::List {
                app.dispatch(Action::FocusList);
            }
        }
    }
}

/// Regression (issue 17 item 20): at 60 columns the footer lost its quit key.
#[test]
fn the_footer_always_says_how_to_quit_and_which_mode() {
    let (_dir, store) = kb();
    let mut app = app(store);
    let footer = |app: &mut Session, width| {
        let text = screen(&render(app, width, 16));
        text.lines().last().unwrap_or_default().to_owned()
    };
    type Step = fn(&mut Session);
    let modes: [(&str, &str, Step); 7] = [
        ("SEARCH", "Ctrl-c quit", |_| {}),
        ("LIST", "q quit", |app| app.dispatch(Action::FocusList)),
        ("TALK", "Ctrl-c quit", |app| app.dispatch(Action::Confirm)),
        ("TAKEAWAY", "Ctrl-c quit", |app| {
            app.dispatch(Action::AddTakeaway)
        }),
        ("NEW TALK", "Ctrl-c quit", |app| {
            app.dispatch(Action::Back);
            app.dispatch(Action::NewTalk)
        }),
        ("FILTER", "Ctrl-c quit", |app| {
            app.dispatch(Action::Back);
            app.dispatch(Action::Facets)
        }),
        ("HELP", "Ctrl-c quit", |app| {
            app.dispatch(Action::Back);
            app.dispatch(Action::Help)
        }),
    ];
    for (mode, quit, step) in modes {
        step(&mut app);
        for width in [60, 45, 120] {
            let line = footer(&mut app, width);
            assert!(line.starts_with(&format!(" {mode} ")), "{width}: {line}");
            assert!(line.contains(quit), "{width}: {line}");
            assert!(display::width(&line) <= width as usize, "{line}");
        }
    }
}

/// A host whose editor fails with a long message (a kept draft's path in it).
struct FailingEditor;

const DRAFT_PATH: &str =
    "/tmp/a/rather/long/temporary/directory/for/drafts/tn-edit-mesh-Xy12Ab.ron";

impl tui::Host for FailingEditor {
    fn open_url(&mut self, _: &str) -> Result<String, String> {
        Ok(String::new())
    }

    fn copy(&mut self, _: &str) -> Result<String, String> {
        Ok(String::new())
    }

    fn edit(&mut self, _: &Store, _: &NoteKey) -> Result<String, String> {
        Err(format!(
            "the edited note is not valid, so notes/cnds-2024/mesh.ron was not changed; your draft is kept at {DRAFT_PATH} — hint: fix it and copy it over the note, or run `tn edit cnds-2024/mesh` again"
        ))
    }
}

/// Regression (issue 17 item 20): after a failed edit the draft's path was cut, even at 120
/// columns. The status line wraps; the messages (`m`) keep it whole.
#[test]
fn a_long_status_is_shown_in_full() {
    for width in [120u16, 60] {
        let (_dir, store) = kb();
        let mut app = app(store);
        let mut terminal = terminal(width, 24);
        let mut events = Scripted::new();
        events
            .key(KeyEvent::from(KeyCode::Esc))
            .pause()
            .typed("e")
            .pause();
        tui::run_loop(
            &mut terminal,
            &mut app,
            &mut events,
            &mut FailingEditor,
            &Options::scripted(),
        )
        .unwrap();
        let text = screen(&terminal);
        let joined: String = text.split_whitespace().collect();
        assert!(joined.contains(DRAFT_PATH), "{width}:\n{text}");
        assert!(joined.contains("run`tneditcnds-2024/mesh`again"), "{text}");
        // An error stays until a key is pressed, and then `m` still has it.
        app.expire_status();
        assert!(app.status().is_some());
        app.dispatch(Action::Messages);
        let messages = screen(&render(&mut app, width, 24));
        let joined: String = messages
            .chars()
            .filter(|c| !c.is_whitespace() && !"│▌┌┐└┘─".contains(*c))
            .collect();
        assert!(joined.contains(DRAFT_PATH), "{messages}");
    }
}

/// Regression (issue 17 item 17): a talk made in the TUI has no date and sank to the bottom
/// of the recent talks, sorted by talk date: they are the ones changed last now.
#[test]
fn recent_talks_are_the_ones_changed_last() {
    let (_dir, store) = kb();
    let mut app = app(store);
    let titles =
        |app: &Session| -> Vec<String> { app.hits().iter().map(|h| h.title.clone()).collect() };
    assert_eq!(titles(&app)[0], "サービスメッシュ入門: Istio と Linkerd");
    app.dispatch(Action::FocusList);
    app.dispatch(Action::NewTalk);
    app.dispatch(Action::Paste("日付のないトーク".into()));
    app.dispatch(Action::Confirm);
    app.dispatch(Action::Back);
    app.dispatch(Action::FocusQuery);
    assert_eq!(titles(&app)[0], "日付のないトーク");
    // A takeaway on an older talk brings it to the top.
    app.dispatch(Action::Down);
    app.dispatch(Action::Down);
    let id = app.focused().unwrap();
    let title = app.hits()[app.selected()].title.clone();
    assert_ne!(app.selected(), 0);
    app.dispatch(Action::FocusList);
    app.dispatch(Action::AddTakeaway);
    app.dispatch(Action::Paste("後から追記\n".into()));
    app.dispatch(Action::Back);
    app.dispatch(Action::Tick);
    assert_eq!(titles(&app)[0], title, "{id}");
    assert_eq!(titles(&app).len(), 5);
}

/// Regression (issue 17 item 18): the preview cut `CodeCatalyst` into `Code` / `Catalyst`
/// and broke Japanese lines at a far-back ASCII space.
#[test]
fn the_preview_wraps_words_whole_and_japanese_by_its_rules() {
    let (_dir, store) = kb();
    let mesh: TalkRef = "cnds-2024/mesh".parse().unwrap();
    capture::jot(
        &store,
        &mesh,
        "Amazon CodeCatalyst でビルド、テスト、ステージング、デプロイの 4 つに分けたパイプラインを組む",
        time("10:30"),
    )
    .unwrap();
    let mut app = app(store);
    type_text(&mut app, "CodeCatalyst");
    for width in 90..130 {
        let text = screen(&render(&mut app, width, 30));
        let preview: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split("││").nth(1))
            .map(|l| l.trim_end_matches('│').trim_end())
            .collect();
        assert!(
            preview.iter().any(|l| l.contains("CodeCatalyst")),
            "{width}:\n{text}"
        );
        assert!(
            !preview
                .iter()
                .any(|l| l.trim_start().starts_with("つに分けた")),
            "{width}:\n{text}"
        );
    }
}

#[test]
fn control_characters_in_notes_are_never_written_raw() {
    let (_dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "escape");
    app.dispatch(Action::Confirm);
    let terminal = render(&mut app, 100, 30);
    let text = screen(&terminal);
    assert!(text.contains("Escape \\u{1b}[31mred"), "{text}");
    assert!(
        text.contains("clear \\u{9b}2J screen \\u{7} bell"),
        "{text}"
    );
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' || c == '\u{9b}'),
        "{text:?}"
    );
}

#[test]
fn no_color_means_no_colour() {
    let (_dir, store) = kb();
    let mut app = app(store);
    type_text(&mut app, "ebpf");
    let mut colours = |theme: Theme| {
        let mut terminal = terminal(100, 24);
        tui::draw(&mut terminal, &mut app, &theme).unwrap();
        let buffer = terminal.backend().buffer().clone();
        buffer
            .content()
            .iter()
            .filter(|cell| cell.fg != Color::Reset || cell.bg != Color::Reset)
            .count()
    };
    assert!(colours(Theme { color: true }) > 0);
    assert_eq!(colours(Theme::plain()), 0);
}

#[test]
fn any_size_renders_without_panicking() {
    let (_dir, store) = kb();
    let mut app = app(store);
    app.dispatch(Action::FocusList);
    for (width, height) in [
        (1, 1),
        (2, 3),
        (10, 4),
        (30, 8),
        (89, 20),
        (90, 20),
        (200, 60),
    ] {
        for action in [
            Action::Down,
            Action::Confirm,
            Action::AddTakeaway,
            Action::Back,
            Action::NewTalk,
            Action::Back,
            Action::Facets,
            Action::Back,
            Action::Help,
            Action::PageDown,
            Action::Back,
            Action::Messages,
            Action::Bottom,
            Action::Back,
            Action::AddTags,
            Action::Back,
            Action::Back,
        ] {
            app.dispatch(action);
            render(&mut app, width, height);
        }
    }
}

/// The whole loop, as the binary runs it, with scripted events into a `TestBackend`.
#[test]
fn the_event_loop_drives_search_and_capture() {
    let (dir, store) = kb();
    store
        .set_current(&NoteKey::Event("cnds-2024".parse().unwrap()))
        .unwrap();
    let mut app = Session::new(store);
    app.set_clock(fixed_clock);
    let mut terminal = terminal(120, 30);
    let mut host = RecordingHost::default();
    let mut events = Scripted::new();
    events.typed("サービスメッシュ").pause();
    tui::start(
        &mut terminal,
        &mut app,
        &mut events,
        &mut host,
        &Options::scripted(),
    )
    .unwrap();
    let text = screen(&terminal);
    assert!(text.contains("サービスメッシュ入門"), "{text}");
    assert!(!text.contains("eBPFで作る"), "{text}");

    let mut events = Scripted::new();
    events
        .key(KeyEvent::from(KeyCode::Esc))
        .pause()
        .typed("n")
        .pause()
        .typed("TUIから作ったトーク")
        .key(KeyEvent::from(KeyCode::Enter))
        .pause()
        .typed("a")
        .pause();
    for takeaway in ["一つ目", "二つ目", "三つ目"] {
        events
            .typed(takeaway)
            .key(KeyEvent::from(KeyCode::Enter))
            .pause();
    }
    events
        .key(KeyEvent::from(KeyCode::Esc))
        .pause()
        .typed("o")
        .pause();
    tui::run_loop(
        &mut terminal,
        &mut app,
        &mut events,
        &mut host,
        &Options::scripted(),
    )
    .unwrap();
    let text = screen(&terminal);
    assert!(text.contains("TUIから作ったトーク"), "{text}");
    assert!(text.contains("三つ目"), "{text}");
    let store = Store::open(dir.path()).unwrap();
    let id = store.current().unwrap();
    let talk = store.read_talk(&id).unwrap().value;
    let texts: Vec<&str> = talk.takeaways.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, ["一つ目", "二つ目", "三つ目"]);
    assert!(talk.takeaways.iter().all(|t| t.at == Some(fixed_clock())));
    // `o` on a talk without a URL opens nothing and says so.
    assert!(host.effects.is_empty(), "{:?}", host.effects);
    assert!(text.contains("this talk has no URL"), "{text}");

    let mut events = Scripted::new();
    events.typed("q").pause().typed("q");
    tui::run_loop(
        &mut terminal,
        &mut app,
        &mut events,
        &mut host,
        &Options::scripted(),
    )
    .unwrap();
    assert!(app.should_quit());
}

#[test]
fn without_a_terminal_tn_tui_says_so_and_tn_alone_prints_help() {
    let kb = Kb::new();
    let out = kb.fails(&["tui"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    let out = kb.ok(&[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: tn"));
}

/// Keys, then something done to the files from outside, then waiting as a person would.
struct Timed {
    steps: std::collections::VecDeque<Step>,
}

enum Step {
    Next(Next),
    Do(Box<dyn FnOnce()>),
    Wait(Duration),
}

impl tui::EventSource for Timed {
    fn next(&mut self, timeout: Duration) -> std::io::Result<Next> {
        loop {
            match self.steps.pop_front() {
                None => return Ok(Next::Closed),
                Some(Step::Next(next)) => return Ok(next),
                Some(Step::Do(action)) => action(),
                Some(Step::Wait(left)) => {
                    let nap = left.min(timeout).max(Duration::from_millis(1));
                    std::thread::sleep(nap);
                    if let Some(rest) = left.checked_sub(nap).filter(|d| !d.is_zero()) {
                        self.steps.push_front(Step::Wait(rest));
                    }
                    return Ok(Next::Timeout);
                }
            }
        }
    }
}

/// As `tn` runs: the index opens on another thread while keys are already arriving, and a
/// note changed by another process appears without a restart and without a tick.
#[test]
fn background_index_and_changes_from_outside() {
    let (dir, store) = kb();
    let mut app = Session::new(store);
    let mut terminal = terminal(100, 24);
    let mut host = RecordingHost::default();
    let options = Options {
        theme: Theme::plain(),
        background: true,
    };
    let root = dir.path().to_owned();
    let mut steps = std::collections::VecDeque::new();
    for c in "ユニーク".chars() {
        let key = KeyEvent::from(KeyCode::Char(c));
        steps.push_back(Step::Next(Next::Event(crossterm::event::Event::Key(key))));
    }
    steps.push_back(Step::Wait(Duration::from_millis(300)));
    steps.push_back(Step::Do(Box::new(move || {
        let other = Store::open(&root).unwrap();
        let ebpf: TalkRef = "cnds-2024/ebpf".parse().unwrap();
        capture::jot(&other, &ebpf, "ユニークな発見", time("11:00")).unwrap();
    })));
    steps.push_back(Step::Wait(Duration::from_secs(4)));
    let mut events = Timed { steps };
    tui::start(&mut terminal, &mut app, &mut events, &mut host, &options).unwrap();
    let titles: Vec<&str> = app.hits().iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["eBPFで作るオブザーバビリティ基盤"]);
    let text = screen(&terminal);
    assert!(text.contains("ユニークな発見"), "{text}");
}

// ---------------------------------------------------------------------------------------
// End to end: the real binary in tmux.

#[test]
fn end_to_end_in_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED end_to_end_in_tmux: tmux is not installed (CI installs it)");
        return;
    }
    let kb = Kb::new();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("notes"),
        &kb.path("notes"),
    );
    kb.ok(&["current", "cloudnative-days-summer-2024"]);
    let tmux = Tmux::new("tui");
    tmux.start_tn(&kb, 120, 40);
    let slow = Duration::from_secs(60);
    let quick = Duration::from_secs(15);
    tmux.wait_for("Recent talks", slow);

    tmux.literal("サービスメッシュ");
    let screen = tmux.wait_for("Architecture Patterns : The Circuit-Breaker", quick);
    assert!(screen.contains("Search › サービスメッシュ"), "{screen}");
    tmux.keys(&["C-u"]);
    tmux.literal("ebpf");
    tmux.wait_for(
        "eBPFを使ったOpenTelemetryのGo自動計装ライブラリを調べる",
        quick,
    );

    // Capture: a new talk in the current event, then three takeaways.
    tmux.keys(&["Escape"]);
    tmux.wait_for("j/k move", quick);
    tmux.keys(&["n"]);
    let screen = tmux.wait_for("New talk", quick);
    assert!(screen.contains("cloudnative-days-summer-2024"), "{screen}");
    tmux.literal("TUIで作ったトーク");
    tmux.keys(&["Enter"]);
    tmux.wait_for("it is now the current talk", quick);
    tmux.keys(&["a"]);
    tmux.wait_for("takeaway →", quick);
    let takeaways = ["最初の学び", "second takeaway", "三つ目は eBPF"];
    for (i, text) in takeaways.iter().enumerate() {
        tmux.literal(text);
        tmux.keys(&["Enter"]);
        tmux.wait_for(&format!("{} saved", i + 1), quick);
    }
    tmux.keys(&["Escape"]);
    tmux.wait_for("q back", quick);
    tmux.keys(&["q"]);
    tmux.wait_for("q quit", quick);
    tmux.keys(&["q"]);
    let started = Instant::now();
    while tmux.alive() {
        assert!(
            started.elapsed() < quick,
            "tn did not exit:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let current = String::from_utf8(kb.ok(&["current"]).stdout).unwrap();
    let id = current.split('\t').next().unwrap().trim().to_owned();
    assert!(id.starts_with("cloudnative-days-summer-2024/"), "{current}");
    let shown = String::from_utf8(kb.ok(&["show", &id]).stdout).unwrap();
    assert!(shown.contains("TUIで作ったトーク"), "{shown}");
    for text in takeaways {
        assert!(shown.contains(text), "`{text}` missing from:\n{shown}");
    }
}

/// Star from the list and rate in the talk's view, then "now and next": the starred talk on
/// now comes first, Enter makes it the current talk, and `a` jots into it (the real binary,
/// in tmux).
#[test]
fn star_rate_and_pick_from_now_and_next_in_a_terminal() {
    // A talk running all day today (UTC, as tmux runs tn with TZ=UTC); at 23:59 nothing runs.
    if jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .time()
        >= jiff::civil::time(23, 59, 0, 0)
    {
        std::thread::sleep(Duration::from_secs(61));
    }
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let kb = Kb::new();
    kb.ok(&[
        "event",
        "new",
        "conf",
        "--name",
        "Conf Today",
        "--date",
        &today,
    ]);
    for (id, title, room) in [
        ("alpha", "Alpha talk all day", "A"),
        ("beta", "Beta talk all day", "B"),
    ] {
        kb.ok(&[
            "new",
            title,
            "--id",
            id,
            "--date",
            &today,
            "--start",
            "00:00",
            "--end",
            "23:59",
            "--track",
            room,
            "--no-edit",
        ]);
    }
    kb.ok(&["current", "conf"]);
    let tmux = Tmux::new("tui-now");
    tmux.start_tn(&kb, 120, 40);
    let slow = Duration::from_secs(60);
    let quick = Duration::from_secs(15);
    tmux.wait_for("Recent talks", slow);

    // Star Beta from the list, and rate it in its own view (in the list, digits search).
    tmux.literal("Beta");
    tmux.wait_for("1 talk", quick);
    tmux.keys(&["Escape"]);
    tmux.wait_for("j/k move", quick);
    tmux.keys(&["s"]);
    tmux.wait_for("★ Beta talk all day", quick);
    tmux.keys(&["Enter"]);
    tmux.wait_for("q back", quick);
    tmux.keys(&["4"]);
    tmux.wait_for("planned ★★★★☆", quick);
    tmux.keys(&["q"]);
    tmux.wait_for("j/k move", quick);

    // Now and next: Beta, starred, comes first; Enter makes it current; `a` jots into it.
    tmux.keys(&["c"]);
    let screen = tmux.wait_for("Now and next", quick);
    let beta = screen.find("★ Beta talk all day").unwrap_or(usize::MAX);
    let alpha = screen.find("Alpha talk all day").unwrap_or(0);
    assert!(beta < alpha, "the starred talk is not first:\n{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("current talk: Beta talk all day", quick);
    tmux.keys(&["a"]);
    tmux.wait_for("takeaway →", quick);
    tmux.literal("ここで学んだこと");
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 saved", quick);
    tmux.keys(&["Escape"]);
    tmux.wait_for("q back", quick);
    // The takeaway attended it; rate and mark it from the detail view.
    tmux.keys(&["5"]);
    tmux.wait_for("attended ★★★★★", quick);
    tmux.keys(&["w"]);
    tmux.wait_for("to-watch ★★★★★", quick);
    tmux.keys(&["W"]);
    tmux.wait_for("watched ★★★★★", quick);
    tmux.keys(&["q"]);
    tmux.wait_for("q quit", quick);
    tmux.keys(&["q"]);
    let started = Instant::now();
    while tmux.alive() {
        assert!(
            started.elapsed() < quick,
            "tn did not exit:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let current = String::from_utf8(kb.ok(&["current"]).stdout).unwrap();
    assert!(current.starts_with("conf/beta"), "{current}");
    let beta = kb.talk("conf", "beta");
    assert_eq!(beta.takeaways[0].text, "ここで学んだこと");
    assert_eq!(
        beta.status,
        Some(talknotes::note::TalkStatus::Watched),
        "starred, attended by the takeaway, then marked in the detail view"
    );
    assert_eq!(beta.rating, talknotes::note::Rating::new(5));
    assert_eq!(kb.talk("conf", "alpha").status, None);
}

fn tmux_available() -> bool {
    Command::new("tmux").arg("-V").output().is_ok()
}

/// Regression (issue 17 item 1): a takeaway typed and not saved was lost with Esc, and with
/// the terminal. Here the terminal goes away under it (SIGKILL, then SIGHUP), and the user
/// quits with Ctrl-c: each time the line comes back.
#[test]
fn a_typed_line_survives_a_killed_terminal_in_tmux() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let kb = Kb::new();
    kb.ok(&["event", "new", "ev", "--name", "Example"]);
    kb.ok(&["new", "Crash Talk", "--no-edit"]);
    let (slow, quick) = (Duration::from_secs(60), Duration::from_secs(15));
    let tmux = Tmux::new("tui-draft");
    tmux.start_tn(&kb, 100, 30);
    tmux.wait_for("Crash Talk", slow);
    tmux.keys(&["Escape"]);
    tmux.wait_for(" LIST ", quick);
    tmux.keys(&["a"]);
    tmux.wait_for("takeaway →", quick);
    let line = "端末ごと消える前に書いた学び";
    tmux.literal(line);
    // On screen means handled: the draft is written before the frame is drawn.
    tmux.wait_for(line, quick);
    let pid = tmux.pane_pid().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    tmux.wait_until_gone();
    let draft = kb.path("index/drafts/ev/crash-talk.takeaway.draft");
    assert_eq!(std::fs::read_to_string(&draft).unwrap(), line);

    // The next run says so, and `a` on the talk brings the line back.
    tmux.start_tn(&kb, 100, 30);
    let screen = tmux.wait_for("kept from last time", slow);
    assert!(screen.contains(line), "{screen}");
    tmux.wait_for("1 talk", slow);
    tmux.keys(&["Escape"]);
    tmux.wait_for(" LIST ", quick);
    tmux.keys(&["a"]);
    let screen = tmux.wait_for("is back from its draft", quick);
    assert!(screen.contains(&format!("│{line}")), "{screen}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("1 saved", quick);
    assert!(!draft.exists());

    // A closed window: SIGHUP.
    tmux.literal("二つ目の途中");
    tmux.wait_for("二つ目の途中", quick);
    let _ = tmux.cmd().arg("kill-server").output();
    tmux.wait_until_gone();
    assert_eq!(std::fs::read_to_string(&draft).unwrap(), "二つ目の途中");

    // Ctrl-c: the shell is told where the line is.
    tmux.start_tn_with(&kb, 100, 30, &[], true);
    tmux.wait_for("kept from last time", slow);
    tmux.wait_for("1 talk", slow);
    tmux.keys(&["Escape"]);
    tmux.wait_for(" LIST ", quick);
    tmux.keys(&["a"]);
    tmux.wait_for("is back from its draft", quick);
    tmux.literal("、続き");
    tmux.wait_for("二つ目の途中、続き", quick);
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("TN-EXITED", quick);
    assert!(
        screen.contains("kept as a draft: takeaway for ev/crash-talk"),
        "{screen}"
    );
    assert_eq!(
        std::fs::read_to_string(&draft).unwrap(),
        "二つ目の途中、続き"
    );
    let shown = String::from_utf8(kb.ok(&["show", "ev/crash-talk"]).stdout).unwrap();
    assert!(shown.contains(line), "{shown}");
}

/// An executable script in the knowledge base's temporary directory.
fn script(kb: &Kb, name: &str, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = kb.tmp.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// Regression (issue 17 item 19): `e` with an editor that prints left its output, and tn's
/// "no changes", in the shell after the TUI quit.
#[test]
fn the_editor_leaves_nothing_in_the_shell_in_tmux() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let kb = Kb::new();
    kb.ok(&["event", "new", "ev", "--name", "Example"]);
    kb.ok(&["new", "Noisy Talk", "--no-edit"]);
    let editor = script(
        &kb,
        "noisy-editor",
        "echo 'EDITOR-OUT-LEAK on stdout'\necho 'EDITOR-ERR-LEAK on stderr' >&2",
    );
    let (slow, quick) = (Duration::from_secs(60), Duration::from_secs(15));
    let tmux = Tmux::new("tui-editor");
    let env = [
        format!("EDITOR={}", editor.display()),
        format!("VISUAL={}", editor.display()),
    ];
    let env: Vec<&str> = env.iter().map(String::as_str).collect();
    tmux.start_tn_with(&kb, 120, 30, &env, true);
    tmux.wait_for("Noisy Talk", slow);
    tmux.keys(&["Escape"]);
    tmux.wait_for(" LIST ", quick);
    tmux.keys(&["e"]);
    // What the edit said is on the status line.
    let screen = tmux.wait_for("no changes", quick);
    assert!(
        screen.contains("editor: EDITOR-ERR-LEAK on stderr"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("TN-EXITED", quick);
    for leak in ["LEAK", "no changes"] {
        assert!(
            !screen.contains(leak),
            "`{leak}` left in the shell:\n{screen}"
        );
    }
}

/// Regression (issue 17 item 20): after a failed edit the kept draft's path was cut, even at
/// 120 columns.
#[test]
fn a_failed_edit_shows_where_the_draft_is_in_tmux() {
    if !tmux_available() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it)");
        return;
    }
    let kb = Kb::new();
    kb.ok(&["event", "new", "ev", "--name", "Example"]);
    kb.ok(&["new", "Broken Edit", "--no-edit"]);
    let editor = script(&kb, "bad-editor", "printf 'Talk(\\n  title: ,\\n' > \"$1\"");
    let (slow, quick) = (Duration::from_secs(60), Duration::from_secs(15));
    let tmux = Tmux::new("tui-bad-editor");
    let env = [
        format!("EDITOR={}", editor.display()),
        format!("VISUAL={}", editor.display()),
    ];
    let env: Vec<&str> = env.iter().map(String::as_str).collect();
    tmux.start_tn_with(&kb, 120, 30, &env, true);
    tmux.wait_for("Broken Edit", slow);
    tmux.keys(&["Escape"]);
    tmux.wait_for(" LIST ", quick);
    tmux.keys(&["e"]);
    tmux.wait_for("re-open the editor to fix it?", quick);
    tmux.keys(&["n", "Enter"]);
    let screen = tmux.wait_for("draft is kept at", quick);
    let kept = std::fs::read_dir(&kb.tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("tn-edit-"))
        })
        .expect("the draft is kept");
    let joined: String = screen.split_whitespace().collect();
    assert!(
        joined.contains(&kept.display().to_string()),
        "{} not shown whole:\n{screen}",
        kept.display()
    );
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("TN-EXITED", quick);
    assert!(!screen.contains("not valid"), "{screen}");
}
