//! `#[derive(AblyIdentity)]`: the impl for a validated user struct.

use super::types;
use crate::internals::identity::{Identity, Marked};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
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
        fields,
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

    // The identity's own templates: each field must be `Display` (a compile error otherwise).
    let mut field_arms: Vec<TokenStream> = used
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
            quote!(#text => ::ably_auth::__private::Ok(#value),)
        })
        .collect();
    // The role's templates may name any other field: offered through a probe, checked below.
    let role_check = role.as_ref().map(|role| {
        for f in fields
            .iter()
            .filter(|f| !used.iter().any(|u| u.ident == f.ident))
        {
            let ident = f.ident.as_ref().expect("named field");
            let text = ident.to_string();
            let probe = match types::option_inner(&f.ty) {
                Some(_) => quote!(::ably_auth::__private::OptionProbe),
                None => quote!(::ably_auth::__private::FieldProbe),
            };
            field_arms.push(quote!(#text => (&#probe(&self.#ident)).ably_field_value(#text),));
        }
        role_fields_check(
            name,
            role,
            &fields,
            &params,
            !input.generics.params.is_empty(),
        )
    });
    let (free_check, inline_check) = match role_check {
        Some((check, true)) => (quote!(), quote!(const { #check };)),
        Some((check, false)) => (quote!(const _: () = { #check };), quote!()),
        None => (quote!(), quote!()),
    };
    let field_fn = quote!(&|__ably_field: &str| -> ::ably_auth::__private::Result<
        ::ably_auth::__private::Option<::ably_auth::__private::String>,
    > {
        #[allow(unused_imports)]
        use ::ably_auth::__private::{ProbeDisplay as _, ProbeOther as _};
        match __ably_field {
            #(#field_arms)*
            _ => ::ably_auth::__private::Err(::ably_auth::__private::unknown_field(__ably_field)),
        }
    });

    let rules = super::rules_table(&rules);
    let ttl = match ttl {
        Some(ms) => {
            quote!(::ably_auth::__private::Some(::ably_auth::__private::Duration::from_millis(#ms)))
        }
        None => quote!(::ably_auth::__private::None),
    };

    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #free_check
        #[automatically_derived]
        impl #impl_generics ::ably_auth::__private::AblyIdentity for #name #ty_generics #where_clause {
            fn ably_grant(&self) -> ::ably_auth::__private::Result<::ably_auth::__private::Grant> {
                #inline_check
                static RULES: &[::ably_auth::__private::GrantRule] = #rules;
                ::ably_auth::__private::DerivedIdentity {
                    client_id: #client_id_expr,
                    rules: RULES,
                    ttl: #ttl,
                    role: #role_expr,
                    fields: #field_fn,
                }
                .grant()
            }
        }
    }
}

/// The compile-time check that the identity has every field its role's templates name, as a
/// block that panics at const evaluation with the message; and whether it must run inside
/// the impl (the types mention generic parameters, so it can't be a free `const`).
fn role_fields_check(
    identity: &Ident,
    role: &Marked,
    fields: &[&syn::Field],
    params: &[Ident],
    generic: bool,
) -> (TokenStream, bool) {
    let role_ty = types::option_inner(role.ty).unwrap_or(role.ty);
    let role_text = role_ty.to_token_stream().to_string().replace(' ', "");
    let identity_text = identity.to_string();
    let entries = fields.iter().map(|f| {
        let text = f.ident.as_ref().expect("named field").to_string();
        let ty = types::option_inner(&f.ty).unwrap_or(&f.ty);
        if types::mentions(ty, params) {
            // Known only per instance: the probe decides when the grant is issued.
            quote!((#text, true))
        } else {
            quote!((#text, <::ably_auth::__private::IsDisplay<#ty>>::VALUE))
        }
    });
    let check = quote_spanned!(role.ty.span()=>
        #[allow(unused_imports)]
        use ::ably_auth::__private::{NotARole as _, NotDisplay as _};
        if let ::ably_auth::__private::Err(message) = ::ably_auth::__private::check_role_fields(
            #identity_text,
            #role_text,
            &[#(#entries),*],
            <::ably_auth::__private::RoleFields<#role_ty>>::FIELDS,
        ) {
            ::core::panic!("{}", message.as_str())
        }
    );
    (check, generic)
}
