//! Reading `#[ably(...)]` attributes. Every problem is pushed to the accumulator with the
//! span of the offending token; parsing goes on with the next item.

use super::err;
use super::ops::{self, OpName, OpSet};
use super::template::Template;
use darling::error::Accumulator;
use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitStr, Meta, Token, bracketed, parenthesized};

/// Where an attribute sits: each place takes its own keys.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// The struct deriving `AblyIdentity`.
    Identity,
    /// A field of that struct.
    Field,
    /// A variant of an enum deriving `AblyRole`.
    Variant,
}

impl Site {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Site::Identity | Site::Variant => &["grant", "ttl"],
            Site::Field => &["client_id", "role"],
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Site::Identity => "here: `grant(\"resource\" => [operations])` or `ttl = \"1h\"`",
            Site::Variant => {
                "on a role variant: `grant(\"resource\" => [operations])` or `ttl = \"15m\"`"
            }
            Site::Field => "on a field: `client_id` or `role`",
        }
    }
}

/// One `"resource" => [operations]` of a `grant(...)`.
pub struct Rule {
    pub template: Template,
    pub ops: OpSet,
    pub lit: LitStr,
}

/// Everything the `#[ably(...)]` attributes of one item say.
#[derive(Default)]
pub struct Attrs {
    pub rules: Vec<Rule>,
    pub ttl: Option<(u64, Span)>,
    pub client_id: Option<Span>,
    pub role: Option<Span>,
    pub broken: bool,
}

/// Reads the `#[ably(...)]` attributes of an item. `Attrs::broken` tells whether any of
/// them had an error, so that callers don't add follow-on errors.
pub fn parse(attrs: &[Attribute], site: Site, main: &mut Accumulator) -> Attrs {
    let mut local = darling::Error::accumulator();
    let mut out = read(attrs, site, &mut local);
    for error in local.into_inner() {
        out.broken = true;
        main.push(error);
    }
    out
}

fn read(attrs: &[Attribute], site: Site, acc: &mut Accumulator) -> Attrs {
    let mut out = Attrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("ably")) {
        let Meta::List(list) = &attr.meta else {
            acc.push(err(
                attr.meta.span(),
                format!("write `#[ably(...)]` with keys {}", site.expected()),
            ));
            continue;
        };
        if list.tokens.is_empty() {
            acc.push(err(
                list.span(),
                format!("`#[ably()]` is empty; expected keys {}", site.expected()),
            ));
            continue;
        }
        let parser = |input: ParseStream| {
            parse_items(input, site, &mut out, acc);
            Ok(())
        };
        if let Err(e) = parser.parse2(list.tokens.clone()) {
            acc.push(e.into());
        }
    }
    out
}

fn parse_items(input: ParseStream, site: Site, out: &mut Attrs, acc: &mut Accumulator) {
    while !input.is_empty() {
        if let Err(e) = parse_item(input, site, out, acc) {
            acc.push(e.into());
            skip_item(input);
        }
        if input.is_empty() {
            break;
        }
        if let Err(e) = input.parse::<Token![,]>() {
            acc.push(e.into());
            skip_item(input);
            let _ = input.parse::<Token![,]>();
        }
    }
}

/// Skips to the next top-level `,`.
fn skip_item(input: ParseStream) {
    while !input.is_empty() && !input.peek(Token![,]) {
        let _ = input.parse::<TokenTree>();
    }
}

fn parse_item(
    input: ParseStream,
    site: Site,
    out: &mut Attrs,
    acc: &mut Accumulator,
) -> syn::Result<()> {
    let key = Ident::parse_any(input)
        .map_err(|e| syn::Error::new(e.span(), format!("expected a key {}", site.expected())))?;
    let name = key.to_string();
    if !site.keys().contains(&name.as_str()) {
        skip_item(input);
        acc.push(err(key.span(), misplaced(&name, site)));
        return Ok(());
    }
    match name.as_str() {
        "client_id" | "role" => {
            if !input.is_empty() && !input.peek(Token![,]) {
                skip_item(input);
                acc.push(err(
                    key.span(),
                    format!("`{name}` takes no value; write `#[ably({name})]` on the field"),
                ));
                return Ok(());
            }
            let slot = if name == "role" {
                &mut out.role
            } else {
                &mut out.client_id
            };
            if slot.is_some() {
                acc.push(err(
                    key.span(),
                    format!("`{name}` is written twice on this field"),
                ));
            }
            *slot = Some(key.span());
        }
        "ttl" => {
            if !input.peek(Token![=]) {
                skip_item(input);
                acc.push(err(key.span(), "write the ttl as `ttl = \"1h\"`"));
                return Ok(());
            }
            input.parse::<Token![=]>()?;
            if !input.peek(LitStr) {
                let value: TokenTree = input.parse()?;
                skip_item(input);
                acc.push(err(
                    value.span(),
                    "write the ttl as a string with a unit, such as `ttl = \"1h\"` or `ttl = \"90s\"`",
                ));
                return Ok(());
            }
            let lit: LitStr = input.parse()?;
            if out.ttl.is_some() {
                acc.push(err(lit.span(), "`ttl` is set twice; keep one"));
            }
            match super::ttl::parse(&lit.value()) {
                Ok(ms) => out.ttl = Some((ms, lit.span())),
                Err(message) => acc.push(err(lit.span(), message)),
            }
        }
        "grant" => {
            if !input.peek(syn::token::Paren) {
                skip_item(input);
                acc.push(err(
                    key.span(),
                    "write grants as `grant(\"resource\" => [operations])`",
                ));
                return Ok(());
            }
            let content;
            parenthesized!(content in input);
            if content.is_empty() {
                acc.push(err(
                    key.span(),
                    "`grant()` is empty; write `grant(\"resource\" => [operations])`",
                ));
            }
            while !content.is_empty() {
                if let Err(e) = parse_rule(&content, out, acc) {
                    acc.push(e.into());
                    skip_item(&content);
                }
                if content.is_empty() {
                    break;
                }
                content.parse::<Token![,]>()?;
            }
        }
        _ => unreachable!("every key of `Site::keys` is handled"),
    }
    Ok(())
}

