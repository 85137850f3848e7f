//! A JSON syntax check (RFC 8259) for every written value: one pass over the bytes with no
//! allocation for values nested up to 256 deep, and no recursion at any depth. It only says
//! whether the text is one JSON document; values are stored as the text itself.

/// Where `text` stops being one well-formed JSON document (a byte offset), or `Ok` if it is one.
pub fn check(text: &str) -> Result<(), usize> {
    let mut scan = Scan { bytes: text.as_bytes(), at: 0, open: Nesting::default() };
    scan.document().map_err(|()| scan.at)
}

/// The containers enclosing the current position, one bit each (set: array, clear: object).
#[derive(Default)]
struct Nesting {
    depth: usize,
    inline: [u64; 4],
    spilled: Vec<u64>,
}

impl Nesting {
    fn word(&mut self, index: usize) -> &mut u64 {
        if index < self.inline.len() {
            return &mut self.inline[index];
        }
        let spilled = index - self.inline.len();
        if spilled >= self.spilled.len() {
            self.spilled.resize(spilled + 1, 0);
        }
        &mut self.spilled[spilled]
    }

    fn push(&mut self, array: bool) {
        let (index, bit) = (self.depth / 64, self.depth % 64);
        let word = self.word(index);
        *word = (*word & !(1 << bit)) | (u64::from(array) << bit);
        self.depth += 1;
    }

    /// Whether the innermost open container is an array; None at the top level.
    fn innermost_is_array(&mut self) -> Option<bool> {
        let depth = self.depth.checked_sub(1)?;
        Some(*self.word(depth / 64) >> (depth % 64) & 1 == 1)
    }

    fn pop(&mut self) {
        self.depth -= 1;
    }
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    open: Nesting,
}

