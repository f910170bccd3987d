//! `include=group,addresses` on partner customers: the relationships get full linkage and the
//! related resources go to `included`, each once (one query per kind, for the whole page).

use std::collections::HashMap;

use super::resource::partner_resource;
use super::service::PartnerView;
use crate::addresses::resource::{self as address_resource, with_addresses};
use crate::addresses::service as addresses_service;
use crate::customers::model::Customer;
use crate::error::ApiError;
use crate::groups::{repo as groups_repo, resource::group_resource};
use crate::jsonapi::{Document, QueryParams, Resource};
use crate::state::AppState;

/// The resources of `views`, and what to include (`None`: nothing was asked for).
pub async fn resolve(
    state: &AppState,
    views: Vec<PartnerView>,
    query: &QueryParams,
) -> Result<(Vec<Resource>, Option<Vec<Resource>>), ApiError> {
    let public_url = state.settings.server.public_url.clone();
    let (want_group, want_addresses) = (query.includes("group"), address_resource::wanted(query));
    let mut resources: Vec<Resource> = views
        .iter()
        .map(|v| partner_resource(&v.customer, v.group_key.as_deref(), &public_url))
        .collect();
    if !(want_group || want_addresses) {
        return Ok((resources, None));
    }
    let customers: Vec<Customer> = views.into_iter().map(|v| v.customer).collect();
    let (groups, mut addresses) = state
        .db
        .read(move |conn| {
            let group_ids: Vec<i32> = customers.iter().filter_map(|c| c.group_id).collect();
            let groups = if want_group {
                groups_repo::find_by_ids(conn, &group_ids)?
            } else {
                Vec::new()
            };
            let addresses = if want_addresses {
                let refs: Vec<&Customer> = customers.iter().collect();
                addresses_service::list_for(conn, &refs)?
                    .into_iter()
                    .map(|(id, list)| {
                        let reference = customers
                            .iter()
                            .find(|c| c.id == id)
                            .map(|c| c.customer_reference.clone());
                        (reference.unwrap_or_default(), list)
                    })
                    .collect::<HashMap<_, _>>()
            } else {
                HashMap::new()
            };
            Ok((groups, addresses))
        })
        .await?;
    let mut included: Vec<Resource> = groups
        .iter()
        .map(|g| group_resource(g, &public_url))
        .collect();
    if want_addresses {
        resources = resources
            .into_iter()
            .map(|resource| {
                let list = addresses.remove(&resource.id).unwrap_or_default();
                let (resource, mut related) = with_addresses(resource, &list, &public_url);
                included.append(&mut related);
                resource
            })
            .collect();
    }
    Ok((resources, Some(included)))
}

/// `included` when the request asked for it (JSON:API 1.1: then always, `[]` when empty).
pub fn attach(document: Document, included: Option<Vec<Resource>>) -> Document {
    match included {
        Some(resources) => document.with_included(resources),
        None => document,
    }
}
