"""formwork-brand: the worked example of docs/extending.md (a field type, a CEL function and a record hook)."""
