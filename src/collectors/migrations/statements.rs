//! The statements of a migration file, in a form a live query can be matched against: what a
//! runner sends is the file's text cut at its semicolons, trimmed, perhaps with comments or
//! a different layout, and with parameters where the file has them.

/// Splits Cypher text at the semicolons that end statements (not those in strings, quoted
/// names or comments) and gives each statement in its matching form; empty ones are dropped.
pub fn split(text: &str) -> Vec<String> {
    split_as(text, true)
}

/// Splits Cypher text at the same semicolons as [`split`], keeping each statement as written
/// but for its comments and layout: the form schema statements are read in, where a label's
/// case matters.
pub fn split_verbatim(text: &str) -> Vec<String> {
    split_as(text, false)
}

/// Matching statements have their layout squeezed; verbatim ones are only trimmed, so that a
/// quoted name keeps its spaces.
fn split_as(text: &str, matching: bool) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut push = |current: &str| {
        let statement = if matching { squeeze(current) } else { current.trim().to_string() };
        if !statement.is_empty() {
            statements.push(statement);
        }
    };
    walk_as(text, matching, |piece| match piece {
        Piece::End => {
            push(&current);
            current.clear();
        }
        Piece::Text(c) => current.push(c),
    });
    push(&current);
    statements
}

/// A query as Neo4j shows it running, in the same matching form as [`split`]'s statements.
pub fn normalize(query: &str) -> String {
    let mut out = String::new();
    walk(query, |piece| match piece {
        // A trailing semicolon some drivers keep.
        Piece::End => {}
        Piece::Text(c) => out.push(c),
    });
    squeeze(&out)
}

enum Piece {
    Text(char),
    /// A semicolon outside strings and comments.
    End,
}

/// Feeds `each` the text with comments turned into spaces, parameter names into `$`, and
/// letters outside strings and quoted names in lower case (keywords are case-insensitive; a
/// label's case is rarely the only difference between two statements).
fn walk(text: &str, each: impl FnMut(Piece)) {
    walk_as(text, true, each)
}

/// [`walk`], or with `matching` false only comments turned into spaces.
fn walk_as(text: &str, matching: bool, mut each: impl FnMut(Piece)) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                each(Piece::Text(c));
                while let Some(inner) = chars.next() {
                    each(Piece::Text(inner));
                    if inner == '\\' && c != '`' {
                        if let Some(escaped) = chars.next() {
                            each(Piece::Text(escaped));
                        }
                    } else if inner == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        break;
                    }
                }
                each(Piece::Text(' '));
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for inner in chars.by_ref() {
                    if last == '*' && inner == '/' {
                        break;
                    }
                    last = inner;
                }
                each(Piece::Text(' '));
            }
            '$' if matching => {
                each(Piece::Text('$'));
                if chars.peek() == Some(&'`') {
                    chars.next();
                    for inner in chars.by_ref() {
                        if inner == '`' {
                            break;
                        }
                    }
                } else {
                    while chars.peek().is_some_and(|n| n.is_alphanumeric() || *n == '_') {
                        chars.next();
                    }
                }
            }
            ';' => each(Piece::End),
            '\u{feff}' => {}
            c if matching => each(Piece::Text(c.to_ascii_lowercase())),
            c => each(Piece::Text(c)),
        }
    }
}

/// Runs of white space as one space, none at either end.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_splits_at_the_semicolons_that_end_statements() {
        let file = "// add the index\nCREATE INDEX person_name IF NOT EXISTS\n  FOR (p:Person) ON (p.name);\n\n\
                    MATCH (p:Person) WHERE p.note = 'a; b' SET p.seen = true;\n/* done; really */\n";
        assert_eq!(
            split(file),
            [
                "create index person_name if not exists for (p:person) on (p.name)",
                "match (p:person) where p.note = 'a; b' set p.seen = true"
            ]
        );
    }

    #[test]
    fn a_live_query_matches_whatever_its_layout_comments_and_parameters() {
        let file = split("UNWIND $rows AS row\nMERGE (u:User {id: row.id});");
        let live = normalize("/* runner */ unwind   $batch as row merge (u:User {id: row.id})  ");
        assert_eq!(file, [live]);
        assert_eq!(normalize("MATCH (n:`Odd;Label`) RETURN n;"), "match (n:`Odd;Label`) return n");
    }

    #[test]
    fn the_verbatim_form_keeps_case_and_parameters_but_not_comments() {
        let file = "// index\nCREATE INDEX `Odd;  Name` FOR (p:Person) ON (p.eMail); /* x; */ MATCH (n {id: $Id}) RETURN n";
        assert_eq!(split_verbatim(file), ["CREATE INDEX `Odd;  Name` FOR (p:Person) ON (p.eMail)", "MATCH (n {id: $Id}) RETURN n"]);
    }

    #[test]
    fn strings_keep_their_case_and_escapes() {
        assert_eq!(split("CREATE (:A {s: 'It\\'s; OK'})"), ["create (:a {s: 'It\\'s; OK'})"]);
        assert_eq!(normalize("\u{feff}RETURN \"X\""), "return \"X\"");
    }
}
