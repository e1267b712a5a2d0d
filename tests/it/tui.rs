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
    (dir, store)
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
