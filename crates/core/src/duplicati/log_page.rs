//! A fast reader for a page of `GET /api/v1/backup/{id}/log`, in the shape every Duplicati
//! version writes: an array of flat objects whose values are integers, texts, `null` or an
//! empty `{}`/`[]`. Most of a page is the rows' `Message` texts (a result JSON of several KB,
//! full of `\u0022` escapes as System.Text.Json writes it): they are decoded here in one pass
//! that looks for the next quote, backslash or control character sixteen bytes at a time (with
//! SSE2 on x86_64, two 64-bit words elsewhere).
//!
//! It reads a page exactly as `serde_json::from_slice::<Vec<LogRow>>` does, or not at all:
//! anything outside that shape or in doubt (a negative or fractional number, a repeated
//! field, an invalid escape, a lone surrogate, a control character, invalid UTF-8) gives
//! `None`, and the caller reads the page with serde_json, whose verdict stands.
use super::wire::LogRow;
use serde::de::IgnoredAny;

/// The rows of `body`, or `None` when serde_json must read it (see the module's doc).
pub fn read_rows(body: &[u8]) -> Option<Vec<LogRow>> {
    let mut r = Reader { b: body, pos: 0, scratch: Vec::new() };
    r.expect(b'[')?;
    let mut rows = Vec::new();
    if r.peek()? == b']' {
        r.pos += 1;
    } else {
        loop {
            rows.push(r.row()?);
            match r.next()? {
                b',' => {}
                b']' => break,
                _ => return None,
            }
        }
    }
    r.skip_ws();
    (r.pos == body.len()).then_some(rows)
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    /// Where a text is decoded before it is copied out at its exact size.
    scratch: Vec<u8>,
}

