"""Record history, comments with @mentions, and the record timeline (docs/history.md).

- tables.py     the append-only change history and the comments (tenant storage)
- recording.py  session events that record every create, update and delete in its own transaction
- values.py     field values as stored (JSON-safe) and as shown
- comments.py   comments, their @mentions and the notifications they send
- timeline.py   a record's changes, comments and approval events, newest first
- hidden.py     the fields a reader may not see in a history
- views.py      the timeline on every show page and the comment form
- api.py        /api/v1/records/<table>/<id>/history and /comments

Nothing is imported here, so `compile/generated.py` can register the tables without import cycles.
"""
