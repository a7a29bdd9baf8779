//! On any error, the original item is emitted beside the error, so call
//! sites and IDEs do not drown in follow-on "cannot find function" errors.

use proc_macro2::TokenStream;
use quote::quote;

/// `error` plus `item` exactly as the user wrote it.
pub(crate) fn with_original(error: &syn::Error, item: &TokenStream) -> TokenStream {
    let error = error.to_compile_error();
    quote! {
        #error
        #item
    }
}