impl<'a> Reader<'a> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte that is not white space, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.b.get(self.pos).copied()
    }

    /// The next byte that is not white space, consumed.
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.skip_ws();
        let end = self.pos + word.len();
        (self.b.get(self.pos..end)? == word).then(|| self.pos = end)
    }

    /// One row. A field the struct knows may come once (serde_json refuses a repeated one);
    /// `ID` is required.
    fn row(&mut self) -> Option<LogRow> {
        self.expect(b'{')?;
        let (mut id, mut operation_id, mut timestamp, mut message, mut exception) = (None, None, None, None, None);
        if self.peek()? != b'}' {
            loop {
                self.expect(b'"')?;
                let key = self.key()?;
                self.expect(b':')?;
                match key {
                    b"ID" => once(&mut id, self.integer()?)?,
                    b"OperationID" => once(&mut operation_id, self.integer()?)?,
                    b"Timestamp" => once(&mut timestamp, self.integer()?)?,
                    b"Message" => {
                        let text = if self.peek()? == b'n' {
                            self.literal(b"null")?;
                            None
                        } else {
                            self.expect(b'"')?;
                            Some(self.text()?)
                        };
                        once(&mut message, text)?;
                    }
                    b"Exception" => once(&mut exception, self.skip_value()?)?,
                    _ => self.skip_value()?,
                }
                match self.next()? {
                    b',' => {}
                    b'}' => break,
                    _ => return None,
                }
            }
        } else {
            self.pos += 1;
        }
        Some(LogRow {
            id: id?,
            operation_id: operation_id.unwrap_or(0),
            timestamp: timestamp.unwrap_or(0),
            message: message.flatten(),
            exception: IgnoredAny,
        })
    }

    /// A key without escapes (after its opening quote), as its bytes.
    fn key(&mut self) -> Option<&'a [u8]> {
        let b = self.b;
        let rest = &b[self.pos..];
        let end = memchr::memchr2(b'"', b'\\', rest)?;
        let key = &rest[..end];
        if rest[end] != b'"' || has_control(key) {
            return None;
        }
        std::str::from_utf8(key).ok()?;
        self.pos += end + 1;
        Some(key)
    }

    /// A non-negative integer that fits an `i64`, as serde_json reads it (no leading zero,
    /// no fraction or exponent).
    fn integer(&mut self) -> Option<i64> {
        self.skip_ws();
        let start = self.pos;
        let mut n: i64 = 0;
        while let Some(d) = self.b.get(self.pos).filter(|c| c.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        let leading_zero = digits > 1 && self.b[start] == b'0';
        let fraction = matches!(self.b.get(self.pos), Some(b'.' | b'e' | b'E'));
        (digits > 0 && !leading_zero && !fraction).then_some(n)
    }

    /// A value nobody reads: a text, an integer, `null`, `true`, `false`, `{}` or `[]`.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.pos += 1;
                let len = self.decode_text()?;
                std::str::from_utf8(&self.scratch[..len]).ok().map(drop)
            }
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'{' => self.literal(b"{").and_then(|()| self.expect(b'}')),
            b'[' => self.literal(b"[").and_then(|()| self.expect(b']')),
            _ => self.integer().map(drop),
        }
    }

    /// A text (after its opening quote), unescaped.
    fn text(&mut self) -> Option<String> {
        let len = self.decode_text()?;
        Some(std::str::from_utf8(&self.scratch[..len]).ok()?.to_owned())
    }

    /// Decodes a text (after its opening quote) into the start of `scratch` and gives its
    /// length, checking it as serde_json does but for its UTF-8. Raw bytes are copied as they
    /// come and escapes add whole characters, so the text is valid UTF-8 exactly when every raw
    /// part is: the caller checks it once.
    ///
    /// Sixteen bytes are copied at a time, whatever they are: those after a quote, a backslash
    /// or a control character are written over or never used.
    fn decode_text(&mut self) -> Option<usize> {
        let b = self.b;
        let mut pos = self.pos;
        let mut len = 0;
        loop {
            let out = &mut self.scratch[..];
            // While there is room for a chunk, then for the longest character an escape gives
            // after up to fifteen plain bytes of it.
            while len + 32 <= out.len() {
                // The next sixteen bytes; past the end, spaces (never special) fill the chunk.
                let padded;
                let rest = &b[pos..];
                let (chunk, real) = match rest.first_chunk::<CHUNK>() {
                    Some(chunk) => (chunk, CHUNK),
                    None => {
                        let mut chunk = [b' '; CHUNK];
                        chunk[..rest.len()].copy_from_slice(rest);
                        padded = chunk;
                        (&padded, rest.len())
                    }
                };
                out[len..len + CHUNK].copy_from_slice(chunk);
                let plain = first_special(chunk);
                if plain >= real {
                    if real < CHUNK {
                        return None; // The text does not end.
                    }
                    pos += CHUNK;
                    len += CHUNK;
                    continue;
                }
                pos += plain;
                len += plain;
                match b[pos] {
                    b'\\' => {}
                    b'"' => {
                        self.pos = pos + 1;
                        return Some(len);
                    }
                    _ => return None,
                }
                // Most escapes System.Text.Json writes are `\u00XX` for an ASCII character (`"`, `+`,
                // `<`, `>`, `&`, `'`): one byte, decided here without the general path.
                if let Some(&[b'u', b'0', b'0', high, low]) = b[pos + 1..].first_chunk::<5>() {
                    let (high, low) = (HEX[usize::from(high)], HEX[usize::from(low)]);
                    if high < 8 && low < 16 {
                        out[len] = (high << 4) | low;
                        len += 1;
                        pos += 6;
                        continue;
                    }
                }
                let escaped = *b.get(pos + 1)?;
                pos += 2;
                let byte = match escaped {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 0x08,
                    b'f' => 0x0C,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'u' => {
                        let (c, used) = unicode_escape(&b[pos..])?;
                        pos += used;
                        len += c.encode_utf8(&mut out[len..len + 4]).len();
                        continue;
                    }
                    _ => return None,
                };
                out[len] = byte;
                len += 1;
            }
            let room = (2 * self.scratch.len()).max(len + 32).max(4096);
            self.scratch.resize(room, 0);
        }
    }
}

/// How many bytes the decoder looks at in one step.
const CHUNK: usize = 16;

/// Where the first quote, backslash or control character of `chunk` is; [`CHUNK`] for none.
/// With SSE2, which every x86_64 processor has: three compares of sixteen bytes at once.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn first_special(chunk: &[u8; CHUNK]) -> usize {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    // SAFETY: these intrinsics need SSE2, and this code is only compiled where the target has
    // it (the `cfg` above). `_mm_loadu_si128` reads sixteen bytes at the pointer, which need no
    // alignment: `chunk` is a reference to exactly sixteen bytes. The others touch no memory.
    let mask = unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        // A byte is below 0x20 exactly when its unsigned maximum with 0x1F is 0x1F.
        let control = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
        // One bit a byte, the first byte lowest.
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
    } as u32;
    // Bit 16 stops the count when no byte is special.
    (mask | 1 << CHUNK).trailing_zeros() as usize
}

