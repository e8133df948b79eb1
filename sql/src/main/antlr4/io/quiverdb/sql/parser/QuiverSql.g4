/*
 * QuiverDB's SQL: the PostgreSQL dialect our planner understands, with pgvector's operators.
 * Expressions follow PostgreSQL's precedence table, lowest first: OR, AND, NOT, IS, comparison,
 * BETWEEN/IN/LIKE, other operators (<-> <#> <=> <+> || ~), + -, * / %, unary sign, ::.
 * The AstBuilder turns parse trees into io.quiverdb.sql.ast nodes.
 */
grammar QuiverSql;

options { caseInsensitive = true; }

script : SEMI* (statement (SEMI+ statement)*)? SEMI* EOF ;

statement
  : explainStatement
  | selectStatement
  | insertStatement
  | updateStatement
  | deleteStatement
  | createTableStatement
  | dropTableStatement
  | createIndexStatement
  | dropIndexStatement
  | copyStatement
  | createExtensionStatement
  | transactionStatement
  | setStatement
  | showStatement
  | resetStatement
  ;

// ------------------------------------------------------------------ utility statements

explainStatement
  : EXPLAIN (LPAREN explainOption (COMMA explainOption)* RPAREN | ANALYZE? VERBOSE?) statement ;

explainOption : anyWord (anyWord | STRING | INTEGER)? ;

createExtensionStatement
  : CREATE EXTENSION (IF NOT EXISTS)? (identifier | STRING)
    WITH? (SCHEMA identifier | VERSION (identifier | STRING) | CASCADE)* ;

transactionStatement
  : (BEGIN (WORK | TRANSACTION)? | START TRANSACTION) transactionMode*   # beginTransaction
  | (COMMIT | END) (WORK | TRANSACTION)? (AND NO? CHAIN)?             # commitTransaction
  | (ROLLBACK | ABORT) (WORK | TRANSACTION)? (AND NO? CHAIN)?         # rollbackTransaction
  ;

transactionMode
  : ISOLATION LEVEL isolationLevel COMMA?
  | READ (WRITE | ONLY) COMMA?
  | NOT? DEFERRABLE COMMA?
  ;

isolationLevel : SERIALIZABLE | REPEATABLE READ | READ COMMITTED | READ UNCOMMITTED ;

setStatement
  : SET (SESSION | LOCAL)? TIME ZONE (setValue | LOCAL | DEFAULT)              # setTimeZone
  | SET (SESSION | LOCAL)? SESSION CHARACTERISTICS AS TRANSACTION transactionMode* # setCharacteristics
  | SET (SESSION | LOCAL)? TRANSACTION transactionMode*                          # setTransaction
  | SET (SESSION | LOCAL)? settingName (TO | EQ) (DEFAULT | setValue (COMMA setValue)*) # setVariable
  ;

setValue : STRING | MINUS? (INTEGER | DECIMAL) | anyWord ;

showStatement : SHOW (TIME ZONE | TRANSACTION ISOLATION LEVEL | ALL | settingName) ;

resetStatement : RESET (TIME ZONE | ALL | settingName) ;

settingName : identifier (DOT identifier)* ;

// ------------------------------------------------------------------ DDL

createTableStatement
  : CREATE TABLE (IF NOT EXISTS)? qualifiedName LPAREN tableElement (COMMA tableElement)* RPAREN ;

tableElement : tableConstraint | columnDefinition ;

columnDefinition : identifier typeName columnConstraint* ;

columnConstraint : (CONSTRAINT identifier)? columnConstraintBody ;

columnConstraintBody
  : NOT NULL
  | NULL
  | PRIMARY KEY
  | DEFAULT otherExpr
  | UNIQUE
  | CHECK LPAREN expr RPAREN
  | REFERENCES qualifiedName (LPAREN identifierList RPAREN)?
  ;

tableConstraint : (CONSTRAINT identifier)? tableConstraintBody ;

tableConstraintBody
  : PRIMARY KEY LPAREN identifierList RPAREN
  | UNIQUE LPAREN identifierList RPAREN
  | CHECK LPAREN expr RPAREN
  | FOREIGN KEY LPAREN identifierList RPAREN REFERENCES qualifiedName (LPAREN identifierList RPAREN)?
  ;

dropTableStatement
  : DROP TABLE (IF EXISTS)? qualifiedName (COMMA qualifiedName)* (CASCADE | RESTRICT)? ;

