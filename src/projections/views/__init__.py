"""Read models, one implementation per backend, each committing rows and tracking together."""
