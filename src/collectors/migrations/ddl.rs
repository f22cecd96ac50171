//! The schema a migration file declares: its `CREATE … CONSTRAINT|INDEX` and `DROP …` statements,
//! in every syntax of Neo4j 4.4, 5 and the releases after, read into typed objects. A schema
//! statement this parser does not follow is kept as unparsed, never guessed at.

use std::fmt;

/// Constraints and indexes live in different lists with their own names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Constraint,
    Index,
}

/// What a constraint asserts, or which kind of index it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Unique,
    Key,
    Exists,
    Typed,
    /// `CREATE INDEX` without a kind: a b-tree on 4.4, a range index since 5.
    DefaultIndex,
    Range,
    Btree,
    Text,
    Point,
    Fulltext,
    Lookup,
    Vector,
}

impl Kind {
    pub fn family(self) -> Family {
        match self {
            Kind::Unique | Kind::Key | Kind::Exists | Kind::Typed => Family::Constraint,
            _ => Family::Index,
        }
    }

    /// The label value: `unique_constraint`, `range_index`, ….
    pub fn label(self) -> &'static str {
        match self {
            Kind::Unique => "unique_constraint",
            Kind::Key => "key_constraint",
            Kind::Exists => "existence_constraint",
            Kind::Typed => "type_constraint",
            Kind::DefaultIndex | Kind::Range => "range_index",
            Kind::Btree => "btree_index",
            Kind::Text => "text_index",
            Kind::Point => "point_index",
            Kind::Fulltext => "fulltext_index",
            Kind::Lookup => "lookup_index",
            Kind::Vector => "vector_index",
        }
    }

    /// Whether an object Neo4j lists with this kind is what a statement of kind `self` makes.
    pub fn admits(self, live: Kind) -> bool {
        self == live || (self == Kind::DefaultIndex && matches!(live, Kind::Range | Kind::Btree))
    }

    /// The kind of a constraint's or index's `type` column, across versions (`UNIQUENESS`,
    /// `NODE_PROPERTY_UNIQUENESS`, `RELATIONSHIP_KEY`, `NODE_PROPERTY_EXISTENCE`, `RANGE`, …).
    pub fn of_listed(family: Family, text: &str) -> Option<Kind> {
        let text = text.to_ascii_uppercase();
        match family {
            Family::Constraint if text.contains("UNIQUE") => Some(Kind::Unique),
            Family::Constraint if text.contains("KEY") => Some(Kind::Key),
            Family::Constraint if text.contains("EXISTENCE") => Some(Kind::Exists),
            Family::Constraint if text.contains("TYPE") => Some(Kind::Typed),
            Family::Constraint => None,
            Family::Index => Some(match text.as_str() {
                "RANGE" => Kind::Range,
                "BTREE" => Kind::Btree,
                "TEXT" => Kind::Text,
                "POINT" => Kind::Point,
                "FULLTEXT" => Kind::Fulltext,
                "LOOKUP" => Kind::Lookup,
                "VECTOR" => Kind::Vector,
                _ => return None,
            }),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entity {
    Node,
    Relationship,
}

/// What a schema object covers, as `SHOW CONSTRAINTS` and `SHOW INDEXES` describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub kind: Kind,
    pub entity: Entity,
    /// Labels or relationship types; empty for a lookup index.
    pub labels: Vec<String>,
    /// Property keys in order; empty for a lookup index.
    pub properties: Vec<String>,
}

impl Shape {
    /// Whether a listed object of shape `live` is this one.
    pub fn admits(&self, live: &Shape) -> bool {
        let sorted = |labels: &[String]| {
            let mut labels = labels.to_vec();
            labels.sort();
            labels
        };
        self.kind.admits(live.kind)
            && self.entity == live.entity
            && sorted(&self.labels) == sorted(&live.labels)
            && self.properties == live.properties
    }
}

impl fmt::Display for Shape {
    /// `unique_constraint on :Person(email)`, `lookup_index on relationships`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on = match (self.entity, self.labels.is_empty()) {
            (Entity::Node, true) => "nodes".to_string(),
            (Entity::Relationship, true) => "relationships".to_string(),
            (Entity::Node, false) => format!(":{}", self.labels.join("|")),
            (Entity::Relationship, false) => format!("[:{}]", self.labels.join("|")),
        };
        let properties = if self.properties.is_empty() { String::new() } else { format!("({})", self.properties.join(", ")) };
        write!(f, "{} on {on}{properties}", self.kind.label())
    }
}