createIndexStatement
  : CREATE UNIQUE? INDEX CONCURRENTLY? (IF NOT EXISTS)? identifier? ON ONLY? qualifiedName
    (USING identifier)? LPAREN indexElement (COMMA indexElement)* RPAREN
    (WITH LPAREN indexOption (COMMA indexOption)* RPAREN)? (WHERE expr)? ;

indexElement : identifier qualifiedName? (ASC | DESC)? (NULLS (FIRST | LAST))? ;

indexOption : anyWord (EQ setValue)? ;

dropIndexStatement
  : DROP INDEX CONCURRENTLY? (IF EXISTS)? qualifiedName (COMMA qualifiedName)* (CASCADE | RESTRICT)? ;

/**
 * COPY: STDIN and STDOUT are identifiers the AstBuilder checks, as are option names and the
 * legacy option words (BINARY, CSV, HEADER, DELIMITER, NULL, QUOTE, ESCAPE).
 */
copyStatement
  : COPY (qualifiedName (LPAREN identifierList RPAREN)? | LPAREN selectStatement RPAREN)
    (FROM | TO) (identifier | STRING)
    (WITH? (LPAREN copyOption (COMMA copyOption)* RPAREN | copyLegacyOption+))? ;

copyOption : anyWord copyValue? ;

copyValue
  : STRING | ESCAPE_STRING | MINUS? (INTEGER | DECIMAL) | anyWord | LPAREN identifierList RPAREN
  | STAR ;

copyLegacyOption : (identifier | NULL) AS? (STRING | ESCAPE_STRING)? ;

// ------------------------------------------------------------------ DML

insertStatement
  : INSERT INTO qualifiedName (AS identifier)? (LPAREN identifierList RPAREN)?
    (DEFAULT VALUES | selectStatement) onConflict? returning? ;

onConflict
  : ON CONFLICT (LPAREN identifierList RPAREN)?
    DO (NOTHING | UPDATE SET assignment (COMMA assignment)* (WHERE expr)?) ;

returning : RETURNING selectItem (COMMA selectItem)* ;

updateStatement
  : UPDATE qualifiedName (AS? identifier)? SET assignment (COMMA assignment)*
    (WHERE expr)? returning? ;

assignment : identifier EQ (DEFAULT | expr) ;

deleteStatement
  : DELETE FROM qualifiedName (AS? identifier)? (WHERE expr)? returning? ;

// ------------------------------------------------------------------ queries

selectStatement : queryExpression orderBy? limitOffset? ;

queryExpression
  : queryTerm                                                           # singleTerm
  | queryExpression op=(UNION | EXCEPT) (ALL | DISTINCT)? queryTerm     # unionExcept
  ;

queryTerm
  : queryPrimary                                                        # singlePrimary
  | queryTerm INTERSECT (ALL | DISTINCT)? queryPrimary                  # intersect
  ;

queryPrimary
  : simpleSelect                            # selectPrimary
  | valuesClause                            # valuesPrimary
  | LPAREN selectStatement RPAREN           # parenthesizedQuery
  ;

simpleSelect
  : SELECT (DISTINCT | ALL)? (selectItem (COMMA selectItem)*)?
    (FROM fromItem (COMMA fromItem)*)?
    (WHERE where=expr)?
    (GROUP BY expr (COMMA expr)*)?
    (HAVING having=expr)?
  ;

selectItem
  : STAR                               # starItem
  | identifier (DOT identifier)* DOT STAR  # qualifiedStarItem
  | expr (AS? alias)?                  # exprItem
  ;

alias : identifier | STRING ;

valuesClause : VALUES valuesRow (COMMA valuesRow)* ;

valuesRow : LPAREN valuesItem (COMMA valuesItem)* RPAREN ;

valuesItem : DEFAULT | expr ;

orderBy : ORDER BY orderItem (COMMA orderItem)* ;

orderItem : expr (ASC | DESC)? (NULLS (FIRST | LAST))? ;

limitOffset
  : limit offset?
  | offset limit?
  ;

limit
  : LIMIT (ALL | expr)
  | FETCH (FIRST | NEXT) expr? (ROW | ROWS) ONLY
  ;

offset : OFFSET expr (ROW | ROWS)? ;

fromItem
  : fromPrimary                                                          # primaryFrom
  | fromItem CROSS JOIN fromPrimary                                      # crossJoin
  | fromItem joinType? JOIN fromPrimary (ON expr | USING LPAREN identifierList RPAREN) # qualifiedJoin
  ;

joinType : INNER | LEFT OUTER? | RIGHT OUTER? | FULL OUTER? ;

