"""Import of CSV/XLSX files into any entity (docs/imports.md).

- `reading`: a file -> header and numbered rows (limits, encodings, delimiters);
- `mapping`: headers -> fields (names or labels in any language, or an explicit mapping);
- `convert`: a cell -> the value the REST API takes (numbers, dates, yes/是, choice labels, record names);
- `importer`: every row checked like an API write, then all saved in one transaction or none;
- `template`: the XLSX template of an entity;
- `service`: one import for the signed-in user (rights, record rules, field rights);
- `screens`, `api`: the ModelView and REST API routes.
"""
