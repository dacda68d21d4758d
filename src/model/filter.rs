//! MLflow's trace search grammar, parsed in Rust: AND-joined comparisons such as
//! `attributes.status = 'ERROR' AND tags.env LIKE 'pr%' AND metadata.`mlflow.trace.user` = 'alice'`.
//! A bad filter gets an error that points at the column. (Local evaluation builds on this AST.)

use std::fmt;

/// A trace attribute (`attributes.<key>`, `trace.<key>`, or a bare key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    Status,
    TimestampMs,
    ExecutionTimeMs,
    EndTimeMs,
    RequestId,
    ClientRequestId,
    Name,
    RunId,
    Prompt,
    Text,
}

impl Attribute {
    fn parse(key: &str) -> Option<Self> {
        Some(match key {
            "status" => Attribute::Status,
            "timestamp_ms" | "timestamp" => Attribute::TimestampMs,
            "execution_time_ms" | "execution_time" => Attribute::ExecutionTimeMs,
            "end_time_ms" | "end_time" => Attribute::EndTimeMs,
            "request_id" => Attribute::RequestId,
            "client_request_id" => Attribute::ClientRequestId,
            "name" => Attribute::Name,
            "run_id" => Attribute::RunId,
            "prompt" => Attribute::Prompt,
            "text" => Attribute::Text,
            _ => return None,
        })
    }
    fn is_numeric(self) -> bool {
        matches!(
            self,
            Attribute::TimestampMs | Attribute::ExecutionTimeMs | Attribute::EndTimeMs
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanField {
    Name,
    Type,
    Status,
    Content,
    Attribute(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Attribute(Attribute),
    Tag(String),
    Metadata(String),
    Span(SpanField),
    Feedback(String),
    Expectation(String),
    Issue(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    ILike,
    RLike,
    In,
    NotIn,
    IsNull,
    IsNotNull,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Like => "LIKE",
            Op::ILike => "ILIKE",
            Op::RLike => "RLIKE",
            Op::In => "IN",
            Op::NotIn => "NOT IN",
            Op::IsNull => "IS NULL",
            Op::IsNotNull => "IS NOT NULL",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Num(f64),
    List(Vec<Value>),
    /// For IS NULL / IS NOT NULL.
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub field: Field,
    pub op: Op,
    pub value: Value,
    /// 1-based column of the clause in the filter text.
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub clauses: Vec<Clause>,
}

/// A filter that cannot be parsed: what is wrong and at which column (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for FilterError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError {
        column,
        message: message.into(),
    })
}

impl Lexer {
    /// Tokens with their 1-based columns.
    fn tokens(text: &str) -> Result<Vec<(Tok, usize)>, FilterError> {
        let mut lx = Lexer {
            chars: text.chars().collect(),
            pos: 0,
        };
        let mut out = Vec::new();
        while let Some(&c) = lx.chars.get(lx.pos) {
            let col = lx.pos + 1;
            if c.is_whitespace() {
                lx.pos += 1;
                continue;
            }
            let tok =
                match c {
                    '(' => {
                        lx.pos += 1;
                        Tok::LParen
                    }
                    ')' => {
                        lx.pos += 1;
                        Tok::RParen
                    }
                    ',' => {
                        lx.pos += 1;
                        Tok::Comma
                    }
                    '\'' | '"' => Tok::Str(lx.string(c)?),
                    '=' => {
                        lx.pos += 1;
                        Tok::Op("=")
                    }
                    '!' if lx.peek(1) == Some('=') => {
                        lx.pos += 2;
                        Tok::Op("!=")
                    }
                    '<' if lx.peek(1) == Some('=') => {
                        lx.pos += 2;
                        Tok::Op("<=")
                    }
                    '<' if lx.peek(1) == Some('>') => {
                        lx.pos += 2;
                        Tok::Op("!=")
                    }
                    '<' => {
                        lx.pos += 1;
                        Tok::Op("<")
                    }
                    '>' if lx.peek(1) == Some('=') => {
                        lx.pos += 2;
                        Tok::Op(">=")
                    }
                    '>' => {
                        lx.pos += 1;
                        Tok::Op(">")
                    }
                    c if c.is_ascii_digit()
                        || (c == '-' && lx.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                    {
                        let start = lx.pos;
                        lx.pos += 1;
                        while lx.chars.get(lx.pos).is_some_and(|d| {
                            d.is_ascii_digit() || *d == '.' || *d == 'e' || *d == 'E'
                        }) {
                            lx.pos += 1;
                        }
                        let s: String = lx.chars[start..lx.pos].iter().collect();
                        match s.parse::<f64>() {
                            Ok(n) => Tok::Num(n),
                            Err(_) => return err(col, format!("{s:?} is not a number")),
                        }
                    }
                    c if c.is_alphanumeric() || c == '_' || c == '`' => Tok::Ident(lx.ident()?),
                    other => return err(col, format!("unexpected {other:?}")),
                };
            out.push((tok, col));
        }
        Ok(out)
    }

    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    /// A quoted string; the quote doubled inside it stands for itself (SQL style).
    fn string(&mut self, quote: char) -> Result<String, FilterError> {
        let col = self.pos + 1;
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.chars.get(self.pos) {
                None => return err(col, "this string has no closing quote"),
                Some(&c) if c == quote => {
                    if self.peek(1) == Some(quote) {
                        s.push(quote);
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                        return Ok(s);
                    }
                }
                Some(&c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// A dotted identifier whose parts may be back-quoted: tags.`mlflow.traceName`.
    /// Back-quoted parts keep their dots; the result marks them with \u{0} separators.
    fn ident(&mut self) -> Result<String, FilterError> {
        let mut s = String::new();
        loop {
            match self.chars.get(self.pos) {
                Some('`') => {
                    let col = self.pos + 1;
                    self.pos += 1;
                    let mut part = String::new();
                    loop {
                        match self.chars.get(self.pos) {
                            None => return err(col, "this `key` has no closing back-quote"),
                            Some('`') => {
                                self.pos += 1;
                                break;
                            }
                            Some(&c) => {
                                part.push(c);
                                self.pos += 1;
                            }
                        }
                    }
                    s.push('\u{0}');
                    s.push_str(&part);
                    s.push('\u{0}');
                }
                Some(&c) if c.is_alphanumeric() || c == '_' || c == '.' || c == '-' => {
                    s.push(c);
                    self.pos += 1;
                }
                _ => return Ok(s),
            }
        }
    }
}

/// Splits `entity.key` at the first dot outside back-quotes; back-quotes are dropped.
fn split_field(raw: &str) -> (String, Option<String>) {
    let mut quoted = false;
    for (i, c) in raw.char_indices() {
        match c {
            '\u{0}' => quoted = !quoted,
            '.' if !quoted => {
                let clean = |s: &str| s.replace('\u{0}', "");
                return (clean(&raw[..i]), Some(clean(&raw[i + 1..])));
            }
            _ => {}
        }
    }
    (raw.replace('\u{0}', ""), None)
}

fn field_of(raw: &str, column: usize) -> Result<Field, FilterError> {
    let (entity, key) = split_field(raw);
    let lower = entity.to_ascii_lowercase();
    let need_key = |key: Option<String>| match key {
        Some(k) if !k.is_empty() => Ok(k),
        _ => err(
            column,
            format!("{entity:?} needs a key after a dot, like {entity}.`my.key`"),
        ),
    };
    match (lower.as_str(), key) {
        ("attribute" | "attributes" | "trace", Some(k)) => Attribute::parse(&k)
            .map(Field::Attribute)
            .ok_or_else(|| FilterError { column, message: format!("unknown trace attribute {k:?}; one of: status, timestamp_ms, execution_time_ms, end_time_ms, request_id, client_request_id, name, run_id, prompt, text") }),
        ("tag" | "tags", k) => Ok(Field::Tag(need_key(k)?)),
        ("metadata" | "request_metadata", k) => Ok(Field::Metadata(need_key(k)?)),
        ("feedback", k) => Ok(Field::Feedback(need_key(k)?)),
        ("expectation", k) => Ok(Field::Expectation(need_key(k)?)),
        ("issue", k) => Ok(Field::Issue(need_key(k)?)),
        ("span", k) => {
            let k = need_key(k)?;
            let (head, rest) = split_field(&k);
            Ok(Field::Span(match (head.as_str(), rest) {
                ("name", None) => SpanField::Name,
                ("type", None) => SpanField::Type,
                ("status", None) => SpanField::Status,
                ("content", None) => SpanField::Content,
                ("attributes" | "attribute", Some(a)) if !a.is_empty() => SpanField::Attribute(a),
                _ => return err(column, format!("unknown span field {k:?}; one of: span.name, span.type, span.status, span.content, span.attributes.<key>")),
            }))
        }
        // MLflow refuses a bare `text` ("Invalid clause(s)"): only trace.text searches spans
        ("text", None) => err(
            column,
            "a bare text is not a field MLflow accepts; search the trace's text with trace.text LIKE '%word%'",
        ),
        (_, None) => Attribute::parse(&lower)
            .map(Field::Attribute)
            .ok_or_else(|| FilterError { column, message: format!("unknown field {entity:?}; use attributes.<key>, tags.<key>, metadata.<key>, span.<field>, feedback.<name> or expectation.<name>") }),
        (_, Some(_)) => err(column, format!("unknown entity {entity:?}; one of: attributes, tags, metadata, span, feedback, expectation, issue")),
    }
}

fn allowed(field: &Field, op: Op) -> bool {
    use Op::*;
    match field {
        Field::Attribute(Attribute::Text) | Field::Span(SpanField::Content) => {
            matches!(op, Like | ILike)
        }
        Field::Attribute(Attribute::Prompt) => op == Eq,
        Field::Attribute(a) if a.is_numeric() => matches!(op, Eq | Ne | Lt | Le | Gt | Ge),
        Field::Attribute(_) | Field::Span(_) => {
            matches!(op, Eq | Ne | In | NotIn | Like | ILike | RLike)
        }
        Field::Tag(_) | Field::Metadata(_) => {
            matches!(op, Eq | Ne | Like | ILike | RLike | IsNull | IsNotNull)
        }
        Field::Feedback(_) | Field::Expectation(_) => matches!(
            op,
            Eq | Ne | Like | ILike | RLike | IsNull | IsNotNull | Lt | Le | Gt | Ge
        ),
        Field::Issue(_) => op == Eq,
    }
}

/// Parses a filter. An empty text is no filter.
pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let toks = Lexer::tokens(text)?;
    let end_col = text.chars().count() + 1;
    let mut i = 0;
    let mut clauses = Vec::new();
    let kw = |t: &Tok, w: &str| matches!(t, Tok::Ident(s) if s.eq_ignore_ascii_case(w));
    while i < toks.len() {
        let (tok, col) = &toks[i];
        let Tok::Ident(raw) = tok else {
            return err(
                *col,
                "expected a field such as attributes.status or tags.<key>",
            );
        };
        let field = field_of(raw, *col)?;
        i += 1;
        let (op_tok, op_col) = toks.get(i).cloned().unwrap_or((Tok::Comma, end_col));
        let op = match &op_tok {
            Tok::Op(o) => match *o {
                "=" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                _ => Op::Ge,
            },
            t if kw(t, "LIKE") => Op::Like,
            t if kw(t, "ILIKE") => Op::ILike,
            t if kw(t, "RLIKE") => Op::RLike,
            t if kw(t, "IN") => Op::In,
            t if kw(t, "NOT") && toks.get(i + 1).is_some_and(|(t, _)| kw(t, "IN")) => {
                i += 1;
                Op::NotIn
            }
            t if kw(t, "IS") => {
                let not = toks.get(i + 1).is_some_and(|(t, _)| kw(t, "NOT"));
                let null_at = if not { i + 2 } else { i + 1 };
                if !toks.get(null_at).is_some_and(|(t, _)| kw(t, "NULL")) {
                    return err(op_col, "expected IS NULL or IS NOT NULL");
                }
                i = null_at;
                if not { Op::IsNotNull } else { Op::IsNull }
            }
            _ => {
                return err(
                    op_col,
                    "expected a comparison: = != < <= > >= LIKE ILIKE RLIKE IN NOT IN IS NULL IS NOT NULL",
                );
            }
        };
        i += 1;
        if !allowed(&field, op) {
            return err(
                op_col,
                format!(
                    "{} cannot be used with {raw_field}",
                    op.as_str(),
                    raw_field = raw.replace('\u{0}', "`")
                ),
            );
        }
        let value = match op {
            Op::IsNull | Op::IsNotNull => Value::None,
            Op::In | Op::NotIn => {
                let (t, c) = toks.get(i).cloned().unwrap_or((Tok::Comma, end_col));
                if t != Tok::LParen {
                    return err(c, "IN needs a list in parentheses, like ('OK', 'ERROR')");
                }
                i += 1;
                let mut items = Vec::new();
                loop {
                    match toks.get(i).cloned() {
                        Some((Tok::Str(s), _)) => items.push(Value::Str(s)),
                        Some((Tok::Num(n), _)) => items.push(Value::Num(n)),
                        Some((_, c)) => return err(c, "expected a quoted value in the list"),
                        None => return err(end_col, "the list has no closing parenthesis"),
                    }
                    i += 1;
                    match toks.get(i).cloned() {
                        Some((Tok::Comma, _)) => i += 1,
                        Some((Tok::RParen, _)) => {
                            i += 1;
                            break;
                        }
                        Some((_, c)) => return err(c, "expected , or ) in the list"),
                        None => return err(end_col, "the list has no closing parenthesis"),
                    }
                }
                Value::List(items)
            }
            _ => match toks.get(i).cloned() {
                Some((Tok::Str(s), c)) => {
                    if matches!(field, Field::Attribute(a) if a.is_numeric()) {
                        return err(
                            c,
                            "this field is a number: compare it with a number, without quotes",
                        );
                    }
                    i += 1;
                    Value::Str(s)
                }
                Some((Tok::Num(n), _)) => {
                    i += 1;
                    Value::Num(n)
                }
                Some((_, c)) => return err(c, "expected a value: 'text' in quotes, or a number"),
                None => return err(end_col, "expected a value after the comparison"),
            },
        };
        clauses.push(Clause {
            field,
            op,
            value,
            column: *col,
        });
        match toks.get(i) {
            None => break,
            Some((t, _)) if kw(t, "AND") => {
                i += 1;
                if i >= toks.len() {
                    return err(end_col, "AND needs a clause after it");
                }
            }
            Some((t, c)) if kw(t, "OR") => {
                return err(
                    *c,
                    "OR is not supported by MLflow's search: join clauses with AND",
                );
            }
            Some((_, c)) => return err(*c, "expected AND between clauses"),
        }
    }
    Ok(Filter { clauses })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Clause {
        let f = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(f.clauses.len(), 1);
        f.clauses.into_iter().next().unwrap()
    }

    #[test]
    fn every_field_kind() {
        assert_eq!(
            one("attributes.status = 'OK'").field,
            Field::Attribute(Attribute::Status)
        );
        assert_eq!(
            one("trace.status = 'OK'").field,
            Field::Attribute(Attribute::Status)
        );
        assert_eq!(
            one("status = 'OK'").field,
            Field::Attribute(Attribute::Status)
        );
        assert_eq!(
            one("timestamp > 5").field,
            Field::Attribute(Attribute::TimestampMs)
        );
        assert_eq!(
            one("attributes.execution_time_ms >= 1.5").value,
            Value::Num(1.5)
        );
        assert_eq!(
            one("name = 'agent'").field,
            Field::Attribute(Attribute::Name)
        );
        assert_eq!(one("tags.env = 'dev'").field, Field::Tag("env".into()));
        assert_eq!(
            one("tags.`mlflow.traceName` = 'x'").field,
            Field::Tag("mlflow.traceName".into())
        );
        assert_eq!(one("tag.`my key` = 'x'").field, Field::Tag("my key".into()));
        assert_eq!(
            one("metadata.mlflow.trace.user = 'a'").field,
            Field::Metadata("mlflow.trace.user".into())
        );
        assert_eq!(
            one("request_metadata.`mlflow.trace.session` = 's'").field,
            Field::Metadata("mlflow.trace.session".into())
        );
        assert_eq!(
            one("span.name LIKE '%tool%'").field,
            Field::Span(SpanField::Name)
        );
        assert_eq!(
            one("span.type IN ('TOOL', 'LLM')").value,
            Value::List(vec![Value::Str("TOOL".into()), Value::Str("LLM".into())])
        );
        assert_eq!(
            one("span.attributes.mlflow.spanType LIKE '%TOOL%'").field,
            Field::Span(SpanField::Attribute("mlflow.spanType".into()))
        );
        assert_eq!(
            one("span.attributes.`model.name` LIKE 'x'").field,
            Field::Span(SpanField::Attribute("model.name".into()))
        );
        assert_eq!(one("trace.text ILIKE '%hello%'").op, Op::ILike);
        assert_eq!(
            one("feedback.correctness = 'true'").field,
            Field::Feedback("correctness".into())
        );
        assert_eq!(one("expectation.answer IS NOT NULL").op, Op::IsNotNull);
        assert_eq!(one("tags.env IS NULL").value, Value::None);
        assert_eq!(one("status NOT IN ('OK')").op, Op::NotIn);
        assert_eq!(one("name RLIKE '^ag'").op, Op::RLike);
        assert_eq!(one("name != \"it''s\"").value, Value::Str("it''s".into()));
        assert_eq!(one("name = 'it''s'").value, Value::Str("it's".into()));
    }

    #[test]
    fn every_operator() {
        let ops = [
            ("timestamp_ms = 1", Op::Eq),
            ("timestamp_ms != 1", Op::Ne),
            ("timestamp_ms <> 1", Op::Ne),
            ("timestamp_ms < 1", Op::Lt),
            ("timestamp_ms <= 1", Op::Le),
            ("timestamp_ms > 1", Op::Gt),
            ("timestamp_ms >= 1", Op::Ge),
            ("name LIKE 'a%'", Op::Like),
            ("name like 'a%'", Op::Like),
            ("name ILIKE 'a%'", Op::ILike),
            ("name RLIKE 'a'", Op::RLike),
            ("status IN ('OK')", Op::In),
            ("status not in ('OK', 'ERROR')", Op::NotIn),
            ("tags.a IS NULL", Op::IsNull),
            ("tags.a is not null", Op::IsNotNull),
            ("feedback.score >= 0.5", Op::Ge),
            ("issue.id = 'i-1'", Op::Eq),
        ];
        for (text, op) in ops {
            assert_eq!(one(text).op, op, "{text}");
        }
        assert_eq!(one("timestamp_ms > -5").value, Value::Num(-5.0));
        assert_eq!(
            one("feedback.score >= 0.5").field,
            Field::Feedback("score".into())
        );
        assert_eq!(one("issue.id = 'i-1'").field, Field::Issue("id".into()));
        assert_eq!(
            one("attributes.client_request_id = 'c'").field,
            Field::Attribute(Attribute::ClientRequestId)
        );
        assert_eq!(
            one("run_id = 'r'").field,
            Field::Attribute(Attribute::RunId)
        );
        assert_eq!(
            one("span.status = 'ERROR'").field,
            Field::Span(SpanField::Status)
        );
        assert_eq!(
            one("span.content ILIKE '%x%'").field,
            Field::Span(SpanField::Content)
        );
        // operators a field does not take
        for bad in [
            "status < 'OK'",
            "tags.a IN ('x')",
            "span.name IS NULL",
            "issue.id LIKE 'x'",
            "prompt LIKE 'p'",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn and_joins_any_case() {
        let f = parse("status = 'OK' and tags.env = 'dev' AND timestamp_ms > 0").unwrap();
        assert_eq!(f.clauses.len(), 3);
        assert_eq!(f.clauses[1].column, 19);
        assert!(parse("").unwrap().clauses.is_empty());
        assert!(parse("   ").unwrap().clauses.is_empty());
    }

    #[test]
    fn errors_point_at_the_column() {
        let e = |t: &str| parse(t).unwrap_err();
        assert_eq!(e("status = 'OK' OR status = 'ERROR'").column, 15);
        assert!(
            e("status = 'OK' OR status = 'ERROR'")
                .message
                .contains("AND")
        );
        assert_eq!(e("attributes.nope = 1").column, 1);
        assert_eq!(e("status == 'OK'").column, 9);
        assert_eq!(e("status = 'OK").column, 10);
        assert!(e("status = 'OK").message.contains("closing quote"));
        assert_eq!(e("timestamp_ms > '5'").column, 16);
        assert_eq!(e("timestamp_ms LIKE 5").column, 14);
        assert_eq!(e("trace.text = 'x'").column, 12);
        // as MLflow 3.17's SearchTraceUtils: a bare `text` is refused, trace.text is not
        assert!(e("text LIKE '%x%'").message.contains("trace.text"));
        assert_eq!(e("text LIKE '%x%'").column, 1);
        assert_eq!(e("status = 'OK' AND").column, 18);
        assert_eq!(e("status").column, 7);
        assert_eq!(e("status IN 'OK'").column, 11);
        assert_eq!(e("status IN ('OK'").column, 16);
        assert_eq!(e("tags. = 'x'").column, 1);
        assert_eq!(e("foo.bar = 'x'").column, 1);
        assert_eq!(e("span.nope = 'x'").column, 1);
        assert_eq!(e("tags.`x = 'y'").column, 6);
        assert_eq!(e("status = 'OK' tags.a = 'b'").column, 15);
        assert_eq!(e("status IS 'x'").column, 8);
        assert!(e("数据 = 'x'").message.contains("unknown field"));
    }
}

// ---------------------------------------------------------------------------------------------
// Local evaluation, with the answers MLflow's stores give.

#[cfg(test)]
use super::keys;
use super::{Span, TraceInfo};

/// Which MLflow store's answers to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// The SQL store (sqlite): every field.
    Sql,
    /// The file store: trace attributes, tags and metadata only.
    File,
}

/// SQL LIKE: `%` any run, `_` one character; case-sensitive as MLflow sets it for sqlite
/// (`PRAGMA case_sensitive_like = true`). Iterative, no backtracking blow-up.
pub fn like(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

fn ilike(pattern: &str, text: &str) -> bool {
    // sqlite's lower() folds ASCII only
    like(&pattern.to_ascii_lowercase(), &text.to_ascii_lowercase())
}

fn rlike(pattern: &str, text: &str) -> bool {
    regex::Regex::new(pattern).is_ok_and(|r| r.is_match(text))
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Num(n) => Some(*n),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Value::Num(n) => n.to_string(),
        _ => String::new(),
    }
}

/// Compares one string with a clause's operator and value.
fn cmp_str(op: Op, value: &Value, s: &str) -> bool {
    match op {
        Op::Eq => s == text_of(value),
        Op::Ne => s != text_of(value),
        Op::Like => like(&text_of(value), s),
        Op::ILike => ilike(&text_of(value), s),
        Op::RLike => rlike(&text_of(value), s),
        Op::In | Op::NotIn => {
            let inside = matches!(value, Value::List(l) if l.iter().any(|v| text_of(v) == s));
            inside == (op == Op::In)
        }
        Op::Lt | Op::Le | Op::Gt | Op::Ge => match (s.parse::<f64>().ok(), num(value)) {
            (Some(a), Some(b)) => cmp_num(op, a, b),
            _ => false,
        },
        Op::IsNull | Op::IsNotNull => false,
    }
}

fn cmp_num(op: Op, a: f64, b: f64) -> bool {
    match op {
        Op::Eq => a == b,
        Op::Ne => a != b,
        Op::Lt => a < b,
        Op::Le => a <= b,
        Op::Gt => a > b,
        Op::Ge => a >= b,
        _ => false,
    }
}

/// A tag or metadata entry: `!=`, LIKE and the rest need the key to be there (a SQL join);
/// IS NULL means it is not.
fn cmp_entry(op: Op, value: &Value, v: Option<&String>) -> bool {
    match (op, v) {
        (Op::IsNull, v) => v.is_none(),
        (Op::IsNotNull, v) => v.is_some(),
        (_, None) => false,
        (op, Some(s)) => cmp_str(op, value, s),
    }
}

impl Filter {
    /// Whether evaluating needs the spans (span filters and `trace.text`).
    pub fn needs_spans(&self) -> bool {
        self.clauses
            .iter()
            .any(|c| matches!(c.field, Field::Span(_) | Field::Attribute(Attribute::Text)))
    }

    /// What a store refuses, in its words.
    pub fn check(&self, store: Store) -> Result<(), FilterError> {
        for c in &self.clauses {
            let refused = match (&c.field, store) {
                (Field::Issue(_), _) | (Field::Attribute(Attribute::Prompt), _) => {
                    Some("this filter is evaluated by tracking servers only")
                }
                (
                    Field::Span(_)
                    | Field::Attribute(Attribute::Text)
                    | Field::Feedback(_)
                    | Field::Expectation(_),
                    Store::File,
                ) => Some(
                    "this filter requires database support; the file store cannot evaluate it (MLflow answers the same)",
                ),
                (Field::Attribute(Attribute::EndTimeMs), Store::File) => {
                    Some("end_time_ms is not supported by the file store")
                }
                // MLflow's file store has no RLIKE (its server answers 500)
                (_, Store::File) if c.op == Op::RLike => {
                    Some("RLIKE is not supported by the file store")
                }
                _ => None,
            };
            if let Some(m) = refused {
                return Err(FilterError {
                    column: c.column,
                    message: m.into(),
                });
            }
        }
        Ok(())
    }

    /// Does this trace match every clause? `spans` is needed when [`Filter::needs_spans`].
    pub fn matches(&self, info: &TraceInfo, spans: Option<&[Span]>) -> bool {
        self.clauses.iter().all(|c| clause_matches(c, info, spans))
    }
}

fn clause_matches(c: &Clause, info: &TraceInfo, spans: Option<&[Span]>) -> bool {
    let (op, v) = (c.op, &c.value);
    match &c.field {
        Field::Attribute(a) => match a {
            Attribute::Status => cmp_str(op, v, info.state.as_str()),
            Attribute::TimestampMs => {
                num(v).is_some_and(|b| cmp_num(op, info.request_time_ms as f64, b))
            }
            Attribute::ExecutionTimeMs => match (info.duration_ms, num(v)) {
                (Some(d), Some(b)) => cmp_num(op, d as f64, b),
                _ => false,
            },
            Attribute::EndTimeMs => match (info.end_time_ms(), num(v)) {
                (Some(e), Some(b)) => cmp_num(op, e as f64, b),
                _ => false,
            },
            Attribute::RequestId => cmp_str(op, v, &info.trace_id),
            Attribute::ClientRequestId => info
                .client_request_id
                .as_deref()
                .is_some_and(|s| cmp_str(op, v, s)),
            Attribute::Name => info.name().is_some_and(|s| cmp_str(op, v, s)),
            Attribute::RunId => info
                .metadata
                .get("mlflow.sourceRun")
                .is_some_and(|s| cmp_str(op, v, s)),
            Attribute::Text => spans.is_some_and(|spans| {
                spans
                    .iter()
                    .any(|s| serde_json::to_string(s).is_ok_and(|json| cmp_str(op, v, &json)))
            }),
            Attribute::Prompt => false,
        },
        Field::Tag(k) => cmp_entry(op, v, info.tags.get(k)),
        Field::Metadata(k) => cmp_entry(op, v, info.metadata.get(k)),
        Field::Span(f) => spans.is_some_and(|spans| {
            spans.iter().any(|s| match f {
                SpanField::Name => cmp_str(op, v, &s.name),
                SpanField::Type => cmp_str(op, v, s.span_type.as_str()),
                SpanField::Status => cmp_str(op, v, s.status.as_str()),
                SpanField::Content => {
                    serde_json::to_string(s).is_ok_and(|json| cmp_str(op, v, &json))
                }
                // stored values are JSON-encoded: `= 'TOOL'` does not match "\"TOOL\"", as in MLflow
                SpanField::Attribute(k) => s.attr(k).is_some_and(|a| cmp_str(op, v, a.raw())),
            })
        }),
        Field::Feedback(name) | Field::Expectation(name) => {
            let kind = if matches!(c.field, Field::Feedback(_)) {
                "feedback"
            } else {
                "expectation"
            };
            let found: Vec<String> = info
                .assessments
                .iter()
                .filter(|a| a.kind == kind && &a.name == name)
                .map(|a| {
                    a.value
                        .as_ref()
                        .map(|x| match x {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .unwrap_or_default()
                })
                .collect();
            match op {
                Op::IsNull => found.is_empty(),
                Op::IsNotNull => !found.is_empty(),
                _ => found.iter().any(|s| cmp_str(op, v, s)),
            }
        }
        Field::Issue(_) => false,
    }
}

#[cfg(test)]
mod eval_tests {
    use super::*;

    #[test]
    fn like_is_sql_like() {
        assert!(like("%tool%", "my tool span"));
        assert!(
            !like("%Tool%", "my tool span"),
            "case-sensitive, as MLflow's sqlite"
        );
        assert!(ilike("%Tool%", "my tool span"));
        assert!(like("a_c", "abc"));
        assert!(!like("a_c", "abbc"));
        assert!(like("%", ""));
        assert!(like("abc", "abc"));
        assert!(!like("abc", "abcd"));
        assert!(like("%a%b%c%", "xxaxxbxxcxx"));
        assert!(rlike("^ag.*t$", "agent"));
        assert!(!rlike("(", "agent"), "a bad regex matches nothing");
    }

    #[test]
    fn trace_level_clauses() {
        let mut info = TraceInfo {
            trace_id: "tr-1".into(),
            request_time_ms: 1000,
            duration_ms: Some(50),
            ..Default::default()
        };
        info.state = crate::model::TraceState::Error;
        info.tags.insert(keys::TRACE_NAME.into(), "agent".into());
        info.tags.insert("env".into(), "prod".into());
        info.metadata
            .insert("mlflow.trace.user".into(), "alice".into());
        let m = |f: &str| parse(f).unwrap().matches(&info, None);
        assert!(m("status = 'ERROR'"));
        assert!(m("attributes.status IN ('OK', 'ERROR')"));
        assert!(!m("status NOT IN ('ERROR')"));
        assert!(m("timestamp_ms >= 1000 AND execution_time_ms < 51"));
        assert!(m("end_time_ms = 1050"));
        assert!(m("name LIKE 'ag%'") && !m("name LIKE 'AG%'") && m("name ILIKE 'AG%'"));
        assert!(m("tags.env = 'prod'") && !m("tags.env != 'prod'"));
        assert!(
            !m("tags.missing != 'x'"),
            "!= needs the key, as a SQL join does"
        );
        assert!(m("tags.missing IS NULL") && m("tags.env IS NOT NULL"));
        assert!(m("metadata.`mlflow.trace.user` = 'alice'"));
        assert!(m("request_id = 'tr-1'"));
        assert!(!m("name = 'agent' AND tags.env = 'dev'"));
    }

    #[test]
    fn the_file_store_refuses_what_mlflow_refuses() {
        assert!(
            parse("span.name = 'x'")
                .unwrap()
                .check(Store::File)
                .is_err()
        );
        assert!(
            parse("trace.text LIKE '%x%'")
                .unwrap()
                .check(Store::File)
                .is_err()
        );
        assert!(parse("span.name = 'x'").unwrap().check(Store::Sql).is_ok());
        assert!(parse("tags.a = 'b'").unwrap().check(Store::File).is_ok());
        assert!(
            parse("name RLIKE '^a'")
                .unwrap()
                .check(Store::File)
                .is_err()
        );
        assert!(parse("name RLIKE '^a'").unwrap().check(Store::Sql).is_ok());
    }
}
