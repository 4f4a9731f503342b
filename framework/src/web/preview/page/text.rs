//! The `t` template helper: a translation by key with its `{name}` placeholders filled.

use handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderErrorReason, ScopedJson,
};
use serde_json::Value;

use crate::preview::i18n::placeholders;

/// `{{t "key" name=value …}}`: the text of `key` in the page language (from the `texts`
/// of the root data) with each `{name}` placeholder replaced by the hash value `name`.
/// An unknown key or a placeholder without value is an error.
pub(super) struct TextHelper;

impl HelperDef for TextHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, handlebars::RenderError> {
        let param = h
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex("t", 0))?;
        if param.is_value_missing() {
            return Err(RenderErrorReason::MissingVariable(param.relative_path().cloned()).into());
        }
        let key = param.value().as_str().ok_or_else(|| {
            RenderErrorReason::Other("`t` needs a text key (a string) as first parameter".into())
        })?;
        let text = ctx
            .data()
            .get("texts")
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .ok_or_else(|| RenderErrorReason::Other(format!("no text for key `{key}`")))?;
        let mut out = text.to_owned();
        for name in placeholders(text) {
            let value = h.hash_get(name).ok_or_else(|| {
                RenderErrorReason::Other(format!(
                    "text `{key}` needs `{name}=…` (placeholder {{{name}}})"
                ))
            })?;
            if value.is_value_missing() {
                return Err(
                    RenderErrorReason::MissingVariable(value.relative_path().cloned()).into(),
                );
            }
            let value = match value.value() {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            out = out.replace(&format!("{{{name}}}"), &value);
        }
        Ok(ScopedJson::Derived(Value::String(out)))
    }
}
