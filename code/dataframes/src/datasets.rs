//! The course's data: the bundled Palmer penguins, any CSV by path, and a verified download into a cache.

use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The bundled data folder (`code/dataframes/data`, with its provenance in `README.md`).
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

// ANCHOR: read_csv
/// Reads a CSV with a header, treating the text `NA` as null (R's and the penguins' convention; pandas does
/// the same by default).
pub fn read_csv(path: impl AsRef<Path>) -> PolarsResult<DataFrame> {
    CsvReadOptions::default()
        .with_has_header(true)
        .map_parse_options(|o| o.with_null_values(Some(NullValues::AllColumnsSingle("NA".into()))).with_try_parse_dates(true))
        .try_into_reader_with_file_path(Some(path.as_ref().to_path_buf()))?
        .finish()
}
// ANCHOR_END: read_csv

/// The tidy penguins: 344 rows, 8 columns, `NA` as null.
pub fn penguins() -> PolarsResult<DataFrame> {
    read_csv(data_dir().join("penguins.csv"))
}

/// The raw penguins: 344 rows, 17 columns, dates parsed.
pub fn penguins_raw() -> PolarsResult<DataFrame> {
    read_csv(data_dir().join("penguins-raw.csv"))
}

/// Why a download did not give a verified file.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("GET {url}: {source}")]
    Http { url: String, source: Box<ureq::Error> },
    #[error("{url} has SHA-256 {got}, expected {expected}: not saved")]
    Checksum { url: String, expected: String, got: String },
    #[error("the expected SHA-256 must be 64 hexadecimal digits, got {0:?}")]
    BadChecksum(String),
    #[error("cannot name a cache file after {0:?}: give the URL a file name")]
    NoFileName(String),
    #[error("cache {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

// ANCHOR: download
/// Downloads `url` into `cache_dir` unless a file with the expected SHA-256 is already there, and returns its
/// path. The body goes to a temporary file first and is renamed into place only once its checksum matches, so
/// a failed or corrupted download leaves nothing behind, and a good cached file is never overwritten.
pub fn download(url: &str, cache_dir: &Path, sha256: &str) -> Result<PathBuf, DownloadError> {
    let expected = sha256.to_ascii_lowercase();
    if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(DownloadError::BadChecksum(sha256.into()));
    }
    let name = url.rsplit('/').next().filter(|n| !n.is_empty() && !n.contains(':')).ok_or_else(|| DownloadError::NoFileName(url.into()))?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DownloadError::Io { path, source }
    };
    let target = cache_dir.join(name);
    if target.exists() && file_sha256(&target).map_err(io(&target))? == expected {
        return Ok(target);
    }
    std::fs::create_dir_all(cache_dir).map_err(io(cache_dir))?;
    let http = |source: ureq::Error| DownloadError::Http { url: url.into(), source: Box::new(source) };
    // a stalled connection is an error after a while, not a hang (an offline learner falls back to the bundled copy)
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(std::time::Duration::from_secs(60))).build().into();
    let mut body = agent.get(url).call().map_err(http)?.into_body().into_reader();
    // a unique temporary name in the same folder, so the final rename is atomic
    let partial = tempfile::Builder::new().prefix(".download-").tempfile_in(cache_dir).map_err(io(cache_dir))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut file = partial.as_file();
    loop {
        let n = body.read(&mut buffer).map_err(|e| http(ureq::Error::Io(e)))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        file.write_all(&buffer[..n]).map_err(io(partial.path()))?;
    }
    let got = hex(&hasher.finalize());
    if got != expected {
        return Err(DownloadError::Checksum { url: url.into(), expected, got }); // `partial` is deleted on drop
    }
    partial.persist(&target).map_err(|e| DownloadError::Io { path: target.clone(), source: e.error })?;
    Ok(target)
}
// ANCHOR_END: download

// ANCHOR: penguins_source
/// Where the tidy penguins are published: the palmerpenguins repository, pinned to one commit so that the bytes,
/// and so the checksum, never change. The bundled `data/penguins.csv` is this file, byte for byte.
pub const PENGUINS_URL: &str = "https://raw.githubusercontent.com/allisonhorst/palmerpenguins/\
8957207b78d6ccd1b4654a9dd9c9041b657478ab/inst/extdata/penguins.csv";
pub const PENGUINS_SHA256: &str = "f204db2c753b0937caac3cb35258562c14f073e4bbc76be24b4c51ce22767a93";
// ANCHOR_END: penguins_source

/// Where the penguins came from.
#[derive(Debug)]
pub enum Source {
    /// downloaded and verified now, or found verified in the cache
    Downloaded(PathBuf),
    /// the bundled copy, because the download did not give a verified file
    Bundled(DownloadError),
}

// ANCHOR: download_or_bundled
/// The penguins from `url` (verified against [`PENGUINS_SHA256`] and cached in `cache_dir`), or the bundled copy
/// when that fails: offline, a server error, or other bytes. Either way the same 344 rows; `Source` says which.
pub fn penguins_download_or_bundled(url: &str, cache_dir: &Path) -> PolarsResult<(DataFrame, Source)> {
    match download(url, cache_dir, PENGUINS_SHA256) {
        Ok(path) => Ok((read_csv(&path)?, Source::Downloaded(path))),
        Err(why) => Ok((penguins()?, Source::Bundled(why))),
    }
}
// ANCHOR_END: download_or_bundled

