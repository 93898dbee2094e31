//! `#[derive(AblyRole)]`: the impl for a validated role enum.

use crate::internals::role::Variant;
use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

/// The `AblyRole` impl of `input`, whose variants were validated as `variants`.
pub fn expand(input: &DeriveInput, variants: &[Variant]) -> TokenStream {
    let name = &input.ident;
    let mut rules_arms = Vec::new();
    let mut ttl_arms = Vec::new();
    for variant in variants {
        let ident = variant.ident;
        let rules = super::rules_table(&variant.rules);
        rules_arms.push(quote! {
            Self::#ident { .. } => {
                static RULES: &[::ably_auth::__private::GrantRule] = #rules;
                RULES
            }
        });
        let ttl = match variant.ttl {
            Some(ms) => quote!(::ably_auth::__private::Some(
                ::ably_auth::__private::Duration::from_millis(#ms)
            )),
            None => quote!(::ably_auth::__private::None),
        };
        ttl_arms.push(quote!(Self::#ident { .. } => #ttl,));
    }

    // Every identity field a template names, once per template, for the identity's check.
    let mut used: Vec<(String, String)> = Vec::new();
    for rule in variants.iter().flat_map(|v| &v.rules) {
        let template = rule.lit.value();
        for field in rule.template.fields() {
            let entry = (field.to_owned(), template.clone());
            if !used.contains(&entry) {
                used.push(entry);
            }
        }
    }
    let used = used.iter().map(|(field, template)| {
        quote!(::ably_auth::__private::TemplateField { field: #field, template: #template })
    });

    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::ably_auth::__private::AblyRole for #name #ty_generics #where_clause {
            const IDENTITY_FIELDS: &'static [::ably_auth::__private::TemplateField] = &[#(#used),*];

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
    }
}
