//! Text that came from a server or a file, made safe to show: no control characters (an
//! escape sequence could move a terminal's cursor or retitle its window), no invisible
//! characters that reorder or hide what is shown (bidirectional overrides, zero-width marks).

/// Whether `c` acts instead of showing: a control character, a bidirectional override, isolate
/// or mark, a zero-width character or a byte order mark.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

/// The first line of `text` with unsafe characters turned to spaces, at most `max_chars`
/// characters (an ellipsis marks a cut).
pub fn clean_line(text: &str, max_chars: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut out = String::new();
    for (n, c) in line.trim().chars().enumerate() {
        if n == max_chars {
            out.truncate(out.trim_end().len());
            out.push('…');
            break;
        }
        out.push(if is_unsafe_char(c) { ' ' } else { c });
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_invisible_characters_never_pass() {
        let hostile = "\u{1b}]0;owned\u{7}\u{1b}[2Jabc\u{202E}def\u{200B}\u{FEFF}\u{0}";
        let clean = clean_line(hostile, 200);
        assert!(!clean.chars().any(is_unsafe_char), "{clean:?}");
        assert!(clean.contains("abc") && clean.contains("def"));
    }

    #[test]
    fn long_text_is_cut_on_a_character() {
        assert_eq!(clean_line("ééééé", 3), "ééé…");
        assert_eq!(clean_line("first\nsecond", 100), "first");
        assert_eq!(clean_line(&"x".repeat(1_000_000), 200).chars().count(), 201);
    }
}
