// Package sqllex is Cardinal's one MySQL/MariaDB lexer: it cuts SQL text
// into positioned tokens, splits a script into statements by one rule, and
// converts byte offsets into the line:column positions errors print. The
// catalog (CREATE TABLE positions), features (query error positions,
// SplitStatements) and datasets/live (the read-only guard, SQL files) all
// use it; none keeps a tokenizer of its own.
//
// The lexer only needs to agree with the server on where comments, quoted
// text and statements begin and end; it never decides validity (the TiDB
// parser does). It follows the MySQL 8.0 / MariaDB 11 lexers
// (sql/sql_lex.cc, MYSQLlex) and the mysql client's statement splitter
// (client/mysql.cc, add_line):
//
//	text ──Lexer.Next──▶ Word │ String │ QuotedIdent │ Punct │ Comment
//	                     ExecOpen … ExecClose │ Delimiter
//	     ──Split───────▶ []Statement{Text, Off, End, Line, Col}
//	     ──SplitNamed──▶ []Named{Name, SQL} ("-- name" lines: query files)
//	     ──LineIndex───▶ offset → 1-based line, column in characters
//
// # Tokens
//
//   - Comments: "#" and "-- " to the end of the line ("--" must be followed
//     by whitespace, a control character or the end of the text, as in
//     MySQL), and "/* ... */", which does not nest.
//   - Executable comments "/*!NNNNN ... */" and MariaDB's "/*M!NNNNNN ... */"
//     hold text the server runs: the lexer returns an ExecOpen token for the
//     opening (with its version digits), the tokens of the text inside, and an
//     ExecClose token for the "*/".
//   - Quotes: '...' is a string; "..." is a string, or a quoted identifier
//     under ANSIQuotes; `...` is a quoted identifier. A doubled quote
//     character stands for itself in all three. In strings (not identifiers)
//     a backslash escapes the next byte unless NoBackslashEscapes is set.
//   - Words: runs of letters, digits, '_', '$' and any non-ASCII byte
//     (keywords, bare identifiers and numbers alike; "1.5" is three tokens).
//   - Everything else is a one-byte Punct token, except the statement
//     delimiter, which is a Delimiter token (";" unless changed; only Split
//     changes it, through DELIMITER commands).
//
// An unterminated quote or block comment runs to the end of the text; the
// lexer never fails, and Unterminated reports where the first such
// construct began.
//
// # The splitting rule
//
// Split cuts a script the way the mysql client does:
//
//  1. A statement ends at the delimiter (";" at first) outside quotes,
//     comments and executable comments, or at the end of the text. (The
//     mysql client would also cut at a ";" inside "/*! ... */" and send two
//     broken halves; Split keeps the executable comment whole.)
//  2. A statement whose first token is the word DELIMITER (any case) is the
//     mysql client command: the next whitespace-separated field of its line
//     becomes the delimiter, and the line is not a statement. "DELIMITER ;"
//     restores the default.
//  3. A statement's text runs from its first token that is not a comment to
//     the end of its last such token: comments before and after it are
//     dropped, comments inside are kept. Statements holding only comments
//     are dropped.
//  4. With Options.LinesWhenUndelimited, a text holding no delimiter and no
//     DELIMITER command has one statement per line (a token spanning lines,
//     such as a string, stays in the statement of the line it starts on):
//     the convenience of command-line tools.
//
// Split reports an unterminated quote or comment, and a DELIMITER command
// without a delimiter, as an *Error wrapping ErrUnterminated or
// ErrDelimiter, together with the statements it cut.
//
// # Modes
//
// Mode carries the sql_mode flags that change lexing: NoBackslashEscapes
// and ANSIQuotes. The zero Mode is MySQL's default sql_mode, under which
// backslashes escape and '"' quotes strings.
package sqllex
