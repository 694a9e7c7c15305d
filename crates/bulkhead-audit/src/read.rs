//! Reading audit logs as streams of lines, in bounded memory: plain JSON
//! Lines, gzip (also concatenated members, as `logrotate` + `cat` leave
//! them) or zstd, from files or standard input, sniffed by magic bytes.
//! Lines are cut by `memchr` and handed on in chunks of a few MB; a line
//! longer than the event limit is skipped to its end (never held whole) and
//! reported with its number; a stream that fails mid-way (a gzip file cut
//! short) keeps everything read before the failure.
//!
//! Hand-rolled line splitting (instead of `BufRead::lines`) so that an
//! over-long line costs no memory and the line number of every event is
//! known for its findings.

use bulkhead_core::InputError;
use bulkhead_core::source::{InputPath, human_size};
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

/// Default largest event (a line); the API server's own request limit is 3 MiB
/// for most objects, `RequestResponse` events carry two of them.
pub const DEFAULT_MAX_EVENT: usize = 16 * 1024 * 1024;
const CHUNK_BYTES: usize = 4 * 1024 * 1024;
const CHUNK_LINES: usize = 8192;

/// A run of lines of one input.
#[derive(Debug, Default)]
pub struct Chunk {
    pub file: Arc<str>,
    pub buf: Vec<u8>,
    /// (line number, start, end) into `buf`.
    pub lines: Vec<(u32, usize, usize)>,
}

impl Chunk {
    pub fn line(&self, i: usize) -> (u32, &[u8]) {
        let (n, s, e) = self.lines[i];
        (n, &self.buf[s..e])
    }
}

pub enum Item {
    Chunk(Chunk),
    Error(InputError),
}

enum Compression {
    Plain,
    Gzip,
    Zstd,
}

fn open(input: &InputPath) -> Result<Box<dyn Read + Send>, InputError> {
    let name = input.display();
    match input {
        InputPath::Stdin => Ok(Box::new(std::io::stdin())),
        InputPath::File(p) => {
            let meta = std::fs::metadata(p)
                .map_err(|e| InputError::new(name.clone(), None, format!("cannot read: {e}")))?;
            if !meta.is_file() {
                return Err(InputError::new(
                    name,
                    None,
                    "not a regular file (a FIFO, socket or device); pipe it to `bulkhead audit -` instead",
                ));
            }
            let f = std::fs::File::open(p)
                .map_err(|e| InputError::new(name, None, format!("cannot read: {e}")))?;
            Ok(Box::new(f))
        }
    }
}

/// Reads `input` and sends its lines in chunks to `send` (which returns
/// false when the consumer is gone). Errors are sent as items, in order.
pub fn stream(input: &InputPath, max_event: usize, send: &mut dyn FnMut(Item) -> bool) {
    let name: Arc<str> = Arc::from(input.display());
    let raw = match open(input) {
        Ok(r) => r,
        Err(e) => {
            send(Item::Error(e));
            return;
        }
    };
    let mut raw = BufReader::with_capacity(256 * 1024, raw);
    let kind = match raw.fill_buf() {
        Ok([0x1f, 0x8b, ..]) => Compression::Gzip,
        Ok([0x28, 0xb5, 0x2f, 0xfd, ..]) => Compression::Zstd,
        Ok(_) => Compression::Plain,
        Err(e) => {
            send(Item::Error(InputError::new(
                name.to_string(),
                None,
                format!("cannot read: {e}"),
            )));
            return;
        }
    };
    let what = match kind {
        Compression::Plain => "",
        Compression::Gzip => "gzip ",
        Compression::Zstd => "zstd ",
    };
    let reader: Box<dyn Read> = match kind {
        Compression::Plain => Box::new(raw),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Compression::Zstd => match zstd::stream::read::Decoder::with_buffer(raw) {
            Ok(d) => Box::new(d),
            Err(e) => {
                send(Item::Error(InputError::new(
                    name.to_string(),
                    None,
                    format!("not a readable zstd stream: {e}"),
                )));
                return;
            }
        },
    };
    let mut lines = Lines::new(name, max_event, what);
    lines.run(reader, send);
}

struct Lines {
    name: Arc<str>,
    max: usize,
    what: &'static str,
    chunk: Chunk,
    /// Bytes of the current (unfinished) line, in `chunk.buf` from `start`.
    start: usize,
    /// Skipping the rest of an over-long line.
    skipping: bool,
    skipped: usize,
    line: u32,
}

