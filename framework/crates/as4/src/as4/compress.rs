//! AS4 payload compression (eDelivery AS4 1.15 compression feature).
//!
//! A sender may gzip a payload (RFC 1952) and say so with the `CompressionType` part
//! property `application/gzip`; the receiver must undo it before handing the payload
//! on. Decompression is where a hostile sender can hurt most (a few kilobytes can
//! inflate to gigabytes), so [`gunzip`] reads in chunks and stops at a caller-chosen
//! ceiling instead of trusting the gzip trailer's size.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;

/// Size of one read while inflating: small enough that overshooting the ceiling costs
/// little memory.
const CHUNK: usize = 64 * 1024;

/// Why a compressed payload could not be inflated. Maps to `EBMS:0303`
/// (DecompressionFailure), which the receiver answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecompressionError {
    /// The payload inflates past the ceiling (possibly a gzip bomb).
    #[error("decompressed payload exceeds {limit} bytes")]
    TooLarge {
        /// The ceiling, in bytes.
        limit: usize,
    },
    /// The payload is not valid gzip (bad header, corrupt data, CRC or size mismatch,
    /// truncation, trailing garbage).
    #[error("payload is not valid gzip: {0}")]
    Invalid(String),
}

impl DecompressionError {
    /// Stable machine-readable code, for logs and metrics.
    pub fn code(&self) -> &'static str {
        "AS4_DECOMPRESSION"
    }

    /// The ebMS 3 error to answer with: `EBMS:0303` (DecompressionFailure).
    pub fn ebms_code(&self) -> &'static str {
        "EBMS:0303"
    }
}

/// How much of a payload is tried first to tell whether deflating it pays.
const SAMPLE: usize = 8 * 1024;

/// Compresses a payload as one gzip member (RFC 1952), as AS4 senders must when the
/// PMode asks for compression. Payloads that do not compress (scans, PDFs whose streams
/// are already deflated) are judged on a sample and sent in stored deflate blocks: still
/// gzip for the receiver, without spending a millisecond per 100 KB on deflating noise.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    if data.len() > 2 * SAMPLE {
        let sample = deflate(&data[..SAMPLE]);
        if sample.len() * 10 > SAMPLE * 9 {
            return gzip_stored(data);
        }
    }
    deflate(data)
}

/// Fast deflate (level 1) into one gzip member.
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 2 + 64), Compression::fast());
    match encoder.write_all(data).and_then(|()| encoder.finish()) {
        Ok(out) => out,
        // Writing into a Vec cannot fail; should the compressor ever report an error
        // anyway, stored (uncompressed) deflate blocks still make valid gzip.
        Err(_) => gzip_stored(data),
    }
}

/// Gzip with stored deflate blocks: no compression, no failure mode.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    // Magic, deflate, no flags, no mtime, no extra flags, unknown OS.
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(usize::from(u16::MAX)).peekable();
    if chunks.peek().is_none() {
        // One final empty stored block.
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = u16::try_from(chunk.len()).unwrap_or(u16::MAX);
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
    out
}

/// Inflates a gzip payload, refusing to produce more than `max_out` bytes.
///
/// Output is read in 64 KiB chunks, so a bomb costs at most `max_out` plus one chunk of
/// memory before it is refused. Concatenated gzip members are accepted (RFC 1952
/// allows them); anything else after the last member is refused.
pub fn gunzip(data: &[u8], max_out: usize) -> Result<Vec<u8>, DecompressionError> {
    if data.is_empty() {
        return Err(DecompressionError::Invalid("empty input".into()));
    }
    let mut decoder = MultiGzDecoder::new(data);
    let mut out = Vec::with_capacity(data.len().saturating_mul(2).min(max_out).min(CHUNK * 16));
    let mut buf = vec![0u8; CHUNK];
    loop {
        let read = match decoder.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(DecompressionError::Invalid(e.to_string())),
        };
        if read > max_out.saturating_sub(out.len()) {
            return Err(DecompressionError::TooLarge { limit: max_out });
        }
        out.extend_from_slice(buf.get(..read).unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trip() {
        let data: Vec<u8> = b"<query:QueryResponse/>"
            .iter()
            .copied()
            .cycle()
            .take(200_000)
            .collect();
        let packed = gzip(&data);
        assert!(packed.starts_with(&[0x1f, 0x8b]));
        assert!(packed.len() < data.len() / 10);
        assert_eq!(gunzip(&packed, data.len()).unwrap(), data);
        // The ceiling is inclusive.
        assert!(gunzip(&packed, data.len() - 1).is_err());
        assert_eq!(gunzip(&gzip(b""), 0).unwrap(), b"");
    }

    #[test]
    fn incompressible_payloads_are_stored_not_deflated() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let packed = gzip(&noise);
        // Stored blocks: the payload plus headers, and still a gzip member.
        assert!(packed.len() > noise.len() && packed.len() < noise.len() + 64);
        assert_eq!(gunzip(&packed, noise.len()).unwrap(), noise);
    }

    #[test]
    fn stored_fallback_is_valid_gzip() {
        for len in [0usize, 1, 65_535, 65_536, 200_000] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            assert_eq!(gunzip(&gzip_stored(&data), len).unwrap(), data, "len {len}");
        }
    }

    #[test]
    fn concatenated_members_are_one_payload() {
        let mut packed = gzip(b"hello ");
        packed.extend(gzip(b"world"));
        assert_eq!(gunzip(&packed, 100).unwrap(), b"hello world");
    }

    #[test]
    fn gzip_bomb_is_refused() {
        // 50 MB of zeros, compressed streaming so the test itself stays small.
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..50 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 1024 * 1024, "bomb is {} bytes", bomb.len());
        let err = gunzip(&bomb, 1024 * 1024).unwrap_err();
        assert_eq!(err, DecompressionError::TooLarge { limit: 1024 * 1024 });
        assert_eq!(err.code(), "AS4_DECOMPRESSION");
        assert_eq!(err.ebms_code(), "EBMS:0303");
    }

    #[test]
    fn garbage_is_refused() {
        let packed = gzip(b"some payload worth protecting");
        let mut corrupt = packed.clone();
        let middle = corrupt.len() / 2;
        corrupt[middle] ^= 0xff;
        let mut trailing = packed.clone();
        trailing.extend_from_slice(b"garbage");
        let cases: [&[u8]; 6] = [
            b"",
            b"not gzip at all",
            &[0x1f, 0x8b],
            &packed[..packed.len() - 4],
            &corrupt,
            &trailing,
        ];
        for case in cases {
            let err = gunzip(case, 1 << 20).unwrap_err();
            assert!(matches!(err, DecompressionError::Invalid(_)), "{err:?}");
            assert_eq!(err.code(), "AS4_DECOMPRESSION");
        }
    }

    #[test]
    fn mutated_input_never_panics() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let packed = gzip(&b"abcdefgh".repeat(500));
        for _ in 0..2000 {
            let mut data = packed.clone();
            for _ in 0..1 + next() % 3 {
                let at = (next() as usize) % data.len().max(1);
                match next() % 3 {
                    0 => data.truncate(at),
                    _ => {
                        if let Some(b) = data.get_mut(at) {
                            *b ^= 1 << (next() % 8);
                        }
                    }
                }
            }
            let _ = gunzip(&data, 8192);
        }
    }
}
