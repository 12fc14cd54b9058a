"""The AQL language, apart from any engine that runs it.

The tokenizer (``lexer``), the parser (``parser``), the syntax tree with its
walking helpers (``ast``) and static analysis of a parsed query (``analysis``).
The domain layer and the CLI import this package only, so a store on a real
ArangoDB never loads the embedded engine; the engine binds the tree (function
look-up, arity, what it refuses, frame slots) before compiling it.
"""
