//! `tn import https://…`: fetching a schedule, which then imports like a file.
//!
//! One blocking GET per URL with ureq (rustls, the system's proxy variables), bounded in
//! every way a server could drag it out: a connect and a whole-request timeout, at most five
//! redirects, and at most [`MAX_BYTES`] of body. Whatever goes wrong becomes one line that
//! names the URL (`… not found (offline?)`, `answered 404 Not Found`, `answered an HTML page`),
//! and nothing is written before every URL was fetched and parsed whole.
//!
//! Two addresses people paste are widened to what they mean ([`expand`]): a Sched site
//! (`https://kccncjp2026.sched.com/`) is its feed, `/all.ics`; a Dreamkast talks URL
//! (`…/api/v1/talks?eventAbbr=cnds2026`) also brings the event's speakers, tracks and event,
//! so one command imports a CloudNative Days schedule with affiliations and rooms.

use std::path::PathBuf;
use std::time::Duration;

use ureq::ResponseExt;
use url::Url;

use super::Input;
use crate::error::{Error, Result};

/// The largest answer read: a big conference's feed is a few MB.
pub const MAX_BYTES: u64 = 16 << 20;
/// Redirects followed before giving up.
pub const MAX_REDIRECTS: u32 = 5;

const HINT: &str =
    "check the address and the network; a downloaded copy imports the same way (tn import all.ics)";

/// How long to wait.
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    /// For the whole request, body included.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(30),
        }
    }
}

/// Whether an argument to `tn import` is a URL rather than a file.
pub fn is_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// What to fetch for `url`: the URL itself, or what it stands for, and companions that only
/// add to it (fetched when they can be; see [`fetch_all`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub main: String,
    pub companions: Vec<String>,
}

/// The URLs behind an address a user pastes (see the module documentation).
pub fn expand(address: &str) -> Result<Expanded> {
    let url = parse(address)?;
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let mut main = url.clone();
    if host.ends_with(".sched.com") && matches!(url.path(), "" | "/") {
        main.set_path("/all.ics");
    } else if host == "event.cloudnativedays.jp"
        && let Some(abbr) = url
            .path_segments()
            .and_then(|mut s| s.next())
            .filter(|s| !s.is_empty() && *s != "api")
    {
        // An event's page (`/cnds2026`, `/cnds2026/timetable`): its talks.
        main.set_path("/api/v1/talks");
        main.set_query(Some(&format!("eventAbbr={abbr}")));
    }
    let mut companions = Vec::new();
    if main.path().trim_end_matches('/').ends_with("/api/v1/talks")
        && let Some(abbr) = query_value(main.as_str(), "eventAbbr")
    {
        let api = main.path().trim_end_matches('/').trim_end_matches("/talks");
        for (path, query) in [
            (format!("{api}/speakers"), Some(format!("eventAbbr={abbr}"))),
            (format!("{api}/tracks"), Some(format!("eventAbbr={abbr}"))),
            (format!("{api}/events/{abbr}"), None),
        ] {
            let mut companion = main.clone();
            companion.set_path(&path);
            companion.set_query(query.as_deref());
            companions.push(companion.to_string());
        }
    }
    Ok(Expanded {
        main: main.to_string(),
        companions,
    })
}