fromPrimary
  : functionCall (AS? identifier (LPAREN identifierList RPAREN)?)?       # functionFrom
  | qualifiedName (AS? identifier)?                                      # tableFrom
  | LPAREN selectStatement RPAREN AS? identifier (LPAREN identifierList RPAREN)? # subqueryFrom
  | LPAREN fromItem RPAREN                                               # parenthesizedFrom
  ;

// ------------------------------------------------------------------ expressions

expr : orExpr ;

orExpr : andExpr (OR andExpr)* ;

andExpr : notExpr (AND notExpr)* ;

notExpr : NOT notExpr | isExpr ;

isExpr : comparisonExpr isSuffix* ;

isSuffix
  : IS NOT? NULL
  | IS NOT? (TRUE | FALSE)
  | IS NOT? DISTINCT FROM comparisonExpr
  | ISNULL
  | NOTNULL
  ;

comparisonExpr
  : predicateExpr (comparisonOperator (quantifier=(ANY | ALL | SOME) LPAREN expr RPAREN | predicateExpr))? ;

comparisonOperator : EQ | NE | NE2 | LT | LE | GT | GE ;

predicateExpr
  : otherExpr
    ( NOT? IN LPAREN (selectStatement | expr (COMMA expr)*) RPAREN
    | NOT? BETWEEN SYMMETRIC? otherExpr AND otherExpr
    | NOT? (LIKE | ILIKE) otherExpr (ESCAPE otherExpr)?
    )?
  ;

otherExpr : additiveExpr (otherOperator additiveExpr)* ;

otherOperator
  : L2_DISTANCE | NEGATIVE_INNER_PRODUCT | COSINE_DISTANCE | L1_DISTANCE
  | CONCAT | TILDE | NOT_TILDE | TILDE_STAR | NOT_TILDE_STAR
  ;

additiveExpr : multiplicativeExpr ((PLUS | MINUS) multiplicativeExpr)* ;

multiplicativeExpr : unaryExpr ((STAR | SLASH | PERCENT) unaryExpr)* ;

unaryExpr : (MINUS | PLUS) unaryExpr | castExpr ;

castExpr : primary (DOUBLE_COLON typeName)* ;

primary
  : literal                                                   # literalPrimary
  | PARAMETER                                                 # parameterPrimary
  | LPAREN selectStatement RPAREN                             # subqueryPrimary
  | LPAREN expr RPAREN                                        # parenthesizedPrimary
  | EXISTS LPAREN selectStatement RPAREN                      # existsPrimary
  | CASE simple=expr? (WHEN expr THEN expr)+ (ELSE expr)? END # casePrimary
  | CAST LPAREN expr AS typeName RPAREN                       # castPrimary
  | ARRAY LBRACKET (expr (COMMA expr)*)? RBRACKET             # arrayPrimary
  | specialFunction                                           # specialFunctionPrimary
  | functionCall                                              # functionPrimary
  | typeName STRING                                           # typedLiteralPrimary
  | identifier (DOT identifier)*                              # columnPrimary
  ;

specialFunction
  : CURRENT_TIMESTAMP | CURRENT_DATE | CURRENT_TIME | LOCALTIMESTAMP | CURRENT_USER
  | SESSION_USER | CURRENT_SCHEMA | CURRENT_CATALOG | USER
  ;

functionCall
  : qualifiedName LPAREN (STAR | (DISTINCT | ALL)? (expr (COMMA expr)*)?) RPAREN ;

literal
  : INTEGER | DECIMAL | STRING | ESCAPE_STRING | DOLLAR_STRING | TRUE | FALSE | NULL ;

typeName
  : ( DOUBLE PRECISION
    | (CHARACTER | CHAR) VARYING (LPAREN INTEGER RPAREN)?
    | TIMESTAMP (LPAREN INTEGER RPAREN)? ((WITH | WITHOUT) TIME ZONE)?
    | TIME (LPAREN INTEGER RPAREN)? ((WITH | WITHOUT) TIME ZONE)?
    | (CHARACTER | CHAR) (LPAREN INTEGER RPAREN)?
    | qualifiedName (LPAREN INTEGER (COMMA INTEGER)* RPAREN)?
    ) (LBRACKET INTEGER? RBRACKET)*
  ;

qualifiedName : identifier (DOT identifier)* ;

identifierList : identifier (COMMA identifier)* ;

identifier : IDENTIFIER | QUOTED_IDENTIFIER | nonReservedKeyword ;

