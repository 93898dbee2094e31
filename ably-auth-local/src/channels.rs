//! Channel history: a bounded window of each channel's messages ([`Limits`]).

use crate::limits::Limits;
use crate::value::Value;
use std::collections::{HashMap, VecDeque};

/// A message as stored: its place in publish order, its time and size.
struct Stored {
    serial: u64,
    timestamp: u64,
    size: usize,
    message: Value,
}

#[derive(Default)]
struct Channel {
    messages: VecDeque<Stored>,
}

/// Every channel's history.
#[derive(Default)]
pub(crate) struct Channels {
    channels: HashMap<String, Channel>,
    next_serial: u64,
    bytes: usize,
}

/// Which page of history to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Query {
    /// At most this many messages.
    pub(crate) limit: usize,
    /// Newest first (the default), or oldest first.
    pub(crate) backwards: bool,
    /// Messages at or after this time (ms).
    pub(crate) start: u64,
    /// Messages at or before this time (ms).
    pub(crate) end: u64,
    /// Where the previous page stopped: the serial of its last message.
    pub(crate) cursor: Option<u64>,
}

/// A page of history, and the cursor of the next page if there is one.
pub(crate) struct Page {
    pub(crate) messages: Vec<Value>,
    pub(crate) next: Option<u64>,
}

impl Channels {
    /// Appends messages to `channel`, then drops the oldest history to stay within `limits`.
    pub(crate) fn publish(
        &mut self,
        channel: &str,
        messages: Vec<(Value, usize)>,
        now: u64,
        limits: &Limits,
    ) {
        if !self.channels.contains_key(channel) {
            while self.channels.len() >= limits.channels.max(1) {
                self.drop_least_recent_channel();
            }
        }
        let entry = self.channels.entry(channel.to_owned()).or_default();
        for (message, size) in messages {
            let timestamp = message
                .get("timestamp")
                .and_then(Value::as_u64)
                .unwrap_or(now);
            self.next_serial += 1;
            self.bytes += size;
            entry.messages.push_back(Stored {
                serial: self.next_serial,
                timestamp,
                size,
                message,
            });
            if entry.messages.len() > limits.history_per_channel.max(1)
                && let Some(old) = entry.messages.pop_front()
            {
                self.bytes -= old.size;
            }
        }
        while self.bytes > limits.history_bytes {
            if !self.drop_oldest_message() {
                break;
            }
        }
    }

    fn drop_least_recent_channel(&mut self) {
        let least = self
            .channels
            .iter()
            .min_by_key(|(_, c)| c.messages.back().map_or(0, |m| m.serial))
            .map(|(name, _)| name.clone());
        if let Some(name) = least
            && let Some(channel) = self.channels.remove(&name)
        {
            self.bytes -= channel.messages.iter().map(|m| m.size).sum::<usize>();
        }
    }

    /// Drops the oldest message of all; whether there was one.
    fn drop_oldest_message(&mut self) -> bool {
        let oldest = self
            .channels
            .iter()
            .filter_map(|(name, c)| c.messages.front().map(|m| (m.serial, name.clone())))
            .min();
        let Some((_, name)) = oldest else {
            return false;
        };
        if let Some(channel) = self.channels.get_mut(&name) {
            if let Some(old) = channel.messages.pop_front() {
                self.bytes -= old.size;
            }
            if channel.messages.is_empty() {
                self.channels.remove(&name);
            }
        }
        true
    }

    /// A page of `channel`'s history.
    pub(crate) fn history(&self, channel: &str, query: &Query) -> Page {
        let Some(channel) = self.channels.get(channel) else {
            return Page {
                messages: Vec::new(),
                next: None,
            };
        };
        let in_range = |m: &&Stored| {
            m.timestamp >= query.start
                && m.timestamp <= query.end
                && match (query.cursor, query.backwards) {
                    (None, _) => true,
                    (Some(c), true) => m.serial < c,
                    (Some(c), false) => m.serial > c,
                }
        };
        let picked: Vec<&Stored> = if query.backwards {
            channel
                .messages
                .iter()
                .rev()
                .filter(in_range)
                .take(query.limit + 1)
                .collect()
        } else {
            channel
                .messages
                .iter()
                .filter(in_range)
                .take(query.limit + 1)
                .collect()
        };
        let more = picked.len() > query.limit;
        let page: Vec<&Stored> = picked.into_iter().take(query.limit).collect();
        Page {
            next: if more {
                page.last().map(|m| m.serial)
            } else {
                None
            },
            messages: page.into_iter().map(|m| m.message.clone()).collect(),
        }
    }

    /// How many bytes of messages are kept.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(n: u64) -> (Value, usize) {
        (
            Value::Map(vec![
                ("data".into(), Value::UInt(n)),
                ("timestamp".into(), Value::UInt(n)),
            ]),
            10,
        )
    }

    fn all(c: &Channels, name: &str) -> Vec<u64> {
        let q = Query {
            limit: 1000,
            backwards: false,
            start: 0,
            end: u64::MAX,
            cursor: None,
        };
        c.history(name, &q)
            .messages
            .iter()
            .map(|m| m.get("data").unwrap().as_u64().unwrap())
            .collect()
    }

    #[test]
    fn every_store_is_capped() {
        let limits = Limits {
            history_per_channel: 3,
            channels: 2,
            history_bytes: 50,
            ..Limits::default()
        };
        let mut c = Channels::default();
        c.publish("a", (1..=5).map(msg).collect(), 0, &limits);
        assert_eq!(all(&c, "a"), [3, 4, 5]);
        c.publish("b", vec![msg(6)], 0, &limits);
        c.publish("c", vec![msg(7)], 0, &limits);
        assert_eq!(
            all(&c, "a"),
            Vec::<u64>::new(),
            "least recently published channel dropped"
        );
        assert_eq!((all(&c, "b"), all(&c, "c")), (vec![6], vec![7]));
        c.publish("c", (8..=12).map(msg).collect(), 0, &limits);
        assert!(c.bytes() <= 50);
        assert_eq!(all(&c, "c"), [10, 11, 12]);
    }

    #[test]
    fn pages_follow_the_cursor_both_ways() {
        let mut c = Channels::default();
        c.publish("a", (1..=5).map(msg).collect(), 0, &Limits::default());
        let mut q = Query {
            limit: 2,
            backwards: true,
            start: 2,
            end: u64::MAX,
            cursor: None,
        };
        let mut seen = Vec::new();
        loop {
            let page = c.history("a", &q);
            seen.extend(
                page.messages
                    .iter()
                    .map(|m| m.get("data").unwrap().as_u64().unwrap()),
            );
            match page.next {
                Some(next) => q.cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, [5, 4, 3, 2]);
        let q = Query {
            limit: 10,
            backwards: false,
            start: 0,
            end: 3,
            cursor: Some(1),
        };
        let page = c.history("a", &q);
        assert_eq!(page.messages.len(), 2);
        assert!(page.next.is_none());
    }
}