fn parse(address: &str) -> Result<Url> {
    let url = Url::parse(address.trim()).map_err(|e| {
        Error::input(
            format!(
                "`{}` is not a URL tn can fetch ({e})",
                address.escape_debug()
            ),
            "write it as https://host/path",
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::input(
            format!("`{}` is not an http(s) URL", address.escape_debug()),
            "write it as https://host/path",
        ));
    }
    Ok(url)
}

/// The value of `key` in the URL's query.
pub fn query_value(url: &str, key: &str) -> Option<String> {
    Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `scheme://host[:port]` of a URL.
pub fn origin(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    Some(url.origin().ascii_serialization()).filter(|o| o != "null")
}

/// Fetches every address (expanded), main ones first failing the whole import, companions
/// only adding a warning when they cannot be had.
pub fn fetch_all(
    addresses: &[String],
    options: &FetchOptions,
) -> Result<(Vec<Input>, Vec<String>)> {
    let agent = agent(options);
    let mut inputs = Vec::new();
    let mut warnings = Vec::new();
    for address in addresses {
        let expanded = expand(address)?;
        inputs.push(get(&agent, &expanded.main, options)?);
        for companion in &expanded.companions {
            match get(&agent, companion, options) {
                Ok(input) => inputs.push(input),
                Err(e) => warnings.push(format!("{e}; imported without it")),
            }
        }
    }
    Ok((inputs, warnings))
}

fn agent(options: &FetchOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .timeout_connect(Some(options.timeout.min(Duration::from_secs(10))))
        .max_redirects(MAX_REDIRECTS)
        // Statuses are read here, to say what the server answered.
        .http_status_as_error(false)
        .user_agent(concat!("talknotes/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// One GET, its body read whole (up to [`MAX_BYTES`]) and checked to be data, not a page.
fn get(agent: &ureq::Agent, url: &str, options: &FetchOptions) -> Result<Input> {
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| failed(url, &e, options))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Error::input(
            format!(
                "{url} answered {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_owned(),
            "check the address: Sched feeds end in /all.ics, Dreamkast talks are /api/v1/talks?eventAbbr=<event>",
        ));
    }
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let final_url = response.get_uri().to_string();
    let bytes = response
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|e| failed(url, &e, options))?;
    if content_type.starts_with("text/html") || looks_like_html(&bytes) {
        let shown = if content_type.is_empty() {
            String::new()
        } else {
            format!(" (content-type {content_type})")
        };
        return Err(Error::input(
            format!("{url} answered an HTML page, not a schedule{shown}"),
            "use the address of the schedule's data: a Sched feed (https://<event>.sched.com/all.ics) or the Dreamkast API (https://event.cloudnativedays.jp/api/v1/talks?eventAbbr=<event>)",
        ));
    }
    Ok(Input {
        name: PathBuf::from(url),
        bytes,
        url: Some(final_url),
    })
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with("<!doctype html") || head.starts_with("<html") || head.starts_with("<head")
}

/// A failed request as one line naming the URL.
fn failed(url: &str, error: &ureq::Error, options: &FetchOptions) -> Error {
    let host = Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| url.to_owned());
    let why = match error {
        ureq::Error::HostNotFound => format!("{host} not found (offline?)"),
        ureq::Error::Io(e) if e.to_string().contains("failed to lookup address") => {
            format!("{host} not found (offline?)")
        }
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("{host} refused the connection")
        }
        ureq::Error::Timeout(_) => format!(
            "no complete answer within {} s",
            options.timeout.as_secs_f32()
        ),
        ureq::Error::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
        ureq::Error::BodyExceedsLimit(limit) => {
            format!("the answer is larger than {} MiB", limit >> 20)
        }
        other => other.to_string().replace('\n', " "),
    };
    Error::input(format!("cannot fetch {url}: {why}"), HINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_expand_to_what_they_mean() {
        let e = expand("https://kccncjp2026.sched.com/").unwrap();
        assert_eq!(e.main, "https://kccncjp2026.sched.com/all.ics");
        assert!(e.companions.is_empty());
        let e = expand("https://kccncjp2026.sched.com/mobile").unwrap();
        assert_eq!(e.main, "https://kccncjp2026.sched.com/mobile");
        let e = expand("https://event.cloudnativedays.jp/cnds2026/timetable").unwrap();
        assert_eq!(
            e.main,
            "https://event.cloudnativedays.jp/api/v1/talks?eventAbbr=cnds2026"
        );
        assert_eq!(
            e.companions,
            [
                "https://event.cloudnativedays.jp/api/v1/speakers?eventAbbr=cnds2026",
                "https://event.cloudnativedays.jp/api/v1/tracks?eventAbbr=cnds2026",
                "https://event.cloudnativedays.jp/api/v1/events/cnds2026",
            ]
        );
        let e = expand("http://127.0.0.1:8080/api/v1/talks?eventAbbr=x").unwrap();
        assert_eq!(e.companions[2], "http://127.0.0.1:8080/api/v1/events/x");
        assert!(expand("ftp://example.com/x").is_err());
        assert!(expand("https://").is_err());
    }

    #[test]
    fn query_values_and_origins() {
        let url = "http://127.0.0.1:9/api/v1/talks?eventAbbr=cnds2026&x=1";
        assert_eq!(query_value(url, "eventAbbr").as_deref(), Some("cnds2026"));
        assert_eq!(query_value(url, "y"), None);
        assert_eq!(origin(url).as_deref(), Some("http://127.0.0.1:9"));
        assert!(is_url("HTTPS://x") && !is_url("./https.ics"));
    }

    #[test]
    fn html_is_recognised_without_a_content_type() {
        assert!(looks_like_html(b"\n<!DOCTYPE html><html>"));
        assert!(!looks_like_html(b"BEGIN:VCALENDAR"));
    }
}
