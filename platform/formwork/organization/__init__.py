"""Organization screens of the core pack: the department tree (departments, heads, employee counts)."""
