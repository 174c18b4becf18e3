//! A gzip-compressed tarball (`npm pack` output, or one downloaded from a registry) as a
//! snapshot, read without ever extracting it.
//!
//! The tar stream is read as npm's node-tar reads it ([`super::tar_reader`]): the entries
//! listed are the ones `npm install` would extract (a lone zero block doesn't end the
//! archive, PAX and GNU long names apply as node-tar applies them), and the headers
//! node-tar skips are recorded in [`Tarball::warnings`].
//!
//! Safety: nothing is ever written to disk. Entries whose names contain `..`, are absolute,
//! carry a drive prefix (`C:`) or a backslash are skipped and recorded in
//! [`Tarball::warnings`] (the audit reports them: a hostile archive is itself a finding);
//! so are entries below a non-directory and duplicate names (the last one wins, as extraction
//! would). Symlinks are listed as symlinks and, when opened, resolved only inside the
//! tarball; hard links read their target's data.
//!
//! Bounded memory: the archive is read once when opened to index its entries. Small files
//! (up to [`TarballOptions::max_memory_file`] each, [`TarballOptions::max_memory_total`] in
//! all) are kept in memory; a larger entry is streamed when it is opened, by decompressing
//! the archive up to it, so a 2 GB entry never sits in memory. One decompression serves
//! every big entry opened in archive order ([`Snapshot::sequential_key`]): the audit reads
//! them that way, so a tarball of 450 big entries is decompressed twice, not 451 times.
//!
//! Decompression is capped ([`TarballOptions::max_decompressed`], 4 GiB by default): a
//! gzip bomb is an error naming the file, as is a truncated or corrupt archive.

use super::tar_reader::{Kind, TarReader};
use super::{Entry, EntryKind, Result, Snapshot, SnapshotError};
use flate2::read::MultiGzDecoder;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};

/// Limits applied while reading a tarball.
#[derive(Clone, Debug)]
pub struct TarballOptions {
    /// Maximum bytes the gzip stream may decompress to (the whole tar stream).
    pub max_decompressed: u64,
    /// Files up to this size are kept in memory after the first pass.
    pub max_memory_file: u64,
    /// At most this many bytes of file data are kept in memory in all.
    pub max_memory_total: u64,
}

impl Default for TarballOptions {
    fn default() -> Self {
        TarballOptions {
            max_decompressed: 4 << 30,
            max_memory_file: 8 << 20,
            max_memory_total: 256 << 20,
        }
    }
}

/// Where a file's bytes are.
#[derive(Clone, Debug)]
enum Data {
    /// Kept from the first pass.
    Memory(Arc<[u8]>),
    /// `size` bytes at `offset` of the decompressed stream: decompress again to read them.
    Reread { offset: u64, size: u64 },
    /// A hard link to another entry's path.
    HardLink(String),
    /// No data (directories, symlinks, devices).
    None,
}

#[derive(Clone, Debug)]
struct Node {
    kind: EntryKind,
    size: u64,
    mode: u32,
    data: Data,
    link_target: Option<String>,
}

/// A `.tgz` read as a snapshot.
pub struct Tarball {
    path: PathBuf,
    options: TarballOptions,
    nodes: BTreeMap<String, Node>,
    children: BTreeMap<String, BTreeSet<String>>,
    warnings: Vec<String>,
    package_dir: String,
    /// A decompression left where the last big entry read in order ended, for the next.
    cursor: Mutex<Option<Cursor>>,
    /// How many times the archive was decompressed (from its start).
    passes: AtomicUsize,
    /// The file's length and modification time when it was indexed.
    stamp: OnceLock<Option<(u64, Option<std::time::SystemTime>)>>,
}

/// Counts decompressed bytes and fails past the cap (flagging why, for the message).
struct Capped<R> {
    inner: R,
    read: u64,
    cap: u64,
    exceeded: Arc<AtomicBool>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.cap {
            self.exceeded.store(true, Ordering::Relaxed);
            return Err(io::Error::other("decompression cap exceeded"));
        }
        Ok(n)
    }
}