impl Lines {
    fn new(name: Arc<str>, max: usize, what: &'static str) -> Self {
        Lines {
            chunk: Chunk {
                file: name.clone(),
                buf: Vec::with_capacity(CHUNK_BYTES + 64 * 1024),
                lines: Vec::with_capacity(CHUNK_LINES),
            },
            name,
            max,
            what,
            start: 0,
            skipping: false,
            skipped: 0,
            line: 0,
        }
    }

    fn err(&self, line: Option<u32>, msg: String) -> Item {
        Item::Error(InputError::new(self.name.to_string(), line, msg))
    }

    fn flush(&mut self, send: &mut dyn FnMut(Item) -> bool) -> bool {
        // The unfinished line moves to the next chunk.
        let rest = self.chunk.buf.split_off(self.start);
        let mut next = Vec::with_capacity(CHUNK_BYTES.max(rest.len()) + 64 * 1024);
        next.extend_from_slice(&rest);
        let full = std::mem::replace(&mut self.chunk.buf, next);
        let lines = std::mem::take(&mut self.chunk.lines);
        self.start = 0;
        if lines.is_empty() {
            return true;
        }
        send(Item::Chunk(Chunk {
            file: self.name.clone(),
            buf: full,
            lines,
        }))
    }

    fn end_line(&mut self, end: usize) {
        self.line = self.line.saturating_add(1);
        let mut e = end;
        if e > self.start && self.chunk.buf[e - 1] == b'\r' {
            e -= 1;
        }
        let blank = self.chunk.buf[self.start..e]
            .iter()
            .all(u8::is_ascii_whitespace);
        if !blank {
            self.chunk.lines.push((self.line, self.start, e));
        }
        self.start = end + 1;
    }

    fn run(&mut self, mut r: Box<dyn Read>, send: &mut dyn FnMut(Item) -> bool) {
        let mut block = vec![0u8; 256 * 1024];
        loop {
            let n = match r.read(&mut block) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Lines read so far are analysed; the partial line is not.
                    self.chunk.buf.truncate(self.start);
                    if !self.flush(send) {
                        return;
                    }
                    let msg = format!(
                        "{}stream ends or breaks after line {}: {} (the lines before were read)",
                        self.what,
                        self.line,
                        bulkhead_core::source::io_reason(&e)
                    );
                    send(self.err(Some(self.line.saturating_add(1)), msg));
                    return;
                }
            };
            let mut data = &block[..n];
            while !data.is_empty() {
                if self.skipping {
                    match memchr::memchr(b'\n', data) {
                        Some(i) => {
                            self.skipped += i;
                            self.line = self.line.saturating_add(1);
                            let msg = format!(
                                "event of {} is larger than the {} limit (--max-event-size); skipped",
                                human_size(self.skipped as u64),
                                human_size(self.max as u64)
                            );
                            if !send(self.err(Some(self.line), msg)) {
                                return;
                            }
                            self.skipping = false;
                            self.skipped = 0;
                            data = &data[i + 1..];
                        }
                        None => {
                            self.skipped += data.len();
                            data = &[];
                        }
                    }
                    continue;
                }
                let base = self.chunk.buf.len();
                self.chunk.buf.extend_from_slice(data);
                data = &[];
                let mut pos = base;
                while let Some(i) = memchr::memchr(b'\n', &self.chunk.buf[pos..]) {
                    let end = pos + i;
                    self.end_line(end);
                    pos = end + 1;
                }
                if self.chunk.buf.len() - self.start > self.max {
                    // An over-long line: drop what is held, skip to its end.
                    self.skipped = self.chunk.buf.len() - self.start;
                    self.chunk.buf.truncate(self.start);
                    self.skipping = true;
                }
                if (self.chunk.buf.len() >= CHUNK_BYTES || self.chunk.lines.len() >= CHUNK_LINES)
                    && !self.flush(send)
                {
                    return;
                }
            }
        }
        if self.skipping {
            self.line = self.line.saturating_add(1);
            let msg = format!(
                "event of {} is larger than the {} limit (--max-event-size); skipped",
                human_size(self.skipped as u64),
                human_size(self.max as u64)
            );
            send(self.err(Some(self.line), msg));
        } else if self.start < self.chunk.buf.len() {
            // The last line has no newline: analysed as it is (a truncated
            // event fails to parse and says so with its number).
            let end = self.chunk.buf.len();
            self.chunk.buf.push(b'\n');
            self.end_line(end);
        }
        self.flush(send);
    }
}
