//! The registry connection a mapping reads from, and the queries and paths it is given.

use std::path::Path;

use oots_connector::Connector;

use super::{Loader, Opened};
use crate::diag::{Diagnostic, codes};
use crate::mapping::MappingFile;

impl Loader<'_> {
    /// The mapping's connection: opened on first use and shared by every mapping that
    /// names it, so a registry gets one pool per generation.
    pub(super) async fn open_connection(
        &mut self,
        path: &Path,
        spec: &MappingFile,
    ) -> Option<Opened> {
        let config = self.config;
        let conn_name = &spec.connector.connection.value;
        let Some(cfg) = config.connections.get(conn_name) else {
            self.problems.push(
                Diagnostic::new(
                    path,
                    codes::UNKNOWN_CONNECTION,
                    format!(
                        "connection `{conn_name}` is not declared in {}",
                        config.file.display()
                    ),
                )
                .at_location(spec.connector.connection.referenced)
                .hint(format!(
                    "declare it under `connections:` in adapter.yaml, or use one of: {}",
                    config
                        .connections
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
            return None;
        };
        if let Some(c) = self.connectors.get(conn_name) {
            return Some((c.clone(), cfg.limits()));
        }
        match crate::connector::open(cfg, config.base_dir(), self.mode).await {
            Ok(c) => {
                self.connectors.insert(conn_name.clone(), c.clone());
                Some((c, cfg.limits()))
            }
            Err(e) => {
                self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::CONNECTOR,
                        format!("connection `{conn_name}` cannot be opened: {e}"),
                    )
                    .at_location(spec.connector.connection.referenced),
                );
                None
            }
        }
    }

    /// Every parameter of the query must be bound to a request attribute.
    pub(super) fn check_query(&mut self, c: &dyn Connector, path: &Path, spec: &MappingFile) {
        match c.parameters(&spec.connector.query.value) {
            Ok(params) => {
                for p in params {
                    if !spec.connector.parameters.contains_key(&p)
                        && !spec.connector.classifications.contains_key(&p)
                    {
                        self.problems.push(
                            Diagnostic::new(
                                path,
                                codes::UNBOUND_PARAMETER,
                                format!("query parameter :{p} is not bound to a request attribute"),
                            )
                            .at_location(spec.connector.query.referenced)
                            .hint(format!("connector:\n  parameters:\n    {p}: DateOfBirth")),
                        );
                    }
                }
            }
            Err(e) => self.problems.push(
                Diagnostic::new(path, codes::CONNECTOR, e.to_string())
                    .at_location(spec.connector.query.referenced),
            ),
        }
    }

    /// Blocking passes: every parameter of each pass's query must be bound.
    pub(super) fn check_blocking(&mut self, c: &dyn Connector, path: &Path, spec: &MappingFile) {
        let Some(blocking) = &spec.matching.blocking else {
            return;
        };
        for pass in &blocking.passes {
            let (query, location) = match &pass.query {
                Some(q) => (&q.value, q.referenced),
                None => (&spec.connector.query.value, spec.connector.query.referenced),
            };
            match c.parameters(query) {
                Ok(params) => {
                    for p in params {
                        if !pass.parameters.contains_key(&p)
                            && !spec.connector.classifications.contains_key(&p)
                        {
                            self.problems.push(
                                Diagnostic::new(
                                    path,
                                    codes::UNBOUND_PARAMETER,
                                    format!(
                                        "blocking pass `{}`: query parameter :{p} is not bound to a request key",
                                        pass.name
                                    ),
                                )
                                .at_location(location)
                                .hint(format!("parameters:\n  {p}: FamilyName.cologne")),
                            );
                        }
                    }
                }
                Err(e) => self.problems.push(
                    Diagnostic::new(path, codes::CONNECTOR, e.to_string()).at_location(location),
                ),
            }
        }
    }

    /// Name-frequency queries count the whole registry: they take no parameters.
    pub(super) fn check_frequencies(&mut self, c: &dyn Connector, path: &Path, spec: &MappingFile) {
        let Some(freq) = &spec.matching.frequencies else {
            return;
        };
        let queries = freq
            .queries
            .iter()
            .map(|(a, q)| (a.name(), q))
            .chain(freq.population.iter().map(|q| ("the population", q)));
        for (attribute, query) in queries {
            match c.parameters(&query.value) {
                Ok(params) if params.is_empty() => {}
                Ok(params) => self.problems.push(
                    Diagnostic::new(
                        path,
                        codes::UNBOUND_PARAMETER,
                        format!(
                            "frequencies of {attribute}: the query takes no parameters (it counts the whole registry), found :{}",
                            params.join(", :")
                        ),
                    )
                    .at_location(query.referenced)
                    .hint("SELECT surname AS name, COUNT(*) AS n FROM people GROUP BY surname"),
                ),
                Err(e) => self.problems.push(
                    Diagnostic::new(path, codes::CONNECTOR, e.to_string())
                        .at_location(query.referenced),
                ),
            }
        }
    }

    /// Each record field's path must be one the connector can follow.
    pub(super) fn check_field_paths(&mut self, c: &dyn Connector, path: &Path, spec: &MappingFile) {
        let tree = crate::diag::yaml_tree::Node::read(path);
        for (field, fpath) in &spec.connector.fields {
            if let Err(e) = c.check_path(fpath) {
                let at = tree
                    .as_ref()
                    .and_then(|t| t.pos(&["connector", "fields", field]));
                self.problems.push(
                    Diagnostic::new(path, codes::BAD_PATH, format!("field `{field}`: {e}"))
                        .at_pos(at)
                        .hint("a column name (sql), a JSONPath like $.person.name (rest), or a dotted path (files)"),
                );
            }
        }
    }
}
