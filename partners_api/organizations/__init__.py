"""Organizations: who they are, where they work, what they offer and seek."""
