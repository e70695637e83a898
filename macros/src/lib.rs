//! Attribute macros of the GraphQL layer.
//!
//! async-graphql reads a field's arguments from the resolver's parameters and cannot flatten a
//! struct into them, so without help every connection field repeats the four Relay arguments
//! (`first`, `after`, `last`, `before`), their descriptions and the page-size cost, and the
//! copies drift. [`macro@relay_pages`] writes them from one definition.

use proc_macro::TokenStream;
use quote::quote;
use syn::{FnArg, ImplItem, ItemImpl, Pat, Type, parse_macro_input, parse_quote};

/// Put above `#[Object]` (or `#[ComplexObject]`) on an impl block. In every resolver of the
/// block, a parameter typed `RelayPage` (say `page: RelayPage`) becomes the four Relay arguments
/// at its place in the argument list, each with its description, and `page` is bound to them
/// at the start of the body; the field's cost becomes its page size times its selection
/// (`page_cost`). A resolver without such a parameter is left as it is.
#[proc_macro_attribute]
pub fn relay_pages(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "relay_pages takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let mut block = parse_macro_input!(item as ItemImpl);
    for item in &mut block.items {
        if let ImplItem::Fn(f) = item
            && let Err(e) = expand(f)
        {
            return e.to_compile_error().into();
        }
    }
    quote!(#block).into()
}

fn is_relay_page(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "RelayPage"))
}

fn expand(f: &mut syn::ImplItemFn) -> syn::Result<()> {
    let Some(at) = f
        .sig
        .inputs
        .iter()
        .position(|a| matches!(a, FnArg::Typed(t) if is_relay_page(&t.ty)))
    else {
        return Ok(());
    };
    let inputs: Vec<FnArg> = std::mem::take(&mut f.sig.inputs).into_iter().collect();
    let FnArg::Typed(page) = &inputs[at] else {
        unreachable!("position matched a typed argument")
    };
    let Pat::Ident(name) = &*page.pat else {
        return Err(syn::Error::new_spanned(
            &page.pat,
            "a RelayPage parameter needs a plain name",
        ));
    };
    let name = name.ident.clone();
    let ty = page.ty.clone();
    let relay: [FnArg; 4] = [
        parse_quote!(#[graphql(desc = "Page size, 0–100 (default 20).")] first: Option<i32>),
        parse_quote!(#[graphql(desc = "Cursor after which the page starts.")] after: Option<String>),
        parse_quote!(#[graphql(desc = "Page size counted from the end, 0–100 (instead of first).")] last: Option<i32>),
        parse_quote!(#[graphql(desc = "Cursor before which the page ends.")] before: Option<String>),
    ];
    for (k, arg) in inputs.into_iter().enumerate() {
        if k == at {
            f.sig.inputs.extend(relay.iter().cloned());
        } else {
            f.sig.inputs.push(arg);
        }
    }
    f.attrs.push(parse_quote!(#[graphql(
        complexity = "crate::graphql::kernel::cost::page_cost(first, last, child_complexity)"
    )]));
    let body = &f.block;
    f.block = parse_quote!({
        let #name: #ty = #ty { first, after, last, before };
        #body
    });
    Ok(())
}