/// The SHA-256 of a file, as lowercase hex.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// The operations page's Python tab: pandas' `read_csv` gives the same shape and missing values per column.
    #[test]
    fn read_csv_agrees_with_its_python_tab() {
        let shown = course_utils::printed::python_tab("dataframes/python/read_csv.md").unwrap();
        let df = penguins().unwrap();
        let mut rust = vec![df.height() as f64, df.width() as f64];
        rust.extend(df.columns().iter().map(|c| c.null_count() as f64));
        assert_eq!(course_utils::printed::numbers(&shown), rust, "shape, then nulls per column, in:\n{shown}");
        let names: Vec<&str> = shown.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
        let columns: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
        assert_eq!(names[..columns.len()], columns[..], "the same columns, in the same order");
    }

    #[test]
    fn the_bundled_penguins_match_their_provenance() {
        let df = penguins().unwrap();
        assert_eq!(df.shape(), (344, 8));
        assert_eq!(df.column("bill_length_mm").unwrap().null_count(), 2);
        assert_eq!(df.column("sex").unwrap().null_count(), 11);
        let raw = penguins_raw().unwrap();
        assert_eq!(raw.shape(), (344, 17));
        assert_eq!(raw.column("Date Egg").unwrap().dtype(), &DataType::Date);
        // the checksums in data/README.md
        let readme = std::fs::read_to_string(data_dir().join("README.md")).unwrap();
        for file in ["penguins.csv", "penguins-raw.csv"] {
            let sum = file_sha256(&data_dir().join(file)).unwrap();
            assert!(readme.contains(&format!("{file} `{sum}`")), "{file}: {sum} not in README.md");
        }
    }

    /// A one-file HTTP server on the loopback interface: answers every request with `body` (or a 404), counts
    /// requests. Nothing in these tests leaves the machine.
    fn serve(body: &'static [u8], status: u16) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body));
            }
        });
        (format!("http://{addr}/data/tiny.csv"), hits)
    }

    const TINY: &[u8] = b"a,b\n1,x\nNA,y\n";
    fn tiny_sha() -> String {
        hex(&Sha256::digest(TINY))
    }

    #[test]
    fn downloads_verify_and_cache() {
        let (url, hits) = serve(TINY, 200);
        let cache = tempfile::tempdir().unwrap();
        let path = download(&url, cache.path(), &tiny_sha()).unwrap();
        assert_eq!(path, cache.path().join("tiny.csv"));
        assert_eq!(std::fs::read(&path).unwrap(), TINY);
        let df = read_csv(&path).unwrap();
        assert_eq!(df.column("a").unwrap().null_count(), 1);
        // the second call finds the verified file and does not download again
        download(&url, cache.path(), &tiny_sha().to_uppercase()).unwrap();
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn a_bad_checksum_or_a_failed_download_leaves_nothing_behind() {
        let (url, _) = serve(TINY, 200);
        let cache = tempfile::tempdir().unwrap();
        let wrong = "0".repeat(64);
        let err = download(&url, cache.path(), &wrong).unwrap_err();
        assert!(matches!(err, DownloadError::Checksum { .. }), "{err}");
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0, "no partial file may stay");

        let (missing, _) = serve(b"not here", 404);
        let err = download(&missing, cache.path(), &tiny_sha()).unwrap_err();
        assert!(matches!(err, DownloadError::Http { .. }), "{err}");
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);

        assert!(matches!(download(&url, cache.path(), "abc"), Err(DownloadError::BadChecksum(_))));
        assert!(matches!(download("http://127.0.0.1:9/", cache.path(), &wrong), Err(DownloadError::NoFileName(_))));
    }

    #[test]
    fn the_published_penguins_are_the_bundled_ones() {
        assert_eq!(file_sha256(&data_dir().join("penguins.csv")).unwrap(), PENGUINS_SHA256);
        assert!(PENGUINS_URL.starts_with("https://") && PENGUINS_URL.ends_with("/penguins.csv"), "{PENGUINS_URL}");
    }

    #[test]
    fn penguins_come_from_the_download_or_else_the_bundled_copy() {
        let bundled = penguins().unwrap();
        let bytes: &'static [u8] = std::fs::read(data_dir().join("penguins.csv")).unwrap().leak();
        let (good, hits) = serve(bytes, 200);
        let good = good.replace("tiny.csv", "penguins.csv");
        let cache = tempfile::tempdir().unwrap();
        let (df, source) = penguins_download_or_bundled(&good, cache.path()).unwrap();
        assert!(matches!(&source, Source::Downloaded(p) if *p == cache.path().join("penguins.csv")), "{source:?}");
        assert!(df.equals_missing(&bundled));
        penguins_download_or_bundled(&good, cache.path()).unwrap(); // cached: no second request
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);

        // offline (nothing listens on the discard port) and wrong bytes: the bundled copy, and why
        let empty = tempfile::tempdir().unwrap();
        let (df, source) = penguins_download_or_bundled("http://127.0.0.1:9/penguins.csv", empty.path()).unwrap();
        assert!(matches!(source, Source::Bundled(DownloadError::Http { .. })), "{source:?}");
        assert!(df.equals_missing(&bundled));
        let (other, _) = serve(TINY, 200);
        let (_, source) = penguins_download_or_bundled(&other, empty.path()).unwrap();
        assert!(matches!(source, Source::Bundled(DownloadError::Checksum { .. })), "{source:?}");
        assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0, "nothing unverified is kept");
    }

    #[test]
    fn a_good_cached_file_is_not_overwritten_by_a_bad_download() {
        let (good_url, _) = serve(TINY, 200);
        let cache = tempfile::tempdir().unwrap();
        let path = download(&good_url, cache.path(), &tiny_sha()).unwrap();
        let (bad_url, _) = serve(b"a,b\n9,z\n", 200); // same file name, other content
        assert!(download(&bad_url, cache.path(), &"1".repeat(64)).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), TINY);
    }
}