impl Tarball {
    /// Reads and indexes the tarball at `path` with the default limits.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, TarballOptions::default())
    }

    /// Reads and indexes the tarball at `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: TarballOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut tarball = Tarball {
            path,
            options,
            nodes: BTreeMap::new(),
            children: BTreeMap::new(),
            warnings: Vec::new(),
            package_dir: String::new(),
            cursor: Mutex::new(None),
            passes: AtomicUsize::new(0),
            stamp: OnceLock::new(),
        };
        tarball.index()?;
        Ok(tarball)
    }

    /// Things the audit should report: skipped hostile or clashing entries, duplicates.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The package's directory inside the tarball: `package` for npm's tarballs, or the
    /// single top-level directory every entry lives in (some registries use another name);
    /// `""` when entries sit at the top level or under several directories.
    pub fn package_dir(&self) -> &str {
        &self.package_dir
    }

    /// The tarball's path on disk.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// An error about the archive as a whole, naming it.
    fn archive_err(&self, err: io::Error, exceeded: &AtomicBool) -> SnapshotError {
        if exceeded.load(Ordering::Relaxed) {
            SnapshotError::Other(format!(
                "{}: decompresses to more than {} bytes (the cap; a gzip bomb?)",
                self.name(),
                self.options.max_decompressed
            ))
        } else {
            SnapshotError::Other(format!(
                "{}: not a readable .tgz (truncated or corrupt gzip/tar data): {err}",
                self.name()
            ))
        }
    }

    /// How many times the archive has been decompressed from its start: 1 after opening
    /// (the index), 1 more for all the big entries read in order (for tests and benches).
    pub fn decompressions(&self) -> usize {
        self.passes.load(Ordering::Relaxed)
    }

    /// Opens the archive's decompressed stream, checking the gzip magic first.
    fn stream(&self, exceeded: Arc<AtomicBool>) -> Result<Capped<MultiGzDecoder<BufReader<File>>>> {
        self.passes.fetch_add(1, Ordering::Relaxed);
        let file = File::open(&self.path).map_err(|source| SnapshotError::Io {
            path: self.name(),
            source,
        })?;
        // Later passes read entries by their offsets from the first: the file must be the
        // one that was indexed.
        let stamp = file.metadata().ok().map(|m| (m.len(), m.modified().ok()));
        if *self.stamp.get_or_init(|| stamp) != stamp {
            return Err(SnapshotError::Other(format!(
                "{}: changed while being read",
                self.name()
            )));
        }
        let mut reader = BufReader::new(file);
        let magic = io::BufRead::fill_buf(&mut reader).map_err(|source| SnapshotError::Io {
            path: self.name(),
            source,
        })?;
        if magic.len() < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
            return Err(SnapshotError::Other(format!(
                "{}: not a gzip-compressed tarball (no gzip header)",
                self.name()
            )));
        }
        Ok(Capped {
            inner: MultiGzDecoder::new(reader),
            read: 0,
            cap: self.options.max_decompressed,
            exceeded,
        })
    }

    /// The first pass: index every entry, keeping small files' bytes.
    fn index(&mut self) -> Result<()> {
        let exceeded = Arc::new(AtomicBool::new(false));
        let stream = self.stream(exceeded.clone())?;
        let mut reader = TarReader::new(stream);
        let mut in_memory = 0u64;
        let mut found: Vec<(String, Node)> = Vec::new();
        while let Some(header) = reader
            .next_entry()
            .map_err(|e| self.archive_err(e, &exceeded))?
        {
            let shown = String::from_utf8_lossy(&header.path).into_owned();
            let Ok(name) = String::from_utf8(header.path) else {
                self.warnings.push(format!(
                    "skipped entry `{shown}`: its name is not valid UTF-8"
                ));
                continue;
            };
            let Some(path) = super::normalize(&name) else {
                self.warnings.push(format!(
                    "skipped entry `{name}`: its path is absolute or climbs out of the archive \
                     (never extracted, never followed)"
                ));
                continue;
            };
            if path.is_empty() {
                continue; // `./` itself
            }
            let kind = match header.kind {
                Kind::File | Kind::HardLink => EntryKind::File,
                Kind::Dir => EntryKind::Dir,
                Kind::Symlink => EntryKind::Symlink,
                Kind::Other => EntryKind::Other,
            };
            let size = if header.kind == Kind::File {
                header.size
            } else {
                0
            };
            let link = header
                .link
                .as_ref()
                .map(|l| String::from_utf8_lossy(l).into_owned());
            let (data, link_target) = match header.kind {
                Kind::Symlink => (Data::None, link),
                Kind::HardLink => match link.as_deref().and_then(super::normalize) {
                    Some(target) => (Data::HardLink(target), None),
                    None => {
                        self.warnings.push(format!(
                            "skipped hard link `{path}` -> `{}`: its target is outside the archive",
                            link.unwrap_or_default()
                        ));
                        continue;
                    }
                },
                Kind::File => {
                    if size <= self.options.max_memory_file
                        && in_memory + size <= self.options.max_memory_total
                    {
                        let mut bytes = Vec::with_capacity(size as usize);
                        let mut buf = [0u8; 64 * 1024];
                        loop {
                            let n = reader
                                .read_body(&mut buf)
                                .map_err(|e| self.archive_err(e, &exceeded))?;
                            if n == 0 {
                                break;
                            }
                            bytes.extend_from_slice(&buf[..n]);
                        }
                        in_memory += bytes.len() as u64;
                        (Data::Memory(bytes.into()), None)
                    } else {
                        (
                            Data::Reread {
                                offset: header.offset,
                                size,
                            },
                            None,
                        )
                    }
                }
                Kind::Dir | Kind::Other => (Data::None, None),
            };
            found.push((
                path,
                Node {
                    kind,
                    size,
                    mode: header.mode,
                    data,
                    link_target,
                },
            ));
        }
        self.warnings.extend(reader.take_warnings());
        // Read to the end of the gzip stream, so a truncated trailer or a bad CRC is caught.
        let mut rest = reader.into_inner();
        io::copy(&mut rest, &mut io::sink()).map_err(|e| self.archive_err(e, &exceeded))?;

        for (path, node) in found {
            self.insert(path, node);
        }
        self.resolve_hard_links();
        self.package_dir = self.find_package_dir();
        Ok(())
    }

    /// Adds an entry, synthesizing its parent directories.
    fn insert(&mut self, path: String, node: Node) {
        // Every ancestor must be (or become) a directory.
        let mut ancestor = super::parent(&path);
        let mut missing = Vec::new();
        while !ancestor.is_empty() {
            match self.nodes.get(ancestor) {
                Some(n) if n.kind == EntryKind::Dir => break,
                Some(_) => {
                    self.warnings.push(format!(
                        "skipped entry `{path}`: `{ancestor}` is not a directory in the archive"
                    ));
                    return;
                }
                None => missing.push(ancestor.to_string()),
            }
            ancestor = super::parent(ancestor);
        }
        for dir in missing {
            self.children
                .entry(super::parent(&dir).to_string())
                .or_default()
                .insert(super::base_name(&dir).to_string());
            self.nodes.insert(
                dir,
                Node {
                    kind: EntryKind::Dir,
                    size: 0,
                    mode: 0o755,
                    data: Data::None,
                    link_target: None,
                },
            );
        }
        if let Some(old) = self.nodes.get(&path) {
            if old.kind == EntryKind::Dir && node.kind == EntryKind::Dir {
                // An explicit directory entry after files inside it: keep its mode only.
                let mode = node.mode;
                if let Some(n) = self.nodes.get_mut(&path) {
                    n.mode = mode;
                }
                return;
            }
            if old.kind == EntryKind::Dir {
                self.warnings.push(format!(
                    "skipped entry `{path}`: a directory of that name is already in the archive"
                ));
                return;
            }
            // The same file written twice (`package/./dist/x.js` beside `package/dist/x.js`,
            // as some publishing tools do) extracts to the same bytes: nothing to report.
            // Different content under one name is how a reviewed file gets replaced.
            let same = match (&old.data, &node.data) {
                (Data::Memory(a), Data::Memory(b)) => old.kind == node.kind && a == b,
                _ => false,
            };
            if !same {
                self.warnings.push(format!(
                    "duplicate entry `{path}`: the last one wins, as extraction would"
                ));
            }
        }
        self.children
            .entry(super::parent(&path).to_string())
            .or_default()
            .insert(super::base_name(&path).to_string());
        self.nodes.insert(path, node);
    }

    /// Hard links take their target's size and data (or are dropped if it is missing).
    fn resolve_hard_links(&mut self) {
        let links: Vec<(String, String)> = self
            .nodes
            .iter()
            .filter_map(|(p, n)| match &n.data {
                Data::HardLink(t) => Some((p.clone(), t.clone())),
                _ => None,
            })
            .collect();
        for (path, target) in links {
            match self.nodes.get(&target).cloned() {
                Some(t) if t.kind == EntryKind::File && !matches!(t.data, Data::HardLink(_)) => {
                    if let Some(n) = self.nodes.get_mut(&path) {
                        n.size = t.size;
                        n.data = t.data;
                    }
                }
                _ => {
                    self.warnings.push(format!(
                        "skipped hard link `{path}` -> `{target}`: no such file earlier in the archive"
                    ));
                    self.nodes.remove(&path);
                    if let Some(set) = self.children.get_mut(super::parent(&path)) {
                        set.remove(super::base_name(&path));
                    }
                }
            }
        }
    }

    fn find_package_dir(&self) -> String {
        let Some(top) = self.children.get("") else {
            return String::new();
        };
        if top.len() == 1 {
            let name = top.iter().next().cloned().unwrap_or_default();
            if self
                .nodes
                .get(&name)
                .is_some_and(|n| n.kind == EntryKind::Dir)
            {
                return name;
            }
        }
        String::new()
    }

    fn not_found(&self, path: &str) -> SnapshotError {
        SnapshotError::NotFound {
            path: path.to_string(),
            snapshot: self.describe(),
        }
    }

    /// Streams `size` bytes at `offset` of the decompressed stream. A helper thread
    /// decompresses and hands over 64 KiB chunks (at most 4 in flight), so memory stays
    /// bounded however large the entry is. The thread then waits at the entry's end: the
    /// next entry opened further on continues from there instead of decompressing the
    /// archive from its start again (an entry before it starts a new pass).
    fn reread(&self, offset: u64, size: u64) -> Result<Box<dyn Read + Send + '_>> {
        let idle = {
            let mut slot = self.cursor.lock().unwrap_or_else(|p| p.into_inner());
            // One already past this entry stays for the entries further on.
            match slot.as_ref() {
                Some(c) if c.at <= offset => slot.take(),
                _ => None,
            }
        };
        let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(4);
        let mut request = Request { offset, size, tx };
        if let Some(cursor) = idle {
            match cursor.requests.send(request) {
                Ok(()) => {
                    return Ok(Box::new(ChannelReader::new(
                        rx,
                        cursor.requests,
                        offset + size,
                        &self.cursor,
                    )))
                }
                // Its thread stopped (an error it already reported): start afresh.
                Err(mpsc::SendError(r)) => request = r,
            }
        }
        let requests = self.spawn_cursor()?;
        requests
            .send(request)
            .map_err(|_| SnapshotError::Other(format!("{}: reader thread gone", self.name())))?;
        Ok(Box::new(ChannelReader::new(
            rx,
            requests,
            offset + size,
            &self.cursor,
        )))
    }

    /// Starts a decompression of the archive from its start on a helper thread, serving
    /// requests for byte ranges in increasing order.
    fn spawn_cursor(&self) -> Result<mpsc::Sender<Request>> {
        let exceeded = Arc::new(AtomicBool::new(false));
        let mut stream = self.stream(exceeded.clone())?;
        let name = self.name();
        let cap = self.options.max_decompressed;
        let (path, stamp) = (self.path.clone(), self.stamp.get().cloned().flatten());
        let (requests, incoming) = mpsc::channel::<Request>();
        std::thread::spawn(move || {
            let fail = |e: io::Error| {
                if exceeded.load(Ordering::Relaxed) {
                    io::Error::other(format!("{name}: decompresses to more than {cap} bytes"))
                } else {
                    io::Error::new(e.kind(), format!("{name}: {e}"))
                }
            };
            let mut at = 0u64;
            for Request { offset, size, tx } in incoming {
                let now = std::fs::metadata(&path)
                    .ok()
                    .map(|m| (m.len(), m.modified().ok()));
                if now != stamp {
                    let _ = tx.send(Err(io::Error::other(format!(
                        "{name}: changed while being read"
                    ))));
                    return;
                }
                // Requests come in order (see `reread`); skip to this one.
                let gap = offset.saturating_sub(at);
                match io::copy(&mut (&mut stream).take(gap), &mut io::sink()) {
                    Ok(n) if n == gap => at += n,
                    Ok(_) => {
                        let _ = tx.send(Err(fail(io::ErrorKind::UnexpectedEof.into())));
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(fail(e)));
                        return;
                    }
                }
                let mut left = size;
                let mut wanted = true;
                while left > 0 {
                    let mut chunk = vec![0u8; (64 * 1024).min(left as usize)];
                    match stream.read(&mut chunk) {
                        Ok(0) => {
                            let _ = tx.send(Err(fail(io::ErrorKind::UnexpectedEof.into())));
                            return;
                        }
                        Ok(n) => {
                            chunk.truncate(n);
                            at += n as u64;
                            left -= n as u64;
                            // A reader that stopped early: read on to the entry's end
                            // anyway, where the next request starts.
                            wanted = wanted && tx.send(Ok(chunk)).is_ok();
                        }
                        Err(e) => {
                            let _ = tx.send(Err(fail(e)));
                            return;
                        }
                    }
                }
            }
        });
        Ok(requests)
    }
}

