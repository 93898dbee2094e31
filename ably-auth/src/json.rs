//! JSON string escaping, byte-for-byte as serde_json writes it.

/// For each byte: 0 when it stands for itself inside a JSON string, otherwise the letter that
/// follows the backslash (`u` for the `\u00xx` form).
const ESCAPES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes it: `"` and `\\`,
/// the short forms `\b \f \n \r \t`, other control characters as lowercase `\u00xx`, and
/// everything else (non-ASCII included) as is. Unescaped runs are copied whole.
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

/// Whether `s` stands for itself inside a JSON string: no control character, `"` or `\\`.
/// Eight bytes at a time, as one `u64` each.
pub(crate) fn is_plain(s: &str) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Whether any byte of `word` is zero (exact for the question "is there one").
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS != 0;
    let mut words = s.as_bytes().chunks_exact(8);
    for word in &mut words {
        let word = u64::from_ne_bytes([
            word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
        ]);
        // Bytes below 0x20 (but not 0x80 and above), quotes and backslashes.
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS != 0;
        if control
            || has_zero(word ^ (ONES * u64::from(b'"')))
            || has_zero(word ^ (ONES * u64::from(b'\\')))
        {
            return false;
        }
    }
    words.remainder().iter().all(|b| ESCAPES[*b as usize] == 0)
}

/// Appends `s` escaped for a JSON string, without the quotes around it.
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    if is_plain(s) {
        // Key names, nonces, MACs and most clientIds.
        out.push_str(s);
        return;
    }
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = ESCAPES[byte as usize];
        if escape == 0 {
            continue;
        }
        // Every byte escaped is ASCII, so `i` is a character boundary.
        out.push_str(&s[start..i]);
        start = i + 1;
        if escape == b'u' {
            out.push_str("\\u00");
            out.push(HEX[(byte >> 4) as usize] as char);
            out.push(HEX[(byte & 0xf) as usize] as char);
        } else {
            out.push('\\');
            out.push(escape as char);
        }
    }
    out.push_str(&s[start..]);
}
