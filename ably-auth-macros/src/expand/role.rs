//! `#[derive(AblyRole)]`.

use crate::attr::{self, Site};
use crate::err;
use crate::fallback;
use darling::error::Accumulator;
use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput};

pub fn derive(input: &DeriveInput) -> TokenStream {
    crate::run(input, expand, fallback::role)
}

fn expand(input: &DeriveInput, acc: &mut Accumulator) -> Option<TokenStream> {
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

    let mut rules_arms = Vec::new();
    let mut ttl_arms = Vec::new();
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
                 interpolate `{client_id}` only",
            ));
        }
        let attrs = attr::parse(&variant.attrs, Site::Variant, acc);
        for rule in &attrs.rules {
            if let Some(field) = rule.template.fields().next() {
                acc.push(err(
                    rule.lit.span(),
                    format!(
                        "a role's templates can only use `{{client_id}}`, not `{{{field}}}`; \
                         grant per-user resources from the user struct with \
                         `#[ably(grant(\"...{{{field}}}...\" => [...]))]` on the struct that \
                         derives `AblyIdentity`"
                    ),
                ));
            }
        }
        let ident = &variant.ident;
        let rules = crate::rules_table(attr::merge(attrs.rules));
        rules_arms.push(quote! {
            Self::#ident { .. } => {
                static RULES: &[::ably_auth::__private::GrantRule] = #rules;
                RULES
            }
        });
        let ttl = match attrs.ttl {
            Some((ms, _)) => quote!(::ably_auth::__private::Some(
                ::ably_auth::__private::Duration::from_millis(#ms)
            )),
            None => quote!(::ably_auth::__private::None),
        };
        ttl_arms.push(quote!(Self::#ident { .. } => #ttl,));
    }

    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Some(quote! {
        #[automatically_derived]
        impl #impl_generics ::ably_auth::__private::AblyRole for #name #ty_generics #where_clause {
            fn ably_rules(&self) -> &'static [::ably_auth::__private::GrantRule] {
                match *self {
                    #(#rules_arms)*
                }
            }

            fn ably_ttl(&self) -> ::ably_auth::__private::Option<::ably_auth::__private::Duration> {
                match *self {
                    #(#ttl_arms)*
                }
            }
        }
    })
}