type Step = Result<(), ()>;

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Step {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    fn document(&mut self) -> Step {
        'value: loop {
            self.skip_whitespace();
            match self.peek().ok_or(())? {
                b'{' => {
                    self.at += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(b'}') {
                        self.at += 1;
                    } else {
                        self.open.push(false);
                        self.member_name()?;
                        continue 'value;
                    }
                }
                b'[' => {
                    self.at += 1;
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        self.at += 1;
                    } else {
                        self.open.push(true);
                        continue 'value;
                    }
                }
                b'"' => self.string()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return Err(()),
            }
            // A value ended: close containers until one continues with another element.
            loop {
                self.skip_whitespace();
                let Some(array) = self.open.innermost_is_array() else {
                    return if self.at == self.bytes.len() { Ok(()) } else { Err(()) };
                };
                match (self.peek(), array) {
                    (Some(b','), true) => {
                        self.at += 1;
                        continue 'value;
                    }
                    (Some(b','), false) => {
                        self.at += 1;
                        self.skip_whitespace();
                        self.member_name()?;
                        continue 'value;
                    }
                    (Some(b']'), true) | (Some(b'}'), false) => {
                        self.at += 1;
                        self.open.pop();
                    }
                    _ => return Err(()),
                }
            }
        }
    }

    /// `"name" :` — whitespace before the name is already skipped.
    fn member_name(&mut self) -> Step {
        if self.peek() != Some(b'"') {
            return Err(());
        }
        self.string()?;
        self.skip_whitespace();
        self.expect(b':')
    }

    fn literal(&mut self, word: &[u8]) -> Step {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(())
        }
    }

    /// A string literal, from its opening quote. The text is UTF-8 already (it is a `str`).
    fn string(&mut self) -> Step {
        self.at += 1;
        loop {
            self.skip_plain_string_bytes();
            let byte = self.peek().ok_or(())?;
            self.at += 1;
            match byte {
                b'"' => return Ok(()),
                b'\\' => match self.peek().ok_or(())? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                    b'u' => {
                        let hex = self.bytes.get(self.at + 1..self.at + 5).ok_or(())?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return Err(());
                        }
                        self.at += 5;
                    }
                    _ => return Err(()),
                },
                0..=0x1f => {
                    self.at -= 1;
                    return Err(());
                }
                _ => {}
            }
        }
    }

    /// Skips string content that needs no attention (no quote, backslash or control byte), eight
    /// bytes at a time: long text fields would otherwise cost a branch per byte.
    fn skip_plain_string_bytes(&mut self) {
        const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
        const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
        let has_byte = |word: u64, byte: u8| {
            let matched = word ^ (ONES * u64::from(byte));
            matched.wrapping_sub(ONES) & !matched & HIGHS
        };
        while let Some(chunk) = self.bytes.get(self.at..self.at + 8) {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            // A byte below 0x20 borrows when 0x20 is subtracted; bytes of 0x80 and up never flag.
            let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
            let special = control | has_byte(word, b'"') | has_byte(word, b'\\');
            if special != 0 {
                // The lowest flagged byte is a real one (borrows only carry upwards).
                self.at += special.trailing_zeros() as usize / 8;
                return;
            }
            self.at += 8;
        }
    }

    fn digits(&mut self) -> Step {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        if self.at > start {
            Ok(())
        } else {
            Err(())
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Step {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits()?,
            _ => return Err(()),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde::de::IgnoredAny;

    use super::*;

    fn serde_accepts(text: &str) -> bool {
        serde_json::from_str::<IgnoredAny>(text).is_ok()
    }

    #[test]
    fn accepts_json_documents() {
        for good in [
            "null",
            "true",
            " false ",
            "0",
            "-0",
            "-1.5e3",
            "1E+2",
            "2e-7",
            "\"\"",
            "\"\\ud800\"",
            "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"",
            "\"ключ 🙂\"",
            "[]",
            "{}",
            " [ 1 , [ ] , { } ] ",
            "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}",
            "\n{\r\n\t\"a\" : 1 }\n",
        ] {
            assert_eq!(check(good), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[",
            "]",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{,}",
            "{\"a\"}",
            "{\"a\" 1}",
            "{1:2}",
            "{} {}",
            "1 2",
            "undefined",
            "NaN",
            "Infinity",
            "'x'",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "tru",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12G4\"",
            "\"a\u{1}b\"",
            "[1 2]",
            "{\"a\":1 \"b\":2}",
            "[}",
            "{]",
            "[\"a\":1]",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn reports_where_the_text_goes_wrong() {
        assert_eq!(check("[1,]"), Err(3));
        assert_eq!(check("{\"a\":1} x"), Err(8));
    }

    #[test]
    fn nesting_deeper_than_the_inline_stack_is_checked_too() {
        for depth in [1, 63, 64, 65, 255, 256, 257, 5000] {
            let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            assert_eq!(check(&arrays), Ok(()), "depth {depth}");
            let objects = format!("{}1{}", "{\"k\":".repeat(depth), "}".repeat(depth));
            assert_eq!(check(&objects), Ok(()), "depth {depth}");
            let mixed: String = (0..depth).map(|i| if i % 3 == 0 { "[" } else { "{\"k\":" }).collect();
            let closing: String = (0..depth).rev().map(|i| if i % 3 == 0 { "]" } else { "}" }).collect();
            assert_eq!(check(&format!("{mixed}0{closing}")), Ok(()), "depth {depth}");
            let unbalanced = format!("{}{}", "[".repeat(depth), "]".repeat(depth - 1));
            assert!(check(&unbalanced).is_err(), "depth {depth}");
            let crossed = format!("{mixed}0{}", closing.replace(']', "x").replace('}', "]").replace('x', "}"));
            assert_eq!(check(&crossed).is_ok(), serde_accepts(&crossed), "depth {depth}");
        }
    }

    /// Long strings are skipped eight bytes at a time: a quote, a backslash, a control byte or a
    /// multi-byte character at every position of a word is still seen.
    #[test]
    fn long_strings_are_checked_at_every_position() {
        for len in 0..40 {
            for at in 0..len {
                for (inner, valid) in [("\"", false), ("\\n", true), ("\\q", false), ("\u{1f}", false), ("é", true)] {
                    let mut text = String::from("\"");
                    text.extend(std::iter::repeat_n('x', at));
                    text.push_str(inner);
                    text.extend(std::iter::repeat_n('y', len - at));
                    text.push('"');
                    assert_eq!(check(&text).is_ok(), valid, "{text:?}");
                    assert_eq!(valid, serde_accepts(&text), "{text:?}");
                }
            }
            let unclosed = format!("\"{}", "z".repeat(len));
            assert!(check(&unclosed).is_err(), "{unclosed:?}");
        }
    }

    /// Random texts from JSON's own alphabet: the check agrees with serde_json on every one.
    #[test]
    fn agrees_with_serde_json_on_random_texts() {
        const PIECES: [&str; 24] = [
            "{", "}", "[", "]", ",", ":", "\"", "\"a\"", "\\", "\\u00", "0", "1", "-", ".", "e", "+", " ", "\n",
            "true", "null", "f", "9", "\u{7}", "é",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut agreed_valid = 0;
        for _ in 0..200_000 {
            let len = (next() % 12) as usize;
            let text: String = (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
            let expected = serde_accepts(&text);
            assert_eq!(check(&text).is_ok(), expected, "{text:?}");
            agreed_valid += usize::from(expected);
        }
        assert!(agreed_valid > 1_000, "the generator must produce valid documents too ({agreed_valid})");
    }
}
