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

/// Streaming JSON writer, compact or indented like Newtonsoft's `Formatting.Indented`. Keys
/// are written verbatim (they are ASCII identifiers).
pub struct JsonWriter {
    out: String,
    esc: Escaping,
    /// True right after `{`, `[` or (compact) a key: the next value needs no comma. In
    /// indented mode it also tells at `}`/`]` whether the container stayed empty.
    fresh: bool,
    /// Newtonsoft `Formatting.Indented`: two spaces a level, `\n`, `"key": value`, every array
    /// element on its own line, empty containers as `{}`/`[]`.
    indented: bool,
    depth: usize,
    /// Indented mode: a key was just written, its value follows on the same line.
    after_key: bool,
}

impl JsonWriter {
    /// A writer using `esc` for string values.
    pub fn new(esc: Escaping) -> Self {
        Self::with_capacity(esc, 256)
    }

    /// Like [`JsonWriter::new`] with a preallocated buffer.
    pub fn with_capacity(esc: Escaping, cap: usize) -> Self {
        JsonWriter { out: String::with_capacity(cap), esc, fresh: true, indented: false, depth: 0, after_key: false }
    }

    /// A writer in Newtonsoft's indented style (Duplicati 2.0's `Serializer.SerializeJson`).
    pub fn indented(esc: Escaping, cap: usize) -> Self {
        JsonWriter { indented: true, ..Self::with_capacity(esc, cap) }
    }

    /// The JSON text written so far.
    pub fn finish(self) -> String {
        self.out
    }

    fn newline(&mut self, depth: usize) {
        self.out.push('\n');
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    fn sep(&mut self) {
        if self.indented {
            if self.after_key {
                self.after_key = false;
            } else {
                if !self.fresh {
                    self.out.push(',');
                }
                if self.depth > 0 {
                    self.newline(self.depth);
                }
            }
        } else if !self.fresh {
            self.out.push(',');
        }
        self.fresh = false;
    }

    fn close(&mut self, c: char) {
        if self.indented {
            self.depth -= 1;
            if !self.fresh {
                self.newline(self.depth);
            }
        }
        self.out.push(c);
        self.fresh = false;
    }

    /// `{`
    pub fn begin_obj(&mut self) -> &mut Self {
        self.sep();
        self.out.push('{');
        self.fresh = true;
        self.depth += usize::from(self.indented);
        self
    }

    /// `}`
    pub fn end_obj(&mut self) -> &mut Self {
        self.close('}');
        self
    }

    /// `[`
    pub fn begin_arr(&mut self) -> &mut Self {
        self.sep();
        self.out.push('[');
        self.fresh = true;
        self.depth += usize::from(self.indented);
        self
    }

    /// `]`
    pub fn end_arr(&mut self) -> &mut Self {
        self.close(']');
        self
    }

    /// `"name":` — the following call writes the value.
    pub fn key(&mut self, name: &str) -> &mut Self {
        self.sep();
        self.out.push('"');
        self.out.push_str(name);
        if self.indented {
            self.out.push_str("\": ");
            self.after_key = true;
        } else {
            self.out.push_str("\":");
            self.fresh = true;
        }
        self
    }

    /// A value written verbatim (a number in a format the caller chose, or a JSON fragment).
    pub fn raw(&mut self, v: &str) -> &mut Self {
        self.sep();
        self.out.push_str(v);
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

    /// A parsed JSON value (objects keep their key order).
    pub fn value(&mut self, v: &serde_json::Value) -> &mut Self {
        use serde_json::Value;
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => self.raw(&n.to_string()),
            Value::String(s) => self.str(s),
            Value::Array(items) => {
                self.begin_arr();
                for item in items {
                    self.value(item);
                }
                self.end_arr()
            }
            Value::Object(map) => {
                self.begin_obj();
                for (k, item) in map {
                    self.key(k).value(item);
                }
                self.end_obj()
            }
        }
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
    fn indented_like_newtonsoft() {
        let mut w = JsonWriter::indented(Escaping::Newtonsoft, 64);
        w.begin_obj().kstr("Status", "OK").key("Empty").begin_arr().end_arr().key("O").begin_obj().end_obj();
        w.key("List").begin_arr().int(1).begin_obj().knull("A").end_obj().end_arr().end_obj();
        assert_eq!(
            w.finish(),
            "{\n  \"Status\": \"OK\",\n  \"Empty\": [],\n  \"O\": {},\n  \"List\": [\n    1,\n    {\n      \"A\": null\n    }\n  ]\n}"
        );
        let mut w = JsonWriter::indented(Escaping::Newtonsoft, 8);
        w.begin_arr().end_arr();
        assert_eq!(w.finish(), "[]");
    }

    #[test]
    fn writer_commas() {
        let mut w = JsonWriter::new(Escaping::Stj);
        w.begin_obj().kint("A", 1).key("B").begin_arr().int(1).int(2).end_arr();
        w.key("C").begin_obj().end_obj().knull("D").end_obj();
        assert_eq!(w.finish(), r#"{"A":1,"B":[1,2],"C":{},"D":null}"#);
    }
}
