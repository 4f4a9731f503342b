//! Running a lookup (the query's URL, its pages, the records and their fields) and
//! fetching a document, each on one deadline.

use oots_connector::{ConnectorError, Document, Lookup, Record};
use reqwest::StatusCode;
use serde_json::Value as Json;
use tokio::time::Instant;
use url::Url;

use super::connect::Paging;
use super::{RestConnector, join, parse_fields};
use crate::records;
use crate::template::Template;

impl RestConnector {
    /// Runs one lookup until its records are complete or a bound is hit.
    pub(super) async fn run_lookup(
        &self,
        lookup: &Lookup<'_>,
        deadline: Instant,
    ) -> Result<Vec<Record>, ConnectorError> {
        let template = Template::parse(lookup.query)?;
        let first = join(&self.base, &template.render(lookup.params)?)?;
        let fields = parse_fields(lookup.fields)?;
        let max_rows = lookup.limits.max_rows;
        let mut out = Vec::new();
        let mut url = self.page_url(&first, 0);
        let mut page: u32 = 0;
        loop {
            if page >= self.max_pages {
                return Err(ConnectorError::Query(format!(
                    "registry result spans more than {} pages (max_pages)",
                    self.max_pages
                )));
            }
            let fetched = self.get(&url, Some(deadline)).await?;
            if fetched.status == StatusCode::NOT_FOUND {
                break;
            }
            if !fetched.status.is_success() {
                return Err(self.status_error(&fetched));
            }
            let body: Json = if fetched.body.iter().all(u8::is_ascii_whitespace) {
                Json::Null
            } else {
                serde_json::from_slice(&fetched.body)
                    .map_err(|_| ConnectorError::Query("registry response is not JSON".into()))?
            };
            let selected = records::select(self.records.as_ref(), &body);
            let empty = selected.is_empty();
            for r in selected {
                if out.len() >= max_rows {
                    return Err(ConnectorError::TooManyRows(max_rows));
                }
                out.push(records::to_record(r, &fields));
            }
            page += 1;
            url = match &self.paging {
                Paging::None => break,
                Paging::NextLink(path) => match path.first(&body) {
                    Some(Json::String(next)) if !next.is_empty() => {
                        let next = url.join(next).map_err(|_| {
                            ConnectorError::Query("registry next-page link is not a URL".into())
                        })?;
                        if next.origin() != self.base.origin() {
                            return Err(ConnectorError::Query(
                                "registry next-page link points to another host; refused".into(),
                            ));
                        }
                        next
                    }
                    _ => break,
                },
                Paging::Page { .. } if empty => break,
                Paging::Page { .. } => self.page_url(&first, u64::from(page)),
            };
        }
        Ok(out)
    }

    /// The URL of page `index` (0-based) for numbered pagination, else `first` itself.
    fn page_url(&self, first: &Url, index: u64) -> Url {
        let mut url = first.clone();
        if let Paging::Page { param, start, size } = &self.paging {
            let mut q = url.query_pairs_mut();
            q.append_pair(param, &start.saturating_add(index).to_string());
            if let Some((p, s)) = size {
                q.append_pair(p, &s.to_string());
            }
        }
        url
    }

    /// Fetches one document by reference, on the base URL's origin only.
    pub(super) async fn run_fetch(
        &self,
        reference: &str,
        deadline: Instant,
    ) -> Result<Document, ConnectorError> {
        let url = match Url::parse(reference) {
            Ok(abs) => {
                if abs.origin() != self.base.origin() {
                    return Err(ConnectorError::Query(
                        "document reference points to another host than base_url; refused".into(),
                    ));
                }
                abs
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => join(&self.base, reference)?,
            Err(_) => {
                return Err(ConnectorError::Query(
                    "document reference is not a URL or path".into(),
                ));
            }
        };
        let fetched = self.get(&url, Some(deadline)).await?;
        if fetched.status == StatusCode::NOT_FOUND {
            return Err(ConnectorError::Query(
                "document not found (HTTP 404)".into(),
            ));
        }
        if !fetched.status.is_success() {
            return Err(self.status_error(&fetched));
        }
        let media_type = fetched
            .content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or("application/octet-stream")
            .to_ascii_lowercase();
        Ok(Document {
            media_type,
            bytes: fetched.body,
        })
    }
}