/** A word as SET, EXPLAIN options and the like accept it: any identifier or keyword. */
anyWord : identifier | reservedKeyword ;

nonReservedKeyword
  : ABORT | ACTION | ANALYZE | BEGIN | CASCADE | CHAIN | CHARACTERISTICS | COMMIT | COMMITTED
  | CONFLICT | DEFERRABLE | DO | DOUBLE | ESCAPE | EXPLAIN | EXTENSION | FIRST | ISOLATION | KEY
  | LAST | LEVEL | LOCAL | NEXT | NO | NOTHING | NULLS | PRECISION | READ | REPEATABLE | RESET
  | RESTRICT | ROLLBACK | ROW | ROWS | SCHEMA | SERIALIZABLE | SESSION | SHOW | START
  | TRANSACTION | UNCOMMITTED | VARYING | VERBOSE | VERSION | WITHOUT | WORK | WRITE | ZONE
  | TIME | TIMESTAMP | CHARACTER | CHAR | SYMMETRIC | ONLY | INDEX | CONCURRENTLY
  | COPY
  ;

reservedKeyword
  : ALL | AND | ANY | ARRAY | AS | ASC | CASE | CAST | CHECK | CONSTRAINT | CREATE | CROSS
  | CURRENT_CATALOG | CURRENT_DATE | CURRENT_SCHEMA | CURRENT_TIME | CURRENT_TIMESTAMP
  | CURRENT_USER | DEFAULT | DESC | DISTINCT | DROP | ELSE | END | EXCEPT | EXISTS | FALSE | FETCH
  | FOREIGN | FROM | FULL | GROUP | HAVING | IF | IN | INNER | INTERSECT | INTO | IS | JOIN | LEFT
  | LIMIT | LOCALTIMESTAMP | NOT | NULL | OFFSET | ON | OR | ORDER | OUTER | PRIMARY | REFERENCES
  | RETURNING | RIGHT | SELECT | SESSION_USER | SOME | TABLE | THEN | TRUE | UNION | UNIQUE | USER
  | USING | WHEN | WHERE | WITH | BETWEEN | LIKE | ILIKE | ISNULL | NOTNULL | INSERT | UPDATE
  | DELETE | VALUES | SET | TO | BY
  ;

// ------------------------------------------------------------------ lexer

ABORT : 'abort' ; ACTION : 'action' ; ALL : 'all' ; ANALYZE : 'analyze' | 'analyse' ; AND : 'and' ;
ANY : 'any' ; ARRAY : 'array' ; AS : 'as' ; ASC : 'asc' ; BEGIN : 'begin' ; BETWEEN : 'between' ;
BY : 'by' ; CASCADE : 'cascade' ; CASE : 'case' ; CAST : 'cast' ; CHAIN : 'chain' ; CHAR : 'char' ;
CHARACTER : 'character' ; CHARACTERISTICS : 'characteristics' ; CHECK : 'check' ;
COMMIT : 'commit' ; COMMITTED : 'committed' ; CONFLICT : 'conflict' ; CONSTRAINT : 'constraint' ;
CREATE : 'create' ; CROSS : 'cross' ; CURRENT_CATALOG : 'current_catalog' ;
CURRENT_DATE : 'current_date' ; CURRENT_SCHEMA : 'current_schema' ; CURRENT_TIME : 'current_time' ;
CURRENT_TIMESTAMP : 'current_timestamp' ; CURRENT_USER : 'current_user' ; DEFAULT : 'default' ;
DEFERRABLE : 'deferrable' ; DELETE : 'delete' ; DESC : 'desc' ; DISTINCT : 'distinct' ; DO : 'do' ;
DOUBLE : 'double' ; DROP : 'drop' ; ELSE : 'else' ; END : 'end' ; ESCAPE : 'escape' ;
EXCEPT : 'except' ; EXISTS : 'exists' ; EXPLAIN : 'explain' ; EXTENSION : 'extension' ;
FALSE : 'false' ; FETCH : 'fetch' ; FIRST : 'first' ; FOREIGN : 'foreign' ; FROM : 'from' ;
FULL : 'full' ; GROUP : 'group' ; HAVING : 'having' ; IF : 'if' ; ILIKE : 'ilike' ; IN : 'in' ;
INNER : 'inner' ; INSERT : 'insert' ; INTERSECT : 'intersect' ; INTO : 'into' ; IS : 'is' ;
ISNULL : 'isnull' ; ISOLATION : 'isolation' ; JOIN : 'join' ; KEY : 'key' ; LAST : 'last' ;
LEFT : 'left' ; LEVEL : 'level' ; LIKE : 'like' ; LIMIT : 'limit' ; LOCAL : 'local' ;
LOCALTIMESTAMP : 'localtimestamp' ; NEXT : 'next' ; NO : 'no' ; NOT : 'not' ;
NOTHING : 'nothing' ; NOTNULL : 'notnull' ; NULL : 'null' ; NULLS : 'nulls' ; OFFSET : 'offset' ;
ON : 'on' ; ONLY : 'only' ; OR : 'or' ; ORDER : 'order' ; OUTER : 'outer' ;
PRECISION : 'precision' ; PRIMARY : 'primary' ; READ : 'read' ; REFERENCES : 'references' ;
REPEATABLE : 'repeatable' ; RESET : 'reset' ; RESTRICT : 'restrict' ; RETURNING : 'returning' ;
RIGHT : 'right' ; ROLLBACK : 'rollback' ; ROW : 'row' ; ROWS : 'rows' ; SCHEMA : 'schema' ;
SELECT : 'select' ; SERIALIZABLE : 'serializable' ; SESSION : 'session' ;
SESSION_USER : 'session_user' ; SET : 'set' ; SHOW : 'show' ; SOME : 'some' ; START : 'start' ;
SYMMETRIC : 'symmetric' ; TABLE : 'table' ; THEN : 'then' ;
TIME : 'time' ; TIMESTAMP : 'timestamp' ; TO : 'to' ; TRANSACTION : 'transaction' ;
TRUE : 'true' ; UNCOMMITTED : 'uncommitted' ; UNION : 'union' ; UNIQUE : 'unique' ;
UPDATE : 'update' ; USER : 'user' ; USING : 'using' ; VALUES : 'values' ; VARYING : 'varying' ;
VERBOSE : 'verbose' ; VERSION : 'version' ; WHEN : 'when' ; WHERE : 'where' ; WITH : 'with' ;
WITHOUT : 'without' ; WORK : 'work' ; WRITE : 'write' ; ZONE : 'zone' ;
INDEX : 'index' ; CONCURRENTLY : 'concurrently' ; COPY : 'copy' ;

