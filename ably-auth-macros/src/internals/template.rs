//! Resource templates such as `"user:{client_id}"`, parsed and validated at compile time.

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Literal(String),
    ClientId,
    Field(String),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Template {
    pub parts: Vec<Part>,
}

impl Template {
    /// Parses `text`: `{name}` interpolates, `{{` and `}}` are literal braces. The result
    /// must be a valid resource pattern whatever (checked) values are interpolated.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => {
                    return Err(format!(
                        "unbalanced `}}` in resource `{text}`; write `}}}}` for a literal brace"
                    ));
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => {
                                return Err(format!(
                                    "unbalanced `{{` in resource `{text}`; close the placeholder \
                                     as in `{{client_id}}`, or write `{{{{` for a literal brace"
                                ));
                            }
                        }
                    }
                    let name = name.trim();
                    if !is_ident(name) {
                        return Err(format!(
                            "`{{{name}}}` in resource `{text}` is not a placeholder; write \
                             `{{client_id}}` or `{{field_name}}` with a field of the struct"
                        ));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(if name == "client_id" {
                        Part::ClientId
                    } else {
                        Part::Field(name.to_owned())
                    });
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        let template = Template { parts };
        template.check_resource(text)?;
        Ok(template)
    }

    /// The fields the template interpolates.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Field(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// Checks the resource rules of `ably_auth::Resource::new`, with every placeholder stood
    /// in for by a value the runtime check would let through (no `*`, `:` or leading `[`).
    fn check_resource(&self, text: &str) -> Result<(), String> {
        let sample: String = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Literal(s) => s.as_str(),
                _ => "x",
            })
            .collect();
        if sample.is_empty() {
            return Err(
                "a resource can't be empty; name a channel such as `\"chat:lobby\"`, a pattern \
                 such as `\"chat:*\"`, or `\"*\"` for every channel"
                    .to_owned(),
            );
        }
        let name = if let Some(rest) = sample.strip_prefix('[') {
            let Some((qualifier, name)) = rest.split_once(']') else {
                return Err(format!(
                    "resource `{text}` starts with `[` but has no closing `]`; channel names \
                     can't start with `[` (qualifiers are `[queue]`, `[meta]` and `[*]`)"
                ));
            };
            if !matches!(qualifier, "queue" | "meta" | "*") {
                return Err(format!(
                    "resource `{text}` has unknown qualifier `[{qualifier}]`; use `[queue]`, \
                     `[meta]` or `[*]`, or drop the `[...]` for a channel"
                ));
            }
            if name.is_empty() || name.starts_with('[') {
                return Err(format!(
                    "resource `{text}` needs a name or `*` after `[{qualifier}]`, as in \
                     `\"[{qualifier}]*\"`"
                ));
            }
            name
        } else {
            &sample
        };
        if let Some(index) = name.split(':').position(|s| s.contains('*') && s != "*") {
            // The same segment as written, placeholders and all.
            let written = match text.strip_prefix('[').and_then(|r| r.split_once(']')) {
                Some((_, name)) => name,
                None => text,
            };
            let segment = written.split(':').nth(index).unwrap_or(written);
            return Err(format!(
                "`*` in resource `{text}` is a wildcard only as a whole `:`-separated segment, \
                 as in `chat:*`; `{segment}` is not one. Write the `*` as its own segment"
            ));
        }
        Ok(())
    }
}

fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let t = Template::parse("user:{client_id}:{team}").unwrap();
        assert_eq!(
            t.parts,
            vec![
                Part::Literal("user:".into()),
                Part::ClientId,
                Part::Literal(":".into()),
                Part::Field("team".into()),
            ]
        );
        assert_eq!(
            Template::parse("a{{b}}").unwrap().parts,
            vec![Part::Literal("a{b}".into())]
        );
        for ok in [
            "*",
            "chat:*",
            "[*]*",
            "[queue]orders",
            "[meta]*",
            "{client_id}",
            "a:*:b",
        ] {
            assert!(Template::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "[bogus]x",
            "[queue]",
            "[x",
            "chat*",
            "chat:{client_id}*",
            "user:{",
            "a}",
            "{}",
            "{1x}",
            "[*][queue]x",
        ] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }
}