/// One schema object a statement creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub name: Option<String>,
    pub shape: Shape,
}

/// What a statement does to the schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Create(Declared),
    /// `DROP CONSTRAINT|INDEX name`.
    DropNamed {
        family: Family,
        name: String,
    },
    /// 4.4's `DROP CONSTRAINT ON … ASSERT …` and `DROP INDEX ON :Label(property)`.
    DropShaped(Shape),
    /// A schema statement this parser does not follow, as written.
    Unparsed(String),
}

/// The schema changes among a file's statements (as [`super::statements::split_verbatim`]
/// gives them), in order; statements that touch no schema are left out.
pub fn changes(statements: &[String]) -> Vec<Change> {
    statements.iter().filter_map(|statement| change(statement)).collect()
}

fn change(statement: &str) -> Option<Change> {
    let tokens = tokenize(statement)?;
    let mut p = Parser { tokens: &tokens, at: 0 };
    if !is_schema(&tokens) {
        return None;
    }
    let parsed = if p.keyword("CREATE") { p.create() } else { p.drop() };
    Some(match parsed {
        Some(change) if p.at == tokens.len() => change,
        _ => Change::Unparsed(statement.to_string()),
    })
}

const INDEX_KINDS: &[(&str, Kind)] = &[
    ("RANGE", Kind::Range),
    ("BTREE", Kind::Btree),
    ("TEXT", Kind::Text),
    ("POINT", Kind::Point),
    ("FULLTEXT", Kind::Fulltext),
    ("LOOKUP", Kind::Lookup),
    ("VECTOR", Kind::Vector),
];

/// `CREATE [kind] INDEX|CONSTRAINT …`, `DROP INDEX|CONSTRAINT …`, and the procedures that made
/// schema before the commands did.
fn is_schema(tokens: &[Token]) -> bool {
    let word = |i: usize, w: &str| tokens.get(i).is_some_and(|t| t.is(w));
    let object = |i: usize| word(i, "INDEX") || word(i, "CONSTRAINT");
    let create = word(0, "CREATE") && (object(1) || (INDEX_KINDS.iter().any(|(w, _)| word(1, w)) && word(2, "INDEX")));
    let procedure = word(0, "CALL")
        && tokens.get(1).is_some_and(|t| match t {
            Token::Word(w, false) => {
                let w = w.to_ascii_lowercase();
                w.starts_with("db.index.fulltext.create") || w.starts_with("db.create") || w.starts_with("db.index.vector.create")
            }
            _ => false,
        });
    create || (word(0, "DROP") && object(1)) || procedure
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// A name or keyword; `true` when it was quoted in backticks (never a keyword then).
    Word(String, bool),
    Symbol(char),
    /// Strings, numbers, parameters and maps' insides: only skipped over.
    Other,
}

impl Token {
    fn is(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(w, false) if w.eq_ignore_ascii_case(keyword))
    }
}

/// Words (with dotted procedure names kept whole), backticked names, symbols; `None` for an
/// unterminated string or name.
fn tokenize(text: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '`' => {
                let mut name = String::new();
                loop {
                    match chars.next()? {
                        '`' if chars.peek() == Some(&'`') => {
                            chars.next();
                            name.push('`');
                        }
                        '`' => break,
                        inner => name.push(inner),
                    }
                }
                tokens.push(Token::Word(name, true));
            }
            '\'' | '"' => {
                loop {
                    match chars.next()? {
                        '\\' => {
                            chars.next()?;
                        }
                        inner if inner == c => break,
                        _ => {}
                    }
                }
                tokens.push(Token::Other);
            }
            '$' => {
                while chars.peek().is_some_and(|n| n.is_alphanumeric() || *n == '_') {
                    chars.next();
                }
                tokens.push(Token::Other);
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut word = c.to_string();
                while let Some(&n) = chars.peek() {
                    // A dot inside a word only in procedure names: `db.index.fulltext…`.
                    let dotted = n == '.' && tokens.last().is_some_and(|t| t.is("CALL"));
                    if n.is_alphanumeric() || n == '_' || dotted {
                        word.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(Token::Word(word, false));
            }
            c if c.is_ascii_digit() => {
                while chars.peek().is_some_and(|n| n.is_ascii_alphanumeric() || *n == '.') {
                    chars.next();
                }
                tokens.push(Token::Other);
            }
            c => tokens.push(Token::Symbol(c)),
        }
    }
    Some(tokens)
}

struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn keyword(&mut self, word: &str) -> bool {
        let found = self.peek().is_some_and(|t| t.is(word));
        self.at += usize::from(found);
        found
    }

    fn keywords(&mut self, words: &[&str]) -> bool {
        let start = self.at;
        if words.iter().all(|w| self.keyword(w)) {
            return true;
        }
        self.at = start;
        false
    }

    fn symbol(&mut self, c: char) -> bool {
        let found = self.peek() == Some(&Token::Symbol(c));
        self.at += usize::from(found);
        found
    }

    fn expect(&mut self, c: char) -> Option<()> {
        self.symbol(c).then_some(())
    }

    /// Any name, quoted or not.
    fn name(&mut self) -> Option<String> {
        match self.peek()? {
            Token::Word(w, _) => {
                let w = w.clone();
                self.at += 1;
                Some(w)
            }
            _ => None,
        }
    }

    /// An object's name, when one comes before `IF NOT EXISTS`, `FOR` or `ON`.
    fn object_name(&mut self) -> Option<String> {
        match self.peek()? {
            Token::Word(_, false) if ["IF", "FOR", "ON"].iter().any(|k| self.peek().is_some_and(|t| t.is(k))) => None,
            Token::Word(..) => self.name(),
            _ => None,
        }
    }

    fn create(&mut self) -> Option<Change> {
        if self.keyword("CONSTRAINT") {
            return self.create_constraint();
        }
        let kind = INDEX_KINDS.iter().find(|(w, _)| self.keyword(w)).map_or(Kind::DefaultIndex, |(_, k)| *k);
        self.keyword("INDEX").then_some(())?;
        let name = self.object_name();
        self.keywords(&["IF", "NOT", "EXISTS"]);
        // 4.4's `CREATE INDEX ON :Label(property, …)`.
        if name.is_none() && self.keyword("ON") {
            let (labels, properties) = self.label_and_keys()?;
            return Some(Change::Create(Declared { name, shape: Shape { kind, entity: Entity::Node, labels, properties } }));
        }
        self.keyword("FOR").then_some(())?;
        let (entity, labels) = self.pattern()?;
        self.keyword("ON").then_some(())?;
        let properties = if self.keyword("EACH") {
            if self.symbol('[') {
                let properties = self.keys()?;
                self.expect(']')?;
                properties
            } else {
                // `ON EACH labels(n)` / `ON EACH type(r)`.
                self.name()?;
                self.expect('(')?;
                self.name()?;
                self.expect(')')?;
                Vec::new()
            }
        } else if self.symbol('(') {
            let properties = self.keys()?;
            self.expect(')')?;
            properties
        } else {
            // A vector index's `ON n.embedding`.
            self.keys()?
        };
        self.options()?;
        Some(Change::Create(Declared { name, shape: Shape { kind, entity, labels, properties } }))
    }

    fn create_constraint(&mut self) -> Option<Change> {
        let name = self.object_name();
        self.keywords(&["IF", "NOT", "EXISTS"]);
        let shape = self.constraint_shape()?;
        self.options()?;
        Some(Change::Create(Declared { name, shape }))
    }

    /// `FOR|ON (pattern) REQUIRE|ASSERT property IS <kind>`, or 4.x's `ASSERT exists(n.p)`.
    fn constraint_shape(&mut self) -> Option<Shape> {
        (self.keyword("FOR") || self.keyword("ON")).then_some(())?;
        let (entity, labels) = self.pattern()?;
        if labels.is_empty() {
            return None;
        }
        (self.keyword("REQUIRE") || self.keyword("ASSERT")).then_some(())?;
        if self.keyword("EXISTS") {
            self.expect('(')?;
            let properties = self.keys()?;
            self.expect(')')?;
            return Some(Shape { kind: Kind::Exists, entity, labels, properties });
        }
        let properties = if self.symbol('(') {
            let properties = self.keys()?;
            self.expect(')')?;
            properties
        } else {
            self.keys()?
        };
        self.keyword("IS").then_some(())?;
        let kind = if self.keywords(&["NOT", "NULL"]) {
            Kind::Exists
        } else if self.symbol(':') {
            self.expect(':')?;
            self.skip_type()?;
            Kind::Typed
        } else if self.keyword("TYPED") {
            self.skip_type()?;
            Kind::Typed
        } else {
            let _ = self.keyword("NODE") || self.keyword("RELATIONSHIP") || self.keyword("REL");
            if self.keyword("UNIQUE") {
                Kind::Unique
            } else if self.keyword("KEY") {
                Kind::Key
            } else {
                return None;
            }
        };
        Some(Shape { kind, entity, labels, properties })
    }

    /// A property type as `IS :: STRING`, `LIST<INTEGER NOT NULL>` or `INTEGER | FLOAT`: words
    /// and the symbols of type expressions, up to `OPTIONS` or the end.
    fn skip_type(&mut self) -> Option<()> {
        let start = self.at;
        while let Some(token) = self.peek() {
            match token {
                t if t.is("OPTIONS") => break,
                Token::Word(..) | Token::Symbol('<' | '>' | '|') => self.at += 1,
                _ => return None,
            }
        }
        (self.at > start).then_some(())
    }

    /// `(n:A)`, `(n:A|B)`, `(n)`, `()-[r:T]-()`, `()-[r:T|U]->()`, `()<-[r]-()`.
    fn pattern(&mut self) -> Option<(Entity, Vec<String>)> {
        self.expect('(')?;
        if self.symbol(')') {
            self.symbol('<');
            self.expect('-')?;
            self.expect('[')?;
            self.name()?;
            let types = self.labels()?;
            self.expect(']')?;
            self.expect('-')?;
            self.symbol('>');
            self.expect('(')?;
            self.expect(')')?;
            return Some((Entity::Relationship, types));
        }
        self.name()?;
        let labels = self.labels()?;
        self.expect(')')?;
        Some((Entity::Node, labels))
    }

    /// `:A`, `:A|B` or `:A|:B`, or nothing.
    fn labels(&mut self) -> Option<Vec<String>> {
        let mut labels = Vec::new();
        if self.symbol(':') {
            labels.push(self.name()?);
            while self.symbol('|') {
                self.symbol(':');
                labels.push(self.name()?);
            }
        }
        Some(labels)
    }

    /// `n.a, n.b`: the keys, without the variable.
    fn keys(&mut self) -> Option<Vec<String>> {
        let mut keys = Vec::new();
        loop {
            self.name()?;
            self.expect('.')?;
            keys.push(self.name()?);
            if !self.symbol(',') {
                return Some(keys);
            }
        }
    }

    /// 4.4's `:Label(a, b)`.
    fn label_and_keys(&mut self) -> Option<(Vec<String>, Vec<String>)> {
        self.expect(':')?;
        let label = self.name()?;
        self.expect('(')?;
        let mut keys = vec![self.name()?];
        while self.symbol(',') {
            keys.push(self.name()?);
        }
        self.expect(')')?;
        Some((vec![label], keys))
    }

    /// `OPTIONS {…}` to the end, which names no part of the object.
    fn options(&mut self) -> Option<()> {
        if self.keyword("OPTIONS") {
            self.symbol('{').then_some(())?;
            let mut depth = 1;
            while depth > 0 {
                match self.peek()? {
                    Token::Symbol('{') => depth += 1,
                    Token::Symbol('}') => depth -= 1,
                    _ => {}
                }
                self.at += 1;
            }
        }
        Some(())
    }

    fn drop(&mut self) -> Option<Change> {
        self.keyword("DROP").then_some(())?;
        let family = if self.keyword("CONSTRAINT") { Family::Constraint } else { self.keyword("INDEX").then_some(Family::Index)? };
        if self.peek().is_some_and(|t| t.is("ON")) {
            self.at += 1;
            if family == Family::Index {
                let (labels, properties) = self.label_and_keys()?;
                return Some(Change::DropShaped(Shape { kind: Kind::DefaultIndex, entity: Entity::Node, labels, properties }));
            }
            self.at -= 1;
            return self.constraint_shape().map(Change::DropShaped);
        }
        let name = self.name()?;
        self.keywords(&["IF", "EXISTS"]);
        Some(Change::DropNamed { family, name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(statement: &str) -> Change {
        let changes = changes(&[statement.to_string()]);
        assert_eq!(changes.len(), 1, "{statement}");
        changes[0].clone()
    }

    fn shape(statement: &str) -> (Option<String>, String) {
        match one(statement) {
            Change::Create(d) => (d.name, d.shape.to_string()),
            other => panic!("{statement}: {other:?}"),
        }
    }

    #[test]
    fn constraints_in_every_syntax() {
        for (statement, name, shape) in [
            ("CREATE CONSTRAINT ON (p:Person) ASSERT p.email IS UNIQUE", None, "unique_constraint on :Person(email)"),
            (
                "CREATE CONSTRAINT person_email IF NOT EXISTS ON (p:Person) ASSERT p.email IS UNIQUE",
                Some("person_email"),
                "unique_constraint on :Person(email)",
            ),
            (
                "create constraint `a b` for (p:`My Label`) require p.`e-mail` is unique",
                Some("a b"),
                "unique_constraint on :My Label(e-mail)",
            ),
            (
                "CREATE CONSTRAINT k FOR (p:Person) REQUIRE (p.first, p.last) IS NODE KEY",
                Some("k"),
                "key_constraint on :Person(first, last)",
            ),
            ("CREATE CONSTRAINT k ON (p:Person) ASSERT (p.first, p.last) IS NODE KEY", Some("k"), "key_constraint on :Person(first, last)"),
            ("CREATE CONSTRAINT FOR (p:Person) REQUIRE p.id IS KEY", None, "key_constraint on :Person(id)"),
            ("CREATE CONSTRAINT e ON (p:Person) ASSERT exists(p.name)", Some("e"), "existence_constraint on :Person(name)"),
            ("CREATE CONSTRAINT e ON (p:Person) ASSERT p.name IS NOT NULL", Some("e"), "existence_constraint on :Person(name)"),
            ("CREATE CONSTRAINT e FOR ()-[r:KNOWS]-() REQUIRE r.since IS NOT NULL", Some("e"), "existence_constraint on [:KNOWS](since)"),
            ("CREATE CONSTRAINT e ON ()-[r:KNOWS]-() ASSERT exists(r.since)", Some("e"), "existence_constraint on [:KNOWS](since)"),
            (
                "CREATE CONSTRAINT u FOR ()-[r:PAID]->() REQUIRE r.ref IS RELATIONSHIP UNIQUE",
                Some("u"),
                "unique_constraint on [:PAID](ref)",
            ),
            ("CREATE CONSTRAINT k FOR ()-[r:PAID]-() REQUIRE r.ref IS REL KEY", Some("k"), "key_constraint on [:PAID](ref)"),
            ("CREATE CONSTRAINT t FOR (p:Person) REQUIRE p.age IS :: INTEGER", Some("t"), "type_constraint on :Person(age)"),
            (
                "CREATE CONSTRAINT t FOR (p:Person) REQUIRE p.tags IS TYPED LIST<STRING NOT NULL>",
                Some("t"),
                "type_constraint on :Person(tags)",
            ),
            (
                "CREATE CONSTRAINT u FOR (p:Person) REQUIRE p.email IS UNIQUE OPTIONS {indexProvider: 'range-1.0'}",
                Some("u"),
                "unique_constraint on :Person(email)",
            ),
        ] {
            assert_eq!(self::shape(statement), (name.map(String::from), shape.to_string()), "{statement}");
        }
    }

    #[test]
    fn indexes_in_every_syntax() {
        for (statement, name, shape) in [
            ("CREATE INDEX ON :Person(name)", None, "range_index on :Person(name)"),
            ("CREATE INDEX ON :Person(first, last)", None, "range_index on :Person(first, last)"),
            ("CREATE INDEX by_name FOR (p:Person) ON (p.name)", Some("by_name"), "range_index on :Person(name)"),
            ("CREATE INDEX IF NOT EXISTS FOR (p:Person) ON (p.name)", None, "range_index on :Person(name)"),
            ("CREATE BTREE INDEX b IF NOT EXISTS FOR (p:Person) ON (p.a, p.b)", Some("b"), "btree_index on :Person(a, b)"),
            ("CREATE RANGE INDEX r FOR ()-[k:KNOWS]-() ON (k.since)", Some("r"), "range_index on [:KNOWS](since)"),
            ("CREATE TEXT INDEX t FOR (p:Person) ON (p.bio)", Some("t"), "text_index on :Person(bio)"),
            ("CREATE POINT INDEX p FOR (s:Shop) ON (s.location) OPTIONS {indexConfig: {`spatial.cartesian.min`: [-100.0, -100.0]}}", Some("p"), "point_index on :Shop(location)"),
            ("CREATE FULLTEXT INDEX f FOR (n:Movie|Book) ON EACH [n.title, n.plot]", Some("f"), "fulltext_index on :Movie|Book(title, plot)"),
            ("CREATE FULLTEXT INDEX f FOR ()-[r:REVIEWED]-() ON EACH [r.text]", Some("f"), "fulltext_index on [:REVIEWED](text)"),
            ("CREATE LOOKUP INDEX l FOR (n) ON EACH labels(n)", Some("l"), "lookup_index on nodes"),
            ("CREATE LOOKUP INDEX l IF NOT EXISTS FOR ()-[r]-() ON EACH type(r)", Some("l"), "lookup_index on relationships"),
            ("CREATE VECTOR INDEX v FOR (m:Movie) ON m.embedding OPTIONS {indexConfig: {`vector.dimensions`: 3}}", Some("v"), "vector_index on :Movie(embedding)"),
            ("CREATE VECTOR INDEX v FOR (m:Movie) ON m.embedding OPTIONS", Some("v"), "unparsed"),
            ("CREATE VECTOR INDEX v FOR (m:Movie) ON (m.embedding) OPTIONS {indexConfig: {`vector.dimensions`: 3, `vector.similarity_function`: 'cosine'}}", Some("v"), "vector_index on :Movie(embedding)"),
        ] {
            if shape == "unparsed" {
                assert!(matches!(one(statement), Change::Unparsed(_)), "{statement}");
                continue;
            }
            assert_eq!(self::shape(statement), (name.map(String::from), shape.to_string()), "{statement}");
        }
    }

    #[test]
    fn drops_by_name_and_by_shape() {
        assert_eq!(one("DROP INDEX by_name"), Change::DropNamed { family: Family::Index, name: "by_name".into() });
        assert_eq!(one("drop constraint `odd name` if exists"), Change::DropNamed { family: Family::Constraint, name: "odd name".into() });
        let Change::DropShaped(shape) = one("DROP CONSTRAINT ON (p:Person) ASSERT p.email IS UNIQUE") else { panic!() };
        assert_eq!(shape.to_string(), "unique_constraint on :Person(email)");
        let Change::DropShaped(shape) = one("DROP INDEX ON :Person(name)") else { panic!() };
        assert_eq!(shape.to_string(), "range_index on :Person(name)");
    }

    #[test]
    fn other_statements_are_not_schema_and_odd_schema_is_unparsed() {
        let statements: Vec<String> = [
            "MATCH (n) RETURN n",
            "CREATE (:Index {name: 'CONSTRAINT'})",
            "CREATE INDEX $name FOR (p:Person) ON (p.name)",
            "CREATE INDEX x FOR (p:Person) ON (p.name) EXTRA",
            "CALL db.index.fulltext.createNodeIndex('f', ['Movie'], ['title'])",
            "CREATE CONSTRAINT c FOR (p:Person) REQUIRE p.email IS SOMETHING",
        ]
        .map(String::from)
        .to_vec();
        let changes = changes(&statements);
        assert_eq!(changes.len(), 4, "{changes:?}");
        assert!(changes.iter().all(|c| matches!(c, Change::Unparsed(_))), "{changes:?}");
    }

    #[test]
    fn listed_types_of_every_version() {
        for (family, text, kind) in [
            (Family::Constraint, "UNIQUENESS", Kind::Unique),
            (Family::Constraint, "RELATIONSHIP_UNIQUENESS", Kind::Unique),
            (Family::Constraint, "NODE_PROPERTY_UNIQUENESS", Kind::Unique),
            (Family::Constraint, "NODE_KEY", Kind::Key),
            (Family::Constraint, "RELATIONSHIP_KEY", Kind::Key),
            (Family::Constraint, "NODE_PROPERTY_EXISTENCE", Kind::Exists),
            (Family::Constraint, "RELATIONSHIP_PROPERTY_TYPE", Kind::Typed),
            (Family::Index, "BTREE", Kind::Btree),
            (Family::Index, "RANGE", Kind::Range),
        ] {
            assert_eq!(Kind::of_listed(family, text), Some(kind), "{text}");
        }
        assert!(Kind::DefaultIndex.admits(Kind::Btree) && Kind::DefaultIndex.admits(Kind::Range) && !Kind::Range.admits(Kind::Text));
    }
}
