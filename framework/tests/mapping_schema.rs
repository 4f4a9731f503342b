//! The published JSON Schema (`docs/mapping-file.schema.json`, for editor completion)
//! must accept every mapping file we ship and stay in step with the loader: each shipped
//! file is validated against it here, and a key the loader does not know is refused by both.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            &root["$defs"][name]
        }
        None => schema,
    }
}

/// A small validator for the keywords the schema uses.
fn validate(root: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(root, schema);
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            errors.push(format!("{at}: {v} not one of {options:?}"));
        }
        return;
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let Some(obj) = v.as_object() else {
                errors.push(format!("{at}: expected an object"));
                return;
            };
            for r in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let r = r.as_str().unwrap_or_default();
                if !obj.contains_key(r) {
                    errors.push(format!("{at}: missing `{r}`"));
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, val) in obj {
                if let Some(names) = schema.get("propertyNames") {
                    validate(
                        root,
                        names,
                        &Value::String(k.clone()),
                        &format!("{at}.{k}(name)"),
                        errors,
                    );
                }
                match (
                    props.and_then(|p| p.get(k)),
                    schema.get("additionalProperties"),
                ) {
                    (Some(s), _) => validate(root, s, val, &format!("{at}.{k}"), errors),
                    (None, Some(Value::Bool(false))) => {
                        errors.push(format!("{at}: unknown key `{k}`"))
                    }
                    (None, Some(s)) if s.is_object() => {
                        validate(root, s, val, &format!("{at}.{k}"), errors)
                    }
                    _ => {}
                }
            }
        }
        Some("array") => {
            let Some(items) = v.as_array() else {
                errors.push(format!("{at}: expected a list"));
                return;
            };
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(root, s, item, &format!("{at}[{i}]"), errors);
                }
            }
        }
        Some("string") if !v.is_string() => errors.push(format!("{at}: expected text")),
        Some("boolean") if !v.is_boolean() => errors.push(format!("{at}: expected true/false")),
        _ => {}
    }
}

fn mapping_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if p.is_dir() && name != "state" && name != "golden" && name != "templates" {
            mapping_files(&p, out);
        } else if (name.ends_with(".yaml") || name.ends_with(".yml")) && name != "adapter.yaml" {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            if text.contains("evidence_type:") {
                out.push(p);
            }
        }
    }
}

#[test]
fn every_shipped_mapping_file_passes_the_published_schema() {
    let root: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("docs/mapping-file.schema.json")).unwrap(),
    )
    .unwrap();
    let mut files = Vec::new();
    mapping_files(&workspace().join("examples"), &mut files);
    mapping_files(&workspace().join("mappings"), &mut files);
    assert!(!files.is_empty());
    for f in files {
        let v: Value = serde_saphyr::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let mut errors = Vec::new();
        validate(&root, &root, &v, "", &mut errors);
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
}

#[test]
fn the_schema_refuses_what_the_loader_refuses() {
    let root: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("docs/mapping-file.schema.json")).unwrap(),
    )
    .unwrap();
    let text = std::fs::read_to_string(
        workspace().join("examples/quickstart/mappings/birth-certificate.yaml"),
    )
    .unwrap();
    // (edit, refused by the YAML model itself; else refused by the load-time checks, OEA-E0108)
    for (from, to, by_model) in [
        ("identity:", "identiti:", true),
        (
            "  FamilyName: [family_name, birth_name]",
            "  Surname: family_name",
            true,
        ),
        (
            "    - format: application/pdf",
            "    - format: application/msword",
            false,
        ),
    ] {
        let bad = text.replacen(from, to, 1);
        let v: Value = serde_saphyr::from_str(&bad).unwrap();
        let mut errors = Vec::new();
        validate(&root, &root, &v, "", &mut errors);
        assert!(!errors.is_empty(), "schema accepted `{to}`");
        assert_eq!(
            serde_saphyr::from_str::<oots_framework::mapping::MappingFile>(&bad).is_err(),
            by_model,
            "`{to}`"
        );
    }
}