/// A request to a decompression thread: send `size` bytes from `offset` down `tx`.
struct Request {
    offset: u64,
    size: u64,
    tx: mpsc::SyncSender<io::Result<Vec<u8>>>,
}

/// An idle decompression thread, waiting at byte `at` of the stream.
struct Cursor {
    requests: mpsc::Sender<Request>,
    at: u64,
}

/// Reads the chunks a helper thread sends for one entry; the entry's size read is the end.
/// Dropped, it hands the thread back to the tarball for the next entry in order.
struct ChannelReader<'t> {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    cursor: Option<Cursor>,
    home: &'t Mutex<Option<Cursor>>,
}

impl<'t> ChannelReader<'t> {
    fn new(
        rx: mpsc::Receiver<io::Result<Vec<u8>>>,
        requests: mpsc::Sender<Request>,
        end: u64,
        home: &'t Mutex<Option<Cursor>>,
    ) -> Self {
        ChannelReader {
            rx,
            chunk: Vec::new(),
            pos: 0,
            cursor: Some(Cursor { requests, at: end }),
            home,
        }
    }
}

impl Drop for ChannelReader<'_> {
    fn drop(&mut self) {
        if let Some(cursor) = self.cursor.take() {
            let mut slot = self.home.lock().unwrap_or_else(|p| p.into_inner());
            // Keep the one further on: it serves more of the entries still ahead.
            if slot.as_ref().map_or(true, |c| c.at <= cursor.at) {
                *slot = Some(cursor);
            }
        }
    }
}

