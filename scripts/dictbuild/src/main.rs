//! Offline builder for the IPADIC dictionary that `lindera-ipadic` embeds.
//!
//! `lindera-ipadic`'s build script downloads `mecab-ipadic-2.7.0-20250920` at
//! build time unless `$LINDERA_BUILD_DICTIONARY_CACHE_DIR/<crate version>-fmt<N>/lindera-ipadic/`
//! already holds a dictionary whose `metadata.json` declares format version
//! `N` and otherwise equals the crate's own `metadata.json`. This tool produces
//! exactly that directory from local MeCab sources (UTF-8), with lindera's own
//! `DictionaryBuilder`, so that builds work without network access.
//!
//! Usage:
//!   dictbuild format-version
//!   dictbuild check <crate metadata.json> <dictionary dir>
//!   dictbuild build <crate metadata.json> <mecab source dir (UTF-8)> <output dir>

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lindera_dictionary::builder::DictionaryBuilder;
use lindera_dictionary::dictionary::metadata::{DICTIONARY_FORMAT_VERSION, Metadata};
use lindera_dictionary::loader::FSDictionaryLoader;

/// Files `lindera_dictionary::embedded_dictionary!` includes with `include_bytes!`.
const EMBEDDED_FILES: [&str; 9] = [
    "char_def.bin",
    "matrix.mtx",
    "dict.trie",
    "dict.valsidx",
    "dict.vals",
    "unk.bin",
    "dict.wordsidx",
    "dict.words",
    "metadata.json",
];

/// Fields `DictionaryBuilder::build_metadata` derives at build time; lindera's
/// cache check (`assets::metadata_matches_source`) ignores them too.
const BUILD_DERIVED_FIELDS: [&str; 2] = ["format_version", "context_id_map"];

/// Same name lindera's `build_embedded_dictionary` looks for next to `metadata.json`.
const CONTEXT_ID_FREQ_FILE: &str = "context_id_freq.txt";

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn read_metadata(path: &Path) -> Result<Metadata> {
    let data = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(serde_json::from_slice(&data)
        .map_err(|e| format!("cannot parse {}: {e}", path.display()))?)
}

fn stripped(metadata: &Metadata) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(metadata)?;
    if let Some(object) = value.as_object_mut() {
        for field in BUILD_DERIVED_FIELDS {
            object.remove(field);
        }
    }
    Ok(value)
}

/// Mirrors `lindera_dictionary::assets::cached_dictionary_is_current`, plus a
/// check that every embedded file exists.
fn check(source_metadata: &Path, dict_dir: &Path) -> Result<()> {
    for name in EMBEDDED_FILES {
        if !dict_dir.join(name).is_file() {
            return Err(format!("missing {}", dict_dir.join(name).display()).into());
        }
    }
    let cached = read_metadata(&dict_dir.join("metadata.json"))?;
    if cached.format_version != DICTIONARY_FORMAT_VERSION {
        return Err(format!(
            "format_version {} != {DICTIONARY_FORMAT_VERSION}",
            cached.format_version
        )
        .into());
    }
    let source = read_metadata(source_metadata)?;
    if stripped(&cached)? != stripped(&source)? {
        return Err(format!("metadata differs from {}", source_metadata.display()).into());
    }
    Ok(())
}

fn build(source_metadata: &Path, input_dir: &Path, output_dir: &Path) -> Result<()> {
    if output_dir.exists() {
        return Err(format!("output {} already exists", output_dir.display()).into());
    }
    let mut builder = DictionaryBuilder::new(read_metadata(source_metadata)?);
    // Same optional input lindera-ipadic's build.rs would pick up.
    let freq: PathBuf = source_metadata
        .parent()
        .unwrap_or(Path::new("."))
        .join(CONTEXT_ID_FREQ_FILE);
    if freq.is_file() {
        builder = builder.with_context_id_freq(freq);
    }
    builder
        .build_dictionary(input_dir, output_dir)
        .map_err(|e| format!("DictionaryBuilder failed: {e}"))?;

    // Sanity: what we wrote passes lindera's cache check and loads.
    check(source_metadata, output_dir)?;
    let dictionary = FSDictionaryLoader::new()
        .load_from_path(output_dir)
        .map_err(|e| format!("built dictionary does not load: {e}"))?;
    dictionary.metadata.validate_format_version()?;
    Ok(())
}

fn run(args: &[String]) -> Result<()> {
    match args {
        [cmd] if cmd == "format-version" => {
            println!("{DICTIONARY_FORMAT_VERSION}");
            Ok(())
        }
        [cmd, metadata, dir] if cmd == "check" => check(Path::new(metadata), Path::new(dir)),
        [cmd, metadata, input, output] if cmd == "build" => {
            build(Path::new(metadata), Path::new(input), Path::new(output))
        }
        _ => Err(
            "usage: dictbuild format-version | check <metadata.json> <dir> | \
                  build <metadata.json> <input dir> <output dir>"
                .into(),
        ),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("dictbuild: {err}");
            ExitCode::FAILURE
        }
    }
}
