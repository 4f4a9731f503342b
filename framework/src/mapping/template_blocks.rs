//! Handlebars blocks (`{{#if}}`, `{{#each}}`, …) that are never closed or closed by the
//! wrong tag. The template engine only says which tokens it expected at the end of the
//! file; this names the block and where it was opened, in the template file itself.

/// One block problem: where (1-based line and column in the template) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockProblem {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Unclosed blocks reported for one template, at most.
const MAX_UNCLOSED: usize = 3;

/// An opened block: its helper name, its tag as written and where.
struct Open {
    name: String,
    tag: String,
    line: u64,
    column: u64,
}

/// The unclosed or wrongly closed blocks of `src` (empty when they all pair up).
pub fn problems(src: &str) -> Vec<BlockProblem> {
    let mut stack: Vec<Open> = Vec::new();
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("{{") {
        let at = src.len() - rest.len() + i;
        let tail = &rest[i..];
        if i > 0 && rest.as_bytes()[i - 1] == b'\\' {
            rest = &tail[2..];
            continue;
        }
        let (tag, after) = match tag_at(tail) {
            Some(t) => t,
            None => break,
        };
        rest = &tail[after..];
        let (line, column) = line_col(src, at);
        let inner = tag
            .trim_start_matches('{')
            .trim_end_matches('}')
            .trim_matches('~')
            .trim();
        if let Some(open) = inner
            .strip_prefix('#')
            .or_else(|| inner.strip_prefix('^').filter(|s| !s.trim().is_empty()))
        {
            let open = open.trim_start_matches(['>', '*']).trim_start();
            stack.push(Open {
                name: first_word(open),
                tag: short(tag),
                line,
                column,
            });
        } else if let Some(close) = inner.strip_prefix('/') {
            let name = first_word(close.trim_start());
            match stack.pop() {
                Some(o) if o.name == name => {}
                Some(o) => {
                    out.push(BlockProblem {
                        line,
                        column,
                        message: format!(
                            "`{}` closes the block `{}` opened at {}:{} (write `{{{{/{}}}}}` there, or open `{{{{#{name}}}}}` first)",
                            short(tag),
                            o.tag,
                            o.line,
                            o.column,
                            o.name
                        ),
                    });
                    return out;
                }
                None => {
                    out.push(BlockProblem {
                        line,
                        column,
                        message: format!("`{}` closes a block that was never opened", short(tag)),
                    });
                    return out;
                }
            }
        }
    }
    // The innermost few: a template with thousands of open blocks gets three lines.
    let skip = stack.len().saturating_sub(MAX_UNCLOSED);
    out.extend(stack.into_iter().skip(skip).map(|o| BlockProblem {
        line: o.line,
        column: o.column,
        message: format!(
            "the block `{}` opened at {}:{} is never closed (add `{{{{/{}}}}}`)",
            o.tag, o.line, o.column, o.name
        ),
    }));
    out
}

/// The tag starting at `s` (which begins with `{{`) and the length it spans; comments
/// and raw blocks come back whole so their content is not read as tags.
fn tag_at(s: &str) -> Option<(&str, usize)> {
    let end_of =
        |marker: &str, from: usize| s[from..].find(marker).map(|e| from + e + marker.len());
    let end = if s.starts_with("{{!--") {
        end_of("--}}", 5)?
    } else if s.starts_with("{{{{") {
        // A raw block: everything up to its closing `{{{{/name}}}}` is text.
        let open_end = end_of("}}}}", 4)?;
        let close = s[open_end..].find("{{{{/").map(|e| open_end + e)?;
        let close_end = end_of("}}}}", close)?;
        return Some(("", close_end));
    } else if s.starts_with("{{{") {
        end_of("}}}", 3)?
    } else {
        end_of("}}", 2)?
    };
    if s.starts_with("{{!") {
        return Some(("", end));
    }
    Some((&s[..end], end))
}

fn first_word(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '}' || c == '~')
        .next()
        .unwrap_or("")
        .to_owned()
}

/// A tag as quoted in a message: at most 40 characters.
fn short(tag: &str) -> String {
    if tag.chars().count() <= 40 {
        return tag.to_owned();
    }
    let head: String = tag.chars().take(37).collect();
    format!("{head}…}}}}")
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_col(src: &str, at: usize) -> (u64, u64) {
    let before = &src[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0) as u64
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_block_is_named_with_where_it_opened() {
        let src = "<a>\n  {{#if record.x}}\n  {{#each items}}{{this}}{{/each}}\n</a>\n";
        assert_eq!(
            problems(src),
            vec![BlockProblem {
                line: 2,
                column: 3,
                message:
                    "the block `{{#if record.x}}` opened at 2:3 is never closed (add `{{/if}}`)"
                        .into()
            }]
        );
    }

    #[test]
    fn a_wrong_closing_tag_names_both() {
        let p = problems("{{#each a}}\n{{#if b}}x{{/each}}");
        assert_eq!(p[0].line, 2);
        assert_eq!(
            p[0].message,
            "`{{/each}}` closes the block `{{#if b}}` opened at 2:1 (write `{{/if}}` there, or open `{{#each}}` first)"
        );
    }

    #[test]
    fn comments_raw_blocks_escapes_and_else_are_not_blocks() {
        let src = "{{!-- {{#if x}} --}}{{! {{#each}} }}\\{{#if y}}{{{{raw}}}}{{#if z}}{{{{/raw}}}}\
                   {{#if a}}1{{else}}2{{^}}{{/if}}{{~#each b~}}{{/each}}{{^c}}{{/c}}{{{html}}}";
        assert!(problems(src).is_empty(), "{:?}", problems(src));
    }

    #[test]
    fn hostile_templates_do_not_panic() {
        for src in [
            "{{",
            "}}",
            "{{#",
            "{{/",
            "{{{{raw}}}}",
            "{{!--",
            "é{{#if ü}}ö",
            "\\{{#if",
            "{{#if a}}{{/if",
            &"{{#each x}}".repeat(10_000),
        ] {
            assert!(problems(src).len() <= MAX_UNCLOSED, "{src:.40}");
        }
        assert_eq!(
            problems("é\n  ü{{#if ö}}")
                .first()
                .map(|p| (p.line, p.column)),
            Some((2, 4))
        );
    }
}
