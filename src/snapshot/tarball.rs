//! A gzip-compressed tarball (`npm pack` output, or one downloaded from a registry) as a
//! snapshot, read without ever extracting it.
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
//! all) are kept in memory; a larger entry is streamed by decompressing the archive again
//! up to it when it is opened, so a 2 GB entry never sits in memory.
//!
//! Decompression is capped ([`TarballOptions::max_decompressed`], 4 GiB by default): a
//! gzip bomb is an error naming the file, as is a truncated or corrupt archive.

use super::{Entry, EntryKind, Result, Snapshot, SnapshotError};
use flate2::read::MultiGzDecoder;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};

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
    /// The `ordinal`-th entry of the archive, named `path`: decompress again to read it.
    Reread { ordinal: usize, path: String },
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

fn kind_of(entry_type: tar::EntryType) -> EntryKind {
    use tar::EntryType as T;
    match entry_type {
        T::Regular | T::Continuous | T::GNUSparse | T::Link => EntryKind::File,
        T::Directory => EntryKind::Dir,
        T::Symlink => EntryKind::Symlink,
        _ => EntryKind::Other,
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

    /// Opens the archive's decompressed stream, checking the gzip magic first.
    fn stream(&self, exceeded: Arc<AtomicBool>) -> Result<Capped<MultiGzDecoder<BufReader<File>>>> {
        let file = File::open(&self.path).map_err(|source| SnapshotError::Io {
            path: self.name(),
            source,
        })?;
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
        let mut archive = tar::Archive::new(stream);
        let mut in_memory = 0u64;
        let entries = archive
            .entries()
            .map_err(|e| self.archive_err(e, &exceeded))?;
        let mut found: Vec<(String, Node)> = Vec::new();
        for (ordinal, entry) in entries.enumerate() {
            let mut entry = entry.map_err(|e| self.archive_err(e, &exceeded))?;
            let raw = entry.path_bytes().into_owned();
            let shown = String::from_utf8_lossy(&raw).into_owned();
            let Ok(name) = String::from_utf8(raw) else {
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
            let header = entry.header();
            let entry_type = header.entry_type();
            if entry_type.is_pax_global_extensions() {
                continue;
            }
            let kind = kind_of(entry_type);
            let mode = header.mode().unwrap_or(0o644) & 0o7777;
            let size = if kind == EntryKind::File {
                entry.size()
            } else {
                0
            };
            let link = entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned());
            let (data, link_target) = match entry_type {
                tar::EntryType::Symlink => (Data::None, link),
                tar::EntryType::Link => match link.as_deref().and_then(super::normalize) {
                    Some(target) => (Data::HardLink(target), None),
                    None => {
                        self.warnings.push(format!(
                            "skipped hard link `{path}` -> `{}`: its target is outside the archive",
                            link.unwrap_or_default()
                        ));
                        continue;
                    }
                },
                _ if kind == EntryKind::File => {
                    if size <= self.options.max_memory_file
                        && in_memory + size <= self.options.max_memory_total
                    {
                        let mut bytes = Vec::with_capacity(size as usize);
                        (&mut entry)
                            .take(size)
                            .read_to_end(&mut bytes)
                            .map_err(|e| self.archive_err(e, &exceeded))?;
                        in_memory += bytes.len() as u64;
                        (Data::Memory(bytes.into()), None)
                    } else {
                        (
                            Data::Reread {
                                ordinal,
                                path: path.clone(),
                            },
                            None,
                        )
                    }
                }
                _ => (Data::None, None),
            };
            found.push((
                path,
                Node {
                    kind,
                    size,
                    mode,
                    data,
                    link_target,
                },
            ));
        }
        // Read to the end of the gzip stream, so a truncated trailer or a bad CRC is caught.
        let mut rest = archive.into_inner();
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
            self.warnings.push(format!(
                "duplicate entry `{path}`: the last one wins, as extraction would"
            ));
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

    /// Streams the `ordinal`-th entry by decompressing the archive again up to it, on a
    /// helper thread that hands over 64 KiB chunks (at most 4 in flight): memory stays
    /// bounded however large the entry is.
    fn reread(&self, path: &str, ordinal: usize) -> Result<Box<dyn Read + Send + '_>> {
        let exceeded = Arc::new(AtomicBool::new(false));
        let stream = self.stream(exceeded.clone())?;
        let name = self.name();
        let cap = self.options.max_decompressed;
        let want = path.to_string();
        let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(4);
        std::thread::spawn(move || {
            let fail = |e: io::Error| {
                if exceeded.load(Ordering::Relaxed) {
                    io::Error::other(format!("{name}: decompresses to more than {cap} bytes"))
                } else {
                    io::Error::new(e.kind(), format!("{name}: {e}"))
                }
            };
            let mut archive = tar::Archive::new(stream);
            let entries = match archive.entries() {
                Ok(entries) => entries,
                Err(e) => {
                    let _ = tx.send(Err(fail(e)));
                    return;
                }
            };
            for (i, entry) in entries.enumerate() {
                let mut entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        let _ = tx.send(Err(fail(e)));
                        return;
                    }
                };
                if i != ordinal {
                    continue;
                }
                let same = super::normalize(&String::from_utf8_lossy(&entry.path_bytes()))
                    .is_some_and(|p| p == want);
                if !same {
                    let _ = tx.send(Err(io::Error::other(format!(
                        "{name}: changed while being read ({want} moved)"
                    ))));
                    return;
                }
                loop {
                    let mut chunk = vec![0u8; 64 * 1024];
                    match entry.read(&mut chunk) {
                        Ok(0) => return,
                        Ok(n) => {
                            chunk.truncate(n);
                            if tx.send(Ok(chunk)).is_err() {
                                return; // the reader was dropped
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(fail(e)));
                            return;
                        }
                    }
                }
            }
            let _ = tx.send(Err(io::Error::other(format!(
                "{name}: changed while being read ({want} is gone)"
            ))));
        });
        Ok(Box::new(ChannelReader {
            rx,
            chunk: Vec::new(),
            pos: 0,
        }))
    }
}

/// Reads the chunks a helper thread sends; the end of the channel is the end of the data.
struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
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
            Data::Reread { ordinal, path } => self.reread(path, *ordinal),
            Data::HardLink(_) | Data::None => Ok(Box::new(io::empty())),
        }
    }
}
