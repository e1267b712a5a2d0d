//! The local time: takeaway stamps, today's date, `tn now`.
//!
//! jiff reads the time zone from `TZ` as the C library does: an IANA name, a POSIX rule, or
//! the path of a TZif file, which it reads whole, with no limit and whatever the file is:
//! `TZ=/dev/zero tn jot x` grew to 4.6 GB in 20 s, and `TZ` naming a named pipe hung. So a
//! `TZ` that is set is resolved here, once per process: names and rules through jiff (which
//! only reads its zone database), a path only as a regular file of at most
//! [`MAX_TZIF_BYTES`]. Anything else means UTC, as the C library does, and a one-line warning
//! that the binary prints ([`take_warning`]). Without `TZ`, jiff's system zone is used as is
//! (it follows `/etc/localtime`, even when that changes while the TUI runs).

use std::ffi::OsStr;
use std::path::Path;
use std::sync::{Mutex, OnceLock, PoisonError};

use jiff::tz::TimeZone;

use crate::error::Error;
use crate::regular_file;

/// The most read from a `TZ` file; real ones are under 4 KB.
pub const MAX_TZIF_BYTES: u64 = 256 << 10;

/// The zone `TZ` names, when it is set.
static ZONE: OnceLock<Option<TimeZone>> = OnceLock::new();
/// Why `TZ` was not used, until the binary prints it.
static WARNING: Mutex<Option<String>> = Mutex::new(None);

/// The current local time.
pub fn now() -> jiff::Zoned {
    match zone() {
        Some(zone) => jiff::Timestamp::now().to_zoned(zone.clone()),
        None => jiff::Zoned::now(),
    }
}

/// Why `TZ` could not be used (once: later calls return `None`).
pub fn take_warning() -> Option<String> {
    WARNING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

fn zone() -> Option<&'static TimeZone> {
    ZONE.get_or_init(|| {
        let tz = std::env::var_os("TZ")?;
        let (zone, warning) = from_tz(&tz);
        if warning.is_some() {
            *WARNING.lock().unwrap_or_else(PoisonError::into_inner) = warning;
        }
        Some(zone)
    })
    .as_ref()
}

/// The zone a `TZ` value names, or UTC and a warning saying why not.
fn from_tz(tz: &OsStr) -> (TimeZone, Option<String>) {
    let utc = |why: &str| {
        (
            TimeZone::UTC,
            Some(format!(
                "TZ={:?} {why}; times are in UTC (set TZ to a zone name such as Asia/Tokyo)",
                tz.to_string_lossy()
            )),
        )
    };
    let Some(value) = tz.to_str() else {
        return utc("is not UTF-8");
    };
    // As glibc and jiff: an empty TZ is UTC; `:` introduces a name or a path.
    if value.is_empty() {
        return (TimeZone::UTC, None);
    }
    let name = match value.strip_prefix(':') {
        Some(name) => name,
        None => match TimeZone::posix(value) {
            Ok(zone) => return (zone, None),
            Err(_) => value,
        },
    };
    if let Some(zone) = lookup(name) {
        return (zone, None);
    }
    if name.eq_ignore_ascii_case("UTC") {
        // Without a zone database (a minimal container), still what was meant.
        return (TimeZone::UTC, None);
    }
    match read_tzif(Path::new(name)) {
        Ok(zone) => (zone, None),
        Err(why) => utc(&why),
    }
}

/// A zone of the database, by name or by a path into the database (`/usr/share/zoneinfo/…`).
fn lookup(name: &str) -> Option<TimeZone> {
    const NEEDLE: &str = "zoneinfo/";
    let db = jiff::tz::db();
    let inside = |path: &str| {
        path.rfind(NEEDLE)
            .map(|i| path[i + NEEDLE.len()..].to_owned())
    };
    // A link such as /etc/localtime names its zone by its target.
    let target = std::fs::canonicalize(name)
        .ok()
        .and_then(|p| p.to_str().and_then(inside));
    [inside(name), target, Some(name.to_owned())]
        .into_iter()
        .flatten()
        .find_map(|candidate| db.get(&candidate).ok())
}

/// A TZif file, read only if it is a regular file of a sane size.
fn read_tzif(path: &Path) -> Result<TimeZone, String> {
    let data = regular_file::open_read_following(path)
        .and_then(|file| regular_file::read_bounded(&file, path, MAX_TZIF_BYTES))
        .map_err(|e| match e {
            Error::NotAFile { found, .. } => format!("names {found}, not a time zone file"),
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                "is neither a time zone name nor a file".to_owned()
            }
            Error::Io { source, .. } => format!("names a file tn cannot read ({source})"),
            other => other.to_string(),
        })?;
    TimeZone::tzif(&path.to_string_lossy(), &data)
        .map_err(|e| format!("names a file that is not a time zone file ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(tz: &str) -> (TimeZone, Option<String>) {
        from_tz(OsStr::new(tz))
    }

    #[test]
    fn names_rules_and_empty_are_used_without_a_word() {
        for tz in ["", "UTC", ":UTC", "JST-9", "EST5EDT,M3.2.0,M11.1.0"] {
            let (_, warning) = resolve(tz);
            assert_eq!(warning, None, "{tz}");
        }
        let (zone, _) = resolve("JST-9");
        let offset = zone.to_offset(jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(offset.seconds(), 9 * 3600);
    }

    #[test]
    fn a_tzif_file_is_read_and_a_link_into_the_database_keeps_its_name() {
        let system = Path::new("/usr/share/zoneinfo/Asia/Tokyo");
        let Ok(data) = std::fs::read(system) else {
            return; // no zone database on this machine: nothing to copy
        };
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("tokyo");
        std::fs::write(&copy, data).unwrap();
        let (zone, warning) = resolve(copy.to_str().unwrap());
        assert_eq!(warning, None);
        assert_eq!(
            zone.to_offset(jiff::Timestamp::UNIX_EPOCH).seconds(),
            9 * 3600
        );
        #[cfg(unix)]
        {
            let link = dir.path().join("localtime");
            std::os::unix::fs::symlink(system, &link).unwrap();
            let (zone, warning) = resolve(link.to_str().unwrap());
            assert_eq!(warning, None);
            assert_eq!(zone.iana_name(), Some("Asia/Tokyo"));
        }
    }

    #[cfg(unix)]
    #[test]
    fn devices_pipes_big_and_missing_files_fall_back_to_utc_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&pipe)
                .status()
                .unwrap()
                .success()
        );
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'T'; MAX_TZIF_BYTES as usize + 1]).unwrap();
        let junk = dir.path().join("junk");
        std::fs::write(&junk, "not a zone").unwrap();
        for (tz, says) in [
            ("/dev/zero".to_owned(), "names a device"),
            (pipe.display().to_string(), "names a named pipe (FIFO)"),
            (format!(":{}", pipe.display()), "names a named pipe (FIFO)"),
            (big.display().to_string(), "larger than"),
            (junk.display().to_string(), "not a time zone file"),
            (
                "/no/such/zone".to_owned(),
                "neither a time zone name nor a file",
            ),
            (dir.path().display().to_string(), "names a directory"),
        ] {
            let (zone, warning) = resolve(&tz);
            assert_eq!(zone, TimeZone::UTC, "{tz}");
            let warning = warning.unwrap_or_else(|| panic!("{tz}: no warning"));
            assert!(warning.contains(says), "{tz}: {warning}");
            assert!(warning.contains("times are in UTC"), "{warning}");
            assert!(!warning.contains('\n'), "{warning}");
        }
    }
}
