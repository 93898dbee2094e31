//! Whether a capability permits one operation on one channel.

use super::{Capability, Operation, Resource};

impl Capability {
    /// Whether this capability permits `operation` on the channel named `channel`, with the
    /// matching the capability intersection uses (and the Ably service applies to a request):
    /// a `*` segment stands for one segment, a trailing `*` for one or more, `*` alone for
    /// every channel but not for queues or metachannels; `[queue]`, `[meta]` and `[*]`
    /// qualifiers select the kind of resource (`[*]*` matches everything).
    ///
    /// `channel` is a concrete name (a metachannel with its `[meta]` prefix); a `*` in it is
    /// matched only by a wildcard, never read as one. A name that is not a valid resource is
    /// permitted nothing.
    ///
    /// ```
    /// use ably_auth::{Capability, Operation};
    ///
    /// let viewer = Capability::parse(r#"{"chat:*":["history","subscribe"],"[meta]*":["subscribe"]}"#)?;
    /// assert!(viewer.permits("chat:lobby", Operation::History));
    /// assert!(!viewer.permits("chat:lobby", Operation::Publish));
    /// assert!(!viewer.permits("chat", Operation::Subscribe));
    /// assert!(viewer.permits("[meta]log", Operation::Subscribe));
    /// # Ok::<(), ably_auth::Error>(())
    /// ```
    pub fn permits(&self, channel: &str, operation: Operation) -> bool {
        let Ok(channel) = Resource::new(channel) else {
            return false;
        };
        self.map
            .iter()
            .any(|(resource, ops)| ops.contains(operation) && channel.is_covered_by(resource))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors;
    use serde_json::Value;

    fn cap(json: &str) -> Capability {
        Capability::parse(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    /// Concrete channel names around a resource pattern: each `*` segment replaced by one or
    /// two segments, the pattern's literal prefix alone, and a sibling.
    fn probes(pattern: &str, out: &mut Vec<String>) {
        let (qualifier, name) = match pattern.find(']') {
            Some(end) if pattern.starts_with('[') => pattern.split_at(end + 1),
            _ => ("", pattern),
        };
        let qualifiers: &[&str] = if qualifier == "[*]" {
            &["", "[meta]", "[queue]"]
        } else {
            &[qualifier]
        };
        for q in qualifiers {
            for fill in ["x", "x:y"] {
                out.push(format!("{q}{}", name.replace('*', fill)));
            }
            out.push(format!("{q}{}", name.trim_end_matches([':', '*'])));
            out.push(format!("{q}{name}"));
            out.push(format!("{q}{}:other", name.trim_end_matches([':', '*'])));
        }
        out.retain(|p| !p.is_empty() && Resource::new(p).is_ok());
    }

    /// The Ably service's outcomes in `ably-auth/vectors/capability-intersections.json`: the
    /// token it issued permits an operation on a channel exactly when both the key and the
    /// request permit it.
    #[test]
    fn permits_agrees_with_the_service_intersections() {
        let doc = test_vectors::load("capability-intersections.json");
        let keys = doc["keys"].as_object().unwrap();
        let mut checked = 0;
        for case in doc["cases"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let key = cap(&keys[case["key"].as_str().unwrap()].to_string());
            let requested = match &case["requested"] {
                Value::Null => key.clone(),
                Value::String(s) if s == "key capability" => key.clone(),
                other => match Capability::parse(&other.to_string()) {
                    Ok(c) => c,
                    Err(_) => continue, // refused as invalid: no token to ask
                },
            };
            let granted = match &case["expected"] {
                Value::String(s) if s == "key capability" => key.clone(),
                expected @ Value::Object(_) => cap(&expected.to_string()),
                _ => Capability::new(), // refused with 40160: the token permits nothing
            };
            let mut channels = Vec::new();
            for c in [&key, &requested, &granted] {
                for (resource, _) in c.iter() {
                    probes(resource.as_str(), &mut channels);
                }
            }
            channels.extend(["other".to_owned(), "[meta]other".to_owned()]);
            for channel in &channels {
                for &op in Operation::LIST {
                    assert_eq!(
                        granted.permits(channel, op),
                        key.permits(channel, op) && requested.permits(channel, op),
                        "{name}: {op} on {channel}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// Ably's documented matching (`auth/capabilities`): segment wildcards, qualifiers.
    #[test]
    fn documented_matching() {
        use Operation::*;
        let c = cap(
            r#"{"chat:*":["publish"],"[meta]*":["subscribe"],"[queue]q:*":["subscribe"],"room:*:mod":["presence"]}"#,
        );
        let yes = [
            ("chat:lobby", Publish),
            ("chat:a:b", Publish),
            ("[meta]log", Subscribe),
            ("[queue]q:1", Subscribe),
            ("room:1:mod", Presence),
        ];
        let no = [
            ("chat", Publish),
            ("chat:lobby", Subscribe),
            ("chatroom", Publish),
            ("log", Subscribe),
            ("[meta]chat:lobby", Publish),
            ("q:1", Subscribe),
            ("room:1:2:mod", Presence),
            ("room:1:mod:x", Presence),
            ("", Publish),
            ("[bogus]x", Publish),
        ];
        for (channel, op) in yes {
            assert!(c.permits(channel, op), "{op} on {channel}");
        }
        for (channel, op) in no {
            assert!(!c.permits(channel, op), "{op} on {channel}");
        }
        let all = Capability::all_channels();
        assert!(all.permits("anything:at:all", ChannelMetadata));
        assert!(
            !all.permits("[meta]log", Subscribe),
            "* covers channels only"
        );
        assert!(Capability::everything().permits("[meta]log", Subscribe));
        assert!(Capability::everything().permits("[queue]q", Subscribe));
        // A `*` in a channel name is a literal, not a wildcard.
        let one = cap(r#"{"chat:lobby":["*"]}"#);
        assert!(!one.permits("chat:*", Publish));
        assert!(!Capability::new().permits("chat", Publish));
    }
}
