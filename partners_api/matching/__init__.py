"""Partner matching and roster composition: explainable scores over in-memory arrays."""