/// Where the first quote, backslash or control character of `chunk` is; [`CHUNK`] for none.
/// Eight bytes at a time in a `u64`, where the SSE2 version is not compiled.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn first_special(chunk: &[u8; CHUNK]) -> usize {
    first_special_by_words(chunk)
}

/// [`first_special`] without vector instructions.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn first_special_by_words(chunk: &[u8; CHUNK]) -> usize {
    let (low, high) = chunk.split_at(8);
    let word = |w: &[u8]| special_bytes(u64::from_le_bytes(w.try_into().expect("eight bytes")));
    match (word(low), word(high)) {
        (0, 0) => CHUNK,
        (0, special) => 8 + (special.trailing_zeros() / 8) as usize,
        (special, _) => (special.trailing_zeros() / 8) as usize,
    }
}

/// The character of a `\u` escape from `after_u` (what follows the `u`), and the bytes it
/// used: a surrogate pair must come whole.
fn unicode_escape(after_u: &[u8]) -> Option<(char, usize)> {
    let first = hex4(after_u)?;
    match first {
        0xD800..=0xDBFF => {
            if after_u.get(4..6)? != b"\\u" {
                return None;
            }
            let second = hex4(&after_u[6..])?;
            if !(0xDC00..=0xDFFF).contains(&second) {
                return None;
            }
            Some((char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))?, 10))
        }
        _ => Some((char::from_u32(first)?, 4)),
    }
}

/// The number written by the first four bytes of `bytes` in hexadecimal (either case).
pub(super) fn hex4(bytes: &[u8]) -> Option<u32> {
    let digits = bytes.get(..4)?;
    let mut n = 0;
    for &d in digits {
        let v = HEX[usize::from(d)];
        if v > 15 {
            return None;
        }
        n = n * 16 + u32::from(v);
    }
    Some(n)
}

