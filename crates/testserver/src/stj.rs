//! A tiny compact JSON writer with the two escaping styles Duplicati uses:
//! System.Text.Json's default encoder (HTTP responses) and Newtonsoft.Json's
//! default (the result JSON stored in log rows).

use std::fmt::Write as _;

/// How string values are escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escaping {
    /// System.Text.Json `JavaScriptEncoder.Default`: `"` → `\u0022`, `&'<>+` and backtick,
    /// DEL and every non-ASCII char → `\uXXXX` (uppercase hex).
    Stj,
    /// Newtonsoft.Json default: only `"`, `\` and control chars are escaped (lowercase hex).
    Newtonsoft,
}

/// Appends `s` to `out` escaped for a JSON string body (without the quotes). Works on bytes and
/// copies runs that need no escaping whole: pages of generated rows are megabytes.
pub fn escape_into(out: &mut String, s: &str, esc: Escaping) {
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 && !ascii_needs_escape(b, esc) {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        if b < 0x80 {
            match b {
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\r' => out.push_str("\\r"),
                b'\t' => out.push_str("\\t"),
                0x08 => out.push_str("\\b"),
                0x0c => out.push_str("\\f"),
                b'"' if esc == Escaping::Newtonsoft => out.push_str("\\\""),
                _ => unicode_escape(out, u32::from(b), esc),
            }
            i += 1;
        } else {
            let c = s[i..].chars().next().unwrap_or('\u{fffd}');
            let escape = match esc {
                Escaping::Stj => true,
                Escaping::Newtonsoft => matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'),
            };
            if escape {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    unicode_escape(out, u32::from(*unit), esc);
                }
            } else {
                out.push(c);
            }
            i += c.len_utf8();
        }
        start = i;
    }
    out.push_str(&s[start..]);
}

fn ascii_needs_escape(b: u8, esc: Escaping) -> bool {
    b < 0x20 || b == b'\\' || b == b'"' || (esc == Escaping::Stj && matches!(b, b'&' | b'\'' | b'<' | b'>' | b'+' | b'`' | 0x7f))
}

fn unicode_escape(out: &mut String, unit: u32, esc: Escaping) {
    let hex: &[u8; 16] = match esc {
        Escaping::Stj => b"0123456789ABCDEF",
        Escaping::Newtonsoft => b"0123456789abcdef",
    };
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(hex[((unit >> shift) & 0xF) as usize] as char);
    }
}

/// Returns `s` escaped with System.Text.Json rules (without quotes).
pub fn stj_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_into(&mut out, s, Escaping::Stj);
    out
}

/// Streaming writer for compact JSON. Keys are written verbatim (they are ASCII identifiers).
pub struct JsonWriter {
    out: String,
    esc: Escaping,
    /// True right after `{`, `[` or a key: the next value needs no comma.
    fresh: bool,
}

impl JsonWriter {
    /// A writer using `esc` for string values.
    pub fn new(esc: Escaping) -> Self {
        Self::with_capacity(esc, 256)
    }

    /// Like [`JsonWriter::new`] with a preallocated buffer.
    pub fn with_capacity(esc: Escaping, cap: usize) -> Self {
        JsonWriter { out: String::with_capacity(cap), esc, fresh: true }
    }

    /// The JSON text written so far.
    pub fn finish(self) -> String {
        self.out
    }

    fn sep(&mut self) {
        if !self.fresh {
            self.out.push(',');
        }
        self.fresh = false;
    }

    /// `{`
    pub fn begin_obj(&mut self) -> &mut Self {
        self.sep();
        self.out.push('{');
        self.fresh = true;
        self
    }

    /// `}`
    pub fn end_obj(&mut self) -> &mut Self {
        self.out.push('}');
        self.fresh = false;
        self
    }

    /// `[`
    pub fn begin_arr(&mut self) -> &mut Self {
        self.sep();
        self.out.push('[');
        self.fresh = true;
        self
    }

    /// `]`
    pub fn end_arr(&mut self) -> &mut Self {
        self.out.push(']');
        self.fresh = false;
        self
    }

    /// `"name":` — the following call writes the value.
    pub fn key(&mut self, name: &str) -> &mut Self {
        self.sep();
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\":");
        self.fresh = true;
        self
    }

    /// A string value.
    pub fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        self.out.push('"');
        escape_into(&mut self.out, v, self.esc);
        self.out.push('"');
        self
    }

    /// An integer value.
    pub fn int(&mut self, v: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{v}");
        self
    }

    /// A boolean value.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.sep();
        self.out.push_str(if v { "true" } else { "false" });
        self
    }

    /// `null`
    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.out.push_str("null");
        self
    }

    /// `"name":"v"`
    pub fn kstr(&mut self, name: &str, v: &str) -> &mut Self {
        self.key(name).str(v)
    }

    /// `"name":v`
    pub fn kint(&mut self, name: &str, v: i64) -> &mut Self {
        self.key(name).int(v)
    }

    /// `"name":true|false`
    pub fn kbool(&mut self, name: &str, v: bool) -> &mut Self {
        self.key(name).bool(v)
    }

    /// `"name":null`
    pub fn knull(&mut self, name: &str) -> &mut Self {
        self.key(name).null()
    }

    /// `"name":[ "a", "b" ]` or `"name":null` when `items` is None.
    pub fn kstr_list(&mut self, name: &str, items: Option<&[String]>) -> &mut Self {
        self.key(name);
        match items {
            None => self.null(),
            Some(items) => {
                self.begin_arr();
                for s in items {
                    self.str(s);
                }
                self.end_arr()
            }
        }
    }
}

/// `{"Error":"<msg>","Code":<code>}` as ASP.NET's error filter writes it.
pub fn error_body(msg: &str, code: u16) -> String {
    let mut w = JsonWriter::new(Escaping::Stj);
    w.begin_obj().kstr("Error", msg).kint("Code", i64::from(code)).end_obj();
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stj_escaping_matches_fixture_style() {
        assert_eq!(stj_escape("a\"b&c+d<e>'`\u{e7}"), "a\\u0022b\\u0026c\\u002Bd\\u003Ce\\u003E\\u0027\\u0060\\u00E7");
        assert_eq!(stj_escape("x\\n\n\u{1}"), "x\\\\n\\n\\u0001");
        assert_eq!(stj_escape("\u{1F600}"), "\\uD83D\\uDE00");
    }

    #[test]
    fn newtonsoft_escaping() {
        let mut s = String::new();
        escape_into(&mut s, "say \"hi\" & +\u{e7}\n\u{1f}", Escaping::Newtonsoft);
        assert_eq!(s, "say \\\"hi\\\" & +\u{e7}\\n\\u001f");
    }

    #[test]
    fn writer_commas() {
        let mut w = JsonWriter::new(Escaping::Stj);
        w.begin_obj().kint("A", 1).key("B").begin_arr().int(1).int(2).end_arr();
        w.key("C").begin_obj().end_obj().knull("D").end_obj();
        assert_eq!(w.finish(), r#"{"A":1,"B":[1,2],"C":{},"D":null}"#);
    }
}
