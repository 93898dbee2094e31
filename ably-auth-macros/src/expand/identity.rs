//! `#[derive(AblyIdentity)]`.

use crate::attr::{self, Site};
use crate::err;
use crate::{fallback, types};
use darling::error::Accumulator;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Type, parse_quote_spanned};

/// A field with `#[ably(client_id)]` or `#[ably(role)]`.
struct Marked<'a> {
    ident: &'a Ident,
    ty: &'a Type,
}

/// Adds `ty: bound` to the impl's where-clause when `ty` mentions one of the type parameters.
fn require(generics: &mut syn::Generics, params: &[Ident], ty: &Type, bound: &TokenStream) {
    if types::mentions(ty, params) {
        generics
            .make_where_clause()
            .predicates
            .push(parse_quote_spanned!(ty.span()=> #ty: #bound));
    }
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    crate::run(input, expand, fallback::identity)
}

fn expand(input: &DeriveInput, acc: &mut Accumulator) -> Option<TokenStream> {
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
                        crate::suggest::closest(field, names.iter().map(String::as_str))
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

    let rules = crate::rules_table(attr::merge(attrs.rules));
    let ttl = match attrs.ttl {
        Some((ms, _)) => {
            quote!(::ably_auth::__private::Some(::ably_auth::__private::Duration::from_millis(#ms)))
        }
        None => quote!(::ably_auth::__private::None),
    };

    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    Some(quote! {
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
    })
}