/// The value of each hexadecimal digit; 0xFF for any other byte.
const HEX: [u8; 256] = {
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Sets a field read for the first time; a second time is `None`.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    slot.is_none().then(|| *slot = Some(value))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` (read little-endian) that is a quote, a backslash or a
/// control character; bits above the lowest may be false (a borrow), the lowest is exact.
pub(super) fn special_bytes(word: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    (zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\'))) | below_space) & HIGHS
}

/// Whether `bytes` hold a control character, which JSON texts must escape. Written without an
/// early exit so that it compiles to a vector loop.
fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |found, &c| found | (c < 0x20))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 4,000 cases from a fixed seed, so that a run is repeatable; `PROPTEST_CASES` and
    /// `PROPTEST_RNG_SEED` explore further.
    fn config() -> ProptestConfig {
        let mut config = ProptestConfig::default();
        if std::env::var_os("PROPTEST_CASES").is_none() {
            config.cases = 4000;
        }
        if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
            config.rng_seed = proptest::test_runner::RngSeed::Fixed(0x0d0b_1d65_c0de);
        }
        config
    }

    type Plain = (i64, i64, i64, Option<String>);

    fn plain(rows: Vec<LogRow>) -> Vec<Plain> {
        rows.into_iter().map(|r| (r.id, r.operation_id, r.timestamp, r.message)).collect()
    }

    fn by_serde(body: &[u8]) -> Option<Vec<Plain>> {
        serde_json::from_slice::<Vec<LogRow>>(body).ok().map(plain)
    }

    /// What the fast reader gives, checked against serde_json: the same rows, or `None`.
    fn checked(body: &[u8]) -> Option<Vec<Plain>> {
        let fast = read_rows(body).map(plain);
        if let Some(rows) = &fast {
            assert_eq!(Some(rows), by_serde(body).as_ref(), "{}", String::from_utf8_lossy(body));
        }
        fast
    }

    #[test]
    fn reads_the_forms_duplicati_writes() {
        let stj = br#"[{"ID":7,"OperationID":3,"Timestamp":1746350102,"Type":"Result","Message":"{\u0022a\u0022:\u00221\u002B1\u0022}\n\u00e9\ud83d\ude00","Exception":{}},{"ID":6,"OperationID":2,"Timestamp":1,"Type":"Result","Message":"x","Exception":{}}]"#;
        let rows = checked(stj).expect("the fast path");
        assert_eq!(rows[0].3.as_deref(), Some("{\"a\":\"1+1\"}\né😀"));
        assert_eq!(rows.len(), 2);
        let newtonsoft = b"[\r\n  {\r\n    \"ID\": 2,\r\n    \"OperationID\": 0,\r\n    \"Timestamp\": 5,\r\n    \"Type\": \"Result\",\r\n    \"Message\": \"{\\\"a\\\": \\\"b\\\\c\\/\\\"}\",\r\n    \"Exception\": null\r\n  }\r\n]";
        assert!(checked(newtonsoft).is_some());
        assert_eq!(checked(b" [ ] ").unwrap(), vec![]);
        assert_eq!(checked(br#"[{"ID":1}]"#).unwrap(), vec![(1, 0, 0, None)]);
        assert_eq!(checked(br#"[{"ID":1,"Message":null,"Exception":"boom"}]"#).unwrap(), vec![(1, 0, 0, None)]);
    }

    /// Long texts with escapes at every alignment, across the growth of the decoding buffer.
    #[test]
    fn reads_long_texts() {
        for plain in 4080..4112 {
            let text = format!("{}é😀\"\n{}", "a".repeat(plain), "b".repeat(plain));
            let escaped: String = text
                .chars()
                .map(|c| {
                    if c.is_ascii_alphabetic() {
                        c.to_string()
                    } else {
                        c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04X}")).collect()
                    }
                })
                .collect();
            for message in [escaped, serde_json::to_string(&text).unwrap().trim_matches('"').to_owned()] {
                let body = format!(r#"[{{"ID":1,"Message":"{message}"}},{{"ID":2,"Message":"{message}"}}]"#);
                assert_eq!(checked(body.as_bytes()), Some(vec![(1, 0, 0, Some(text.clone())), (2, 0, 0, Some(text.clone()))]));
            }
        }
    }

    /// Every escape, raw non-ASCII and special byte at every offset of a chunk, with the text
    /// ending at every offset of the next one and the page just after it (its last chunk is
    /// padded), or cut off.
    #[test]
    fn reads_escapes_at_every_offset_of_a_chunk() {
        for escape in [r#"\u0022"#, r"\n", r"\\", r"\u00e9", r"\ud83d\ude00", "é", "😀", r"\u12G4", "\t"] {
            for before in 0..2 * CHUNK + 2 {
                for after in 0..CHUNK + 2 {
                    let message = format!("{}{escape}{}", "a".repeat(before), "b".repeat(after));
                    let body = format!(r#"[{{"ID":1,"Message":"{message}"}}]"#);
                    let valid = !matches!(escape, r"\u12G4" | "\t");
                    assert_eq!(checked(body.as_bytes()).is_some(), valid, "{body}");
                    let cut = format!(r#"[{{"ID":1,"Message":"{message}"#);
                    assert_eq!(checked(cut.as_bytes()), None, "{cut}");
                }
            }
        }
    }

    #[test]
    fn leaves_what_is_in_doubt_to_serde() {
        for body in [
            &br#"[{"ID":1,"ID":2}]"#[..],
            br#"[{"Message":"x"}]"#,
            br#"[{"ID":-1}]"#,
            br#"[{"ID":1.0}]"#,
            br#"[{"ID":01}]"#,
            br#"[{"ID":"1"}]"#,
            br#"[{"ID":99999999999999999999}]"#,
            br#"[{"ID":1,"Message":"\ud800"}]"#,
            br#"[{"ID":1,"Message":"\udc00"}]"#,
            br#"[{"ID":1,"Message":"\ud800\u0041"}]"#,
            br#"[{"ID":1,"Message":"\x"}]"#,
            br#"[{"ID":1,"Message":"\u12"}]"#,
            b"[{\"ID\":1,\"Message\":\"a\tb\"}]",
            b"[{\"ID\":1,\"Message\":\"\xff\"}]",
            br#"[{"ID":1,"Exception":{"a":1}}]"#,
            br#"[{"ID":1,"Exception":{},"Exception":{}}]"#,
            br#"[{"ID":1}] x"#,
            br#"[{"ID":1},]"#,
            br#"[{"ID":1"#,
            br#"[{"ID":1,"Message":"abc"#,
            br#"[{"ID":1,"Message":"abcdefghijklmnopq"#,
            br#"[{"ID":1,"Message":"abcdefgh\"#,
            br#"{"ID":1}"#,
        ] {
            assert_eq!(checked(body), None, "{}", String::from_utf8_lossy(body));
        }
    }

    /// Pieces a text is built of: plain runs, every escape (valid or not), raw control and
    /// non-ASCII bytes, surrogates whole and broken.
    fn text_piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            "[ -~é€😀]{0,12}".prop_map(String::into_bytes),
            prop::sample::select(vec![
                &br#"\""#[..],
                br"\\",
                br"\/",
                br"\b",
                br"\f",
                br"\n",
                br"\r",
                br"\t",
                br"\u0022",
                br"\u002B",
                br"\u00E9",
                br"\uFFFF",
                br"\u0000",
                br"\ud83d\ude00",
                br"\uD83D\uDE00",
                br"\ud83d",
                br"\ude00",
                br"\ud83d\u0041",
                br"\u12G4",
                br"\x",
                br"\",
                b"\t",
                b"\x1f",
                b"\x7f",
                b"\xff",
                b"\xc3",
                b"\"",
            ])
            .prop_map(<[u8]>::to_vec),
        ]
    }

    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(text_piece(), 0..8).prop_map(|pieces| [&b"\""[..], &pieces.concat(), b"\""].concat()),
            prop::sample::select(vec![
                "null",
                "true",
                "false",
                "{}",
                "[]",
                "{ }",
                "0",
                "7",
                "-3",
                "1.5",
                "1e3",
                "007",
                "{\"a\":1}",
                "[1]",
                "nul"
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            any::<u64>().prop_map(|n| n.to_string().into_bytes()),
        ]
    }

    fn field() -> impl Strategy<Value = Vec<u8>> {
        let key =
            prop::sample::select(vec!["ID", "ID", "OperationID", "Timestamp", "Message", "Message", "Exception", "Type", "id", "I\\u0044"]);
        let ws = prop::sample::select(vec!["", "", " ", "\r\n  ", "\t"]);
        (key, ws, value()).prop_map(|(k, ws, v)| [format!("{ws}\"{k}\"{ws}:{ws}").as_bytes(), &v].concat())
    }

    fn page() -> impl Strategy<Value = Vec<u8>> {
        let row = prop::collection::vec(field(), 0..7).prop_map(|fields| [&b"{"[..], &fields.join(&b","[..]), b"}"].concat());
        (prop::collection::vec(row, 0..4), prop::sample::select(vec!["", " ", "\n", "x", ","]))
            .prop_map(|(rows, tail)| [&b"["[..], &rows.join(&b","[..]), b"]", tail.as_bytes()].concat())
    }

    proptest! {
        #![proptest_config(config())]

        /// Whatever the page, the fast reader gives serde_json's rows or leaves it to serde_json.
        #[test]
        fn reads_as_serde_or_not_at_all(body in page()) {
            checked(&body);
        }

        /// The first special byte of a word is found exactly, whatever the bytes around it.
        #[test]
        fn finds_the_first_special_byte(word in any::<[u8; 8]>()) {
            let special = special_bytes(u64::from_le_bytes(word));
            let found = (special != 0).then(|| (special.trailing_zeros() / 8) as usize);
            prop_assert_eq!(found, word.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20));
        }

        /// The first special byte of a chunk is found exactly, by the vector version and by the
        /// one without, whatever the bytes around it (mostly plain bytes, as in a text).
        #[test]
        fn finds_the_first_special_byte_of_a_chunk(
            chunk in prop::array::uniform16(prop_oneof![4 => 0x20u8..=0xFF, 1 => any::<u8>()])
        ) {
            let expected = chunk.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).unwrap_or(CHUNK);
            prop_assert_eq!(first_special(&chunk), expected);
            prop_assert_eq!(first_special_by_words(&chunk), expected);
        }

        /// Any text serde_json accepts in a Message (as STJ, Newtonsoft or anyone escapes it)
        /// is read on the fast path, to the same text.
        #[test]
        fn reads_every_valid_message(text in any::<String>(), ascii_only in any::<bool>()) {
            let quoted = if ascii_only {
                text.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c.to_string() } else {
                    c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04x}")).collect()
                }).collect::<String>()
            } else {
                let json = serde_json::to_string(&text).unwrap();
                json[1..json.len() - 1].to_owned()
            };
            let body = format!(r#"[{{"ID":1,"Message":"{quoted}","Exception":{{}}}}]"#);
            prop_assert_eq!(checked(body.as_bytes()), Some(vec![(1, 0, 0, Some(text))]));
        }
    }
}
