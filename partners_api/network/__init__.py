"""The network of ties (active links and held dialogues) and introductions through it."""