fn misplaced(name: &str, site: Site) -> String {
    let known = ["client_id", "role", "grant", "ttl"];
    if known.contains(&name) {
        return match (name, site) {
            ("client_id" | "role", Site::Variant) => format!(
                "`{name}` marks a field of the user struct that derives `AblyIdentity`; a role \
                 variant takes `grant(\"resource\" => [operations])` and `ttl = \"...\"`"
            ),
            ("client_id" | "role", _) => format!(
                "`{name}` goes on a field, as in `#[ably({name})] {}: ...`",
                if name == "role" { "role" } else { "id" }
            ),
            _ => format!(
                "`{name}` goes on the struct, not on a field: `#[ably({name}{})]` above `struct`",
                if name == "ttl" {
                    " = \"1h\""
                } else {
                    "(\"resource\" => [operations])"
                }
            ),
        };
    }
    let mut message = format!("unknown key `{name}` in `#[ably(...)]`");
    if let Some(best) = super::suggest::closest(name, site.keys().iter().copied()) {
        message.push_str(&format!("; did you mean `{best}`?"));
    }
    message.push_str(&format!(" Expected keys {}", site.expected()));
    message
}

fn parse_rule(input: ParseStream, out: &mut Attrs, acc: &mut Accumulator) -> syn::Result<()> {
    if !input.peek(LitStr) {
        let found: TokenTree = input.parse()?;
        return Err(syn::Error::new(
            found.span(),
            "expected a resource string, as in `grant(\"chat:*\" => [subscribe])`",
        ));
    }
    let lit: LitStr = input.parse()?;
    if !input.peek(Token![=>]) {
        return Err(syn::Error::new(
            input.span(),
            "expected `=>` and the operations, as in `grant(\"chat:*\" => [subscribe])`",
        ));
    }
    input.parse::<Token![=>]>()?;
    if !input.peek(syn::token::Bracket) {
        let found: TokenTree = input.parse()?;
        return Err(syn::Error::new(
            found.span(),
            "expected a list of operations in brackets, as in `[subscribe, history]` or `[\"*\"]`",
        ));
    }
    let list;
    let bracket = bracketed!(list in input);
    let mut names: Vec<(OpName, Span)> = Vec::new();
    while !list.is_empty() {
        if list.peek(LitStr) {
            let s: LitStr = list.parse()?;
            names.push((OpName::Str(s.value()), s.span()));
        } else if list.peek(Token![*]) {
            let star: Token![*] = list.parse()?;
            names.push((OpName::Star, star.span));
        } else if list.peek(Ident::peek_any) {
            let ident = Ident::parse_any(&list)?;
            names.push((OpName::Ident(ident.to_string()), ident.span()));
        } else {
            let found: TokenTree = list.parse()?;
            return Err(syn::Error::new(
                found.span(),
                "expected an operation such as `publish`, `push_admin`, `\"push-admin\"` or `\"*\"`",
            ));
        }
        if list.is_empty() {
            break;
        }
        list.parse::<Token![,]>()?;
    }

    let template = match Template::parse(&lit.value()) {
        Ok(t) => Some(t),
        Err(message) => {
            acc.push(err(lit.span(), message));
            None
        }
    };
    let ops = check_ops(&names, bracket.span.join(), acc);
    if let (Some(template), Some(ops)) = (template, ops) {
        out.rules.push(Rule { template, ops, lit });
    }
    Ok(())
}

fn check_ops(names: &[(OpName, Span)], list: Span, acc: &mut Accumulator) -> Option<OpSet> {
    if names.is_empty() {
        acc.push(err(
            list,
            "empty operation list; grant at least one operation, such as `[subscribe]`, or \
             leave this resource out",
        ));
        return None;
    }
    let mut ok = true;
    let mut star = None;
    let mut set = Vec::new();
    for (name, span) in names {
        match ops::lookup(name) {
            Ok(None) => star = Some(*span),
            Ok(Some(i)) => set.push(i),
            Err(message) => {
                acc.push(err(*span, message));
                ok = false;
            }
        }
    }
    if let Some(span) = star {
        if names.len() > 1 {
            acc.push(err(
                span,
                "`*` already grants every operation; write `[\"*\"]` alone, or list the \
                 operations without `*`",
            ));
            return None;
        }
        return ok.then_some(OpSet::All);
    }
    set.sort_unstable();
    set.dedup();
    ok.then_some(OpSet::Some(set))
}

/// Merges rules on the same resource template: a resource granted twice unions.
pub fn merge(rules: Vec<Rule>) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::new();
    for rule in rules {
        match out.iter_mut().find(|r| r.template == rule.template) {
            Some(existing) => existing.ops.union(&rule.ops),
            None => out.push(rule),
        }
    }
    out
}
