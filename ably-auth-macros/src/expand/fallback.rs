//! After an error, the derives still emit an impl of the trait whose body can't run, so the
//! author sees the derive's own errors and no "trait not implemented" errors besides.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub fn identity(input: &DeriveInput, errors: TokenStream) -> TokenStream {
    let name = &input.ident;
    let text = name.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors
        #[automatically_derived]
        impl #impl_generics ::ably_auth::__private::AblyIdentity for #name #ty_generics #where_clause {
            fn ably_grant(&self) -> ::ably_auth::__private::Result<::ably_auth::__private::Grant> {
                ::ably_auth::__private::Err(::ably_auth::__private::derive_failed(#text))
            }
        }
    }
}

pub fn role(input: &DeriveInput, errors: TokenStream) -> TokenStream {
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #errors
        #[automatically_derived]
        impl #impl_generics ::ably_auth::__private::AblyRole for #name #ty_generics #where_clause {
            fn ably_rules(&self) -> &'static [::ably_auth::__private::GrantRule] {
                &[]
            }
        }
    }
}
