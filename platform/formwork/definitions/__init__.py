"""Reading definitions: pack folders and tenant overlays -> YAML -> JSON Schema -> typed definitions -> semantic
checks -> a Catalog, or every mistake with its file and line.

`meta/` says what definitions are (the typed model, the Catalog, the kinds); this package reads and checks them,
which needs the field types, expressions and filters, so it sits above `fields/`, `expr/` and `filters/` and below
`compile/` (docs/architecture.md, "Layers").
"""
