"""The API's foundation: flask-smorest bases, problem documents, pagination, preconditions."""
