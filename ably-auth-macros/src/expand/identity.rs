//! `#[derive(AblyIdentity)]`: the impl for a validated user struct.

use super::types;
use crate::internals::identity::{Identity, Marked};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Type, parse_quote_spanned};

/// Adds `ty: bound` to the impl's where-clause when `ty` mentions one of the type parameters.
fn require(generics: &mut syn::Generics, params: &[Ident], ty: &Type, bound: &TokenStream) {
    if types::mentions(ty, params) {
        generics
            .make_where_clause()
            .predicates
            .push(parse_quote_spanned!(ty.span()=> #ty: #bound));
    }
}

/// The `AblyIdentity` impl of `input`, validated as `identity`.
pub fn expand(input: &DeriveInput, identity: Identity) -> TokenStream {
    let name = &input.ident;
    let Identity {
        client_id,
        role,
        used,
        rules,
        ttl,
    } = identity;
    let params = types::type_params(&input.generics);
    let mut generics = input.generics.clone();
    let display = quote!(::ably_auth::__private::Display);
    let role_bound = quote!(::ably_auth::__private::AblyRole);

    let (id_field, id_ty) = (client_id.ident, client_id.ty);
    let client_id_expr = match types::option_inner(id_ty) {
        Some(inner) => {
            require(&mut generics, &params, inner, &display);
            quote_spanned!(id_ty.span()=>
                ::ably_auth::__private::OptionalClientId(&self.#id_field).to_client_id()?)
        }
        None => {
            require(&mut generics, &params, id_ty, &display);
            quote_spanned!(id_ty.span()=>
                ::ably_auth::__private::IntoClientId::to_client_id(&self.#id_field)?)
        }
    };

    let role_expr = match &role {
        Some(Marked { ident, ty }) if types::option_inner(ty).is_some() => {
            let inner = types::option_inner(ty).expect("checked");
            require(&mut generics, &params, inner, &role_bound);
            quote_spanned!(ty.span()=>
            ::ably_auth::__private::Option::map(
                ::ably_auth::__private::Option::as_ref(&self.#ident),
                ::ably_auth::__private::role_of,
            ))
        }
        Some(Marked { ident, ty }) => {
            require(&mut generics, &params, ty, &role_bound);
            quote_spanned!(ty.span()=>
                ::ably_auth::__private::Some(::ably_auth::__private::role_of(&self.#ident)))
        }
        None => quote!(::ably_auth::__private::None),
    };

    let field_arms: Vec<TokenStream> = used
        .iter()
        .map(|f| {
            let ident = f.ident.as_ref().expect("named field");
            let text = ident.to_string();
            let ty = &f.ty;
            let value = match types::option_inner(ty) {
                Some(inner) => {
                    require(&mut generics, &params, inner, &display);
                    quote_spanned!(ty.span()=>
                        ::ably_auth::__private::OptionalValue(&self.#ident).template_value())
                }
                None => {
                    require(&mut generics, &params, ty, &display);
                    quote_spanned!(ty.span()=>
                        ::ably_auth::__private::TemplateValue::template_value(&self.#ident))
                }
            };
            quote!(#text => #value,)
        })
        .collect();
    let field_fn = if field_arms.is_empty() {
        quote!(&|_: &str| ::ably_auth::__private::None)
    } else {
        quote!(&|__ably_field: &str| -> ::ably_auth::__private::Option<::ably_auth::__private::String> {
            match __ably_field {
                #(#field_arms)*
                _ => ::ably_auth::__private::None,
            }
        })
    };

    let rules = super::rules_table(&rules);
    let ttl = match ttl {
        Some(ms) => {
            quote!(::ably_auth::__private::Some(::ably_auth::__private::Duration::from_millis(#ms)))
        }
        None => quote!(::ably_auth::__private::None),
    };

    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::ably_auth::__private::AblyIdentity for #name #ty_generics #where_clause {
            fn ably_grant(&self) -> ::ably_auth::__private::Result<::ably_auth::__private::Grant> {
                static RULES: &[::ably_auth::__private::GrantRule] = #rules;
                ::ably_auth::__private::issue(
                    #client_id_expr,
                    RULES,
                    #ttl,
                    #role_expr,
                    #field_fn,
                )
            }
        }
    }
}
