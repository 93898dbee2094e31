//! `#[derive(AblyRole)]`: the role enum, read and validated.

use super::attr::{self, Rule, Site};
use super::err;
use darling::error::Accumulator;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Ident};

/// One variant of a role enum, validated.
pub struct Variant<'a> {
    /// The variant's name.
    pub ident: &'a Ident,
    /// Its grants, a resource granted twice merged into one rule.
    pub rules: Vec<Rule>,
    /// Its ttl in milliseconds.
    pub ttl: Option<u64>,
}

/// Reads and validates the enum, pushing every problem to `acc`. `None` when it can't be
/// expanded at all; otherwise its variants, in order (which `acc` may still reject).
pub fn validate<'a>(input: &'a DeriveInput, acc: &mut Accumulator) -> Option<Vec<Variant<'a>>> {
    let name = &input.ident;
    let data = match &input.data {
        Data::Enum(data) => data,
        Data::Struct(data) => {
            acc.push(err(
                data.struct_token.span,
                format!(
                    "`#[derive(AblyRole)]` is for an enum of roles, such as `enum Role {{ Viewer, \
                     Admin }}`; for the user struct, derive `AblyIdentity` and mark its role \
                     field with `#[ably(role)]`, or implement `AblyRole` for `{name}` by hand"
                ),
            ));
            return None;
        }
        Data::Union(data) => {
            acc.push(err(
                data.union_token.span,
                "`#[derive(AblyRole)]` is for an enum of roles, such as `enum Role { Viewer, \
                 Admin }`",
            ));
            return None;
        }
    };
    for a in input.attrs.iter().filter(|a| a.path().is_ident("ably")) {
        acc.push(err(
            a.path().span(),
            "`#[ably(...)]` goes on each variant of a role enum, as in \
             `#[ably(grant(\"chat:*\" => [subscribe]))] Viewer`",
        ));
    }

    let mut variants = Vec::new();
    for variant in &data.variants {
        for a in variant
            .fields
            .iter()
            .flat_map(|f| &f.attrs)
            .filter(|a| a.path().is_ident("ably"))
        {
            acc.push(err(
                a.path().span(),
                "`#[ably(...)]` has no meaning on the fields of a role variant; role grants \
                 interpolate `{client_id}` and the fields of the user struct that has the role, \
                 as in `#[ably(grant(\"org:{org}:*\" => [publish]))] Pro`",
            ));
        }
        let attrs = attr::parse(&variant.attrs, Site::Variant, acc);
        variants.push(Variant {
            ident: &variant.ident,
            rules: attr::merge(attrs.rules),
            ttl: attrs.ttl.map(|(ms, _)| ms),
        });
    }
    Some(variants)
}
