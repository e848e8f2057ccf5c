"""Records that must not overlap in time (a room booked twice, a shift given twice): the `NoOverlap` kind.

- definition.py  the kind: an entity, its start and end fields, the fields whose equal values compete (`per`), an
                 optional filter of the records that count, a message
- checks.py      the semantic checks (`formwork validate`)
- guard.py       the record hook that refuses an overlapping save, serialized per `per` values under concurrency
- feature.py     the registration
"""
