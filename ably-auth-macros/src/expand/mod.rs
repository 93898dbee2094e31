//! The code the derives generate, from the models [`crate::internals`] validated: the impls,
//! the static grant tables, and the stub impls emitted after an error.

pub mod fallback;
pub mod identity;
pub mod role;
mod types;

use crate::internals::attr::Rule;
use crate::internals::ops::{self, OpSet};
use crate::internals::template::{Part, Template};
use proc_macro2::{Span, TokenStream};
use quote::quote;

/// `&[GrantRule { .. }, ..]` for a `static` table.
fn rules_table(rules: &[Rule]) -> TokenStream {
    let rules = rules.iter().map(|rule| {
        let resource = template_tokens(&rule.template);
        let operations = operations_tokens(&rule.ops);
        quote!(::ably_auth::__private::GrantRule {
            resource: #resource,
            operations: #operations,
        })
    });
    quote!(&[#(#rules),*])
}

/// `&[TemplatePart, ...]` for a static table.
fn template_tokens(template: &Template) -> TokenStream {
    let parts = template.parts.iter().map(|p| match p {
        Part::Literal(s) => quote!(::ably_auth::__private::TemplatePart::Literal(#s)),
        Part::ClientId => quote!(::ably_auth::__private::TemplatePart::ClientId),
        Part::Field(name) => quote!(::ably_auth::__private::TemplatePart::Field(#name)),
    });
    quote!(&[#(#parts),*])
}

/// The `ably_auth::Operations` of an operation set.
fn operations_tokens(set: &OpSet) -> TokenStream {
    match set {
        OpSet::All => quote!(::ably_auth::__private::Operations::ALL),
        OpSet::Some(indexes) => {
            let variants = indexes
                .iter()
                .map(|&i| proc_macro2::Ident::new(ops::variant(i), Span::call_site()));
            quote!(::ably_auth::__private::Operations::NONE
                #(.union(::ably_auth::__private::Operations::only(
                    ::ably_auth::__private::Operation::#variants
                )))*)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::internals::ops::{OpName, lookup};

    #[test]
    fn operation_sets_expand() {
        let idx = |name: &str| lookup(&OpName::Str(name.to_owned())).unwrap().unwrap();
        let set = OpSet::Some(vec![idx("history"), idx("publish")]);
        let tokens = operations_tokens(&set).to_string().replace(' ', "");
        assert_eq!(
            tokens,
            "::ably_auth::__private::Operations::NONE\
             .union(::ably_auth::__private::Operations::only(::ably_auth::__private::Operation::History))\
             .union(::ably_auth::__private::Operations::only(::ably_auth::__private::Operation::Publish))"
        );
        assert_eq!(
            operations_tokens(&OpSet::All).to_string().replace(' ', ""),
            "::ably_auth::__private::Operations::ALL"
        );
    }
}