L2_DISTANCE : '<->' ;
NEGATIVE_INNER_PRODUCT : '<#>' ;
COSINE_DISTANCE : '<=>' ;
L1_DISTANCE : '<+>' ;
DOUBLE_COLON : '::' ;
CONCAT : '||' ;
LE : '<=' ;
GE : '>=' ;
NE : '<>' ;
NE2 : '!=' ;
NOT_TILDE_STAR : '!~*' ;
NOT_TILDE : '!~' ;
TILDE_STAR : '~*' ;
TILDE : '~' ;
EQ : '=' ;
LT : '<' ;
GT : '>' ;
PLUS : '+' ;
MINUS : '-' ;
STAR : '*' ;
SLASH : '/' ;
PERCENT : '%' ;
LPAREN : '(' ;
RPAREN : ')' ;
LBRACKET : '[' ;
RBRACKET : ']' ;
COMMA : ',' ;
SEMI : ';' ;
DOT : '.' ;

PARAMETER : '$' [0-9]+ ;

INTEGER : [0-9]+ ;

DECIMAL
  : [0-9]+ '.' [0-9]* EXPONENT?
  | '.' [0-9]+ EXPONENT?
  | [0-9]+ EXPONENT
  ;

fragment EXPONENT : 'e' [+-]? [0-9]+ ;

ESCAPE_STRING : 'e\'' ( '\\' . | '\'\'' | ~['\\] )* '\'' ;

STRING : '\'' ( '\'\'' | ~'\'' )* '\'' ;

DOLLAR_STRING : '$$' .*? '$$' ;

// A backslash escapes a quote only in E'' strings (standard_conforming_strings is on).
UNTERMINATED_STRING : 'e\'' ( '\\' . | '\'\'' | ~['\\] )* | '\'' ( '\'\'' | ~'\'' )* ;

IDENTIFIER : [a-z_\u0080-\uFFFF] [a-z_0-9$\u0080-\uFFFF]* ;

QUOTED_IDENTIFIER : '"' ( '""' | ~'"' )* '"' ;

LINE_COMMENT : '--' ~[\r\n]* -> channel(HIDDEN) ;

BLOCK_COMMENT : '/*' ( BLOCK_COMMENT | . )*? '*/' -> channel(HIDDEN) ;

WHITESPACE : [ \t\r\n\f]+ -> channel(HIDDEN) ;

UNEXPECTED : . ;
