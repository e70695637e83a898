//! Query cost, as the large commerce APIs count it: every field costs 1, and a connection costs
//! its page size (`first` or `last`, default 20) times what one of its items asks for, plus 1.
//! A query above the limit is refused before anything runs, with its cost and the limit; every
//! answer reports what the query cost in `extensions.cost`.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Value, Variables};

use crate::error::ErrorCode;
use crate::service::kernel::page::{DEFAULT_PAGE, MAX_PAGE};

/// The cost of a connection field: its page size times the cost of one item, plus the field.
pub fn page_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .map_or(DEFAULT_PAGE, |n| n.clamp(0, MAX_PAGE as i32) as usize);
    size.max(1)
        .saturating_mul(child_complexity)
        .saturating_add(1)
}

/// The schema's one extension: the input guard once the request is parsed (whatever the
/// transport: POST, GET, WebSocket subscriptions), then the cost limit and its report. One
/// extension, not two, because async-graphql runs every resolved field through each extension
/// in the chain (a boxed future apiece), so each extension costs something on every field.
pub struct QueryCost {
    pub max: usize,
}

impl ExtensionFactory for QueryCost {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostOfRequest {
            max: self.max,
            cost: Mutex::new(None),
        })
    }
}

struct CostOfRequest {
    max: usize,
    cost: Mutex<Option<usize>>,
}

#[async_trait::async_trait]
impl Extension for CostOfRequest {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        super::input_guard::check(&doc, variables)
            .map_err(super::input_guard::Refusal::into_server_error)?;
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Ok(mut cost) = self.cost.lock() {
            *cost = Some(result.complexity);
        }
        if result.complexity > self.max {
            let mut err = ServerError::new(
                format!(
                    "the query costs {}, above the limit of {}: ask for fewer fields or smaller pages",
                    result.complexity, self.max
                ),
                None,
            );
            let ext = err.extensions.get_or_insert_with(Default::default);
            ext.set("code", ErrorCode::BadUserInput.as_str());
            ext.set("cost", result.complexity as u64);
            ext.set("maxCost", self.max as u64);
            return Err(vec![err]);
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        if let Some(cost) = self.cost.lock().ok().and_then(|c| *c) {
            response
                .extensions
                .insert("cost".into(), Value::from(cost as u64));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_costs_its_page_times_an_item() {
        assert_eq!(page_cost(Some(50), None, 4), 201);
        assert_eq!(page_cost(None, Some(10), 3), 31);
        assert_eq!(page_cost(None, None, 2), 41, "default page of 20");
        assert_eq!(page_cost(Some(1000), None, 1), 101, "pages are at most 100");
        assert_eq!(
            page_cost(Some(0), None, 5),
            6,
            "an empty page still costs the field"
        );
    }
}
