//! `ttl = "1h30m"`: durations checked at compile time.

/// Ably's longest token ttl.
const MAX_MS: u64 = 24 * 60 * 60 * 1000;

const EXAMPLES: &str = "`\"90s\"`, `\"15m\"`, `\"1h30m\"` or `\"500ms\"`";

/// Parses a ttl to milliseconds, or says what to write instead.
pub fn parse(text: &str) -> Result<u64, String> {
    let malformed = || {
        format!("can't read ttl `{text}`; write a duration such as {EXAMPLES} (units: h, m, s, ms)")
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(malformed());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(malformed());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| malformed())?;
        rest = &rest[digits..];
        let (unit, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('h') {
            (3_600_000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else if rest.starts_with('s') {
            (1_000, 1)
        } else {
            return Err(malformed());
        };
        rest = &rest[len..];
        total = number
            .checked_mul(unit)
            .and_then(|ms| total.checked_add(ms))
            .unwrap_or(u64::MAX);
    }
    if total == 0 {
        return Err(format!(
            "ttl `{text}` is zero; credentials must live for some time, such as {EXAMPLES}"
        ));
    }
    if total > MAX_MS {
        return Err(format!(
            "ttl `{text}` is longer than Ably's 24-hour limit; use at most `\"24h\"`"
        ));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn durations() {
        assert_eq!(parse("90s"), Ok(90_000));
        assert_eq!(parse("15m"), Ok(900_000));
        assert_eq!(parse("1h"), Ok(3_600_000));
        assert_eq!(parse("1h30m"), Ok(5_400_000));
        assert_eq!(parse("500ms"), Ok(500));
        assert_eq!(parse("24h"), Ok(86_400_000));
        for bad in [
            "", "1", "h", "1 hour", "1d", "-5s", "1h30", "0s", "0ms", "25h", "24h1ms",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("99999999999999999999h").is_err());
    }
}
