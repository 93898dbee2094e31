//! `#[derive(AblyIdentity)]`: the user struct, read and validated.

use super::attr::{self, Rule, Site};
use super::err;
use darling::error::Accumulator;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Type};

/// A field with `#[ably(client_id)]` or `#[ably(role)]`.
pub struct Marked<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
}

/// A struct deriving `AblyIdentity`, validated.
pub struct Identity<'a> {
    /// The clientId field.
    pub client_id: Marked<'a>,
    /// The role field, if any.
    pub role: Option<Marked<'a>>,
    /// The fields the struct's templates interpolate, each once, in order of first use.
    pub used: Vec<&'a syn::Field>,
    /// Every field, in order: a role's templates may interpolate any of them.
    pub fields: Vec<&'a syn::Field>,
    /// The struct's grants, a resource granted twice merged into one rule.
    pub rules: Vec<Rule>,
    /// The struct's ttl in milliseconds.
    pub ttl: Option<u64>,
}

/// Reads and validates the struct, pushing every problem to `acc`. `None` when it can't be
/// expanded at all; otherwise the model (which `acc` may still reject).
pub fn validate<'a>(input: &'a DeriveInput, acc: &mut Accumulator) -> Option<Identity<'a>> {
    let name = &input.ident;
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => named,
            Fields::Unnamed(unnamed) => {
                acc.push(err(
                    unnamed.span(),
                    format!(
                        "`#[derive(AblyIdentity)]` needs named fields, so that attributes and \
                         templates can name them: write `struct {name} {{ #[ably(client_id)] id: String }}`"
                    ),
                ));
                return None;
            }
            Fields::Unit => {
                acc.push(err(
                    name.span(),
                    format!(
                        "`#[derive(AblyIdentity)]` needs a struct with a clientId field: write \
                         `struct {name} {{ #[ably(client_id)] id: String }}`"
                    ),
                ));
                return None;
            }
        },
        Data::Enum(data) => {
            acc.push(err(
                data.enum_token.span,
                "`#[derive(AblyIdentity)]` is for the user struct, such as \
                 `struct User { #[ably(client_id)] id: String }`; for an enum of roles, \
                 derive `AblyRole` instead",
            ));
            return None;
        }
        Data::Union(data) => {
            acc.push(err(
                data.union_token.span,
                "`#[derive(AblyIdentity)]` can't be used on a union; use a struct with named \
                 fields, such as `struct User { #[ably(client_id)] id: String }`",
            ));
            return None;
        }
    };

    let attrs = attr::parse(&input.attrs, Site::Identity, acc);
    let mut client_id: Option<Marked> = None;
    let mut role: Option<Marked> = None;
    let mut broken_field = false;
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named field");
        let marks = attr::parse(&field.attrs, Site::Field, acc);
        broken_field |= marks.broken;
        let this = || Marked {
            ident,
            ty: &field.ty,
        };
        if let Some(span) = marks.client_id {
            match &client_id {
                Some(first) => acc.push(err(
                    span,
                    format!(
                        "a second `#[ably(client_id)]`: the clientId is already field `{}`; \
                         keep one",
                        first.ident
                    ),
                )),
                None => client_id = Some(this()),
            }
        }
        if let Some(span) = marks.role {
            if marks.client_id.is_some() {
                acc.push(err(
                    span,
                    "a field can't be both the clientId and the role; put `#[ably(role)]` on \
                     the role field",
                ));
            } else {
                match &role {
                    Some(first) => acc.push(err(
                        span,
                        format!(
                            "a second `#[ably(role)]`: the role is already field `{}`; a user \
                             has one role field",
                            first.ident
                        ),
                    )),
                    None => role = Some(this()),
                }
            }
        }
    }
    let Some(client_id) = client_id else {
        if broken_field {
            // A misspelt `#[ably(client_id)]` has been reported already.
            return None;
        }
        acc.push(err(
            name.span(),
            format!(
                "`{name}` has no clientId field: mark one with `#[ably(client_id)]` (any \
                 `Display` type, or an `Option` of one for users who may be anonymous)"
            ),
        ));
        return None;
    };

    // Every field a template names must exist.
    let names: Vec<String> = fields
        .named
        .iter()
        .filter_map(|f| f.ident.as_ref().map(Ident::to_string))
        .collect();
    let mut used: Vec<&syn::Field> = Vec::new();
    for rule in &attrs.rules {
        for field in rule.template.fields() {
            match fields
                .named
                .iter()
                .find(|f| f.ident.as_ref().is_some_and(|i| i == field))
            {
                Some(f) => {
                    if !used.iter().any(|u| u.ident == f.ident) {
                        used.push(f);
                    }
                }
                None => {
                    let mut message = format!("`{{{field}}}` names no field of `{name}`");
                    if let Some(best) =
                        super::suggest::closest(field, names.iter().map(String::as_str))
                    {
                        message.push_str(&format!("; did you mean `{{{best}}}`?"));
                    }
                    message.push_str(&format!(
                        " Templates can use `{{client_id}}` and the fields {}",
                        names
                            .iter()
                            .map(|n| format!("`{{{n}}}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    acc.push(err(rule.lit.span(), message));
                }
            }
        }
    }
    Some(Identity {
        client_id,
        role,
        used,
        fields: fields.named.iter().collect(),
        rules: attr::merge(attrs.rules),
        ttl: attrs.ttl.map(|(ms, _)| ms),
    })
}