impl Read for ChannelReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.cursor = None; // the thread stopped
                    return Err(e);
                }
                // The thread sent the whole entry and dropped its end of the channel.
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.pos);
        buf[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl Snapshot for Tarball {
    fn describe(&self) -> String {
        self.name()
    }

    fn read_dir(&self, dir: &str) -> Result<Vec<Entry>> {
        if !dir.is_empty()
            && self
                .nodes
                .get(dir)
                .map_or(true, |n| n.kind != EntryKind::Dir)
        {
            return Err(self.not_found(dir));
        }
        let Some(names) = self.children.get(dir) else {
            return Ok(Vec::new());
        };
        Ok(names
            .iter()
            .filter_map(|name| {
                let node = self.nodes.get(&super::join(dir, name))?;
                Some(Entry {
                    name: name.clone(),
                    kind: node.kind,
                    size: node.size,
                    mode: node.mode,
                })
            })
            .collect())
    }

    fn lstat(&self, path: &str) -> Result<Option<Entry>> {
        if path.is_empty() {
            return Ok(Some(Entry {
                name: String::new(),
                kind: EntryKind::Dir,
                size: 0,
                mode: 0o755,
            }));
        }
        Ok(self.nodes.get(path).map(|node| Entry {
            name: super::base_name(path).to_string(),
            kind: node.kind,
            size: node.size,
            mode: node.mode,
        }))
    }

    fn sequential_key(&self, path: &str) -> Option<u64> {
        match self.nodes.get(path)?.data {
            Data::Reread { offset, .. } => Some(offset),
            _ => None,
        }
    }

    fn read_link(&self, path: &str) -> Result<String> {
        match self.nodes.get(path) {
            Some(Node {
                link_target: Some(target),
                ..
            }) => Ok(target.clone()),
            Some(_) => Err(SnapshotError::Other(format!(
                "{path}: not a symlink in {}",
                self.name()
            ))),
            None => Err(self.not_found(path)),
        }
    }

    fn open(&self, path: &str) -> Result<Box<dyn Read + Send + '_>> {
        let node = match self.nodes.get(path) {
            Some(node) if node.kind == EntryKind::File => node,
            Some(node) if node.kind == EntryKind::Dir => {
                return Err(SnapshotError::Other(format!(
                    "{path}: is a directory in {}",
                    self.name()
                )))
            }
            Some(node) if node.kind == EntryKind::Other => {
                return Err(SnapshotError::Other(format!(
                    "{path}: not a regular file in {}",
                    self.name()
                )))
            }
            _ => {
                let real = super::resolve_symlinks(self, path)?;
                return match self.nodes.get(&real) {
                    Some(node) if node.kind == EntryKind::File => self.open(&real),
                    _ => Err(self.not_found(path)),
                };
            }
        };
        match &node.data {
            Data::Memory(bytes) => Ok(Box::new(io::Cursor::new(bytes.clone()))),
            Data::Reread { offset, size } => self.reread(*offset, *size),
            Data::HardLink(_) | Data::None => Ok(Box::new(io::empty())),
        }
    }
}
