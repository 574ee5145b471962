"""Search query: conditions, predicates, planning, order and shaping."""
